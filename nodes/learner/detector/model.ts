/**
 * The Kestrel sim detector network: a small fully convolutional CNN with a YOLOX-style
 * anchor-free head on one stride-8 grid, so its ONNX export is read by the perception node's
 * `yolox` decoder unchanged (strides [8], not pre-decoded).
 *
 * Input: [B, H, W, 3] NHWC rgb in 0..1 (the shipped model: 192x256, the 320x240 camera frame at 0.8;
 * a 110-pixel receptive field, so big close-up objects are its weak spot).
 * Backbone (ReLU): conv3x3/2 16 -> conv3x3/2 32 -> conv3x3 32 -> conv3x3/2 64 (P3, stride 8)
 *   -> conv3x3 64 -> conv3x3/2 96 -> conv3x3 96 (P4, stride 16, wider context)
 *   -> upsample x2, concat P3 -> conv1x1 64 -> conv3x3 64 (head features, stride 8).
 * Head per cell: 4 box channels (x, y offsets to the cell and log w, log h, in stride units:
 * YOLOX's raw encoding) and 1 + C logits (objectness, classes).
 *
 * Two models share every layer: `train` outputs logits ([B, N, 5 + C], N = cells, row-major),
 * `deploy` applies the sigmoid to objectness and classes exactly as YOLOX exports do — that is
 * the one exported to ONNX.
 */
import * as tf from "@tensorflow/tfjs";

export interface DetectorNetConfig {
  inputWidth: number;
  inputHeight: number;
  numClasses: number;
  /** Width multiplier on the channel counts (default 1). */
  width?: number;
  /** Weight-initialisation seed. */
  seed?: number;
}

export const DETECTOR_STRIDE = 8;

export interface DetectorNet {
  config: Required<DetectorNetConfig>;
  /** [B,H,W,3] -> [B,N,5+C] with raw (pre-sigmoid) objectness and class logits. */
  train: tf.LayersModel;
  /** [B,H,W,3] -> [B,N,5+C] with sigmoid objectness and class scores (the exported graph). */
  deploy: tf.LayersModel;
  gridWidth: number;
  gridHeight: number;
}

export function gridSize(inputWidth: number, inputHeight: number, stride = DETECTOR_STRIDE): [number, number] {
  return [Math.ceil(inputWidth / stride), Math.ceil(inputHeight / stride)];
}

export function buildDetectorNet(cfg: DetectorNetConfig): DetectorNet {
  const config: Required<DetectorNetConfig> = { width: 1, seed: 1, ...cfg };
  const { inputWidth: W, inputHeight: H, numClasses: C } = config;
  if (W % 16 !== 0 || H % 16 !== 0) throw new Error(`detector input ${W}x${H}: width and height must be multiples of 16`);
  const ch = (n: number): number => Math.max(4, Math.round(n * config.width));
  let seed = config.seed;
  const conv = (filters: number, kernel: number, strides: number, name: string, activation: "relu" | "linear" = "relu", biasInit?: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: "same",
      activation,
      name,
      kernelInitializer: tf.initializers.heNormal({ seed: seed++ }),
      biasInitializer: biasInit === undefined ? "zeros" : tf.initializers.constant({ value: biasInit }),
    });
  const input = tf.input({ shape: [H, W, 3], name: "images" });
  let x = conv(ch(16), 3, 2, "c1").apply(input) as tf.SymbolicTensor;
  x = conv(ch(32), 3, 2, "c2").apply(x) as tf.SymbolicTensor;
  x = conv(ch(32), 3, 1, "c3").apply(x) as tf.SymbolicTensor;
  const p3 = conv(ch(64), 3, 2, "c4").apply(x) as tf.SymbolicTensor;
  let p = conv(ch(64), 3, 1, "c5").apply(p3) as tf.SymbolicTensor;
  let q = conv(ch(96), 3, 2, "c6").apply(p) as tf.SymbolicTensor;
  q = conv(ch(96), 3, 1, "c7").apply(q) as tf.SymbolicTensor;
  q = tf.layers.upSampling2d({ size: [2, 2], name: "up" }).apply(q) as tf.SymbolicTensor;
  p = tf.layers.concatenate({ axis: -1, name: "fuse" }).apply([p, q]) as tf.SymbolicTensor;
  p = conv(ch(64), 1, 1, "h1").apply(p) as tf.SymbolicTensor;
  p = conv(ch(64), 3, 1, "h2").apply(p) as tf.SymbolicTensor;
  const box = conv(4, 1, 1, "box", "linear").apply(p) as tf.SymbolicTensor;
  // Objectness / class logits start at a low prior (focal-loss style init: p = 0.01).
  const logits = conv(1 + C, 1, 1, "cls", "linear", Math.log(0.01 / 0.99)).apply(p) as tf.SymbolicTensor;
  const [gw, gh] = gridSize(W, H);
  const n = gw * gh;
  const out = (scores: tf.SymbolicTensor, name: string): tf.SymbolicTensor => {
    const cat = tf.layers.concatenate({ axis: -1, name: `${name}_cat` }).apply([box, scores]) as tf.SymbolicTensor;
    return tf.layers.reshape({ targetShape: [n, 5 + C], name: `${name}_out` }).apply(cat) as tf.SymbolicTensor;
  };
  const train = tf.model({ inputs: input, outputs: out(logits, "train"), name: "kestrel_sim_detector_train" });
  const scores = tf.layers.activation({ activation: "sigmoid", name: "scores" }).apply(logits) as tf.SymbolicTensor;
  const deploy = tf.model({ inputs: input, outputs: out(scores, "deploy"), name: "kestrel_sim_detector" });
  return { config, train, deploy, gridWidth: gw, gridHeight: gh };
}
