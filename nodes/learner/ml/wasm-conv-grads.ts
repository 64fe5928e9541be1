/**
 * Convolution gradient kernels for the TF.js wasm backend.
 *
 * @tensorflow/tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter and no depthwise backprop kernels, and its
 * Conv2DBackpropInput is a plain scalar loop. This module builds them from kernels the wasm backend runs
 * fast (XNNPACK Conv2D / DepthwiseConv2dNative, BatchMatMul, Pad, Slice, StridedSlice, Reshape, Reverse,
 * Transpose, Concat) and registers them with tf.registerKernel for backendName 'wasm'.
 *
 * Notation (NHWC, dilations 1): x [B,H,W,Ci], filter w [KH,KW,Ci,Co], dy [B,OH,OW,Co], strides (sh,sw),
 * padding (top,left,...) as computed by backend_util.computeConv2DInfo (so 'same', 'valid', a number and
 * explicit [[0,0],[t,b],[l,r],[0,0]] padding all go through the same path); xp = x zero-padded.
 *
 *  - backprop filter: dW[kh,kw,ci,co] = sum_{b,oh,ow} xp[b, oh*sh+kh, ow*sw+kw, ci] * dy[b,oh,ow,co], which is
 *    a forward stride-1 Conv2D of xp^T [Ci,Hn,Wn,B] (batch and channels swapped) with filter dy^T [OH,OW,B,Co]
 *    at dilation = stride, giving [Ci,KH,KW,Co] -> transpose. (An im2col form — strided taps concatenated
 *    into P [N, KH*KW*Ci], dW = P^T·dy — is exported as conv2dBackpropFilterIm2col; it is 20x slower on wasm
 *    because StridedSlice is a scalar loop there.)
 *  - backprop input: dx = a stride-1 'valid' forward Conv2D of dy dilated by the stride (zeros inserted
 *    with reshape+pad), padded by (K-1-top, K-1-left) before and what is needed to reach H+K-1 after
 *    (negative amounts become slices), with the filter flipped spatially and in/out channels swapped
 *    (one JS pass over the small filter; wasm's Reverse kernel is a slow scalar loop). For strides > 1
 *    the registered kernel uses the polyphase split instead (conv2dBackpropInputPolyphase): stride²
 *    small stride-1 convolutions over dy's own size, one per output phase with that phase's taps,
 *    interleaved by concat + reshape — the dilated form spends (stride² - 1)/stride² of its work on zeros.
 *  - depthwise backprop input: the same dilated/padded dy through a forward DepthwiseConv2dNative with
 *    the flipped filter reshaped to [KH,KW,Ci*M,1]; for channel multiplier M>1 the M partial results
 *    per input channel are summed.
 *  - depthwise backprop filter: per tap, sum over (b,oh,ow) of the strided slice times dy, i.e.
 *    dW[kh,kw,ci,m] = sum xp[..,ci] * dy[..,ci*M+m] (elementwise multiply + Sum).
 *
 * The kernel functions call tf ops; they run while the engine's kernelDepth > 0, so nothing is recorded
 * on the gradient tape, and intermediates are released by tf.tidy. Returning a Tensor from a kernel is
 * supported by the engine (it passes Tensor outputs through unchanged).
 */
import * as tf from "@tensorflow/tfjs";

type Pad = "same" | "valid" | number | number[][];
type Rounding = "floor" | "round" | "ceil" | undefined;

export interface ConvGeometry {
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

function pair(v: number | [number, number] | number[]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1] ?? v[0]];
}

function convInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  g: ConvGeometry,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    pair(g.strides),
    1,
    g.pad as "same" | "valid" | number | tf.backend_util.ExplicitPadding,
    g.dimRoundingMode,
    depthwise,
    "channelsLast",
  );
}

/** The (strided) window xp[:, kh + i*sh, kw + j*sw, :] for i < OH, j < OW. */
function tap(xp: tf.Tensor4D, kh: number, kw: number, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { batchSize, outHeight, outWidth, strideHeight, strideWidth } = info;
  const c = xp.shape[3];
  if (strideHeight === 1 && strideWidth === 1) {
    return tf.slice(xp, [0, kh, kw, 0], [batchSize, outHeight, outWidth, c]);
  }
  return tf.stridedSlice(
    xp,
    [0, kh, kw, 0],
    [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, c],
    [1, strideHeight, strideWidth, 1],
  ) as tf.Tensor4D;
}

