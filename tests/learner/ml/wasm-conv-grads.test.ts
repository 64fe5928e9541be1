/**
 * The wasm backend's convolution gradient kernels (nodes/learner/ml/wasm-conv-grads.ts) as a
 * specification: for strides 1, 2 and mixed, 'same', 'valid', numeric and explicit padding, 1x1,
 * 3x3 and larger kernels, batch > 1 and channel counts on both sides of the native-kernel threshold,
 * the gradients match the CPU backend and finite differences — on both compute paths: ONNX Runtime
 * native kernels (the default when onnxruntime-node loads) and the pure-wasm formulations.
 */
import * as tf from "@tensorflow/tfjs";
import { fixOrtForJest } from "../../support/ort-realm";
import { selectBackend } from "../../../nodes/learner/ml/backend";
import { nativeKernelsAvailable, setNativeKernelsEnabled } from "../../../nodes/learner/ml/native-kernels";
import {
  conv2dBackpropFilter,
  conv2dBackpropFilterIm2col,
  conv2dBackpropFilterMatmul,
  conv2dBackpropInputNative,
  conv2dBackpropInputPolyphase,
  registerWasmConvGradients,
  wasmHasConvGradients,
} from "../../../nodes/learner/ml/wasm-conv-grads";

type Shape4 = [number, number, number, number];
type PadSpec = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  x: Shape4;
  w: Shape4;
  strides: number | [number, number];
  pad: PadSpec;
}

const label = (c: Case): string => `x${c.x.join("x")} w${c.w.join("x")} s${JSON.stringify(c.strides)} ${JSON.stringify(c.pad)}`;

const CASES: Case[] = [
  { x: [2, 5, 5, 3], w: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 2], strides: 2, pad: "same" },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 2], strides: 2, pad: "same" },
  { x: [1, 8, 8, 2], w: [3, 3, 2, 3], strides: 2, pad: "valid" },
  { x: [2, 9, 7, 2], w: [2, 3, 2, 3], strides: [2, 3], pad: "valid" },
  { x: [1, 6, 6, 2], w: [3, 3, 2, 2], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 7, 7, 2], w: [3, 3, 2, 2], strides: 2, pad: 1 },
  { x: [2, 5, 5, 1], w: [1, 1, 1, 2], strides: 1, pad: "valid" },
  { x: [2, 6, 6, 3], w: [1, 1, 3, 2], strides: 2, pad: "same" },
  { x: [1, 10, 11, 2], w: [5, 5, 2, 3], strides: 3, pad: "same" },
  { x: [1, 4, 4, 2], w: [4, 4, 2, 3], strides: 1, pad: "valid" },
  // At least 8 input channels: the forward convolution also runs natively.
  { x: [2, 9, 8, 8], w: [3, 3, 8, 4], strides: 2, pad: "same" },
  { x: [3, 6, 6, 10], w: [1, 1, 10, 3], strides: 1, pad: "valid" },
  { x: [2, 8, 10, 12], w: [3, 3, 12, 6], strides: 1, pad: "same" },
];

