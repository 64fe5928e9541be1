/**
 * Policy packages: a folder holding `policy.onnx` and `manifest.json` (format in manifest.ts).
 *
 * loadPolicy(dir) is the one door a policy comes through: it validates the manifest, checks the
 * model's sha256 against it (a mismatch names the file, the expected and the found hash), opens
 * an ONNX Runtime session and checks the model's input and output names, types and shapes against
 * the manifest (each mismatch named), then runs a probe inference on the all-mean observation.
 * Anything wrong with a package fails here, before it can drive.
 *
 * The returned Policy maps an observation (observation.ts) to a bounded command, synchronously:
 * normalise with the manifest's mean/std, run the MLP, squash the outputs onto the action bounds.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkManifest, manifestObservationSpec, MANIFEST_FILE, MODEL_FILE, readManifest, type PolicyManifest, type Range } from "./manifest";
import type { ObservationSpec } from "./observation";
import { openSyncSession, type IoMetadata, type SyncSession } from "./runtime";

export interface PolicyAction {
  /** Linear velocity (m/s), within the manifest's action.linear bounds (NaN if the model produced NaN). */
  v: number;
  /** Angular velocity (rad/s), within action.angular. */
  w: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const OUTPUT_DIMS = [1, 2] as const;

export class Policy {
  readonly observationSize: number;
  readonly observationSpec: ObservationSpec;
  private readonly normalised: Float32Array;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly dims: number[];

  constructor(
    /** The package folder, resolved. */
    readonly dir: string,
    readonly manifest: PolicyManifest,
    private readonly session: SyncSession,
  ) {
    this.observationSize = manifest.observation.size;
    this.observationSpec = manifestObservationSpec(manifest);
    this.normalised = new Float32Array(this.observationSize);
    this.mean = Float32Array.from(manifest.normalization.mean);
    this.invStd = Float32Array.from(manifest.normalization.std, (s) => 1 / s);
    this.dims = [1, this.observationSize];
  }

  get id(): string {
    return this.manifest.id;
  }

  get sha256(): string {
    return this.manifest.model.sha256;
  }

  /** The command for one observation (layout in observation.ts). Synchronous (see runtime.ts for its cost). */
  act(observation: Float32Array): PolicyAction {
    if (observation.length !== this.observationSize) {
      throw new Error(`policy '${this.id}': observation has ${observation.length} values, the manifest says ${this.observationSize}`);
    }
    const x = this.normalised;
    for (let i = 0; i < x.length; i++) x[i] = (observation[i]! - this.mean[i]!) * this.invStd[i]!;
    // The binding keeps a reference to the input only for the call: reusing the buffer is safe.
    const out = this.session.run(this.manifest.model.input, x, this.dims, this.manifest.model.output, OUTPUT_DIMS);
    const { linear, angular, squash } = this.manifest.action;
    return { v: squashed(out[0]!, linear, squash), w: squashed(out[1]!, angular, squash) };
  }

  dispose(): void {
    this.session.dispose();
  }
}

function squashed(a: number, range: Range, squash: PolicyManifest["action"]["squash"]): number {
  if (!Number.isFinite(a)) return Number.NaN; // the safety layer stops on it
  if (squash === "tanh_scaled") {
    const t = a < -1 ? -1 : a > 1 ? 1 : a;
    return range.min + ((t + 1) / 2) * (range.max - range.min);
  }
  return a < range.min ? range.min : a > range.max ? range.max : a;
}

/** Reads the model named by the manifest and checks its sha256. */
export function readVerifiedModel(dir: string, manifest: PolicyManifest): Uint8Array {
  const file = join(dir, manifest.model.file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`${file}: cannot read the policy model: ${(error as Error).message}`);
  }
  const found = sha256Hex(bytes);
  if (found !== manifest.model.sha256) {
    throw new Error(`${file}: sha256 mismatch: the manifest expects ${manifest.model.sha256}, the file has ${found} (corrupted or replaced; refusing to load)`);
  }
  return bytes;
}

const fmtShape = (s: ReadonlyArray<number | string>): string => `[${s.join(", ")}]`;

/** Every mismatch between the model's I/O and the manifest, each naming the tensor. */
export function ioProblems(manifest: PolicyManifest, inputs: IoMetadata[], outputs: IoMetadata[]): string[] {
  const problems: string[] = [];
  const size = manifest.observation.size;
  const check = (kind: "input" | "output", list: IoMetadata[], name: string, width: number): void => {
    const m = list.find((x) => x.name === name);
    if (!m) {
      problems.push(`model has no ${kind} '${name}' (manifest model.${kind}); its ${kind}s are ${list.map((x) => `'${x.name}'`).join(", ") || "none"}`);
      return;
    }
    if (m.type !== "float32") problems.push(`${kind} '${name}' is ${m.type}, expected float32`);
    const batchOk = m.shape.length === 2 && (typeof m.shape[0] === "string" || m.shape[0] === 1);
    if (!batchOk || m.shape[1] !== width) {
      problems.push(`${kind} '${name}' has shape ${fmtShape(m.shape)}, expected [N, ${width}] (N = 1 or symbolic)${kind === "input" ? ` for observation.size ${size}` : " for [v, w]"}`);
    }
  };
  check("input", inputs, manifest.model.input, size);
  check("output", outputs, manifest.model.output, manifest.action.size);
  if (inputs.length !== 1) problems.push(`model has ${inputs.length} inputs (${inputs.map((x) => `'${x.name}'`).join(", ")}); a policy takes exactly one`);
  return problems;
}

