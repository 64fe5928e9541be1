/**
 * ONNX Runtime sessions: created from the verified model bytes with the execution providers
 * tried in order (onnxruntime-node throws at creation when a provider's library is missing, e.g.
 * CUDA without the CUDA 12 provider installed), then checked against the manifest: input name
 * and shape, and the outputs against the decoder — all before the first frame.
 * Loaded only inside the inference worker (and the bench): the node's thread never imports it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import type { ShapeMap, Tensor } from "./decoders";
import { checkedDecoder, Detector, inputProblem, type ModelRunner } from "./detector";
import { readVerifiedModel, type ModelManifest } from "./manifest";

export interface SessionOptions {
  /** onnxruntime-node provider names in order of preference: cuda, tensorrt, webgpu, dml, coreml, cpu. */
  providers: readonly string[];
  /** Intra-op threads; 0: one per physical core (see defaultIntraOpThreads). */
  intraOpThreads: number;
}

export interface ProviderFailure {
  provider: string;
  error: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  /** The provider the session was created with. */
  provider: string;
  /** Providers tried before it, and why each failed. */
  failures: ProviderFailure[];
}

/**
 * Physical cores this process can use: distinct (package, core) ids in Linux's sysfs topology,
 * at most the available parallelism; the available parallelism where there is no sysfs.
 */
export function physicalCores(sysCpu = "/sys/devices/system/cpu"): number {
  const logical = availableParallelism();
  try {
    const cores = new Set<string>();
    for (const cpu of readdirSync(sysCpu).filter((n) => /^cpu\d+$/.test(n))) {
      const topology = `${sysCpu}/${cpu}/topology`;
      cores.add(`${readFileSync(`${topology}/physical_package_id`, "utf8").trim()}:${readFileSync(`${topology}/core_id`, "utf8").trim()}`);
    }
    return Math.max(1, Math.min(logical, cores.size || logical));
  } catch {
    return logical;
  }
}

/**
 * The intra-op thread count used for 0: ONNX Runtime's own default count (one per physical core),
 * but given explicitly, because left unset ORT also pins its pool threads to cores. Pinned, they
 * fight the scheduler whenever anything else shares those cores (another session, the node's own
 * thread, the robot's other nodes): measured here (bench/perception), the node's inference ran
 * 30-60% slower for the first ~7 frames after another session had run; with the count given
 * explicitly that is gone.
 */
export function defaultIntraOpThreads(): number {
  return physicalCores();
}

/** Creates a session with the first provider that works; throws naming every failure when none does. */
export async function openSession(model: Uint8Array, options: SessionOptions): Promise<OpenedSession> {
  const failures: ProviderFailure[] = [];
  // A missing provider library is expected and reported by us (as an exception naming it);
  // ORT would also print it natively from its environment logger, which only 'fatal' silences.
  if (options.providers.some((p) => p !== "cpu")) ort.env.logLevel = "fatal";
  const providers = options.providers.length > 0 ? options.providers : ["cpu"];
  for (const provider of providers) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        graphOptimizationLevel: "all",
        // No busy-waiting between runs: a robot's other nodes share these cores, and frames come
        // every few tens of ms, far longer than ORT's spin window, so spinning only burns CPU.
        extra: { session: { intra_op: { allow_spinning: "0" } } },
        intraOpNumThreads: options.intraOpThreads > 0 ? options.intraOpThreads : defaultIntraOpThreads(),
        // A missing provider library is expected (and reported by us): keep ORT's own log quiet then.
        logSeverityLevel: provider === "cpu" ? 2 : 4,
      });
      return { session, provider, failures };
    } catch (error) {
      failures.push({ provider, error: firstLine((error as Error).message) });
    }
  }
  throw new Error(`no execution provider could run the model: ${failures.map((f) => `${f.provider}: ${f.error}`).join("; ")}`);
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

export function shapesOf(metadata: readonly ort.InferenceSession.ValueMetadata[]): Record<string, ReadonlyArray<number | string>> {
  const out: Record<string, ReadonlyArray<number | string>> = {};
  for (const m of metadata) out[m.name] = m.isTensor ? m.shape : [];
  return out;
}

/** A ModelRunner over a session: feeds the manifest's input, returns every float32 output. */
export function sessionRunner(session: ort.InferenceSession, inputName: string): ModelRunner {
  return async (input, dims) => {
    const results = await session.run({ [inputName]: new ort.Tensor("float32", input, dims) });
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      if (value.type !== "float32") throw new Error(`output '${name}' is ${value.type}; decoders read float32 outputs`);
      out[name] = { data: value.data as Float32Array, dims: value.dims };
    }
    return out;
  };
}

export interface LoadedDetector extends OpenedSession {
  detector: Detector;
  inputShapes: ShapeMap;
  outputShapes: ShapeMap;
}

/**
 * Verifies the model's sha256, opens a session (provider fallback) and checks its inputs and
 * outputs against the manifest and decoder. Everything that can be wrong with a model fails here.
 */
export async function loadDetector(manifest: ModelManifest, options: SessionOptions): Promise<LoadedDetector> {
  const bytes = readVerifiedModel(manifest);
  const opened = await openSession(bytes, options);
  try {
    const inputShapes = shapesOf(opened.session.inputMetadata);
    const outputShapes = shapesOf(opened.session.outputMetadata);
    const problem = inputProblem(manifest, inputShapes);
    if (problem) throw new Error(problem);
    const decoder = checkedDecoder(manifest, outputShapes);
    const detector = new Detector(manifest, decoder, sessionRunner(opened.session, manifest.input.name));
    return { ...opened, detector, inputShapes, outputShapes };
  } catch (error) {
    await opened.session.release();
    throw error;
  }
}
