/**
 * A corrected gradient kernel for TF.js's pure-JS 'cpu' backend.
 *
 * tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad (the gradient of UpSampling2D and
 * tf.image.resizeNearestNeighbor) is wrong for batch > 1: on unit-scale data its result differs
 * from the exact adjoint by ~0.3-1, so every layer below an upsampling layer (the sim detector's
 * c1-c7) trains on wrong gradients. The wasm backend's kernel is right. This module registers,
 * for 'cpu', the exact adjoint of the cpu backend's own forward ResizeNearestNeighbor: each dy
 * pixel is added to the input pixel the forward copied it from, with the forward's index rule
 * (alignCorners, halfPixelCenters) reproduced line for line.
 */
import * as tf from "@tensorflow/tfjs";

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** The source index the cpu backend's forward kernel reads for output index `i` along one axis. */
export function nearestSourceIndex(i: number, inSize: number, outSize: number, attrs: ResizeAttrs): number {
  const effectiveIn = attrs.alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = attrs.alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const frac = attrs.halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
  const nearest = Math.min(inSize - 1, attrs.alignCorners ? Math.round(frac) : Math.floor(frac));
  return attrs.halfPixelCenters ? Math.max(0, nearest) : nearest;
}

/** dx [B,H,W,C] for dy [B,OH,OW,C]: the scatter-add adjoint of the nearest-neighbour resize. */
export function resizeNearestNeighborGrad(dy: Float32Array, dyShape: readonly number[], inHeight: number, inWidth: number, attrs: ResizeAttrs): Float32Array {
  const [batch, outHeight, outWidth, channels] = dyShape as [number, number, number, number];
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  const cols = Int32Array.from({ length: outWidth }, (_, c) => nearestSourceIndex(c, inWidth, outWidth, attrs));
  let k = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowBase = (b * inHeight + nearestSourceIndex(r, inHeight, outHeight, attrs)) * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const base = (rowBase + cols[c]!) * channels;
        for (let d = 0; d < channels; d++) dx[base + d] += dy[k++]!;
      }
    }
  }
  return dx;
}

let registered = false;

/** Replaces the cpu backend's ResizeNearestNeighborGrad with the exact adjoint. Idempotent. */
export function registerCpuGradientFixes(): void {
  if (registered) return;
  if (tf.getKernel("ResizeNearestNeighborGrad", "cpu")) tf.unregisterKernel("ResizeNearestNeighborGrad", "cpu");
  tf.registerKernel({
    kernelName: "ResizeNearestNeighborGrad",
    backendName: "cpu",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const cpu = backend as unknown as { data: { get(id: unknown): { values: Float32Array } }; makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo };
      const [, inHeight, inWidth] = images.shape as [number, number, number, number];
      const dx = resizeNearestNeighborGrad(cpu.data.get(dy.dataId).values, dy.shape, inHeight, inWidth, attrs as unknown as ResizeAttrs);
      return cpu.makeTensorInfo(images.shape, "float32", dx);
    },
  });
  registered = true;
}
