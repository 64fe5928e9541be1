/**
 * Conv2D gradient with respect to the filter: the registered phase-plane matmul
 * (conv2dBackpropFilterMatmul, on ONNX Runtime when native kernels are available) and the older
 * formulations kept as cross-checks. Why each exists: wasm-conv-grads.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { convInfo, tap, windowedInput, type ConvGeometry } from "./conv-geometry";
import { nativeConv2dBackpropFilter, nativeConvSpec, nativeKernelsAvailable } from "./native-kernels";
import { computeInto, scratchBuffer } from "./wasm-heap";

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
  const spec = { ...nativeConvSpec(info, { xShape: x.shape, filterShape, outShape: dy.shape }), ...grid };
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
