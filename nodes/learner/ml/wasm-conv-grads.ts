/**
 * Convolution gradient kernels for the TF.js wasm backend.
 *
 * @tensorflow/tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter and no depthwise backprop kernels, and its
 * Conv2DBackpropInput is a plain scalar loop. This module builds them from kernels the wasm backend runs
 * fast (XNNPACK Conv2D / DepthwiseConv2dNative and BatchMatMul) plus data rearrangement done in JS
 * directly on the wasm heap (wasm-heap.ts; the backend's Transpose/Pad/StridedSlice/Concat are slow
 * for these shapes), and registers them with tf.registerKernel for backendName 'wasm'.
 *
 * Notation (NHWC, dilations 1): x [B,H,W,Ci], filter w [KH,KW,Ci,Co], dy [B,OH,OW,Co], strides (sh,sw),
 * padding (top,left,...) as computed by backend_util.computeConv2DInfo (so 'same', 'valid', a number and
 * explicit [[0,0],[t,b],[l,r],[0,0]] padding all go through the same path); xp = x zero-padded.
 *
 *  - backprop filter (registered: conv2dBackpropFilterMatmul): dW[kh,kw,ci,co] =
 *    sum_{b,oh,ow} xp[b, oh*sh+kh, ow*sw+kw, ci] * dy[b,oh,ow,co] as ONE XNNPACK matmul
 *    PT [KH*KW*Ci, M] · dy [M, Co]. x is split in JS into stride-phase planes [phase, Ci, B, Hq, Wq], in
 *    which every tap's window is a single contiguous run, so PT is KH*KW*Ci block copies written
 *    straight into the wasm heap, and dy (on the same padded grid, zeros in the margins) needs no
 *    transpose. Two older formulations are kept as cross-checks: conv2dBackpropFilter (a forward
 *    Conv2D of xp^T [Ci,Hn,Wn,B] with filter dy^T [OH,OW,B,Co] at dilation = stride; XNNPACK runs that
 *    shape at half its forward speed and the transposes cost as much again) and
 *    conv2dBackpropFilterIm2col (strided taps concatenated; StridedSlice is a scalar loop on wasm).
 *  - backprop input: dx = a stride-1 forward Conv2D of dy dilated by the stride, padded by
 *    (K-1-top, K-1-left) before and what is needed to reach H+K-1 after (negative amounts become
 *    slices), with the filter flipped spatially and in/out channels swapped (one JS pass over the
 *    small filter; wasm's Reverse kernel is a slow scalar loop). The padding is given to the
 *    convolution (XNNPACK pads implicitly) rather than materialised with PadV2. For strides > 1 the
 *    registered kernel uses the polyphase split instead (conv2dBackpropInputPolyphase): stride² small
 *    stride-1 convolutions over dy's own size, one per output phase with that phase's taps,
 *    interleaved in one JS pass — the dilated form spends (stride² - 1)/stride² of its work on zeros.
 *  - depthwise backprop input: the same dilated/padded dy through a forward DepthwiseConv2dNative with
 *    the flipped filter reshaped to [KH,KW,Ci*M,1]; for channel multiplier M>1 the M partial results
 *    per input channel are summed.
 *  - depthwise backprop filter: per tap, sum over (b,oh,ow) of the strided slice times dy, i.e.
 *    dW[kh,kw,ci,m] = sum xp[..,ci] * dy[..,ci*M+m] (elementwise multiply + Sum).
 *
 * With onnxruntime-node loadable (native-kernels.ts), the registered kernels run on ONNX Runtime's
 * native CPU kernels instead, on one thread: the filter gradient as the same phase-plane matmul built
 * from C++ ops (conv2dBackpropFilterMatmul -> filterGradientNative), the input gradient as one
 * ConvTranspose (conv2dBackpropInputNative). XNNPACK in wasm SIMD computes at ~15 GMAC/s, MLAS at
 * 30-50; the pure-wasm forms above remain the fallback (KESTREL_NATIVE_KERNELS=0).
 *
 * Time per training step of the shipped detector (bench/train-cnn --profile) is what chose between
 * formulations; the exported alternatives stay so that tests can check each against the others.
 *
 * The kernel functions call tf ops; they run while the engine's kernelDepth > 0, so nothing is recorded
 * on the gradient tape, and intermediates are released by tf.tidy. Returning a Tensor from a kernel is
 * supported by the engine (it passes Tensor outputs through unchanged).
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterMatmul } from "./conv-grad-filter";
import { conv2dBackpropInputNative, conv2dBackpropInputPolyphase, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from "./conv-grad-input";
import { pair, type ConvGeometry, type Pad, type Rounding } from "./conv-geometry";
import { nativeKernelsAvailable } from "./native-kernels";

export { conv2dBackpropFilter, conv2dBackpropFilterIm2col, conv2dBackpropFilterMatmul } from "./conv-grad-filter";
export { conv2dBackpropInput, conv2dBackpropInputNative, conv2dBackpropInputPolyphase, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from "./conv-grad-input";
export type { ConvGeometry } from "./conv-geometry";

// ---------------------------------------------------------------------------------------------------
// Registration

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: Record<string, unknown>;
}

function geometry(attrs: Record<string, unknown>, kernel: string): ConvGeometry {
  const dilations = attrs["dilations"];
  if (dilations !== undefined && pair(dilations as number | number[]).some((d) => d !== 1)) {
    throw new Error(`${kernel} (wasm, kestrel): dilations other than 1 are not supported`);
  }
  return {
    strides: pair(attrs["strides"] as number | number[]),
    pad: attrs["pad"] as Pad,
    dimRoundingMode: attrs["dimRoundingMode"] as Rounding,
  };
}

function isNCHW(attrs: Record<string, unknown>): boolean {
  return attrs["dataFormat"] === "NCHW";
}

const toNHWC = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 2, 3, 1]);
const toNCHW = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 3, 1, 2]);
const shapeNHWC = (s: number[]): [number, number, number, number] => [s[0], s[2], s[3], s[1]];

const kernels: { name: string; fn: (a: KernelArgs) => tf.TensorInfo }[] = [
  {
    name: "Conv2DBackpropFilter",
    fn: ({ inputs, attrs = {} }) => {
      const g = geometry(attrs, "Conv2DBackpropFilter");
      const fs = attrs["filterShape"] as [number, number, number, number];
      let x = inputs["x"] as tf.Tensor4D;
      let dy = inputs["dy"] as tf.Tensor4D;
      if (!isNCHW(attrs)) return conv2dBackpropFilterMatmul(x, dy, fs, g);
      return tf.tidy(() => {
        x = toNHWC(x);
        dy = toNHWC(dy);
        return conv2dBackpropFilterMatmul(x, dy, fs, g);
      });
    },
  },
  {
    name: "Conv2DBackpropInput",
    fn: ({ inputs, attrs = {} }) => {
      const g = geometry(attrs, "Conv2DBackpropInput");
      const shape = attrs["inputShape"] as [number, number, number, number];
      const dy = inputs["dy"] as tf.Tensor4D;
      const filter = inputs["filter"] as tf.Tensor4D;
      // ONNX Runtime's ConvTranspose when available (2x faster than the XNNPACK polyphase form).
      const inputGrad = nativeKernelsAvailable() && dy.dtype === "float32" ? conv2dBackpropInputNative : conv2dBackpropInputPolyphase;
      if (!isNCHW(attrs)) return inputGrad(dy, filter, shape, g);
      return tf.tidy(() => toNCHW(inputGrad(toNHWC(dy), filter, shapeNHWC(shape), g)));
    },
  },
  {
    name: "DepthwiseConv2dNativeBackpropFilter",
    fn: ({ inputs, attrs = {} }) =>
      depthwiseConv2dBackpropFilter(
        inputs["x"] as tf.Tensor4D,
        inputs["dy"] as tf.Tensor4D,
        attrs["filterShape"] as [number, number, number, number],
        geometry(attrs, "DepthwiseConv2dNativeBackpropFilter"),
      ),
  },
  {
    name: "DepthwiseConv2dNativeBackpropInput",
    fn: ({ inputs, attrs = {} }) =>
      depthwiseConv2dBackpropInput(
        inputs["dy"] as tf.Tensor4D,
        inputs["filter"] as tf.Tensor4D,
        attrs["inputShape"] as [number, number, number, number],
        geometry(attrs, "DepthwiseConv2dNativeBackpropInput"),
      ),
  },
];

/** Names of the kernels this module provides. */
export const WASM_GRADIENT_KERNELS: readonly string[] = kernels.map((k) => k.name);

