/**
 * Tiny ONNX policies for tests, built with onnx-proto: an MLP of MatMul/Add/Tanh layers with
 * known weights, so outputs can be computed by hand (mlpForward below), and a helper that writes
 * a complete policy package (policy.onnx + manifest.json with the right sha256).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onnx } from "onnx-proto";
import type { PolicyManifest } from "../../../nodes/learner/policy/manifest";
import { writePolicyPackage } from "../../../nodes/learner/policy/package";

/** ONNX Runtime inside jest needs the realm fix; see tests/support/ort-realm.ts. */
export { fixOrtForJest } from "../../support/ort-realm";

export interface Layer {
  /** Row-major [inputs x outputs]. */
  weights: number[];
  bias: number[];
  inputs: number;
  outputs: number;
  tanh: boolean;
}

export interface MlpOptions {
  layers: Layer[];
  inputName?: string;
  outputName?: string;
  /** Input shape; default ["batch", inputs]. */
  inputShape?: Array<number | string>;
  outputShape?: Array<number | string>;
}

function valueInfo(name: string, shape: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** The ONNX bytes of the MLP. */
export function mlpModel(options: MlpOptions): Uint8Array {
  const input = options.inputName ?? "observation";
  const output = options.outputName ?? "action";
  const first = options.layers[0]!;
  const last = options.layers[options.layers.length - 1]!;
  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  let x = input;
  options.layers.forEach((layer, i) => {
    const isLast = i === options.layers.length - 1;
    initializer.push({ name: `W${i}`, dims: [layer.inputs, layer.outputs], dataType: onnx.TensorProto.DataType.FLOAT, floatData: layer.weights });
    initializer.push({ name: `b${i}`, dims: [layer.outputs], dataType: onnx.TensorProto.DataType.FLOAT, floatData: layer.bias });
    nodes.push({ opType: "MatMul", input: [x, `W${i}`], output: [`mm${i}`], name: `matmul${i}` });
    const sum = isLast && !layer.tanh ? output : `add${i}`;
    nodes.push({ opType: "Add", input: [`mm${i}`, `b${i}`], output: [sum], name: `add${i}` });
    if (layer.tanh) {
      const out = isLast ? output : `h${i}`;
      nodes.push({ opType: "Tanh", input: [sum], output: [out], name: `tanh${i}` });
      x = out;
    } else x = sum;
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: "kestrel-tests",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "mlp",
      node: nodes,
      initializer,
      input: [valueInfo(input, options.inputShape ?? ["batch", first.inputs])],
      output: [valueInfo(output, options.outputShape ?? ["batch", last.outputs])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** The MLP by hand (float64): what ONNX Runtime should give up to float32 rounding. */
export function mlpForward(layers: Layer[], x: ArrayLike<number>): number[] {
  let h = Array.from(x);
  for (const l of layers) {
    const y: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      for (let i = 0; i < l.inputs; i++) s += h[i]! * l.weights[i * l.outputs + o]!;
      y.push(l.tanh ? Math.tanh(s) : s);
    }
    h = y;
  }
  return h;
}

/**
 * A one-layer policy over the 40-value observation: a = tanh(W·x' + b) with W reading
 * obs[36] (goal distance) into v and obs[37] (goal bearing) into w, so v = (tanh(d) + 1) / 2 · vmax,
 * w = tanh(bearing) · wmax — it drives towards the goal.
 */
export function goalSeekingLayers(size = 40, beams = 36): Layer[] {
  const weights = new Array<number>(size * 2).fill(0);
  weights[beams * 2 + 0] = 1; // goal distance -> v
  weights[(beams + 1) * 2 + 1] = 2; // goal bearing -> w
  return [{ inputs: size, outputs: 2, weights, bias: [0, 0], tanh: true }];
}

/** A two-layer MLP with arbitrary (deterministic) weights, for hand-computed outputs. */
export function twoLayerMlp(size = 40, hidden = 8): Layer[] {
  const w1 = Array.from({ length: size * hidden }, (_, i) => Math.sin(i * 0.37) * 0.3);
  const b1 = Array.from({ length: hidden }, (_, i) => 0.05 * (i - hidden / 2));
  const w2 = Array.from({ length: hidden * 2 }, (_, i) => Math.cos(i * 0.71) * 0.5);
  return [
    { inputs: size, outputs: hidden, weights: w1, bias: b1, tanh: true },
    { inputs: hidden, outputs: 2, weights: w2, bias: [0.1, -0.2], tanh: true },
  ];
}

export function testManifest(overrides: Partial<Omit<PolicyManifest, "model">> = {}, size = 40): Omit<PolicyManifest, "model"> & { model: { input: string; output: string } } {
  return {
    format: "kestrel-policy",
    format_version: 1,
    id: "test-policy",
    model: { input: "observation", output: "action" },
    observation: { layout: "kestrel-nav-v1", size, lidar_beams: size - 4, max_range: 3.5, goal: "path_end" },
    normalization: { mean: new Array<number>(size).fill(0), std: new Array<number>(size).fill(1) },
    action: { size: 2, linear: { min: 0, max: 0.22 }, angular: { min: -2.84, max: 2.84 }, squash: "tanh_scaled" },
    provenance: {
      algorithm: "bc",
      dataset_sha256: "d".repeat(64),
      seed: 7,
      code_version: { package_version: "0.1.0", git_commit: null },
      created_at: "2025-01-01T00:00:00.000Z",
    },
    evaluation: { success_rate: 0.9, mean_return: 42.5, episodes: 20 },
    ...overrides,
  };
}

/** Writes a full package into `dir` and returns dir. */
export function writeTestPackage(dir: string, options: { layers?: Layer[]; manifest?: Partial<Omit<PolicyManifest, "model">>; model?: Partial<MlpOptions> } = {}): string {
  const layers = options.layers ?? goalSeekingLayers();
  const onnxBytes = mlpModel({ layers, ...options.model });
  const manifest = testManifest(options.manifest, layers[0]!.inputs);
  if (options.model?.inputName) manifest.model.input = options.model.inputName;
  if (options.model?.outputName) manifest.model.output = options.model.outputName;
  writePolicyPackage(dir, onnxBytes, manifest);
  return dir;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "kestrel-policy-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
