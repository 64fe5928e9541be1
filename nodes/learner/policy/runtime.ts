/**
 * A synchronous ONNX Runtime session for small policies.
 *
 * onnxruntime-node's public `session.run()` returns a Promise, but it only defers the native call
 * to setImmediate and then runs it on the main thread anyway (dist/backend.js); the native binding
 * underneath (`onnxruntime-node/dist/binding`, "a simple synchronized inference session object
 * wrap") is synchronous. A controller mode computes its command synchronously inside the control
 * cycle, so the policy calls the binding directly: no one-cycle lag, no promise per cycle.
 *
 * Why in-thread is fine here, unlike the detector (DESIGN.md keeps CNN sessions in a worker):
 * measured on the development machine (2 shared cores, CPU provider, 1 intra-op thread), a
 * 40→64→64→2 tanh MLP runs in a median 12 µs per act(), p99 35 µs (2000 calls after warm-up,
 * normalisation and squash included; tests/learner/policy/package.test.ts prints the figures and
 * asserts a median < 2 ms), i.e. < 0.1 % of a 50 ms (20 Hz) control period, against tens of milliseconds for a detector frame. A policy
 * orders of magnitude larger would belong in a worker like the detector.
 *
 * The binding is an internal module of onnxruntime-node (pinned ^1.30 in package.json); a
 * version whose binding changes shape is caught by loadPolicy, which runs a probe inference and
 * fails with a clear error rather than at the first control cycle. ONNX Runtime is loaded lazily,
 * so importing the policy code (e.g. the controller in pursuit mode) does not load it.
 */
import type * as OrtNode from "onnxruntime-node";
import type * as OrtBinding from "onnxruntime-node/dist/binding";

export interface IoMetadata {
  name: string;
  /** Dimensions; a symbolic or unknown dimension is its name or "?". */
  shape: Array<number | string>;
  /** ONNX element type name ("float32", ...), or "non-tensor". */
  type: string;
}

export interface SyncSession {
  readonly inputs: IoMetadata[];
  readonly outputs: IoMetadata[];
  /**
   * Runs the model on one float32 input and returns the named float32 output's data (of shape
   * outputDims). The returned array is reused by the next call.
   */
  run(inputName: string, input: Float32Array, dims: readonly number[], outputName: string, outputDims: readonly number[]): Float32Array;
  dispose(): void;
}

// The ONNX TensorProto element types onnxruntime-node reports (index = type code).
const TYPE_NAMES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
};

interface Loaded {
  ort: typeof OrtNode;
  binding: typeof OrtBinding;
}
let loaded: Loaded | undefined;

function loadOrt(): Loaded {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require("onnxruntime-node") as typeof OrtNode;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require("onnxruntime-node/dist/binding") as typeof OrtBinding;
    loaded = { ort, binding };
  }
  return loaded;
}

function metadata(raw: ReadonlyArray<OrtBinding.Binding.ValueMetadata>): IoMetadata[] {
  return raw.map((m) => ({
    name: m.name,
    type: m.isTensor ? (TYPE_NAMES[m.type] ?? `type ${m.type}`) : "non-tensor",
    shape: m.isTensor ? m.shape.map((d, i) => (d >= 0 ? d : m.symbolicDimensions[i] || "?")) : [],
  }));
}

/** Opens a CPU session (one intra-op thread: fastest for a tiny MLP and it leaves the cores to the graph). */
export function openSyncSession(model: Uint8Array): SyncSession {
  const { ort, binding } = loadOrt();
  binding.initOrt();
  const session = new binding.binding.InferenceSession();
  session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
  });
  const outputs = new Map<string, OrtNode.Tensor>();
  return {
    inputs: metadata(session.inputMetadata),
    outputs: metadata(session.outputMetadata),
    run(inputName, input, dims, outputName, outputDims) {
      // The output goes into a pre-allocated tensor: no allocation per call, and ONNX Runtime
      // then never constructs a Tensor itself (which, under jest's separate realm, fails the
      // Float32Array instanceof check in onnxruntime-common).
      const key = `${outputName}:${outputDims.join("x")}`;
      let out = outputs.get(key);
      if (!out) {
        out = new ort.Tensor("float32", new Float32Array(outputDims.reduce((a, b) => a * b, 1)), outputDims);
        outputs.set(key, out);
      }
      session.run({ [inputName]: new ort.Tensor("float32", input, dims) }, { [outputName]: out }, {});
      return out.data as Float32Array;
    },
    dispose: () => session.dispose(),
  };
}
