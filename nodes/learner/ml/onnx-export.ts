/**
 * TF.js LayersModel -> ONNX (opset 13) ModelProto bytes.
 *
 * Layout decision. TF.js convolutions are NHWC; ONNX Conv/Pool/BatchNormalization are NCHW. The exported
 * graph's INPUT is NHWC by default — the same tensor the TF.js model takes, so one preprocessed buffer
 * feeds either runtime — and a single Transpose (NHWC->NCHW) is inserted lazily before the first spatial
 * op. The graph then stays in NCHW through Conv/Pool/BN/activations/elementwise/channel-Concat, and a
 * Transpose back to NHWC is inserted only where TF semantics depend on element order (Flatten, Reshape,
 * Dense on a 4-D tensor, a non-channel Concat) and at the output, so the ONNX OUTPUT always has the TF.js
 * model's shape and element order. `inputLayout: 'NCHW'` instead declares the input as [batch, C, H, W]
 * (no input Transpose) for pipelines that feed planar images; the output is unchanged.
 * The batch dimension is symbolic ('batch'); every other dimension is fixed.
 *
 * The model must have one input and one output; branches that merge (Concatenate/Add/...) are fine.
 * Any other layer class is refused with an UnsupportedLayerError naming the layer and its class.
 */
import * as tf from "@tensorflow/tfjs";
import { Dim, OnnxGraphBuilder, valueInfo } from "./onnx-graph";

export type InputLayout = "NHWC" | "NCHW";

export interface OnnxExportOptions {
  /** Graph input name (default "input"). */
  inputName?: string;
  /** Graph output name (default "output"). */
  outputName?: string;
  /** Layout of a rank-4 graph input (default "NHWC", as TF.js). */
  inputLayout?: InputLayout;
  /** Extra metadata_props written into the model. */
  metadata?: Record<string, string>;
}

export class UnsupportedLayerError extends Error {
  constructor(
    readonly layerName: string,
    readonly className: string,
    detail?: string,
  ) {
    super(`ONNX export: layer '${layerName}' of class ${className} is not supported${detail ? `: ${detail}` : ""}`);
    this.name = "UnsupportedLayerError";
  }
}

/** A value in the graph being built. `shape` is the TF (NHWC) shape; `nchw` says it is stored transposed. */
interface Value {
  name: string;
  shape: (number | null)[];
  nchw: boolean;
}

type Config = Record<string, unknown>;

interface Ctx {
  b: OnnxGraphBuilder;
  layer: tf.layers.Layer;
  cfg: Config;
  fail: (detail: string) => never;
}

const toNCHW = (c: Ctx, v: Value): Value =>
  v.nchw || v.shape.length !== 4
    ? v
    : { ...v, nchw: true, name: c.b.node("Transpose", [v.name], `${c.layer.name}/to_nchw`, { perm: { ints: [0, 3, 1, 2] } }) };

const toTF = (c: Ctx, v: Value): Value =>
  !v.nchw ? v : { ...v, nchw: false, name: c.b.node("Transpose", [v.name], `${c.layer.name}/to_nhwc`, { perm: { ints: [0, 2, 3, 1] } }) };

function pair(v: unknown, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === "number") return [v, v];
  const a = v as number[];
  return [a[0], a[1] ?? a[0]];
}