function rand(shape: number[], seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** d/dx and d/dw of sum(conv2d(x, w) * r) on the current backend. */
function convGrads(c: Case, depthwise = false): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(rand(c.x, 1), c.x);
    const w = tf.tensor4d(rand(c.w, 2), c.w);
    const fwd = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      depthwise ? tf.depthwiseConv2d(a, b, c.strides, c.pad as "same" | "valid" | number) : tf.conv2d(a, b, c.strides, c.pad);
    const yShape = fwd(x, w).shape;
    const r = tf.tensor(rand(yShape, 3), yShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fwd(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  const prev = tf.getBackend();
  await tf.setBackend(name);
  try {
    return f();
  } finally {
    await tf.setBackend(prev);
  }
}

const PATHS = [
  { path: "native (ONNX Runtime)", native: true },
  { path: "pure wasm", native: false },
];

beforeAll(async () => {
  fixOrtForJest();
  const sel = await selectBackend({ prefer: ["wasm"], log: () => {} });
  expect(sel.name).toBe("wasm");
});

afterAll(() => setNativeKernelsEnabled(true));

describe("registerWasmConvGradients", () => {
  it("registers the missing kernels (idempotently)", () => {
    expect(wasmHasConvGradients()).toBe(true);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    expect(tf.getKernel("DepthwiseConv2dNativeBackpropFilter", "wasm")).toBeDefined();
    expect(registerWasmConvGradients()).toEqual([]);
  });
});

describe.each(PATHS)("wasm Conv2D gradients, $path", ({ native }) => {
  beforeAll(() => {
    setNativeKernelsEnabled(native);
    if (native) expect(nativeKernelsAvailable()).toBe(true);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("match the cpu backend: %s", async (_label, c) => {
    const wasm = convGrads(c);
    const cpu = await onBackend("cpu", () => convGrads(c));
    expect(maxAbsDiff(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
  });

  it.each([
    { x: [1, 5, 4, 2], w: [3, 3, 2, 2], strides: 2, pad: "same" },
    { x: [2, 4, 5, 3], w: [3, 3, 3, 2], strides: 1, pad: "valid" },
    { x: [2, 4, 4, 9], w: [1, 1, 9, 2], strides: 1, pad: "same" },
  ] as Case[])("match central finite differences (%#)", (c) => {
    // f(x, w) = sum(conv2d(x, w) * r) is linear in each of x and w, so a central difference has no
    // truncation error and a large step keeps float32 rounding far below the tolerance.
    const xs = rand(c.x, 1);
    const ws = rand(c.w, 2);
    const f = (xv: Float32Array, wv: Float32Array): number =>
      tf.tidy(() => {
        const y = tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w), c.strides, c.pad);
        return tf.sum(tf.mul(y, tf.tensor(rand(y.shape, 3), y.shape))).dataSync()[0]!;
      });
    const { dx, dw } = convGrads(c);
    const eps = 0.5;
    const numeric = (base: Float32Array, i: number, which: "x" | "w"): number => {
      const p = base.slice();
      const m = base.slice();
      p[i]! += eps;
      m[i]! -= eps;
      const fp = which === "x" ? f(p, ws) : f(xs, p);
      const fm = which === "x" ? f(m, ws) : f(xs, m);
      return (fp - fm) / (2 * eps);
    };
    for (let i = 0; i < xs.length; i++) expect(Math.abs(numeric(xs, i, "x") - dx[i]!)).toBeLessThan(2e-4);
    for (let i = 0; i < ws.length; i++) expect(Math.abs(numeric(ws, i, "w") - dw[i]!)).toBeLessThan(2e-4);
  });

  it("train a small Conv2D network (loss decreases)", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const xs = tf.tensor4d(rand([32, 16, 16, 3], 7), [32, 16, 16, 3]);
    // Target: mean brightness of the left half of the image — learnable by convolutions.
    const ys = tf.tidy(() => tf.mean(tf.slice(xs, [0, 0, 0, 0], [32, 16, 8, 3]), [1, 2, 3]).mul(10).reshape([32, 1]));
    const h = await model.fit(xs, ys, { epochs: 25, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = h.history["loss"] as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.5);
    expect(tf.getBackend()).toBe("wasm");
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe("wasm DepthwiseConv2D gradients", () => {
  it.each([
    { x: [2, 6, 6, 3], w: [3, 3, 3, 1], strides: 1, pad: "same" },
    { x: [2, 7, 8, 2], w: [3, 3, 2, 2], strides: 2, pad: "same" },
    { x: [1, 9, 9, 2], w: [3, 3, 2, 3], strides: 2, pad: "valid" },
  ] as Case[])("match the cpu backend (%#)", async (c) => {
    const wasm = convGrads(c, true);
    const cpu = await onBackend("cpu", () => convGrads(c, true));
    expect(maxAbsDiff(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
  });
});

describe("Conv2D gradient formulations", () => {
  afterEach(() => setNativeKernelsEnabled(true));

  it.each(CASES.map((c) => [label(c), c] as const))("filter gradients agree (matmul native / matmul wasm / swapped-axes / im2col): %s", (_l, c) => {
    tf.tidy(() => {
      const x = tf.tensor4d(rand(c.x, 4), c.x);
      const y = tf.conv2d(x, tf.zeros(c.w) as tf.Tensor4D, c.strides, c.pad);
      const dy = tf.tensor4d(rand(y.shape, 5), y.shape);
      const g = { strides: c.strides, pad: c.pad };
      const ref = conv2dBackpropFilterIm2col(x, dy, c.w, g).dataSync() as Float32Array;
      setNativeKernelsEnabled(true);
      expect(maxAbsDiff(conv2dBackpropFilterMatmul(x, dy, c.w, g).dataSync() as Float32Array, ref)).toBeLessThan(1e-5);
      setNativeKernelsEnabled(false);
      expect(maxAbsDiff(conv2dBackpropFilterMatmul(x, dy, c.w, g).dataSync() as Float32Array, ref)).toBeLessThan(1e-5);
      expect(maxAbsDiff(conv2dBackpropFilter(x, dy, c.w, g).dataSync() as Float32Array, ref)).toBeLessThan(1e-5);
    });
  });

  it.each(CASES.map((c) => [label(c), c] as const))("input gradients agree (native ConvTranspose / polyphase): %s", (_l, c) => {
    tf.tidy(() => {
      const w = tf.tensor4d(rand(c.w, 6), c.w);
      const y = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, w, c.strides, c.pad);
      const dy = tf.tensor4d(rand(y.shape, 7), y.shape);
      const g = { strides: c.strides, pad: c.pad };
      setNativeKernelsEnabled(false);
      const ref = conv2dBackpropInputPolyphase(dy, w, c.x, g).dataSync() as Float32Array;
      setNativeKernelsEnabled(true);
      expect(maxAbsDiff(conv2dBackpropInputNative(dy, w, c.x, g).dataSync() as Float32Array, ref)).toBeLessThan(1e-5);
    });
  });
});
