/**
 * Replacements for tfjs-backend-wasm 4.22 kernels that are slow in a training step (found by
 * profiling bench/train-cnn's detector step; numbers are CPU ms per step at batch 16):
 *
 *  - Identity copies the whole tensor. The engine clones every tensor it saves for the backward pass
 *    through Identity, and Cast to the same dtype (ReLU's gradient) is an Identity too, so a step made
 *    ~200 full copies of activations (~12 ms). Here it shares the data and counts a reference, as the
 *    wasm Reshape kernel and the cpu backend's Identity already do: no wasm kernel writes its inputs
 *    in place, so shared data is never mutated.
 *  - Concat copies each row of each input with a subarray + set, ~1 µs per row: concatenating channels
 *    (the detector's feature fusion and box/score outputs, the polyphase interleave) has B*H*W rows of a
 *    few channels, ~20 ms a step. Here short float32 rows are copied element by element.
 *  - Conv2D runs XNNPACK at ~15 GMAC/s; with onnxruntime-node loadable it runs on ONNX Runtime's
 *    native kernels instead (native-kernels.ts, 30-50 GMAC/s on one thread).
 *
 * Tried and dropped: Sum over the leading axes (the bias gradient) as ones · dy on XNNPACK, or as a JS
 * column-sum loop. Both win on a hot tensor but lose on the fresh dy of a training step, where the
 * original transpose + reduce is memory-bound and as fast as either.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeConv2d, nativeKernelsAvailable } from "./native-kernels";

/** The parts of tfjs-backend-wasm's BackendWasm used here (the package does not export the type). */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  incRef(dataId: object): void;
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: WasmBackendLike;
  attrs?: Record<string, unknown>;
}

type WasmKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A float32 view of a tensor's values in the wasm heap (valid until the next allocation). The loops
 * below only ever see Float32Array, which keeps them monomorphic (V8 optimises them to plain loads
 * and stores; a mix of typed-array classes made them several times slower).
 */
function view(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  const entry = backend.dataIdMap.get(t.dataId);
  if (!entry) throw new Error("wasm-fast-kernels: tensor data not found on the wasm backend");
  return new Float32Array(backend.wasm.HEAPU8.buffer, entry.memoryOffset, size(t.shape));
}

/** Identity without a copy: the output shares the input's data (reference counted). */
function identity({ inputs, backend }: KernelArgs, fallback: WasmKernel): tf.TensorInfo {
  const x = inputs["x"]!;
  if (x.dtype === "string") return fallback({ inputs, backend }) as tf.TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Rows shorter than this are copied element by element (a subarray + set costs ~1 µs). */
const SHORT_ROW = 64;

/**
 * Concatenation along `axis`: each input is [outer, inner_i] once the axes before `axis` are
 * flattened, and the output row is the inputs' rows back to back.
 */
function concat(args: KernelArgs, fallback: WasmKernel): tf.TensorInfo {
  const list = Object.keys(args.inputs)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => args.inputs[k]!);
  if (list.length === 0 || list.some((t) => t.dtype !== "float32")) return fallback(args) as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(args.attrs?.["axis"] as number, list[0]!.shape)[0]!;
  const nonEmpty = list.filter((t) => size(t.shape) > 0);
  if (nonEmpty.length <= 1) return fallback(args) as tf.TensorInfo;
  const outShape = tf.backend_util.computeOutShape(
    list.map((t) => t.shape),
    axis,
  );
  const { backend } = args;
  const out = backend.makeOutput(outShape, "float32");
  const outer = size(outShape.slice(0, axis));
  const inners = nonEmpty.map((t) => size(t.shape.slice(axis)));
  const rowOut = inners.reduce((a, b) => a + b, 0);
  const dst = view(backend, out);
  let col = 0;
  nonEmpty.forEach((t, i) => {
    const src = view(backend, t);
    const inner = inners[i]!;
    if (inner >= SHORT_ROW) {
      for (let r = 0; r < outer; r++) dst.set(src.subarray(r * inner, (r + 1) * inner), r * rowOut + col);
    } else {
      for (let r = 0, s = 0, d = col; r < outer; r++, d += rowOut) for (let c = 0; c < inner; c++, s++) dst[d + c] = src[s]!;
    }
    col += inner;
  });
  return out;
}