/** Loads and fully checks a package (see the file comment); synchronous (a small MLP loads in milliseconds). */
export function loadPolicySync(dir: string): Policy {
  const root = resolve(dir);
  const manifest = readManifest(root);
  const bytes = readVerifiedModel(root, manifest);
  const modelFile = join(root, manifest.model.file);
  let session: SyncSession;
  try {
    session = openSyncSession(bytes);
  } catch (error) {
    throw new Error(`${modelFile}: ONNX Runtime cannot load the model: ${firstLine((error as Error).message)}`);
  }
  try {
    const problems = ioProblems(manifest, session.inputs, session.outputs);
    if (problems.length > 0) throw new Error(`${modelFile}: does not match ${join(root, MANIFEST_FILE)}: ${problems.join("; ")}`);
    const policy = new Policy(root, manifest, session);
    let probe: PolicyAction;
    try {
      probe = policy.act(Float32Array.from(manifest.normalization.mean));
    } catch (error) {
      throw new Error(`${modelFile}: probe inference failed: ${firstLine((error as Error).message)}`);
    }
    if (!Number.isFinite(probe.v) || !Number.isFinite(probe.w)) {
      throw new Error(`${modelFile}: probe inference on the mean observation gave a non-finite command (v ${probe.v}, w ${probe.w})`);
    }
    return policy;
  } catch (error) {
    session.dispose();
    throw error;
  }
}

/** loadPolicySync as a Promise (the CLI and the learner's API). */
export async function loadPolicy(dir: string): Promise<Policy> {
  return loadPolicySync(dir);
}

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim() !== "") ?? text).slice(0, 400);
}

/** What writePolicyPackage needs: the manifest without the model file and hash, which it fills in. */
export type ManifestDraft = Omit<PolicyManifest, "model"> & { model: { input: string; output: string; file?: string } };

/**
 * Writes a package: `policy.onnx` and a manifest carrying its sha256 (each file written to a
 * temporary name and renamed, so a crash never leaves a half-written file under the real name).
 * For the ONNX exporter and for tests. Returns the manifest written.
 */
export function writePolicyPackage(dir: string, onnxModel: Uint8Array, draft: ManifestDraft): PolicyManifest {
  const file = draft.model.file ?? MODEL_FILE;
  const manifest = checkManifest({ ...draft, model: { file, sha256: sha256Hex(onnxModel), input: draft.model.input, output: draft.model.output } }, join(dir, MANIFEST_FILE));
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, file), onnxModel);
  writeAtomically(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function manifestSpec(m: PolicyManifest): ObservationSpec {
  return manifestObservationSpec(m);
}

/** Write to a temporary sibling, then rename over the target (atomic on one POSIX file system). */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = join(dirname(file), `.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(tmp, data, { flush: true });
  renameSync(tmp, file);
}

/**
 * The code version for provenance: package.json's version and the git commit when a .git folder
 * is found above `start` (read from .git/HEAD and its ref, no git process), else null.
 * KESTREL_GIT_COMMIT overrides the commit (for builds from a tarball).
 */
export function currentCodeVersion(start: string = __dirname, env: NodeJS.ProcessEnv = process.env): { package_version: string; git_commit: string | null } {
  let dir = resolve(start);
  let packageVersion = "unknown";
  let commit: string | null = env.KESTREL_GIT_COMMIT ?? null;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (packageVersion === "unknown" && existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
        if (parsed.name === "kestrel" && parsed.version) packageVersion = parsed.version;
      } catch {
        // not ours
      }
    }
    if (commit === null && existsSync(join(dir, ".git", "HEAD"))) commit = gitCommit(join(dir, ".git"));
    const parent = dirname(dir);
    if (parent === dir || (packageVersion !== "unknown" && commit !== null)) break;
    dir = parent;
  }
  return { package_version: packageVersion, git_commit: commit };
}

function gitCommit(gitDir: string): string | null {
  try {
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
    const packed = readFileSync(join(gitDir, "packed-refs"), "utf8");
    for (const line of packed.split("\n")) {
      const [hash, name] = line.split(" ");
      if (name === ref && hash) return hash;
    }
  } catch {
    // no readable ref
  }
  return null;
}