/** TF 'same' padding for one spatial axis: [before, after]. */
function samePad(size: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const total = Math.max((Math.ceil(size / s) - 1) * s + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX pads [top, left, bottom, right] for a spatial op on an NHWC-shaped value. */
function spatialPads(c: Ctx, v: Value, k: [number, number], s: [number, number], d: [number, number]): number[] {
  const padding = (c.cfg["padding"] as string) ?? "valid";
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") c.fail(`padding '${padding}'`);
  const [h, w] = [v.shape[1], v.shape[2]];
  if (h == null || w == null) c.fail("'same' padding needs static height and width");
  const [t, bo] = samePad(h as number, k[0], s[0], d[0]);
  const [l, r] = samePad(w as number, k[1], s[1], d[1]);
  return [t, l, bo, r];
}

function checkChannelsLast(c: Ctx): void {
  const df = c.cfg["dataFormat"];
  if (df != null && df !== "channelsLast") c.fail(`dataFormat '${df}' (only channelsLast)`);
}

/** Applies a TF.js activation (by its serialized name) to v. */
function activation(c: Ctx, v: Value, act: string | undefined): Value {
  const a = (act ?? "linear").toLowerCase();
  const hint = `${c.layer.name}/${a}`;
  const unary = (op: string, attrs = {}): Value => ({ ...v, name: c.b.node(op, [v.name], hint, attrs) });
  switch (a) {
    case "linear":
      return v;
    case "relu":
      return unary("Relu");
    case "sigmoid":
      return unary("Sigmoid");
    case "tanh":
      return unary("Tanh");
    case "elu":
      return unary("Elu", { alpha: { f: 1 } });
    case "selu":
      return unary("Selu");
    case "softplus":
      return unary("Softplus");
    case "softsign":
      return unary("Softsign");
    case "hardsigmoid":
      return unary("HardSigmoid", { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case "relu6": {
      const lo = c.b.floatInit(`${c.layer.name}/relu6_min`, [0], []);
      const hi = c.b.floatInit(`${c.layer.name}/relu6_max`, [6], []);
      return { ...v, name: c.b.node("Clip", [v.name, lo, hi], hint) };
    }
    case "swish": {
      const sig = c.b.node("Sigmoid", [v.name], `${hint}_sigmoid`);
      return { ...v, name: c.b.node("Mul", [v.name, sig], hint) };
    }
    case "softmax":
      return softmax(c, v, -1);
    default:
      return c.fail(`activation '${act}'`);
  }
}

function softmax(c: Ctx, v: Value, axis: number): Value {
  const rank = v.shape.length;
  const ax = axis < 0 ? rank + axis : axis;
  // In NCHW storage the TF channel axis (3) is axis 1; other axes are not remapped (go back to TF order).
  if (v.nchw && ax === 3) return { ...v, name: c.b.node("Softmax", [v.name], `${c.layer.name}/softmax`, { axis: { i: 1 } }) };
  const t = toTF(c, v);
  return { ...t, name: c.b.node("Softmax", [t.name], `${c.layer.name}/softmax`, { axis: { i: ax } }) };
}

function weights(c: Ctx): Float32Array[] {
  return c.layer.getWeights().map((w) => w.dataSync() as Float32Array);
}

function transposeKernel(w: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  // TF [KH, KW, Ci, Co] -> ONNX [Co, Ci, KH, KW]
  const out = new Float32Array(w.length);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + a) * kw + b] = w[((a * kw + b) * ci + i) * co + o];
  return out;
}

function outShape(c: Ctx): (number | null)[] {
  const s = c.layer.outputShape as (number | null)[] | (number | null)[][];
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

function dense(c: Ctx, v0: Value): Value {
  const [kernel, bias] = weights(c);
  const units = c.cfg["units"] as number;
  const v = toTF(c, v0);
  const inDim = v.shape[v.shape.length - 1] as number;
  const w = c.b.floatInit(`${c.layer.name}/kernel`, kernel, [inDim, units]);
  const useBias = c.cfg["useBias"] !== false;
  let name: string;
  if (v.shape.length === 2) {
    const inputs = [v.name, w];
    if (useBias) inputs.push(c.b.floatInit(`${c.layer.name}/bias`, bias, [units]));
    name = c.b.node("Gemm", inputs, `${c.layer.name}/gemm`);
  } else {
    name = c.b.node("MatMul", [v.name, w], `${c.layer.name}/matmul`);
    if (useBias) name = c.b.node("Add", [name, c.b.floatInit(`${c.layer.name}/bias`, bias, [units])], `${c.layer.name}/bias_add`);
  }
  return activation(c, { name, shape: outShape(c), nchw: false }, c.cfg["activation"] as string);
}

function conv(c: Ctx, v0: Value, depthwise: boolean): Value {
  checkChannelsLast(c);
  const v = toNCHW(c, v0);
  const k = pair(c.cfg["kernelSize"], 1);
  const s = pair(c.cfg["strides"], 1);
  const d = pair(c.cfg["dilationRate"], 1);
  const ws = weights(c);
  const ci = v.shape[3] as number;
  let wName: string;
  let co: number;
  let group = 1;
  if (depthwise) {
    const m = (c.cfg["depthMultiplier"] as number) ?? 1;
    co = ci * m;
    group = ci;
    // TF [KH,KW,Ci,M] -> ONNX [Ci*M, 1, KH, KW]: output channel ci*M+m uses input channel ci.
    wName = c.b.floatInit(`${c.layer.name}/kernel`, transposeKernel(ws[0], [k[0], k[1], 1, ci * m]), [ci * m, 1, k[0], k[1]]);
  } else {
    co = c.cfg["filters"] as number;
    wName = c.b.floatInit(`${c.layer.name}/kernel`, transposeKernel(ws[0], [k[0], k[1], ci, co]), [co, ci, k[0], k[1]]);
  }
  const inputs = [v.name, wName];
  if (c.cfg["useBias"] !== false) inputs.push(c.b.floatInit(`${c.layer.name}/bias`, ws[1], [co]));
  const name = c.b.node("Conv", inputs, `${c.layer.name}/conv`, {
    kernel_shape: { ints: k },
    strides: { ints: s },
    dilations: { ints: d },
    pads: { ints: spatialPads(c, v, k, s, d) },
    group: { i: group },
  });
  return activation(c, { name, shape: outShape(c), nchw: true }, c.cfg["activation"] as string);
}

function pool(c: Ctx, v0: Value, op: "MaxPool" | "AveragePool"): Value {
  checkChannelsLast(c);
  const v = toNCHW(c, v0);
  const k = pair(c.cfg["poolSize"], 2);
  const s = pair(c.cfg["strides"] ?? c.cfg["poolSize"], 2);
  const attrs: Record<string, { ints: number[] } | { i: number }> = {
    kernel_shape: { ints: k },
    strides: { ints: s },
    pads: { ints: spatialPads(c, v, k, s, [1, 1]) },
  };
  if (op === "AveragePool") attrs["count_include_pad"] = { i: 0 }; // TF averages over valid cells only
  return { name: c.b.node(op, [v.name], `${c.layer.name}/pool`, attrs), shape: outShape(c), nchw: true };
}

function globalPool(c: Ctx, v0: Value, op: "GlobalAveragePool" | "GlobalMaxPool"): Value {
  checkChannelsLast(c);
  if (c.cfg["keepDims"] === true) c.fail("keepDims");
  const v = toNCHW(c, v0);
  const g = c.b.node(op, [v.name], `${c.layer.name}/pool`);
  return { name: c.b.node("Flatten", [g], `${c.layer.name}/flatten`, { axis: { i: 1 } }), shape: outShape(c), nchw: false };
}

function batchNorm(c: Ctx, v0: Value): Value {
  const rank = v0.shape.length;
  const axis = c.cfg["axis"] as number | number[];
  const ax = Array.isArray(axis) ? axis : [axis];
  if (ax.length !== 1 || (ax[0] !== -1 && ax[0] !== rank - 1)) c.fail(`axis ${JSON.stringify(axis)} (only the channel axis)`);
  if (rank !== 2 && rank !== 4) c.fail(`rank-${rank} input (only rank 2 or 4)`);
  const v = rank === 4 ? toNCHW(c, v0) : v0;
  const ws = weights(c);
  const n = v.shape[rank - 1] as number;
  let i = 0;
  const gamma = c.cfg["scale"] !== false ? ws[i++] : new Float32Array(n).fill(1);
  const beta = c.cfg["center"] !== false ? ws[i++] : new Float32Array(n);
  const [mean, variance] = [ws[i], ws[i + 1]];
  const p = (what: string, d: Float32Array) => c.b.floatInit(`${c.layer.name}/${what}`, d, [n]);
  const name = c.b.node("BatchNormalization", [v.name, p("gamma", gamma), p("beta", beta), p("mean", mean), p("variance", variance)], `${c.layer.name}/bn`, {
    epsilon: { f: c.cfg["epsilon"] as number },
  });
  return { ...v, name };
}

function reshape(c: Ctx, v0: Value, target: (number | null)[]): Value {
  const v = toTF(c, v0);
  const shape = c.b.int64Init(`${c.layer.name}/shape`, [0, ...target.map((t) => (t == null ? -1 : t))]);
  return { name: c.b.node("Reshape", [v.name, shape], `${c.layer.name}/reshape`), shape: outShape(c), nchw: false };
}

function merge(c: Ctx, vs: Value[], op: string): Value {
  const anyNCHW = vs.some((v) => v.nchw) && vs.every((v) => v.shape.length === 4);
  if (op === "Concat") {
    const rank = vs[0].shape.length;
    const axisCfg = (c.cfg["axis"] as number) ?? -1;
    const axis = axisCfg < 0 ? rank + axisCfg : axisCfg;
    const channel = anyNCHW && axis === 3; // the TF channel axis is ONNX axis 1 in NCHW storage
    const parts = vs.map((v) => (channel ? toNCHW(c, v) : toTF(c, v)));
    const name = c.b.node("Concat", parts.map((v) => v.name), `${c.layer.name}/concat`, { axis: { i: channel ? 1 : axis } });
    return { name, shape: outShape(c), nchw: channel };
  }
  const ins = vs.map((v) => (anyNCHW ? toNCHW(c, v) : toTF(c, v)));
  const binary = op === "Average" ? "Add" : op;
  let acc = ins[0].name;
  for (let i = 1; i < ins.length; i++) acc = c.b.node(binary, [acc, ins[i].name], `${c.layer.name}/${binary.toLowerCase()}`);
  if (op === "Average") acc = c.b.node("Div", [acc, c.b.floatInit(`${c.layer.name}/count`, [ins.length], [])], `${c.layer.name}/average`);
  return { name: acc, shape: outShape(c), nchw: anyNCHW };
}

const IDENTITY_LAYERS = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout"]);
const MERGE_OPS: Record<string, string> = { Concatenate: "Concat", Add: "Add", Multiply: "Mul", Subtract: "Sub", Maximum: "Max", Minimum: "Min", Average: "Average" };

function convertLayer(c: Ctx, ins: Value[]): Value {
  const cls = c.layer.getClassName();
  if (cls in MERGE_OPS) return merge(c, ins, MERGE_OPS[cls]);
  if (ins.length !== 1) c.fail(`${ins.length} inputs`);
  const v = ins[0];
  if (IDENTITY_LAYERS.has(cls)) return v;
  switch (cls) {
    case "Dense":
      return dense(c, v);
    case "Conv2D":
      return conv(c, v, false);
    case "DepthwiseConv2D":
      return conv(c, v, true);
    case "MaxPooling2D":
      return pool(c, v, "MaxPool");
    case "AveragePooling2D":
      return pool(c, v, "AveragePool");
    case "GlobalAveragePooling2D":
      return globalPool(c, v, "GlobalAveragePool");
    case "GlobalMaxPooling2D":
      return globalPool(c, v, "GlobalMaxPool");
    case "BatchNormalization":
      return batchNorm(c, v);
    case "Activation":
      return activation(c, v, c.cfg["activation"] as string);
    case "ReLU": {
      if (c.cfg["maxValue"] != null) {
        const lo = c.b.floatInit(`${c.layer.name}/min`, [0], []);
        const hi = c.b.floatInit(`${c.layer.name}/max`, [c.cfg["maxValue"] as number], []);
        return { ...v, name: c.b.node("Clip", [v.name, lo, hi], `${c.layer.name}/relu`) };
      }
      return activation(c, v, "relu");
    }
    case "LeakyReLU":
      return { ...v, name: c.b.node("LeakyRelu", [v.name], `${c.layer.name}/leaky_relu`, { alpha: { f: (c.cfg["alpha"] as number) ?? 0.3 } }) };
    case "ELU":
      return { ...v, name: c.b.node("Elu", [v.name], `${c.layer.name}/elu`, { alpha: { f: (c.cfg["alpha"] as number) ?? 1 } }) };
    case "Softmax":
      return softmax(c, v, (c.cfg["axis"] as number) ?? -1);
    case "Flatten": {
      const t = toTF(c, v);
      return { name: c.b.node("Flatten", [t.name], `${c.layer.name}/flatten`, { axis: { i: 1 } }), shape: outShape(c), nchw: false };
    }
    case "Reshape":
      return reshape(c, v, c.cfg["targetShape"] as (number | null)[]);
    case "ZeroPadding2D": {
      checkChannelsLast(c);
      const p = c.cfg["padding"] as [[number, number], [number, number]];
      const t = toNCHW(c, v);
      const pads = c.b.int64Init(`${c.layer.name}/pads`, [0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]]);
      return { name: c.b.node("Pad", [t.name, pads], `${c.layer.name}/pad`), shape: outShape(c), nchw: true };
    }
    case "UpSampling2D": {
      checkChannelsLast(c);
      if ((c.cfg["interpolation"] ?? "nearest") !== "nearest") c.fail(`interpolation '${c.cfg["interpolation"]}'`);
      const [sh, sw] = pair(c.cfg["size"], 2);
      const t = toNCHW(c, v);
      const scales = c.b.floatInit(`${c.layer.name}/scales`, [1, 1, sh, sw], [4]);
      const name = c.b.node("Resize", [t.name, "", scales], `${c.layer.name}/resize`, {
        mode: { s: "nearest" },
        coordinate_transformation_mode: { s: "asymmetric" },
        nearest_mode: { s: "floor" },
      });
      return { name, shape: outShape(c), nchw: true };
    }
    default:
      return c.fail("");
  }
}

interface NodeLike {
  inputTensors: { id: number }[];
  outputTensors: { id: number }[];
}

/** Exports a TF.js LayersModel as ONNX ModelProto bytes (see the module comment for the layout). */
export function exportToOnnx(model: tf.LayersModel, options: OnnxExportOptions = {}): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`ONNX export: model '${model.name}' has ${model.inputs.length} inputs and ${model.outputs.length} outputs (need exactly one each)`);
  }
  const b = new OnnxGraphBuilder();
  const inputName = b.reserve(options.inputName ?? "input");
  const outputName = options.outputName ?? "output";
  const inShape = model.inputs[0].shape;
  const layout = options.inputLayout ?? "NHWC";
  const nchwInput = layout === "NCHW" && inShape.length === 4;
  const dims = (s: (number | null)[]): Dim[] =>
    s.map((d, i) => {
      if (d != null) return d;
      if (i === 0) return "batch";
      throw new Error(`ONNX export: input dimension ${i} of model '${model.name}' is not fixed (only the batch may be dynamic)`);
    });
  const inDims = dims(inShape);
  const declared = nchwInput ? [inDims[0], inDims[3], inDims[1], inDims[2]] : inDims;
  const values = new Map<number, Value>([[model.inputs[0].id, { name: inputName, shape: inShape, nchw: nchwInput }]]);

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === "InputLayer") continue;
    const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes.filter((n) =>
      n.inputTensors.every((t) => values.has(t.id)),
    );
    if (nodes.length !== 1) {
      throw new UnsupportedLayerError(layer.name, cls, nodes.length === 0 ? "not connected to the model input" : "a shared layer (applied more than once)");
    }
    const node = nodes[0];
    const cfg = layer.getConfig() as Config;
    const c: Ctx = { b, layer, cfg, fail: (detail: string) => { throw new UnsupportedLayerError(layer.name, cls, detail || undefined); } };
    const out = convertLayer(c, node.inputTensors.map((t) => values.get(t.id) as Value));
    values.set(node.outputTensors[0].id, out);
  }

  const last = values.get(model.outputs[0].id);
  if (!last) throw new Error(`ONNX export: the output of model '${model.name}' is not reachable from its input`);
  const final = toTF({ b, layer: { name: "output" } as tf.layers.Layer, cfg: {}, fail: () => { throw new Error("unreachable"); } }, last);
  b.reserve(outputName);
  b.nodes.push({ opType: "Identity", input: [final.name], output: [outputName], name: b.uniqueName("output/Identity"), attribute: [] });

  return b.encode({
    graphName: model.name,
    inputs: [valueInfo(inputName, declared)],
    outputs: [valueInfo(outputName, dims(model.outputs[0].shape))],
    docString: `Exported from TF.js model '${model.name}' by Kestrel. Input ${inputName}: ${nchwInput ? "NCHW" : "NHWC"} ${JSON.stringify(declared)}; output ${outputName}: TF.js layout.`,
    metadata: { input_layout: nchwInput ? "NCHW" : inShape.length === 4 ? "NHWC" : "NC", ...(options.metadata ?? {}) },
  });
}
