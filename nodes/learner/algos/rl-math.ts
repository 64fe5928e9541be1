/**
 * The math of the learners as free functions, tested directly against hand-computed values
 * (tests/learner/algos/rl-math.test.ts). GAE is plain arrays; the losses are TF.js so the
 * trainers differentiate exactly what is tested.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Generalised advantage estimation over a rollout of T steps × N robots (index t · N + i).
 * dones[t·N+i] = 1 when the episode ended at step t (the next observation starts a new one, so
 * nothing is bootstrapped across it); lastValues are V(s_T) of the observations after the last
 * step. δ_t = r_t + γ V(s_{t+1}) (1 − d_t) − V(s_t); A_t = δ_t + γ λ (1 − d_t) A_{t+1};
 * returns = A + V.
 */
export function computeGae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  dones: ArrayLike<number>,
  lastValues: ArrayLike<number>,
  numSteps: number,
  numEnvs: number,
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array } {
  const advantages = new Float32Array(numSteps * numEnvs);
  const returns = new Float32Array(numSteps * numEnvs);
  for (let i = 0; i < numEnvs; i++) {
    let next = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const k = t * numEnvs + i;
      const notDone = 1 - dones[k]!;
      const nextValue = t === numSteps - 1 ? lastValues[i]! : values[(t + 1) * numEnvs + i]!;
      const delta = rewards[k]! + gamma * nextValue * notDone - values[k]!;
      next = delta + gamma * lambda * notDone * next;
      advantages[k] = next;
      returns[k] = next + values[k]!;
    }
  }
  return { advantages, returns };
}

/** Log density of a diagonal Gaussian, summed over the last axis: [B, D] → [B]. */
export function gaussianLogProb(actions: tf.Tensor2D, mean: tf.Tensor2D, logStd: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const z = actions.sub(mean).div(logStd.exp());
    const perDim = z.square().mul(-0.5).sub(logStd).sub(0.5 * Math.log(2 * Math.PI));
    return perDim.sum(1) as tf.Tensor1D;
  });
}

/** The same in plain numbers for one action (rollouts compute it without TF). */
export function gaussianLogProbOne(action: ArrayLike<number>, mean: ArrayLike<number>, logStd: ArrayLike<number>): number {
  let s = 0;
  for (let d = 0; d < action.length; d++) {
    const z = (action[d]! - mean[d]!) / Math.exp(logStd[d]!);
    s += -0.5 * z * z - logStd[d]! - 0.5 * Math.log(2 * Math.PI);
  }
  return s;
}

/** Entropy of a diagonal Gaussian (nats): Σ (logσ + ½ log(2πe)). */
export function gaussianEntropy(logStd: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => logStd.add(0.5 * Math.log(2 * Math.PI * Math.E)).sum() as tf.Scalar);
}

/**
 * PPO's clipped surrogate as a loss to minimise:
 * mean( max( −A·r, −A·clip(r, 1−ε, 1+ε) ) ), r = exp(logp_new − logp_old).
 */
export function ppoClippedLoss(newLogProb: tf.Tensor1D, oldLogProb: tf.Tensor1D, advantages: tf.Tensor1D, clipCoef: number): tf.Scalar {
  return tf.tidy(() => {
    const ratio = newLogProb.sub(oldLogProb).exp();
    const unclipped = advantages.mul(ratio).neg();
    const clipped = advantages.mul(ratio.clipByValue(1 - clipCoef, 1 + clipCoef)).neg();
    return tf.maximum(unclipped, clipped).mean() as tf.Scalar;
  });
}

/**
 * Value loss: ½ mean((V − R)²); with clipCoef, CleanRL's clipped form
 * ½ mean(max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²)).
 */
export function valueLoss(newValues: tf.Tensor1D, returns: tf.Tensor1D, oldValues?: tf.Tensor1D, clipCoef?: number): tf.Scalar {
  return tf.tidy(() => {
    const unclipped = newValues.sub(returns).square();
    if (!oldValues || clipCoef === undefined) return unclipped.mean().mul(0.5) as tf.Scalar;
    const v = oldValues.add(newValues.sub(oldValues).clipByValue(-clipCoef, clipCoef));
    return tf.maximum(unclipped, v.sub(returns).square()).mean().mul(0.5) as tf.Scalar;
  });
}

/** Per-minibatch advantage normalisation: (A − mean) / (std + 1e-8). */
export function normalizeAdvantages(a: Float32Array): Float32Array {
  let m = 0;
  for (const x of a) m += x;
  m /= Math.max(1, a.length);
  let v = 0;
  for (const x of a) v += (x - m) ** 2;
  const s = Math.sqrt(v / Math.max(1, a.length)) + 1e-8;
  return a.map((x) => (x - m) / s);
}

/** Scales gradients so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const norm = tf.tidy(() => Math.sqrt(Object.values(grads).reduce((acc, g) => acc + (g.square().sum().dataSync()[0] as number), 0)));
  if (norm <= maxNorm || !Number.isFinite(norm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    out[k] = g.mul(scale);
    g.dispose();
  }
  return { grads: out, norm };
}
