import * as tf from "@tensorflow/tfjs";
import { onnx } from "onnx-proto";
import { exportToOnnx, UnsupportedLayerError } from "../../../nodes/learner/ml/onnx-export";
import { checkParity, exportWithParity, ParityError } from "../../../nodes/learner/ml/onnx-parity";
import { fixOrtForJest } from "../../support/ort-realm";

fixOrtForJest();

const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed + 100 }) });

/** Gives every BatchNormalization layer non-trivial gamma/beta/mean/variance. */
function randomizeBatchNorm(model: tf.LayersModel): void {
  let seed = 10;
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    layer.setWeights(
      layer.getWeights().map((w, i) => {
        const u = tf.randomUniform(w.shape, 0.5, 1.5, "float32", seed++);
        return i === 2 ? u.sub(1) : u; // the moving mean may be negative; variances stay positive
      }),
    );
  }
}

function batchFor(model: tf.LayersModel, n = 4, seed = 42): tf.Tensor {
  return tf.randomNormal([n, ...model.inputs[0].shape.slice(1).map((d) => d as number)], 0, 1, "float32", seed);
}

async function roundTrip(model: tf.LayersModel, atol = 1e-5, inputLayout?: "NHWC" | "NCHW"): Promise<number> {
  randomizeBatchNorm(model);
  const bytes = exportToOnnx(model, { inputLayout });
  const batch = batchFor(model);
  const r = await checkParity(model, bytes, batch, { atol, inputLayout });
  batch.dispose();
  expect(r.outputShape).toEqual([4, ...model.outputs[0].shape.slice(1)]);
  expect(r.maxAbsDiff).toBeLessThan(atol);
  expect(r.withinTolerance).toBe(true);
  return r.maxAbsDiff;
}

