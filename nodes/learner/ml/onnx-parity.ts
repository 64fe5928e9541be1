/**
 * Export parity: an ONNX export is accepted only when ONNX Runtime reproduces the TF.js outputs.
 * Issue 4 sets 1e-4 (detector), issue 6 sets 1e-5 (policies) as the max abs difference on a test batch.
 *
 * onnxruntime-node is required lazily (it loads a native library) and runs on its CPU provider here:
 * parity is a property of the graph, not of the serving provider.
 */
import { createHash } from "crypto";
import * as tf from "@tensorflow/tfjs";
import { exportToOnnx, InputLayout, OnnxExportOptions } from "./onnx-export";

export interface ParityOptions {
  /** Tolerance on the max abs difference (default 1e-5). */
  atol?: number;
  /** Name of the ONNX graph input (default: the session's first input). */
  inputName?: string;
  /** Layout the ONNX input was exported with (default NHWC); the batch is given in TF.js layout. */
  inputLayout?: InputLayout;
}

export interface ParityResult {
  /** max |tfjs - onnx| over every output element. */
  maxAbsDiff: number;
  /** The tolerance compared against. */
  atol: number;
  /** maxAbsDiff <= atol (and no NaN). */
  withinTolerance: boolean;
  /** Flat index of the worst element and the two values there. */
  worst: { index: number; tfjs: number; onnx: number };
  outputShape: number[];
}

type Ort = typeof import("onnxruntime-node");

function ort(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("onnxruntime-node") as Ort;
}

/**
 * Runs the TF.js model and the ONNX bytes on `batch` (TF.js layout) and compares the outputs.
 * Resolves with the comparison; never throws on a mismatch (see exportWithParity for that).
 */
export async function checkParity(
  model: tf.LayersModel,
  onnxBytes: Uint8Array,
  batch: tf.Tensor,
  options: ParityOptions = {},
): Promise<ParityResult> {
  const atol = options.atol ?? 1e-5;
  const expectedT = model.predict(batch) as tf.Tensor;
  const expected = (await expectedT.data()) as Float32Array;
  const outputShape = expectedT.shape.slice();
  expectedT.dispose();

  const feedT = options.inputLayout === "NCHW" && batch.rank === 4 ? tf.transpose(batch, [0, 3, 1, 2]) : batch;
  const feed = Float32Array.from((await feedT.data()) as Float32Array);
  const feedShape = feedT.shape.slice();
  if (feedT !== batch) feedT.dispose();

  const { InferenceSession, Tensor } = ort();
  const session = await InferenceSession.create(Buffer.from(onnxBytes), { executionProviders: ["cpu"], graphOptimizationLevel: "all" });
  try {
    const inputName = options.inputName ?? session.inputNames[0];
    // The output goes into a pre-allocated tensor of the TF.js output's shape: ONNX Runtime then never
    // constructs a Tensor itself (under jest's separate realm that fails onnxruntime-common's
    // Float32Array instanceof check), and a shape mismatch is reported by ONNX Runtime.
    const outputName = session.outputNames[0];
    const fetch = new Tensor("float32", new Float32Array(expected.length), outputShape);
    try {
      await session.run({ [inputName]: new Tensor("float32", feed, feedShape) }, { [outputName]: fetch });
    } catch (e) {
      throw new Error(`parity: ONNX Runtime failed on a batch of shape [${feedShape}] (TF.js output [${outputShape}]): ${(e as Error).message}`);
    }
    const actual = fetch.data as Float32Array;
    let maxAbsDiff = 0;
    let worst = { index: 0, tfjs: expected[0], onnx: actual[0] };
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(expected[i] - actual[i]);
      if (!(d <= maxAbsDiff)) {
        maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
        worst = { index: i, tfjs: expected[i], onnx: actual[i] };
        if (Number.isNaN(d)) break;
      }
    }
    return { maxAbsDiff, atol, withinTolerance: maxAbsDiff <= atol, worst, outputShape };
  } finally {
    await session.release();
  }
}

export class ParityError extends Error {
  constructor(readonly result: ParityResult) {
    super(
      `ONNX export rejected: max abs difference ${result.maxAbsDiff.toExponential(3)} exceeds tolerance ${result.atol.toExponential(1)} ` +
        `(worst element ${result.worst.index}: tfjs ${result.worst.tfjs}, onnx ${result.worst.onnx})`,
    );
    this.name = "ParityError";
  }
}

export interface ExportWithParityOptions extends OnnxExportOptions {
  /** Tolerance on the max abs difference (default 1e-5; the detector uses 1e-4). */
  atol?: number;
  /** The test batch in TF.js layout (default: 8 seeded random-normal samples of the model's input shape). */
  sampleBatch?: tf.Tensor;
}

export interface AcceptedExport {
  bytes: Uint8Array;
  /** Hex sha256 of bytes (for the model manifest). */
  sha256: string;
  maxAbsDiff: number;
}

/** Exports `model` to ONNX and accepts it only under the parity tolerance; throws ParityError otherwise. */
export async function exportWithParity(model: tf.LayersModel, options: ExportWithParityOptions = {}): Promise<AcceptedExport> {
  const atol = options.atol ?? 1e-5;
  const bytes = exportToOnnx(model, options);
  const batch =
    options.sampleBatch ??
    tf.randomNormal([8, ...model.inputs[0].shape.slice(1).map((d) => d as number)], 0, 1, "float32", 1234);
  try {
    const result = await checkParity(model, bytes, batch, { atol, inputName: options.inputName, inputLayout: options.inputLayout });
    if (!result.withinTolerance) throw new ParityError(result);
    return { bytes, sha256: createHash("sha256").update(bytes).digest("hex"), maxAbsDiff: result.maxAbsDiff };
  } finally {
    if (batch !== options.sampleBatch) batch.dispose();
  }
}
