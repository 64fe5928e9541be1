/**
 * Native compute for the wasm backend's heaviest training kernels, on ONNX Runtime's CPU execution
 * provider (MLAS: AVX2/FMA GEMM and convolution), which Kestrel already ships (onnxruntime-node) for
 * inference and export parity.
 *
 * Why: XNNPACK compiled to wasm SIMD (128-bit, no FMA) runs this project's convolutions and matrix
 * products at ~15 GMAC/s on one core; the same operations in MLAS run at 30-50 GMAC/s. After the
 * gradient kernels themselves were fixed (wasm-conv-grads.ts), those two kernels were ~70% of a
 * detector training step (bench/train-cnn --profile), so they bound how close TF.js can get to
 * PyTorch on a CPU.
 *
 * How: a tiny ONNX graph per operation and shape (MatMul; Transpose -> Conv -> Transpose for NHWC
 * convolutions with the filter as a graph input, since weights change every step), cached, run through
 * onnxruntime-node's synchronous native binding (its public InferenceSession.run is async, and TF.js
 * kernels must be synchronous). Inputs are handed over as views of the wasm heap; outputs are copied
 * back. Sessions use ONE intra-op thread, so the backend still computes on one thread.
 *
 * Cost: each cached session keeps its own ONNX Runtime memory arena; training the shipped detector at
 * batch 16 peaks at ~0.8 GB RSS against ~0.3 GB pure wasm (bench/train-cnn).
 *
 * Off switch: KESTREL_NATIVE_KERNELS=0 (or setNativeKernelsEnabled(false)); anything that fails to
 * load, or a failed self-test on first use, also turns it off, and the callers fall back to the
 * pure-wasm formulations.
 */
import { OnnxGraphBuilder, valueInfo } from "./onnx-graph";

/** The parts of onnxruntime-node used here. */
interface OrtTensorLike {
  data: unknown;
  dims: readonly number[];
}
interface OrtTensorCtor {
  new (type: "float32", data: Float32Array, dims: readonly number[]): OrtTensorLike;
}
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(feeds: Record<string, OrtTensorLike>, fetches: Record<string, null>, options: Record<string, unknown>): Record<string, OrtTensorLike>;
  dispose(): void;
}
interface Ort {
  Tensor: OrtTensorCtor;
  newSession(): NativeSession;
}

let ort: Ort | null | undefined;
let enabled = process.env["KESTREL_NATIVE_KERNELS"] !== "0";
let loadError = "";

function loadOrt(): Ort | null {
  if (ort !== undefined) return ort;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const common = require("onnxruntime-node") as { Tensor: OrtTensorCtor };
    const b = require("onnxruntime-node/dist/binding") as { binding: { InferenceSession: new () => NativeSession }; initOrt: () => void };
    /* eslint-enable @typescript-eslint/no-require-imports */
    b.initOrt();
    ort = { Tensor: common.Tensor, newSession: () => new b.binding.InferenceSession() };
    selfTest();
  } catch (e) {
    loadError = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    ort = null;
  }
  return ort;
}

/**
 * One tiny product through the whole path. It fails where the addon cannot hand tensors back to this
 * JS realm (jest without tests/support/ort-realm's fixOrtForJest): then the native kernels stay off
 * and callers use the pure-wasm formulations, rather than every kernel throwing.
 */
function selfTest(): void {
  const out = new Float32Array(4);
  nativeMatMul(Float32Array.of(1, 2, 3, 4), Float32Array.of(0, 1, 1, 0), 2, 2, 2, out);
  if (out.join() !== "2,1,4,3") throw new Error(`self-test product was [${out.join()}]`);
}

/** True when native kernels are enabled and onnxruntime-node loaded. */
export function nativeKernelsAvailable(): boolean {
  return enabled && loadOrt() !== null;
}

/** Why native kernels are not in use ("" when they are). */
export function nativeKernelsStatus(): string {
  if (!enabled) return "disabled (KESTREL_NATIVE_KERNELS=0 or setNativeKernelsEnabled(false))";
  return loadOrt() === null ? `onnxruntime-node not loadable (${loadError})` : "";
}

