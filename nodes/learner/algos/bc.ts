/**
 * Behaviour cloning: regress the expert's commands from observations.
 *
 * Read top to bottom: normalise the training split with the dataset's statistics, map the
 * expert's [v, w] into the policy's unit action space (toUnit), then `steps` Adam steps on
 * minibatches drawn with a seeded Rng, minimising the mean squared error between the MLP's tanh
 * outputs and those targets; every `evalEvery` steps the validation split's loss is measured.
 * The model it returns maps a normalised observation to a ∈ [-1, 1]² (export: mlp.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { rowsOf, type Dataset } from "../dataset/dataset";
import { buildMlp, normalizeInto, toUnit, type ActionBounds, type Normalization } from "./mlp";
import { deriveSeeds, rngFor } from "./seeding";

export interface BcConfig {
  /** Hidden layer widths of the MLP. */
  hidden: number[];
  /** Adam learning rate. */
  learningRate: number;
  /** Transitions per gradient step. */
  batchSize: number;
  /** Gradient steps. */
  steps: number;
  /** Steps between validation-loss measurements (and progress callbacks). */
  evalEvery: number;
  /** Master seed (weights and minibatches; see seeding.ts). */
  seed: number;
}

export const DEFAULT_BC_CONFIG: BcConfig = {
  hidden: [64, 64],
  learningRate: 1e-3,
  batchSize: 256,
  steps: 3000,
  evalEvery: 250,
  seed: 0,
};

export interface BcPoint {
  step: number;
  trainLoss: number;
  valLoss: number;
}

export interface BcHooks {
  /** Continue training this model (DAgger, resume) instead of a fresh one. */
  model?: tf.LayersModel;
  /** First step number (resume). */
  startStep?: number;
  /** Use these statistics instead of the dataset's (DAgger keeps its first). */
  normalization?: Normalization;
  onProgress?: (point: BcPoint, model: tf.LayersModel) => void | Promise<void>;
}

export interface BcResult {
  model: tf.LayersModel;
  normalization: Normalization;
  history: BcPoint[];
  /** Transitions trained on per second (gradient steps · batch / wall time). */
  samplesPerSecond: number;
}

/** Normalised observations and unit targets of the given rows. */
function prepare(dataset: Dataset, rows: Int32Array, norm: Normalization, bounds: ActionBounds): { x: Float32Array; y: Float32Array } {
  const size = dataset.manifest.observation.size;
  const x = new Float32Array(rows.length * size);
  const y = new Float32Array(rows.length * 2);
  rows.forEach((r, j) => {
    normalizeInto(dataset.arrays.observations, r * size, 1, size, norm, x, j * size);
    const [a0, a1] = toUnit(dataset.arrays.actions[2 * r]!, dataset.arrays.actions[2 * r + 1]!, bounds);
    y[2 * j] = a0;
    y[2 * j + 1] = a1;
  });
  return { x, y };
}

export async function trainBc(dataset: Dataset, bounds: ActionBounds, config: BcConfig, hooks: BcHooks = {}): Promise<BcResult> {
  const size = dataset.manifest.observation.size;
  const seeds = deriveSeeds(config.seed);
  const norm = hooks.normalization ?? dataset.manifest.normalization;
  const train = prepare(dataset, rowsOf(dataset.manifest, dataset.manifest.splits.train), norm, bounds);
  const val = prepare(dataset, rowsOf(dataset.manifest, dataset.manifest.splits.val), norm, bounds);
  const nTrain = train.y.length / 2;
  if (nTrain === 0) throw new Error("behaviour cloning: the training split is empty");
  const model = hooks.model ?? buildMlp(size, config.hidden, 2, "tanh", seeds.init, "policy");
  const optimizer = tf.train.adam(config.learningRate);
  const rng = rngFor(seeds.shuffle + (hooks.startStep ?? 0));
  const B = Math.min(config.batchSize, nTrain);
  const bx = new Float32Array(B * size);
  const by = new Float32Array(B * 2);
  const history: BcPoint[] = [];
  const mse = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor2D) as tf.Scalar;
  const valLoss = (): number => {
    const n = val.y.length / 2;
    if (n === 0) return NaN;
    return tf.tidy(() => mse(tf.tensor2d(val.x, [n, size]), tf.tensor2d(val.y, [n, 2])).dataSync()[0]!);
  };
  let running = 0;
  let runningN = 0;
  const t0 = performance.now();
  const first = hooks.startStep ?? 0;
  for (let step = first + 1; step <= config.steps; step++) {
    for (let j = 0; j < B; j++) {
      const r = rng.int(nTrain);
      bx.set(train.x.subarray(r * size, (r + 1) * size), j * size);
      by[2 * j] = train.y[2 * r]!;
      by[2 * j + 1] = train.y[2 * r + 1]!;
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(bx, [B, size]);
      const y = tf.tensor2d(by, [B, 2]);
      return optimizer.minimize(() => mse(x, y), true) as tf.Scalar;
    });
    running += loss.dataSync()[0]!;
    runningN++;
    loss.dispose();
    if (step % config.evalEvery === 0 || step === config.steps) {
      const point = { step, trainLoss: running / runningN, valLoss: valLoss() };
      running = 0;
      runningN = 0;
      history.push(point);
      await hooks.onProgress?.(point, model);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  optimizer.dispose();
  return { model, normalization: norm, history, samplesPerSecond: ((config.steps - first) * B) / Math.max(seconds, 1e-9) };
}