const figures: Record<string, number> = {};
afterAll(() => console.log(`parity max abs diff: ${JSON.stringify(figures)}`));

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("ONNX export", () => {
  it("writes opset 13 with a dynamic batch and the stated input layout", () => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 6, 3], filters: 2, kernelSize: 3 }), tf.layers.flatten()] });
    const m = onnx.ModelProto.decode(exportToOnnx(model, { inputName: "image" }));
    expect(Number(m.opsetImport[0].version)).toBe(13);
    const input = m.graph!.input![0];
    expect(input.name).toBe("image");
    const dims = input.type!.tensorType!.shape!.dim!;
    expect(dims[0].dimParam).toBe("batch");
    expect(dims.slice(1).map((d) => Number(d.dimValue))).toEqual([8, 6, 3]);
    expect(m.metadataProps.find((p) => p.key === "input_layout")?.value).toBe("NHWC");
    const nchw = onnx.ModelProto.decode(exportToOnnx(model, { inputLayout: "NCHW" }));
    expect(nchw.graph!.input![0].type!.tensorType!.shape!.dim!.slice(1).map((d) => Number(d.dimValue))).toEqual([3, 8, 6]);
  });

  it("MLP (relu, tanh, sigmoid, linear) round-trips under 1e-5", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [12], units: 32, activation: "relu", ...seeded(1) }),
        tf.layers.dense({ units: 16, activation: "tanh", ...seeded(2) }),
        tf.layers.dense({ units: 8, activation: "sigmoid", ...seeded(3) }),
        tf.layers.dense({ units: 2, ...seeded(4) }),
      ],
    });
    figures["mlp"] = await roundTrip(model);
  });

  it("MLP with batchnorm, leaky relu, dropout and softmax round-trips under 1e-5", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [10], units: 24, ...seeded(5) }),
        tf.layers.batchNormalization(),
        tf.layers.leakyReLU({ alpha: 0.1 }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 6, activation: "softmax", useBias: false, ...seeded(6) }),
      ],
    });
    figures["mlp-bn-softmax"] = await roundTrip(model);
  });

  it("small CNN (conv strides, batchnorm, max/avg pooling 'same'/'valid', flatten, dense) round-trips under 1e-5", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [24, 32, 3], filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu", ...seeded(7) }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }),
        tf.layers.conv2d({ filters: 12, kernelSize: [3, 2], padding: "valid", activation: "relu6", ...seeded(8) }),
        tf.layers.averagePooling2d({ poolSize: 2, padding: "same" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: "softmax", ...seeded(9) }),
      ],
    });
    figures["cnn"] = await roundTrip(model);
  });

  it("a detector-shaped CNN with a spatial output (NHWC out) round-trips, with NHWC and NCHW inputs", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [48, 64, 3], filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu", ...seeded(10) }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", ...seeded(11) }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: "swish" }),
        tf.layers.conv2d({ filters: 7, kernelSize: 1, activation: "sigmoid", ...seeded(12) }),
      ],
    });
    figures["det-nhwc"] = await roundTrip(model, 1e-5, "NHWC");
    figures["det-nchw"] = await roundTrip(model, 1e-5, "NCHW");
  });

  it("a functional model with branches (concat, add, depthwise, zero padding, upsampling, global pool, reshape)", async () => {
    const input = tf.input({ shape: [16, 16, 4] });
    const a = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "elu", ...seeded(13) }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", depthwiseInitializer: tf.initializers.glorotUniform({ seed: 14 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 15 }) }).apply(input) as tf.SymbolicTensor;
    const ab = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor; // channel concat: 6 + 8
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(ab) as tf.SymbolicTensor;
    const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(pooled) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([up, ab]) as tf.SymbolicTensor;
    const padded = tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }).apply(sum) as tf.SymbolicTensor;
    const c = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: "softplus", ...seeded(16) }).apply(padded) as tf.SymbolicTensor;
    const g = tf.layers.globalAveragePooling2d({}).apply(c) as tf.SymbolicTensor;
    const flat = tf.layers.reshape({ targetShape: [2, 4] }).apply(g) as tf.SymbolicTensor;
    const out = tf.layers.flatten().apply(tf.layers.dense({ units: 3, ...seeded(17) }).apply(flat) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    figures["functional"] = await roundTrip(model);
  });

  it("Reshape and Flatten after convolutions keep TF.js (NHWC) element order", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 2, ...seeded(18) }),
        tf.layers.reshape({ targetShape: [5, 12] }),
        tf.layers.flatten(),
      ],
    });
    figures["reshape"] = await roundTrip(model);
  });

  it("refuses an unsupported layer, naming the layer and its class", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tf.layers.conv2dTranspose({ name: "up_head", filters: 1, kernelSize: 3 }),
      ],
    });
    expect(() => exportToOnnx(model)).toThrow(UnsupportedLayerError);
    expect(() => exportToOnnx(model)).toThrow(/'up_head' of class Conv2DTranspose/);
    const rnn = tf.sequential({ layers: [tf.layers.simpleRNN({ inputShape: [4, 3], units: 2, name: "memory" })] });
    expect(() => exportToOnnx(rnn)).toThrow(/'memory' of class SimpleRNN is not supported/);
  });

  it("checkParity reports a mismatch when the ONNX graph differs from the model", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, ...seeded(19) })] });
    const bytes = exportToOnnx(model);
    model.layers[0].setWeights(model.layers[0].getWeights().map((w) => w.add(0.5)));
    const batch = batchFor(model);
    const r = await checkParity(model, bytes, batch, { atol: 1e-4 });
    batch.dispose();
    expect(r.withinTolerance).toBe(false);
    expect(r.maxAbsDiff).toBeGreaterThan(0.1);
    expect(new ParityError(r).message).toMatch(/max abs difference .* exceeds tolerance 1\.0e-4/);
  });

  it("exportWithParity accepts under tolerance and returns bytes, sha256 and the difference", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 4, activation: "tanh", ...seeded(20) })] });
    const r = await exportWithParity(model, { inputName: "obs", atol: 1e-5 });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.maxAbsDiff).toBeLessThan(1e-5);
    expect(onnx.ModelProto.decode(r.bytes).graph!.input![0].name).toBe("obs");
    await expect(exportWithParity(model, { atol: -1 })).rejects.toThrow(ParityError);
  });
});