export function setNativeKernelsEnabled(on: boolean): void {
  enabled = on;
}

const SESSION_OPTIONS = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
};

/** Compiled graphs by shape key; a training run uses a few dozen. */
const sessions = new Map<string, { session: NativeSession; output: string }>();
const MAX_SESSIONS = 256;

function sessionFor(key: string, build: (g: OnnxGraphBuilder) => { inputs: ReturnType<typeof valueInfo>[]; output: string; outDims: number[] }): {
  session: NativeSession;
  output: string;
} {
  const hit = sessions.get(key);
  if (hit) return hit;
  const o = loadOrt();
  if (!o) throw new Error(`native kernels unavailable: ${nativeKernelsStatus()}`);
  const g = new OnnxGraphBuilder();
  const spec = build(g);
  const bytes = g.encode({ graphName: key, inputs: spec.inputs, outputs: [valueInfo(spec.output, spec.outDims)] });
  const session = o.newSession();
  session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, SESSION_OPTIONS);
  if (sessions.size >= MAX_SESSIONS) {
    const [oldKey, old] = sessions.entries().next().value as [string, { session: NativeSession }];
    old.session.dispose();
    sessions.delete(oldKey);
  }
  const entry = { session, output: spec.output };
  sessions.set(key, entry);
  return entry;
}

/** Pre-allocated output arrays by length (a training step asks for the same few sizes every time). */
const fetchArrays = new Map<number, Float32Array>();

/**
 * Runs a cached graph and copies its output into `out`. The output goes to a pre-allocated fetch
 * array (reused per size), so ONNX Runtime writes it in place instead of allocating a result.
 * (Under jest, tests must call tests/support/ort-realm's fixOrtForJest first, as for any ONNX Runtime
 * use there: the addon builds tensors with the host realm's Float32Array.)
 */
function run(entry: { session: NativeSession; output: string }, feeds: Record<string, [Float32Array, number[]]>, out: Float32Array, outDims: number[]): void {
  const o = loadOrt()!;
  const tensors: Record<string, OrtTensorLike> = {};
  for (const [name, [data, dims]] of Object.entries(feeds)) tensors[name] = new o.Tensor("float32", data, dims);
  let fetched = fetchArrays.get(out.length);
  if (!fetched) {
    if (fetchArrays.size >= MAX_SESSIONS) fetchArrays.clear();
    fetched = new Float32Array(out.length);
    fetchArrays.set(out.length, fetched);
  }
  entry.session.run(tensors, { [entry.output]: new o.Tensor("float32", fetched, outDims) as unknown as null }, {});
  out.set(fetched);
}

/** C [m, n] = A [m, k] · B [k, n] (row-major float32), written into `out` (length m*n). */
export function nativeMatMul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out: Float32Array): void {
  const entry = sessionFor(`matmul:${m}x${k}x${n}`, (g) => {
    g.reserve("a");
    g.reserve("b");
    return { inputs: [valueInfo("a", [m, k]), valueInfo("b", [k, n])], output: g.node("MatMul", ["a", "b"], "c"), outDims: [m, n] };
  });
  run(entry, { a: [a.subarray(0, m * k), [m, k]], b: [b.subarray(0, k * n), [k, n]] }, out.subarray(0, m * n), [m, n]);
}

export interface NativeConvSpec {
  /** x [B, H, W, Ci] (NHWC). */
  xShape: [number, number, number, number];
  /** filter [KH, KW, Ci, Co] (TF.js layout). */
  filterShape: [number, number, number, number];
  strides: [number, number];
  /** [top, bottom, left, right] zero padding. */
  pads: [number, number, number, number];
  /** Output [B, OH, OW, Co]. */
  outShape: [number, number, number, number];
}

/** The spec of a convolution from TF.js's Conv2DInfo (its strides and resolved padding) and the shapes. */
export function nativeConvSpec(
  info: { strideHeight: number; strideWidth: number; padInfo: { top: number; bottom: number; left: number; right: number } },
  shapes: Pick<NativeConvSpec, "xShape" | "filterShape" | "outShape">,
): NativeConvSpec {
  const p = info.padInfo;
  return { ...shapes, strides: [info.strideHeight, info.strideWidth], pads: [p.top, p.bottom, p.left, p.right] };
}

