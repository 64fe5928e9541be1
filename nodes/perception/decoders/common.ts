/**
 * What every decoder shares: the tensor and box types, the decoder interface, shape checking
 * (so a model whose outputs do not fit its decoder fails at load with the shapes named), box
 * format conversion and activations. Boxes are in model-input pixels, corners (x1, y1, x2, y2).
 */
import type { BoxFormat } from "../manifest";

/** An output tensor as it comes out of ONNX Runtime (float32, row-major). */
export interface Tensor {
  data: Float32Array;
  dims: readonly number[];
}

/** A detection candidate in model-input pixels. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

export interface DecodeContext {
  inputWidth: number;
  inputHeight: number;
  numClasses: number;
  /** Candidates scoring below this are dropped before NMS. */
  scoreThreshold: number;
}

/** Output shapes as a model declares them: numbers, or strings/-1 for symbolic (dynamic) dims. */
export type ShapeMap = Readonly<Record<string, ReadonlyArray<number | string>>>;

export interface Decoder {
  readonly kind: string;
  /** The output tensors the decoder reads, by name. */
  readonly outputNames: readonly string[];
  /** Why the given output shapes do not fit (naming them), or undefined when they do. */
  check(shapes: ShapeMap, ctx: DecodeContext): string | undefined;
  /** Candidates above the score threshold, before NMS. */
  decode(outputs: Readonly<Record<string, Tensor>>, ctx: DecodeContext): Box[];
}

/** A wanted dim: a number, or null for any. */
export type Want = number | null;

export function formatShape(shape: ReadonlyArray<number | string | null>): string {
  return `[${shape.map((d) => (d === null ? "?" : typeof d === "number" && d < 0 ? "?" : String(d))).join(",")}]`;
}

/** Whether a declared shape fits a wanted one (symbolic / negative dims fit anything). */
export function shapeFits(shape: ReadonlyArray<number | string>, want: readonly Want[]): boolean {
  if (shape.length !== want.length) return false;
  return want.every((w, i) => {
    const d = shape[i]!;
    return w === null || typeof d !== "number" || d < 0 || d === w;
  });
}

/**
 * Checks one output: present and of the wanted shape. `what` explains the expectation
 * (e.g. "80 classes, strides 8,16,32 at 416x416").
 */
export function checkOutput(kind: string, shapes: ShapeMap, name: string, want: readonly Want[], what: string): string | undefined {
  const shape = shapes[name];
  if (!shape) return `decoder '${kind}' reads output '${name}', but the model's outputs are ${describeShapes(shapes)}`;
  if (!shapeFits(shape, want)) {
    return `decoder '${kind}' expects output '${name}' of shape ${formatShape(want)} (${what}), but the model gives ${formatShape(shape)}`;
  }
  return undefined;
}

export function describeShapes(shapes: ShapeMap): string {
  const entries = Object.entries(shapes);
  return entries.length === 0 ? "(none)" : entries.map(([n, s]) => `'${n}' ${formatShape(s)}`).join(", ");
}

/** The named output, or a clear error (decode-time counterpart of checkOutput). */
export function outputOf(kind: string, outputs: Readonly<Record<string, Tensor>>, name: string, want: readonly Want[]): Tensor {
  const t = outputs[name];
  if (!t) throw new Error(`decoder '${kind}': output '${name}' missing (got ${Object.keys(outputs).join(", ") || "none"})`);
  if (!shapeFits(t.dims, want)) throw new Error(`decoder '${kind}': output '${name}' is ${formatShape(t.dims)}, expected ${formatShape(want)}`);
  return t;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * A box from four numbers in `format`, scaled by (sx, sy) (the input size for normalized boxes,
 * 1 otherwise), as corners.
 */
export function toCorners(a: number, b: number, c: number, d: number, format: BoxFormat, sx: number, sy: number): [number, number, number, number] {
  switch (format) {
    case "xyxy":
      return [a * sx, b * sy, c * sx, d * sy];
    case "yxyx":
      return [b * sx, a * sy, d * sx, c * sy];
    case "cxcywh":
      return [(a - c / 2) * sx, (b - d / 2) * sy, (a + c / 2) * sx, (b + d / 2) * sy];
  }
}

/** The best class of `n` scores read as `get(k)`: [classId, score]. */
export function bestClass(n: number, get: (k: number) => number): [number, number] {
  let best = 0;
  let score = -Infinity;
  for (let k = 0; k < n; k++) {
    const s = get(k);
    if (s > score) {
      score = s;
      best = k;
    }
  }
  return [best, score];
}
