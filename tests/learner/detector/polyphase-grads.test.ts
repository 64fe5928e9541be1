/**
 * The polyphase (stride² small convolutions) Conv2D input gradient in nodes/learner/ml/wasm-conv-grads.ts
 * against the dilated-dy formulation and TF.js's CPU kernel, over strides, kernel sizes, paddings
 * and odd/even sizes, on the CPU and wasm backends; and the registered wasm kernel against CPU.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropInput, conv2dBackpropInputPolyphase, type ConvGeometry } from "../../../nodes/learner/ml/wasm-conv-grads";
import { selectBackend } from "../../../nodes/learner/ml/backend";

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  g: ConvGeometry;
}
const cases: Case[] = [
  { x: [2, 8, 10, 3], k: [3, 3], co: 4, g: { strides: 2, pad: "same" } },
  { x: [1, 9, 7, 2], k: [3, 3], co: 3, g: { strides: 2, pad: "same" } },
  { x: [1, 9, 7, 2], k: [3, 3], co: 3, g: { strides: 2, pad: "valid" } },
  { x: [2, 11, 12, 3], k: [5, 5], co: 2, g: { strides: 2, pad: "same" } },
  { x: [1, 12, 13, 2], k: [3, 2], co: 3, g: { strides: [3, 2], pad: "same" } },
  { x: [1, 8, 8, 4], k: [1, 1], co: 3, g: { strides: 2, pad: "same" } },
  { x: [1, 10, 9, 2], k: [2, 2], co: 2, g: { strides: 2, pad: "valid" } },
  { x: [1, 8, 10, 2], k: [4, 3], co: 2, g: { strides: [2, 3], pad: 1 } },
  { x: [1, 7, 9, 2], k: [4, 3], co: 2, g: { strides: [2, 3], pad: 1, dimRoundingMode: "floor" } },
  { x: [1, 6, 6, 2], k: [3, 3], co: 2, g: { strides: 1, pad: "same" } },
];

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;
}

async function check(backend: string): Promise<void> {
  for (const [n, c] of cases.entries()) {
    const filter = tf.randomNormal([c.k[0], c.k[1], c.x[3], c.co], 0, 1, "float32", 10 + n) as tf.Tensor4D;
    const y = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, filter, c.g.strides as [number, number], c.g.pad as "same");
    const dy = tf.randomNormal(y.shape, 0, 1, "float32", 20 + n) as tf.Tensor4D;
    const poly = conv2dBackpropInputPolyphase(dy, filter, c.x, c.g);
    const dilated = conv2dBackpropInput(dy, filter, c.x, c.g);
    expect([backend, n, await maxDiff(poly, dilated)]).toEqual([backend, n, expect.any(Number)]);
    expect(await maxDiff(poly, dilated)).toBeLessThan(1e-4);
    tf.dispose([filter, y, dy, poly, dilated]);
  }
}

describe("polyphase Conv2D input gradient", () => {
  it("agrees with the dilated formulation on the CPU backend", async () => {
    await tf.setBackend("cpu");
    await check("cpu");
  });

  it("agrees on wasm, and the registered wasm kernel matches the CPU kernel", async () => {
    const sel = await selectBackend({ prefer: ["wasm"], log: () => {} });
    expect(sel.tfBackend).toBe("wasm");
    await check("wasm");
    // The registered Conv2DBackpropInput kernel (reached through conv2dTranspose) against TF.js's CPU kernel.
    for (const [n, c] of cases.entries()) {
      const f = tf.randomNormal([c.k[0], c.k[1], c.x[3], c.co], 0, 1, "float32", 30 + n).dataSync().slice();
      const fShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
      const info = tf.backend_util.computeConv2DInfo(c.x, fShape, c.g.strides as [number, number], 1, c.g.pad as "same", c.g.dimRoundingMode, false, "channelsLast");
      const dyShape: [number, number, number, number] = [c.x[0], info.outHeight, info.outWidth, c.co];
      const dyv = tf.randomNormal(dyShape, 0, 1, "float32", 40 + n).dataSync().slice();
      const run = () =>
        tf.conv2dTranspose(tf.tensor4d(dyv, dyShape), tf.tensor4d(f, fShape), c.x, c.g.strides as [number, number], c.g.pad as "same", c.g.dimRoundingMode).dataSync().slice();
      const onWasm = run();
      await tf.setBackend("cpu");
      const onCpu = run();
      await tf.setBackend("wasm");
      let worst = 0;
      for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onCpu[i]! - onWasm[i]!));
      expect([n, worst < 1e-4 ? 0 : worst]).toEqual([n, 0]);
    }
  });
});