/**
 * NHWC convolution (dilations 1) with the TF.js filter layout: Transpose(x) -> Conv -> Transpose,
 * the filter transposed to ONNX's [Co, Ci, KH, KW] inside the graph. Writes y [B, OH, OW, Co] into `out`.
 */
export function nativeConv2d(x: Float32Array, filter: Float32Array, s: NativeConvSpec, out: Float32Array): void {
  const [kh, kw] = s.filterShape;
  const [t, b, l, r] = s.pads;
  const key = `conv:${s.xShape}:${s.filterShape}:${s.strides}:${s.pads}`;
  const entry = sessionFor(key, (g) => {
    g.reserve("x");
    g.reserve("w");
    const xt = g.node("Transpose", ["x"], "x_nchw", { perm: { ints: [0, 3, 1, 2] } });
    const wt = g.node("Transpose", ["w"], "w_oihw", { perm: { ints: [3, 2, 0, 1] } });
    const y = g.node("Conv", [xt, wt], "y_nchw", {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: s.strides },
      pads: { ints: [t, l, b, r] },
    });
    return {
      inputs: [valueInfo("x", s.xShape), valueInfo("w", s.filterShape)],
      output: g.node("Transpose", [y], "y", { perm: { ints: [0, 2, 3, 1] } }),
      outDims: s.outShape,
    };
  });
  run(entry, { x: [x, s.xShape], w: [filter, s.filterShape] }, out, s.outShape);
}

/**
 * The input gradient of that convolution, dx [B, H, W, Ci] from dy [B, OH, OW, Co] (ONNX ConvTranspose
 * with the forward filter; `s.xShape` is dx's shape, `s.outShape` dy's, `s.pads` the forward padding).
 * ConvTranspose's end padding is whatever makes the output exactly H x W: negative when the forward
 * windows never reached the last rows/columns, which then becomes output_padding (zero gradient there).
 */
export function nativeConv2dBackpropInput(dy: Float32Array, filter: Float32Array, s: NativeConvSpec, out: Float32Array): void {
  const [kh, kw] = s.filterShape;
  const [, H, W] = s.xShape;
  const [, OH, OW] = s.outShape;
  const [t, , l] = s.pads;
  const [sh, sw] = s.strides;
  const endH = (OH - 1) * sh + kh - t - H;
  const endW = (OW - 1) * sw + kw - l - W;
  const key = `convT:${s.xShape}:${s.filterShape}:${s.strides}:${s.pads}`;
  const entry = sessionFor(key, (g) => {
    g.reserve("dy");
    g.reserve("w");
    const dyt = g.node("Transpose", ["dy"], "dy_nchw", { perm: { ints: [0, 3, 1, 2] } });
    // ConvTranspose weights are [C_in of the transpose (= forward Co), C_out (= forward Ci), KH, KW].
    const wt = g.node("Transpose", ["w"], "w_iohw", { perm: { ints: [3, 2, 0, 1] } });
    const x = g.node("ConvTranspose", [dyt, wt], "dx_nchw", {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: s.strides },
      pads: { ints: [t, l, Math.max(0, endH), Math.max(0, endW)] },
      output_padding: { ints: [Math.max(0, -endH), Math.max(0, -endW)] },
    });
    return {
      inputs: [valueInfo("dy", s.outShape), valueInfo("w", s.filterShape)],
      output: g.node("Transpose", [x], "dx", { perm: { ints: [0, 2, 3, 1] } }),
      outDims: s.xShape,
    };
  });
  run(entry, { dy: [dy, s.outShape], w: [filter, s.filterShape] }, out, s.xShape);
}

/** Geometry of the filter gradient's phase grid (see conv2dBackpropFilterMatmul in wasm-conv-grads.ts). */
export interface NativeFilterGradSpec extends NativeConvSpec {
  /** Phases per axis (min(stride, kernel)), phase-plane rows/columns, and product rows M. */
  nph: number;
  npw: number;
  hq: number;
  wq: number;
  m: number;
}

