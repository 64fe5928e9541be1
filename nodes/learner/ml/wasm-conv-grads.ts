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
import { nativeConv2dBackpropFilter, nativeConv2dBackpropInput, nativeKernelsAvailable } from "./native-kernels";
import { computeInto, scratchBuffer } from "./wasm-heap";

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

/**
 * The stride-phase grid of the filter gradient. Tap kh reads input row oh*sh + kh - top, which is row
 * i = oh + floor(kh/sh) of phase rh = kh mod sh (the input rows rh - top, rh - top + sh, ...); the same
 * for columns. A phase plane has Hq = OH + floor((KH-1)/sh) rows and Wq = OW + floor((KW-1)/sw)
 * columns, so every tap's window inside its plane is the plane shifted by (floor(kh/sh), floor(kw/sw)).
 */
interface PhaseGrid {
  /** Phases actually used per axis: min(stride, kernel). */
  nph: number;
  npw: number;
  hq: number;
  wq: number;
  /** Rows of the product: B*Hq*Wq minus the largest tap shift (see conv2dBackpropFilterMatmul). */
  m: number;
}

function phaseGrid(info: tf.backend_util.Conv2DInfo): PhaseGrid {
  const { batchSize: B, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW } = info;
  const qh = Math.floor((KH - 1) / sh);
  const qw = Math.floor((KW - 1) / sw);
  const hq = OH + qh;
  const wq = OW + qw;
  return { nph: Math.min(sh, KH), npw: Math.min(sw, KW), hq, wq, m: B * hq * wq - (qh * wq + qw) };
}

/**
 * x [B,H,W,C] rearranged into phase planes xq [nph, npw, C, B, Hq, Wq] (zeros in the padding):
 * xq[rh,rw,c,b,i,j] = x[b, i*sh + rh - top, j*sw + rw - left, c]. One pass in JS (the wasm Transpose
 * kernel is a per-element index loop): for each output row segment, the C channel rows are written
 * sequentially from one input row that stays in L1.
 */
function phasePlanes(x: Float32Array, out: Float32Array, info: tf.backend_util.Conv2DInfo, g: PhaseGrid): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { nph, npw, hq, wq } = g;
  const plane = B * hq * wq;
  for (let rh = 0; rh < nph; rh++) {
    for (let rw = 0; rw < npw; rw++) {
      const phaseBase = (rh * npw + rw) * C * plane;
      const off = rw - padInfo.left;
      // Columns j whose input column j*sw + off lies inside [0, W).
      const jLo = Math.min(wq, Math.max(0, Math.ceil(-off / sw)));
      const jHi = Math.max(jLo, Math.min(wq, Math.floor((W - 1 - off) / sw) + 1));
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < hq; i++) {
          const ih = i * sh + rh - padInfo.top;
          const rowOut = phaseBase + (b * hq + i) * wq;
          if (ih < 0 || ih >= H) {
            for (let c = 0; c < C; c++) out.fill(0, rowOut + c * plane, rowOut + c * plane + wq);
            continue;
          }
          const rowIn = ((b * H + ih) * W + off) * C;
          for (let c = 0; c < C; c++) {
            const o = rowOut + c * plane;
            for (let j = 0; j < jLo; j++) out[o + j] = 0;
            for (let j = jLo, src = rowIn + jLo * sw * C + c; j < jHi; j++, src += sw * C) out[o + j] = x[src]!;
            for (let j = jHi; j < wq; j++) out[o + j] = 0;
          }
        }
      }
    }
  }
}

/**
 * The transposed patch matrix PT [KH*KW*Ci, M]: row (kh,kw,ci) is the contiguous run of its phase
 * plane starting at the tap's shift, so building it is KH*KW*Ci block copies (memcpy speed).
 * Column p = (b*Hq + i)*Wq + j pairs with dy[b, i, j] when i < OH and j < OW and with a zero row of
 * dyOnGrid otherwise, which is what makes the runs contiguous.
 */
