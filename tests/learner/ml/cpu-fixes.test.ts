/**
 * The cpu backend's ResizeNearestNeighborGrad, replaced by registerCpuGradientFixes: it must be the
 * exact adjoint (transpose) of the cpu backend's own forward resize, for batch > 1 (where tfjs
 * 4.22's kernel is wrong) and every index rule. The adjoint is built from the forward alone: column
 * i of the resize's matrix is the forward applied to the i-th basis image.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerCpuGradientFixes } from "../../../nodes/learner/ml/cpu-fixes";

type Case = [name: string, inShape: [number, number, number, number], size: [number, number], alignCorners: boolean, halfPixelCenters: boolean];

const CASES: Case[] = [
  ["upsample x2 (UpSampling2D), batch 2", [2, 3, 4, 2], [6, 8], false, false],
  ["upsample by 5/3 and 7/5, half-pixel centres, batch 3", [3, 3, 5, 1], [5, 7], false, true],
  ["downsample with aligned corners, batch 2", [2, 5, 6, 3], [3, 4], true, false],
];

/** dy · J, J the forward resize's matrix, built column by column from the forward kernel. */
function adjointByDefinition(inShape: Case[1], size: Case[2], alignCorners: boolean, halfPixelCenters: boolean, dy: Float32Array): Float32Array {
  const n = inShape.reduce((a, b) => a * b, 1);
  const dx = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const basis = new Float32Array(n);
    basis[i] = 1;
    const column = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(basis, inShape), size, alignCorners, halfPixelCenters).dataSync());
    let sum = 0;
    for (let k = 0; k < column.length; k++) sum += column[k]! * dy[k]!;
    dx[i] = sum;
  }
  return dx;
}

function gradient(inShape: Case[1], size: Case[2], alignCorners: boolean, halfPixelCenters: boolean, x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const dyT = tf.tensor4d(dy, [inShape[0], size[0], size[1], inShape[3]]);
    const g = tf.grad((t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters).mul(dyT).sum())(tf.tensor4d(x, inShape));
    return g.dataSync() as Float32Array;
  });
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("registerCpuGradientFixes: ResizeNearestNeighborGrad on the cpu backend", () => {
  beforeAll(async () => {
    registerCpuGradientFixes();
    await tf.setBackend("cpu");
  });

  it.each(CASES)("is the exact adjoint of the forward resize: %s", (_name, inShape, size, alignCorners, halfPixelCenters) => {
    const n = inShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const dy = Float32Array.from({ length: inShape[0] * size[0] * size[1] * inShape[3] }, (_, i) => Math.cos(0.7 * i));
    const want = adjointByDefinition(inShape, size, alignCorners, halfPixelCenters, dy);
    expect(maxAbsDiff(gradient(inShape, size, alignCorners, halfPixelCenters, x, dy), want)).toBeLessThan(1e-5);
  });

  it("agrees with the wasm backend's kernel (which was right all along)", async () => {
    const [, inShape, size, alignCorners, halfPixelCenters] = CASES[0]!;
    const n = inShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const dy = Float32Array.from({ length: inShape[0] * size[0] * size[1] * inShape[3] }, (_, i) => Math.cos(0.7 * i));
    const onCpu = gradient(inShape, size, alignCorners, halfPixelCenters, x, dy);
    await tf.setBackend("wasm");
    try {
      expect(maxAbsDiff(onCpu, gradient(inShape, size, alignCorners, halfPixelCenters, x, dy))).toBeLessThan(1e-5);
    } finally {
      await tf.setBackend("cpu");
    }
  });
});