/**
 * The filter gradient dW [KH,KW,Ci,Co] of that convolution from x [B,H,W,Ci] and dy [B,OH,OW,Co], as
 * one graph doing exactly what conv2dBackpropFilterMatmul does in JS, in ONNX Runtime's C++ ops:
 * x -> [Ci,B,H,W] (Transpose), zero-padded to the phase grid (Pad), split into stride phases (strided
 * Slices, Concat) -> [phases*Ci, B*Hq*Wq]; each tap's rows are one Slice of that, concatenated into
 * PT [KH*KW*Ci, M]; dy padded onto the same grid -> [M, Co]; dW = PT · dy (MatMul).
 */
export function nativeConv2dBackpropFilter(x: Float32Array, dy: Float32Array, s: NativeFilterGradSpec, out: Float32Array): void {
  const [B, H, W, ci] = s.xShape;
  const [kh, kw, , co] = s.filterShape;
  const [, OH, OW] = s.outShape;
  const [sh, sw] = s.strides;
  const [top, , left] = s.pads;
  const { nph, npw, hq, wq, m } = s;
  const key = `convdW:${s.xShape}:${s.filterShape}:${s.strides}:${s.pads}`;
  const entry = sessionFor(key, (g) => {
    g.reserve("x");
    g.reserve("dy");
    const i64 = (hint: string, v: number[]): string => g.int64Init(hint, v);
    const slice = (t: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string =>
      g.node("Slice", [t, i64("starts", starts), i64("ends", ends), i64("axes", axes), ...(steps ? [i64("steps", steps)] : [])], "slice");
    const xT = g.node("Transpose", ["x"], "x_cbhw", { perm: { ints: [3, 0, 1, 2] } });
    // Rows -top .. hq*sh-1-top of the input (zeros outside), likewise columns.
    const rows = hq * sh;
    const cols = wq * sw;
    const bottom = rows - top - H;
    const right = cols - left - W;
    let xp = g.node("Pad", [xT, i64("pads", [0, 0, top, left, 0, 0, Math.max(0, bottom), Math.max(0, right)])], "x_pad");
    if (bottom < 0 || right < 0) xp = slice(xp, [0, 0], [rows, cols], [2, 3]);
    let xq = xp;
    if (sh > 1 || sw > 1) {
      const phases: string[] = [];
      for (let rh = 0; rh < nph; rh++) for (let rw = 0; rw < npw; rw++) phases.push(slice(xp, [rh, rw], [rows, cols], [2, 3], [sh, sw]));
      xq = phases.length === 1 ? phases[0]! : g.node("Concat", phases, "x_phases", { axis: { i: 0 } });
    }
    const flat = g.node("Reshape", [xq, i64("shape", [nph * npw * ci, B * hq * wq])], "x_flat");
    const taps: string[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const phase = (a % sh) * npw + (b % sw);
        const shift = Math.floor(a / sh) * wq + Math.floor(b / sw);
        taps.push(slice(flat, [phase * ci, shift], [(phase + 1) * ci, shift + m], [0, 1]));
      }
    }
    const pt = taps.length === 1 ? taps[0]! : g.node("Concat", taps, "patches_t", { axis: { i: 0 } });
    let d = "dy";
    if (hq !== OH || wq !== OW) d = g.node("Pad", ["dy", i64("pads", [0, 0, 0, 0, 0, hq - OH, wq - OW, 0])], "dy_grid");
    d = g.node("Reshape", [d, i64("shape", [B * hq * wq, co])], "dy_rows");
    if (m !== B * hq * wq) d = slice(d, [0], [m], [0]);
    const dw = g.node("MatMul", [pt, d], "dw_rows");
    return {
      inputs: [valueInfo("x", s.xShape), valueInfo("dy", s.outShape)],
      output: g.node("Reshape", [dw, i64("shape", s.filterShape)], "dw"),
      outDims: s.filterShape,
    };
  });
  run(entry, { x: [x, s.xShape], dy: [dy, s.outShape] }, out, s.filterShape);
}

/** Releases every cached session (tests; a long-lived process never needs to). */
export function disposeNativeSessions(): void {
  for (const e of sessions.values()) e.session.dispose();
  sessions.clear();
}