function patchesT(xq: Float32Array, out: Float32Array, info: tf.backend_util.Conv2DInfo, g: PhaseGrid): void {
  const { batchSize: B, inChannels: C, strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW } = info;
  const plane = B * g.hq * g.wq;
  let dst = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const phase = (kh % sh) * g.npw + (kw % sw);
      const shift = Math.floor(kh / sh) * g.wq + Math.floor(kw / sw);
      for (let c = 0; c < C; c++, dst += g.m) {
        const src = (phase * C + c) * plane + shift;
        out.set(xq.subarray(src, src + g.m), dst);
      }
    }
  }
}

/** dy [B,OH,OW,Co] placed on the phase grid: [M, Co], zero rows where i >= OH or j >= OW. */
function dyOnGrid(dy: Float32Array, out: Float32Array, info: tf.backend_util.Conv2DInfo, g: PhaseGrid): void {
  const { batchSize: B, outHeight: OH, outWidth: OW, outChannels: Co } = info;
  const rowLen = OW * Co;
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < OH; i++) {
      const src = (b * OH + i) * rowLen;
      out.set(dy.subarray(src, src + rowLen), ((b * g.hq + i) * g.wq) * Co);
    }
  }
}

/**
 * Conv2D gradient with respect to the filter (NHWC, dilations 1) as one matrix product,
 * dW [KH*KW*Ci, Co] = PT [KH*KW*Ci, M] · dyOnGrid [M, Co], the sum over all (b, oh, ow) of patch times
 * dy. The input is first split into stride-phase planes (phasePlanes), in which every tap's window is
 * one contiguous run, so PT is built with block copies straight into the wasm heap; the product is
 * the backend's XNNPACK matmul in its fast untransposed form (transposeA runs ~15x slower on wasm).
 * The M - B*OH*OW extra columns (the plane margins, paired with zero rows of dy) cost a little
 * arithmetic and save a gather per element. The result is already in [KH,KW,Ci,Co] order.
 */
export function conv2dBackpropFilterMatmul(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, g, false);
    const [kh, kw, ci, co] = filterShape;
    const grid = phaseGrid(info);
    if (nativeKernelsAvailable()) return filterGradientNative(x, dy, filterShape, info, grid);
    const pt = computeInto([kh * kw * ci, grid.m], [x], (out, xv) => {
      const xq = scratchBuffer(grid.nph * grid.npw * ci * info.batchSize * grid.hq * grid.wq, 0);
      phasePlanes(xv!, xq, info, grid);
      patchesT(xq, out, info, grid);
    });
    const onGrid = grid.m === info.batchSize * info.outHeight * info.outWidth;
    const dy2 = onGrid ? dy.reshape([grid.m, co]) : computeInto([grid.m, co], [dy], (out, dv) => dyOnGrid(dv!, out, info, grid));
    return tf.matMul(pt as tf.Tensor2D, dy2 as tf.Tensor2D).reshape(filterShape) as tf.Tensor4D;
  });
}

/**
 * conv2dBackpropFilterMatmul run entirely on ONNX Runtime (native-kernels.ts): the same phase planes,
 * patch rows and product, built by C++ Transpose/Pad/Slice/Concat instead of JS loops and multiplied
 * by MLAS's GEMM. Inputs are read from, and dW written into, the wasm heap.
 */
function filterGradientNative(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  info: tf.backend_util.Conv2DInfo,
  grid: PhaseGrid,
): tf.Tensor4D {
  const p = info.padInfo;
  const spec = {
    xShape: x.shape,
    filterShape,
    strides: [info.strideHeight, info.strideWidth] as [number, number],
    pads: [p.top, p.bottom, p.left, p.right] as [number, number, number, number],
    outShape: dy.shape,
    ...grid,
  };
  return computeInto(filterShape, [x, dy], (out, xv, dv) => nativeConv2dBackpropFilter(xv!, dv!, spec, out)) as tf.Tensor4D;
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
  const p = info.padInfo;
  const spec = {
    xShape: inputShape,
    filterShape: filter.shape,
    strides: [info.strideHeight, info.strideWidth] as [number, number],
    pads: [p.top, p.bottom, p.left, p.right] as [number, number, number, number],
    outShape: dy.shape,
  };
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