/** x zero-padded (or cropped) to exactly the rows/columns the forward windows read. */
function windowedInput(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { padInfo, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const needH = (outHeight - 1) * strideHeight + filterHeight;
  const needW = (outWidth - 1) * strideWidth + filterWidth;
  return padOrCrop(x, padInfo.top, needH - padInfo.top - inHeight, padInfo.left, needW - padInfo.left - inWidth);
}

/**
 * Conv2D gradient with respect to the filter (NHWC, dilations 1), as one forward convolution with the
 * batch and channel axes swapped: input xp^T [Ci, Hn, Wn, B] (B acts as the channels), filter
 * dy^T [OH, OW, B, Co], stride 1, dilation = the forward stride, 'valid' -> [Ci, KH, KW, Co] -> [KH,KW,Ci,Co].
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, g, false);
    const xT = tf.transpose(windowedInput(x, info), [3, 1, 2, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const dilations: [number, number] = [
      info.outHeight > 1 ? info.strideHeight : 1,
      info.outWidth > 1 ? info.strideWidth : 1,
    ];
    const out = tf.conv2d(xT, dyT, 1, "valid", "NHWC", dilations); // [Ci, KH, KW, Co]
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Im2col formulation of conv2dBackpropFilter (P^T · dy); ~20x slower on wasm, kept as a cross-check. */
export function conv2dBackpropFilterIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, g, false);
    const [kh, kw, ci, co] = filterShape;
    const n = info.batchSize * info.outHeight * info.outWidth;
    const xp = windowedInput(x, info);
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tap(xp, i, j, info));
    const patches = (taps.length === 1 ? taps[0] : tf.concat(taps, 3)).reshape([n, kh * kw * ci]);
    const dW = tf.matMul(patches.transpose() as tf.Tensor2D, dy.reshape([n, co]) as tf.Tensor2D);
    return dW.reshape(filterShape) as tf.Tensor4D;
  });
}

/** Inserts (sh-1) zero rows / (sw-1) zero columns after every element of dy: [B, OH*sh, OW*sw, C]. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [b, oh, ow, c] = dy.shape;
  let t: tf.Tensor = dy;
  if (sh > 1) {
    t = tf.pad(t.reshape([b, oh, 1, ow * c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
  }
  if (sw > 1) {
    t = tf.pad(t.reshape([b * oh * sh, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
  }
  return t.reshape([b, oh * sh, ow * sw, c]) as tf.Tensor4D;
}

/** Pads (positive) or crops (negative) rows and columns of an NHWC tensor. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let r = t;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    r = tf.pad(r, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [b, h, w, c] = r.shape;
    const t0 = Math.max(0, -top);
    const l0 = Math.max(0, -left);
    r = tf.slice(r, [0, t0, l0, 0], [b, h - t0 - Math.max(0, -bottom), w - l0 - Math.max(0, -right), c]);
  }
  return r;
}

/** dy dilated by the stride and padded so that a stride-1 'valid' KHxKW window sweep yields H x W. */
function fullPaddedDy(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, padInfo } = info;
  const d = dilate(dy, sh, sw); // rows: OH*sh (the last sh-1 are zeros)
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  const bottom = inHeight + kh - 1 - top - d.shape[1];
  const right = inWidth + kw - 1 - left - d.shape[2];
  return padOrCrop(d, top, bottom, left, right);
}

/**
 * The filter flipped spatially with in/out channels swapped: [KH,KW,Ci,Co] -> [KH,KW,Co,Ci],
 * out[a,b,o,i] = w[KH-1-a, KW-1-b, i, o]. Done in one JS pass over the (small) filter: the wasm
 * Reverse kernel is a per-element scalar loop and cost more than the convolution it feeds.
 */
function flipSwap(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const w = filter.dataSync();
  const out = new Float32Array(w.length);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++) {
      const src = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const dst = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o];
    }
  return tf.tensor4d(out, [kh, kw, co, ci]);
}

/** Conv2D gradient with respect to the input (NHWC, dilations 1). */
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, g, false);
    const dyp = fullPaddedDy(dy, info);
    const wT = flipSwap(filter);
    return tf.conv2d(dyp, wT, 1, "valid");
  });
}

/**
 * The taps of one stride phase, flipped, with in/out channels swapped: rows kh = r + sh*a (a < nA),
 * columns kw = c + sw*b (b < nB); out[j,k,o,i] = w[r + sh*(nA-1-j), c + sw*(nB-1-k), i, o].
 */
function phaseFilter(
  w: ArrayLike<number>,
  shape: [number, number, number, number],
  r: number,
  c: number,
  sh: number,
  sw: number,
): tf.Tensor4D | null {
  const [kh, kw, ci, co] = shape;
  const nA = Math.ceil((kh - r) / sh);
  const nB = Math.ceil((kw - c) / sw);
  if (nA <= 0 || nB <= 0) return null;
  const out = new Float32Array(nA * nB * co * ci);
  for (let j = 0; j < nA; j++)
    for (let k = 0; k < nB; k++) {
      const src = ((r + sh * (nA - 1 - j)) * kw + (c + sw * (nB - 1 - k))) * ci * co;
      const dst = (j * nB + k) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o];
    }
  return tf.tensor4d(out, [nA, nB, co, ci]);
}

