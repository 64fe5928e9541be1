/**
 * Conv2D and DepthwiseConv2D gradients with respect to the input (and the depthwise filter
 * gradient): forward convolutions of the stride-dilated, padded dy with the flipped filter, the
 * polyphase split for strides > 1, and ONNX Runtime's ConvTranspose when native kernels are
 * available. Why each exists: wasm-conv-grads.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { convInfo, flipSwap, fullPaddedDy, padOrCrop, tap, windowedInput, type ConvGeometry } from "./conv-geometry";
import { nativeConv2dBackpropInput, nativeConvSpec } from "./native-kernels";
import { computeInto } from "./wasm-heap";

/** Conv2D gradient with respect to the input (NHWC, dilations 1). */
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, g, false);
    const wT = flipSwap(filter);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, padInfo } = info;
    if (sh === 1 && sw === 1) {
      const top = kh - 1 - padInfo.top;
      const left = kw - 1 - padInfo.left;
      return convWithPadding(dy, wT, top, inHeight + kh - 1 - top - dy.shape[1], left, inWidth + kw - 1 - left - dy.shape[2]);
    }
    return tf.conv2d(fullPaddedDy(dy, info), wT, 1, "valid");
  });
}

/**
 * A stride-1 convolution of t padded by (top, bottom, left, right) (negative: cropped). The padding
 * is handed to the convolution itself (XNNPACK pads implicitly) instead of materialising a padded
 * copy with PadV2; only a crop, when there is one, is a separate Slice.
 */
function convWithPadding(t: tf.Tensor4D, f: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const cropped = padOrCrop(t, Math.min(0, top), Math.min(0, bottom), Math.min(0, left), Math.min(0, right));
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return tf.conv2d(cropped, f, 1, pad);
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
 * interleaved in one JS pass. Strides of 1 go to conv2dBackpropInput.
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
    const nH = Math.ceil(H / sh);
    const nW = Math.ceil(W / sw);
    const phases: (tf.Tensor4D | null)[] = [];
    for (let ph = 0; ph < sh; ph++) {
      const r = (ph + padInfo.top) % sh;
      const q0 = Math.floor((ph + padInfo.top) / sh);
      for (let pw = 0; pw < sw; pw++) {
        const c = (pw + padInfo.left) % sw;
        const p0 = Math.floor((pw + padInfo.left) / sw);
        const f = phaseFilter(w, filter.shape, r, c, sh, sw);
        if (f === null) {
          phases.push(null);
          continue;
        }
        const [nA, nB] = f.shape;
        const top = nA - 1 - q0;
        const left = nB - 1 - p0;
        phases.push(convWithPadding(dy, f, top, nH + nA - 1 - OH - top, left, nW + nB - 1 - OW - left));
      }
    }
    return interleavePhases(phases, inputShape, sh, sw);
  });
}

/**
 * dx [B,H,W,C] from its stride phases: dx[b, i*sh + ph, j*sw + pw, :] = phases[ph*sw + pw][b, i, j, :]
 * (a null phase is all zeros; rows/columns past H/W are dropped). One JS pass writing the output in
 * order, instead of two channel-axis Concats over the whole tensor.
 */
function interleavePhases(phases: (tf.Tensor4D | null)[], shape: [number, number, number, number], sh: number, sw: number): tf.Tensor4D {
  const [B, H, W, C] = shape;
  const present = phases.filter((p): p is tf.Tensor4D => p !== null);
  const index = phases.map((p) => (p === null ? -1 : present.indexOf(p)));
  const [, nH, nW] = present[0]!.shape;
  return computeInto(shape, present, (out, ...ins) => {
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const i = Math.floor(h / sh);
        const ph = h - i * sh;
        for (let x = 0; x < W; x++) {
          const j = Math.floor(x / sw);
          const k = index[ph * sw + (x - j * sw)]!;
          const dst = ((b * H + h) * W + x) * C;
          if (k < 0) {
            out.fill(0, dst, dst + C);
            continue;
          }
          const src = ins[k]!;
          const s0 = ((b * nH + i) * nW + j) * C;
          for (let c = 0; c < C; c++) out[dst + c] = src[s0 + c]!;
        }
      }
    }
  }) as tf.Tensor4D;
}

/**
 * Conv2D input gradient on ONNX Runtime's native ConvTranspose (native-kernels.ts): one call for any
 * stride, no polyphase split or interleave; the dx buffer is allocated in the heap and filled there.
 */
export function conv2dBackpropInputNative(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, g, false);
  const spec = nativeConvSpec(info, { xShape: inputShape, filterShape: filter.shape, outShape: dy.shape });
  return computeInto(inputShape, [dy, filter], (out, dv, wv) => nativeConv2dBackpropInput(dv!, wv!, spec, out)) as tf.Tensor4D;
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

