/**
 * The policy network and everything around it that the algorithms share: the MLP
 * (normalised observation → tanh outputs a ∈ [-1, 1]², the manifest's "tanh_scaled" squash),
 * the mapping between velocities and a, a batch actor for VecEnv, weight snapshots for
 * checkpoints, and the export to a policy package with ONNX parity.
 */
import * as tf from "@tensorflow/tfjs";
import { exportWithParity } from "../ml/onnx-parity";
import { currentCodeVersion, writePolicyPackage, type PolicyManifest } from "../policy";
import { OBSERVATION_LAYOUT, OBSERVATION_LAYOUT_V1, lookaheadOf, observationSize, type ObservationSpec } from "../policy/observation";
import type { BatchActor } from "./env";

export interface ActionBounds {
  vMax: number;
  wMax: number;
}

export interface Normalization {
  mean: number[];
  std: number[];
}

/** Velocities → unit actions: a0 = 2v/vMax − 1, a1 = w/wMax (inverse of the manifest's squash). */
export function toUnit(v: number, w: number, b: ActionBounds): [number, number] {
  return [Math.max(-1, Math.min(1, (2 * v) / b.vMax - 1)), Math.max(-1, Math.min(1, w / b.wMax))];
}

/** Unit actions → velocities (the manifest's tanh_scaled squash, clamped). */
export function fromUnit(a0: number, a1: number, b: ActionBounds): [number, number] {
  const c0 = Math.max(-1, Math.min(1, a0));
  const c1 = Math.max(-1, Math.min(1, a1));
  return [((c0 + 1) / 2) * b.vMax, c1 * b.wMax];
}

/** An MLP: tanh hidden layers, `outputs` units with `outputActivation`; Glorot-uniform weights seeded from `seed`. */
export function buildMlp(inputs: number, hidden: number[], outputs: number, outputActivation: "tanh" | "linear", seed: number, name: string): tf.LayersModel {
  const input = tf.input({ shape: [inputs], name: `${name}_observation` });
  let x: tf.SymbolicTensor = input;
  hidden.forEach((units, k) => {
    x = tf.layers
      .dense({ units, activation: "tanh", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }), name: `${name}_dense${k}` })
      .apply(x) as tf.SymbolicTensor;
  });
  const out = tf.layers
    .dense({ units: outputs, activation: outputActivation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + hidden.length }), name: `${name}_out` })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

/** Normalises rows of raw observations into `out` ((x − mean) / std). */
export function normalizeInto(obs: ArrayLike<number>, offset: number, rows: number, size: number, norm: Normalization, out: Float32Array, outOffset = 0): void {
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < size; k++) out[outOffset + r * size + k] = (obs[offset + r * size + k]! - norm.mean[k]!) / norm.std[k]!;
  }
}

/** Runs the model on a batch of raw observations; returns unit actions [rows · 2]. */
export function predictUnit(model: tf.LayersModel, obs: Float32Array, rows: number, size: number, norm: Normalization, scratch?: Float32Array): Float32Array {
  const x = scratch && scratch.length >= rows * size ? scratch : new Float32Array(rows * size);
  normalizeInto(obs, 0, rows, size, norm, x);
  return tf.tidy(() => (model.predict(tf.tensor2d(x.subarray(0, rows * size), [rows, size])) as tf.Tensor).dataSync() as Float32Array);
}

/** A deterministic VecEnv actor from the model (the action the package would give). */
export function modelActor(model: tf.LayersModel, norm: Normalization, bounds: ActionBounds): BatchActor {
  const size = norm.mean.length;
  const scratch = new Float32Array(0);
  return (obs, out) => {
    const rows = obs.length / size;
    const a = predictUnit(model, obs, rows, size, norm, scratch);
    for (let i = 0; i < rows; i++) {
      const [v, w] = fromUnit(a[2 * i]!, a[2 * i + 1]!, bounds);
      out[2 * i] = v;
      out[2 * i + 1] = w;
    }
    return out;
  };
}

/** Weights as plain arrays (for checkpoints), and back. */
export function weightSnapshot(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

export function restoreWeights(model: tf.LayersModel, snapshot: number[][]): void {
  const current = model.getWeights();
  if (current.length !== snapshot.length) throw new Error(`checkpoint has ${snapshot.length} weight tensors, the model ${current.length}`);
  model.setWeights(current.map((w, i) => tf.tensor(snapshot[i]!, w.shape)));
}

export interface PackageInfo {
  dir: string;
  algorithm: string;
  datasetSha256: string;
  seed: number;
  lidarBeams: number;
  maxRange: number;
  /** Observation layout and its lookahead (v2); absent: v1 when the normalisation has lidarBeams + 4 values, else OBSERVATION_LAYOUT (v2) with the default lookahead. */
  layout?: string;
  lookaheadM?: readonly number[];
  bounds: ActionBounds;
  normalization: Normalization;
  /** Rows of raw observations for the parity check (at least one). */
  sample: Float32Array;
  evaluation?: { success_rate: number; mean_return: number; episodes: number };
  /** Extra provenance fields (kept by the manifest schema). */
  extra?: Record<string, unknown>;
}

/**
 * Exports the actor to ONNX, accepted only when ONNX Runtime matches TF.js within 1e-5 on the
 * normalised sample, and writes the policy package. Returns the manifest and the parity error.
 */
export async function exportPolicyPackage(model: tf.LayersModel, info: PackageInfo): Promise<{ manifest: PolicyManifest; maxAbsDiff: number }> {
  const spec: ObservationSpec = { lidarBeams: info.lidarBeams, maxRange: info.maxRange, layout: info.layout ?? (info.normalization.mean.length === info.lidarBeams + 4 ? OBSERVATION_LAYOUT_V1 : OBSERVATION_LAYOUT), lookaheadM: info.lookaheadM };
  const lookahead = lookaheadOf(spec);
  const size = observationSize(spec);
  if (info.normalization.mean.length !== size) throw new Error(`exportPolicyPackage: normalisation has ${info.normalization.mean.length} values, layout ${spec.layout} has ${size}`);
  const rows = Math.min(64, info.sample.length / size);
  const x = new Float32Array(rows * size);
  normalizeInto(info.sample, 0, rows, size, info.normalization, x);
  const batch = tf.tensor2d(x, [rows, size]);
  try {
    const accepted = await exportWithParity(model, { inputName: "observation", outputName: "action", atol: 1e-5, sampleBatch: batch });
    const manifest = writePolicyPackage(info.dir, accepted.bytes, {
      format: "kestrel-policy",
      format_version: 1,
      id: `${info.algorithm}-${accepted.sha256.slice(0, 12)}`,
      model: { input: "observation", output: "action" },
      observation: { layout: spec.layout!, size, lidar_beams: info.lidarBeams, max_range: info.maxRange, goal: "path_end", ...(lookahead.length > 0 ? { lookahead_m: [...lookahead] } : {}) },
      normalization: { mean: info.normalization.mean, std: info.normalization.std },
      action: { size: 2, linear: { min: 0, max: info.bounds.vMax }, angular: { min: -info.bounds.wMax, max: info.bounds.wMax }, squash: "tanh_scaled" },
      provenance: {
        algorithm: info.algorithm,
        dataset_sha256: info.datasetSha256,
        seed: info.seed,
        code_version: currentCodeVersion(),
        created_at: new Date().toISOString(),
        ...(info.extra ?? {}),
      },
      ...(info.evaluation ? { evaluation: info.evaluation } : {}),
    });
    return { manifest, maxAbsDiff: accepted.maxAbsDiff };
  } finally {
    batch.dispose();
  }
}