/**
 * Conv2D input gradient for strides > 1 split into sh x sw stride-1 convolutions (polyphase), one
 * per output phase (rows h = i*sh + ph, columns w = j*sw + pw): phase (ph, pw) only receives the
 * filter taps kh = (ph + top) mod sh (+ sh*a) and kw likewise, so
 *   dx[i*sh+ph, j*sw+pw] = sum_{a,b} dy[i + q0 - a, j + p0 - b] · w[r + sh*a, c + sw*b]
 * with q0 = floor((ph + top) / sh), r = (ph + top) mod sh — a 'valid' convolution of dy (padded or
 * cropped) with that phase's flipped, channel-swapped taps. Together the phases do the work of one
 * KHxKW convolution over dy's size instead of over the sh·sw times larger zero-dilated dy, then are
 * interleaved with concat + reshape. Strides of 1 go to conv2dBackpropInput.
 */
export function conv2dBackpropInputPolyphase(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, g, false);
  const { strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W, padInfo, outHeight: OH, outWidth: OW } = info;
  if (sh === 1 && sw === 1) return conv2dBackpropInput(dy, filter, inputShape, g);
  const w = filter.dataSync();
  return tf.tidy(() => {
    const b = inputShape[0];
    const ci = filter.shape[2];
    const nH = Math.ceil(H / sh);
    const nW = Math.ceil(W / sw);
    const rows: tf.Tensor[] = [];
    for (let ph = 0; ph < sh; ph++) {
      const r = (ph + padInfo.top) % sh;
      const q0 = Math.floor((ph + padInfo.top) / sh);
      const cols: tf.Tensor[] = [];
      for (let pw = 0; pw < sw; pw++) {
        const c = (pw + padInfo.left) % sw;
        const p0 = Math.floor((pw + padInfo.left) / sw);
        const f = phaseFilter(w, filter.shape, r, c, sh, sw);
        let out: tf.Tensor4D;
        if (f === null) out = tf.zeros([b, nH, nW, ci]);
        else {
          const [nA, nB] = f.shape;
          const top = nA - 1 - q0;
          const left = nB - 1 - p0;
          const dyp = padOrCrop(dy, top, nH + nA - 1 - OH - top, left, nW + nB - 1 - OW - left);
          out = tf.conv2d(dyp, f, 1, "valid");
        }
        cols.push(out.reshape([b, nH, nW, 1, ci]));
      }
      rows.push((cols.length === 1 ? cols[0]! : tf.concat(cols, 3)).reshape([b, nH, 1, nW * sw, ci]));
    }
    const full = (rows.length === 1 ? rows[0]! : tf.concat(rows, 2)).reshape([b, nH * sh, nW * sw, ci]) as tf.Tensor4D;
    return nH * sh === H && nW * sw === W ? full : (tf.slice(full, [0, 0, 0, 0], [b, H, W, ci]) as tf.Tensor4D);
  });
}

/** DepthwiseConv2dNative gradient with respect to the input (NHWC, dilations 1). */
export function depthwiseConv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, g, true);
    const [kh, kw, ci, m] = filter.shape;
    const dyp = fullPaddedDy(dy, info);
    const wf = tf.reverse(filter, [0, 1]).reshape([kh, kw, ci * m, 1]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(dyp, wf, 1, "valid"); // [B,H,W,Ci*M]
    if (m === 1) return out;
    const [b, h, w] = out.shape;
    return out.reshape([b, h, w, ci, m]).sum(4) as tf.Tensor4D;
  });
}

/** DepthwiseConv2dNative gradient with respect to the filter (NHWC, dilations 1). */
export function depthwiseConv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, g, true);
    const [kh, kw, ci, m] = filterShape;
    const n = info.batchSize * info.outHeight * info.outWidth;
    const xp = windowedInput(x, info);
    const dy3 = dy.reshape([n, ci, m]);
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s = tap(xp, i, j, info).reshape([n, ci, 1]);
        rows.push(tf.sum(tf.mul(s, dy3), 0)); // [Ci, M]
      }
    }
    return tf.stack(rows).reshape(filterShape) as tf.Tensor4D;
  });
}

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
      if (!isNCHW(attrs)) return conv2dBackpropFilter(x, dy, fs, g);
      return tf.tidy(() => {
        x = toNHWC(x);
        dy = toNHWC(dy);
        return conv2dBackpropFilter(x, dy, fs, g);
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
      if (!isNCHW(attrs)) return conv2dBackpropInputPolyphase(dy, filter, shape, g);
      return tf.tidy(() => toNCHW(conv2dBackpropInputPolyphase(toNHWC(dy), filter, shapeNHWC(shape), g)));
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
