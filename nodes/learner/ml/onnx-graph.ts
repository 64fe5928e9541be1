/**
 * A small builder for ONNX graphs on top of onnx-proto's generated protobuf classes: nodes with unique
 * output names, float32 / int64 initializers, typed attributes, value infos, and ModelProto encoding.
 * Knows nothing about TF.js; onnx-export.ts drives it.
 */
import { onnx } from "onnx-proto";

export const ONNX_OPSET = 13;
/** IR version 7 is the one that introduced opset 13. */
export const ONNX_IR_VERSION = 7;

export type AttrValue =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] };

const AT = onnx.AttributeProto.AttributeType;

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  if ("i" in v) return { name, type: AT.INT, i: v.i };
  if ("f" in v) return { name, type: AT.FLOAT, f: v.f };
  if ("s" in v) return { name, type: AT.STRING, s: new TextEncoder().encode(v.s) };
  if ("ints" in v) return { name, type: AT.INTS, ints: v.ints };
  return { name, type: AT.FLOATS, floats: v.floats };
}

/** A dimension: a fixed size, or a named symbolic one (e.g. the dynamic batch). */
export type Dim = number | string;

export function valueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class OnnxGraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();

  /** A fresh name derived from `hint` (sanitised, unique within the graph). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, "_") || "t";
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: name '${name}' is already used`);
    this.used.add(name);
    return name;
  }

  /** A float32 initializer (copied). */
  floatInit(hint: string, data: Float32Array | number[], dims: number[]): string {
    const name = this.uniqueName(hint);
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (f32.length !== expected) throw new Error(`ONNX initializer ${name}: ${f32.length} values for dims [${dims}]`);
    const raw = new Uint8Array(f32.byteLength);
    raw.set(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
    return name;
  }

  /** An int64 initializer (shapes, pads, axes). */
  int64Init(hint: string, values: number[]): string {
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw });
    return name;
  }

  /** Adds a node with one output; returns the output name. */
  node(opType: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
    const out = this.uniqueName(hint);
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: this.uniqueName(`${hint}/${opType}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Encodes the graph as a ModelProto (opset 13, IR 7). */
  encode(opts: {
    graphName: string;
    inputs: onnx.IValueInfoProto[];
    outputs: onnx.IValueInfoProto[];
    docString?: string;
    metadata?: Record<string, string>;
    producerVersion?: string;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: "", version: ONNX_OPSET }],
      producerName: "kestrel",
      producerVersion: opts.producerVersion ?? "0.1.0",
      docString: opts.docString ?? "",
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs,
        output: opts.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
