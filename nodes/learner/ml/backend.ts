/**
 * TensorFlow.js backend selection for training.
 *
 * Order (DESIGN.md "Hot paths", issue 6 item 5): tfjs-node-gpu, tfjs-node, wasm, cpu — the first one
 * that loads and initialises wins. tfjs-node(-gpu) are optionalDependencies that download libtensorflow
 * at install time, so they are required lazily inside try/catch and never at module top level.
 *
 * The wasm backend needs its .wasm binaries; they are located in the installed
 * node_modules/@tensorflow/tfjs-backend-wasm/dist folder (require.resolve), so selection works the same
 * from dist/ and from ts-jest. When wasm is chosen, the convolution-gradient kernels that the wasm backend
 * lacks are registered (see wasm-conv-grads.ts), so convolutional networks train on it, and the wasm
 * kernels that are slow in a training step are replaced (wasm-fast-kernels.ts).
 */
import * as path from "path";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { registerCpuGradientFixes } from "./cpu-fixes";
import { registerWasmConvGradients } from "./wasm-conv-grads";
import { registerWasmFastKernels } from "./wasm-fast-kernels";

/** The candidates, in default order. */
export type BackendCandidate = "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";
export const DEFAULT_BACKEND_ORDER: readonly BackendCandidate[] = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"];

export interface SelectBackendOptions {
  /** Candidates to try, in order (default DEFAULT_BACKEND_ORDER). Unknown names are skipped with a reason. */
  prefer?: string[];
  /** Where to log the choice (default console.log with a [ml/backend] prefix). Pass () => {} to silence. */
  log?: (line: string) => void;
  /** Register the wasm convolution-gradient kernels when wasm is chosen (default true). */
  registerWasmGradients?: boolean;
  /** Replace the wasm kernels that are slow in training (Identity, Concat, Conv2D; see wasm-fast-kernels.ts) when wasm is chosen (default true). */
  replaceSlowWasmKernels?: boolean;
}

export interface SkippedBackend {
  name: string;
  reason: string;
}

export interface BackendSelection {
  /** The candidate that won ("tfjs-node-gpu", "tfjs-node", "wasm" or "cpu"). */
  name: BackendCandidate;
  /** tf.getBackend() after selection ("tensorflow", "wasm", "cpu"). */
  tfBackend: string;
  /** Why this one: the first of the order that loaded, or the skipped candidates ahead of it. */
  reason: string;
  /** Candidates tried before it and why each was skipped. */
  skipped: SkippedBackend[];
  /** Threads the backend computes with (wasm under Node runs one; tensorflow uses all cores). */
  threads: number;
}

/** The folder holding tfjs-backend-wasm's .wasm binaries (with a trailing separator), or null. */
export function locateWasmDir(): string | null {
  try {
    const main = require.resolve("@tensorflow/tfjs-backend-wasm");
    // main is .../tfjs-backend-wasm/dist/tf-backend-wasm.node.js (or similar) — walk up to the package root.
    let dir = path.dirname(main);
    for (let i = 0; i < 4; i++) {
      const candidate = path.join(dir, "dist");
      if (fs.existsSync(path.join(candidate, "tfjs-backend-wasm.wasm"))) return candidate + path.sep;
      if (fs.existsSync(path.join(dir, "tfjs-backend-wasm.wasm"))) return dir + path.sep;
      dir = path.dirname(dir);
    }
  } catch {
    /* not installed */
  }
  return null;
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 200);
}

async function tryTfjsNode(pkg: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node"): Promise<string | null> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
  } catch (e) {
    return `${pkg} not loadable (${errorText(e)})`;
  }
  try {
    const ok = await tf.setBackend("tensorflow");
    if (!ok) return `${pkg} loaded but the 'tensorflow' backend did not initialise`;
  } catch (e) {
    return `${pkg} loaded but setBackend('tensorflow') threw (${errorText(e)})`;
  }
  return null;
}

let wasmPathsSet = false;

async function tryWasm(): Promise<string | null> {
  let wasmModule: { setWasmPaths: (prefix: string) => void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    wasmModule = require("@tensorflow/tfjs-backend-wasm");
  } catch (e) {
    return `@tensorflow/tfjs-backend-wasm not loadable (${errorText(e)})`;
  }
  const dir = locateWasmDir();
  if (!dir) return "tfjs-backend-wasm .wasm binaries not found next to the package";
  try {
    // setWasmPaths only takes effect before the backend initialises; set it once.
    if (!wasmPathsSet) {
      wasmModule.setWasmPaths(dir);
      wasmPathsSet = true;
    }
    const ok = await tf.setBackend("wasm");
    if (!ok) return "wasm backend failed to initialise";
  } catch (e) {
    return `setBackend('wasm') threw (${errorText(e)})`;
  }
  return null;
}

async function tryCpu(): Promise<string | null> {
  try {
    const ok = await tf.setBackend("cpu");
    return ok ? null : "cpu backend failed to initialise";
  } catch (e) {
    return `setBackend('cpu') threw (${errorText(e)})`;
  }
}

function threadsOf(name: BackendCandidate): number {
  if (name === "tfjs-node" || name === "tfjs-node-gpu") return require("os").cpus().length as number;
  // wasm under Node has no pthread workers (tfjs-backend-wasm turns its threaded build off in Node);
  // the native kernels it may use (native-kernels.ts) run one ONNX Runtime intra-op thread; cpu is JS.
  return 1;
}

/**
 * Selects the first TF.js backend of `prefer` that loads, sets it as tf's backend, and logs which one
 * was chosen and why the ones ahead of it were skipped. Throws only when no candidate works.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const log = options.log ?? ((line: string) => console.log(`[ml/backend] ${line}`));
  const order = options.prefer ?? [...DEFAULT_BACKEND_ORDER];
  const skipped: SkippedBackend[] = [];
  for (const name of order) {
    let failure: string | null;
    switch (name) {
      case "tfjs-node-gpu":
        failure = await tryTfjsNode("@tensorflow/tfjs-node-gpu");
        break;
      case "tfjs-node":
        failure = await tryTfjsNode("@tensorflow/tfjs-node");
        break;
      case "wasm":
        failure = await tryWasm();
        break;
      case "cpu":
        failure = await tryCpu();
        break;
      default:
        failure = `unknown backend '${name}' (known: ${DEFAULT_BACKEND_ORDER.join(", ")})`;
    }
    if (failure !== null) {
      skipped.push({ name, reason: failure });
      log(`skipped ${name}: ${failure}`);
      continue;
    }
    const chosen = name as BackendCandidate;
    if (chosen === "wasm" && options.registerWasmGradients !== false) registerWasmConvGradients();
    if (chosen === "wasm" && options.replaceSlowWasmKernels !== false) registerWasmFastKernels();
    if (chosen === "cpu") registerCpuGradientFixes();
    const reason =
      skipped.length === 0
        ? `first in order [${order.join(", ")}]`
        : `first available after skipping ${skipped.map((s) => s.name).join(", ")}`;
    const selection: BackendSelection = { name: chosen, tfBackend: tf.getBackend(), reason, skipped, threads: threadsOf(chosen) };
    log(`using ${chosen} (tf backend '${selection.tfBackend}', ${selection.threads} thread(s)): ${reason}`);
    return selection;
  }
  throw new Error(`no TensorFlow.js backend available: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
}
