/**
 * Convolution geometry shared by the gradient formulations (conv-grad-filter.ts, conv-grad-input.ts):
 * TF.js's Conv2DInfo for NHWC, dilations 1, and the tensor rearrangements (taps, padding or
 * cropping, stride dilation, flipped filters) that turn a gradient into forward convolutions.
 * Notation as in wasm-conv-grads.ts.
 */
import * as tf from "@tensorflow/tfjs";

export type Pad = "same" | "valid" | number | number[][];
export type Rounding = "floor" | "round" | "ceil" | undefined;

export interface ConvGeometry {
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

export function pair(v: number | [number, number] | number[]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1] ?? v[0]];
}

export function convInfo(
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
export function tap(xp: tf.Tensor4D, kh: number, kw: number, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
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
export function windowedInput(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { padInfo, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const needH = (outHeight - 1) * strideHeight + filterHeight;
  const needW = (outWidth - 1) * strideWidth + filterWidth;
  return padOrCrop(x, padInfo.top, needH - padInfo.top - inHeight, padInfo.left, needW - padInfo.left - inWidth);
}


/** Inserts (sh-1) zero rows / (sw-1) zero columns after every element of dy: [B, OH*sh, OW*sw, C]. */
export function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
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
export function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
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
export function fullPaddedDy(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
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
export function flipSwap(filter: tf.Tensor4D): tf.Tensor4D {
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