export interface RegisterOptions {
  /**
   * Replace kernels the wasm backend already has (its scalar-loop Conv2DBackpropInput) with the
   * formulations above (default true: they are faster; see bench/train-cnn).
   */
  replaceExisting?: boolean;
}

const registered = new Set<string>();

/**
 * Registers the convolution gradient kernels for the 'wasm' backend. Idempotent; returns the names
 * registered by this call. Safe to call before or after tf.setBackend('wasm').
 */
export function registerWasmConvGradients(options: RegisterOptions = {}): string[] {
  const replace = options.replaceExisting ?? true;
  try {
    // The wasm package registers its own kernels when first loaded; load it first so that a later
    // first require cannot overwrite ours.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@tensorflow/tfjs-backend-wasm");
  } catch {
    /* not installed: registering is harmless */
  }
  const done: string[] = [];
  for (const k of kernels) {
    if (registered.has(k.name)) continue;
    const existing = tf.getKernel(k.name, "wasm");
    if (existing) {
      if (!replace) continue;
      tf.unregisterKernel(k.name, "wasm");
    }
    tf.registerKernel({
      kernelName: k.name,
      backendName: "wasm",
      kernelFunc: k.fn as unknown as tf.KernelFunc,
    });
    registered.add(k.name);
    done.push(k.name);
  }
  return done;
}

/** True when the wasm backend can compute all gradients a Conv2D/DepthwiseConv2D/pooling network needs. */
export function wasmHasConvGradients(): boolean {
  return ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad", "AvgPoolGrad"].every(
    (n) => tf.getKernel(n, "wasm") !== undefined,
  );
}