/** Below this many input channels XNNPACK's direct convolution beats MLAS's im2col + GEMM. */
const NATIVE_CONV_MIN_CHANNELS = 8;

/**
 * Conv2D on ONNX Runtime's native CPU kernels (native-kernels.ts) when available: NHWC float32,
 * dilations 1, at least NATIVE_CONV_MIN_CHANNELS input channels. This serves the forward
 * convolutions of a training step (which run unfused while gradients are recorded) and the
 * convolutions inside Kestrel's input-gradient kernels. Everything else goes to XNNPACK.
 */
function conv2d(args: KernelArgs, fallback: WasmKernel): tf.TensorInfo {
  const x = args.inputs["x"]!;
  const filter = args.inputs["filter"]!;
  const attrs = args.attrs ?? {};
  const dil = attrs["dilations"] as number | number[] | undefined;
  const dilated = dil !== undefined && (typeof dil === "number" ? dil !== 1 : dil.some((d) => d !== 1));
  if (
    x.dtype !== "float32" ||
    filter.dtype !== "float32" ||
    (attrs["dataFormat"] ?? "NHWC") !== "NHWC" ||
    dilated ||
    x.shape[3]! < NATIVE_CONV_MIN_CHANNELS ||
    !nativeKernelsAvailable()
  ) {
    return fallback(args) as tf.TensorInfo;
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs["strides"] as [number, number],
    1,
    attrs["pad"] as "same" | "valid",
    attrs["dimRoundingMode"] as "floor" | undefined,
    false,
    "channelsLast",
  );
  const p = info.padInfo;
  const outShape: [number, number, number, number] = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  // End padding from the output size TF.js computed (for numeric padding TF.js sizes both axes with
  // the filter height and stride height, so padInfo alone would give ONNX Runtime another shape).
  const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - p.top);
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - p.left);
  // Allocate first: the allocation may grow the heap, which detaches earlier views.
  const out = args.backend.makeOutput(outShape, "float32");
  const spec = {
    xShape: x.shape as [number, number, number, number],
    filterShape: filter.shape as [number, number, number, number],
    strides: [info.strideHeight, info.strideWidth] as [number, number],
    pads: [p.top, bottom, p.left, right] as [number, number, number, number],
    outShape,
  };
  nativeConv2d(view(args.backend, x), view(args.backend, filter), spec, view(args.backend, out));
  return out;
}

const replacements: { name: string; fn: (args: KernelArgs, fallback: WasmKernel) => tf.TensorInfo }[] = [
  { name: "Identity", fn: identity },
  { name: "Concat", fn: concat },
  { name: "Conv2D", fn: conv2d },
];

/** Names of the kernels this module replaces. */
export const WASM_FAST_KERNELS: readonly string[] = replacements.map((r) => r.name);

const replaced = new Set<string>();

/**
 * Replaces the slow wasm kernels above (idempotent; returns the names replaced by this call). Each
 * replacement keeps the original kernel as its fallback for the cases it does not handle. Call after
 * @tensorflow/tfjs-backend-wasm is loaded (it registers its kernels at load time).
 */
export function registerWasmFastKernels(): string[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@tensorflow/tfjs-backend-wasm");
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const r of replacements) {
    if (replaced.has(r.name)) continue;
    const original = tf.getKernel(r.name, "wasm");
    if (!original) continue;
    const fallback = original.kernelFunc as unknown as WasmKernel;
    tf.unregisterKernel(r.name, "wasm");
    tf.registerKernel({
      kernelName: r.name,
      backendName: "wasm",
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: ((args: KernelArgs) => r.fn(args, fallback)) as unknown as tf.KernelFunc,
    });
    replaced.add(r.name);
    done.push(r.name);
  }
  return done;
}
