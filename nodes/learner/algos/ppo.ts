/**
 * PPO fine-tuning in VecEnv (Schulman et al. 2017, CleanRL's continuous-action recipe).
 *
 * Read top to bottom. The actor is the policy MLP (its tanh outputs are the Gaussian's mean μ in
 * the unit action space, so a behaviour-cloned network is a starting point as is); log σ is a
 * learned vector; the critic is a separate MLP. Each iteration: roll out `rolloutSteps` steps of
 * every robot, sampling a = μ + σ·ε (ε from a seeded Rng), stepping the env with clip(a) mapped
 * to velocities (fromUnit), storing log π(a), V(s), the scaled reward and done (timeouts are
 * treated as terminal); compute GAE; then `epochs` passes over the rollout in `minibatches`
 * shuffled minibatches, minimising ppoClippedLoss − entropyCoef·entropy + valueCoef·valueLoss
 * with Adam and global-norm gradient clipping. The deterministic policy (μ) is what gets exported.
 */
import * as tf from "@tensorflow/tfjs";
import type { VecEnvConfig } from "../../../sim/env/vec-env";
import { EpisodeTally, evaluateActor, makeNavEnv, type EpisodeStats } from "./env";
import { buildMlp, fromUnit, modelActor, normalizeInto, type ActionBounds, type Normalization } from "./mlp";
import { clipByGlobalNorm, computeGae, gaussianEntropy, gaussianLogProb, gaussianLogProbOne, normalizeAdvantages, ppoClippedLoss, valueLoss } from "./rl-math";
import { deriveSeeds, rngFor } from "./seeding";

export interface PpoConfig {
  /** Worlds the robots drive in (round-robin). */
  worlds: string[];
  /** Robots stepped together. */
  numEnvs: number;
  /** VecEnv settings (episode length, noise, rewards). */
  env: Partial<VecEnvConfig>;
  /** Total env steps (all robots together). */
  totalSteps: number;
  /** Steps per robot per rollout. */
  rolloutSteps: number;
  /** Optimisation passes over each rollout. */
  epochs: number;
  /** Minibatches per pass. */
  minibatches: number;
  /** Discount. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** PPO ratio clip ε (also the value clip). */
  clipCoef: number;
  /** Weight of the value loss. */
  valueCoef: number;
  /** Weight of the entropy bonus. */
  entropyCoef: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Global gradient-norm clip. */
  maxGradNorm: number;
  /** Initial log σ of the action noise (unit action space). */
  initLogStd: number;
  /** Rewards are multiplied by this before GAE (VecEnv's goal/collision terms are ±100). */
  rewardScale: number;
  /** Hidden widths (actor when built fresh, and critic). */
  hidden: number[];
  /** Held-out evaluation episodes after each `evalEvery` iterations (0 = none). */
  evalEpisodes: number;
  evalEvery: number;
  /** Master seed. */
  seed: number;
}

export const DEFAULT_PPO_CONFIG: PpoConfig = {
  worlds: ["cluttered", "office", "warehouse"],
  numEnvs: 12,
  env: { maxEpisodeSteps: 1500 },
  totalSteps: 200_000,
  rolloutSteps: 128,
  epochs: 4,
  minibatches: 4,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipCoef: 0.2,
  valueCoef: 0.5,
  entropyCoef: 0.0,
  learningRate: 3e-4,
  maxGradNorm: 0.5,
  initLogStd: -1.0,
  rewardScale: 0.05,
  hidden: [64, 64],
  evalEpisodes: 24,
  evalEvery: 10,
  seed: 0,
};

export interface PpoPoint {
  iteration: number;
  envSteps: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** Training episodes finished during the iteration's rollout. */
  rolloutSuccessRate: number;
  rolloutReturn: number;
  evaluation?: EpisodeStats;
  envStepsPerSecond: number;
}

export interface PpoInit {
  /** Actor to fine-tune (e.g. behaviour cloning's), with its normalisation. */
  actor?: tf.LayersModel;
  normalization?: Normalization;
}

export interface PpoResult {
  actor: tf.LayersModel;
  critic: tf.LayersModel;
  logStd: tf.Variable;
  normalization: Normalization;
  history: PpoPoint[];
}

export async function runPpo(config: PpoConfig, init: PpoInit, hooks: { onIteration?: (p: PpoPoint) => void | Promise<void> } = {}): Promise<PpoResult> {
  const seeds = deriveSeeds(config.seed);
  const { env } = makeNavEnv(config.worlds, config.numEnvs, config.env);
  const N = config.numEnvs;
  const T = config.rolloutSteps;
  const size = env.obsSize;
  const bounds: ActionBounds = { vMax: env.config.robot.base.maxLinear, wMax: env.config.robot.base.maxAngular };
  const norm: Normalization = init.normalization ?? { mean: new Array<number>(size).fill(0), std: new Array<number>(size).fill(1) };
  const actor = init.actor ?? buildMlp(size, config.hidden, 2, "tanh", seeds.init, "policy");
  const critic = buildMlp(size, config.hidden, 1, "linear", seeds.init + 100, "critic");
  const logStd = tf.variable(tf.fill([2], config.initLogStd), true, "log_std");
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-5);
  const rng = rngFor(seeds.noise);

  const obsBuf = new Float32Array(T * N * size);
  const actBuf = new Float32Array(T * N * 2);
  const logpBuf = new Float32Array(T * N);
  const rewBuf = new Float32Array(T * N);
  const doneBuf = new Float32Array(T * N);
  const valBuf = new Float32Array(T * N);
  const envActions = new Float32Array(N * 2);
  const xNorm = new Float32Array(N * size);
  const history: PpoPoint[] = [];
  const iterations = Math.max(1, Math.floor(config.totalSteps / (N * T)));
  let obs = env.reset(seeds.rollout);
  let envSteps = 0;

  const forward = (x: Float32Array): { mean: Float32Array; value: Float32Array } =>
    tf.tidy(() => {
      const t = tf.tensor2d(x, [N, size]);
      return { mean: (actor.predict(t) as tf.Tensor).dataSync() as Float32Array, value: (critic.predict(t) as tf.Tensor).dataSync() as Float32Array };
    });

  for (let it = 1; it <= iterations; it++) {
    const t0 = performance.now();
    const ls = logStd.dataSync() as Float32Array;
    const sigma = [Math.exp(ls[0]!), Math.exp(ls[1]!)];
    const tally = new EpisodeTally();
    // 1. Rollout.
    for (let t = 0; t < T; t++) {
      normalizeInto(obs, 0, N, size, norm, xNorm);
      obsBuf.set(xNorm, t * N * size);
      const { mean, value } = forward(xNorm);
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        const a0 = mean[2 * i]! + sigma[0]! * rng.gaussian();
        const a1 = mean[2 * i + 1]! + sigma[1]! * rng.gaussian();
        actBuf[2 * k] = a0;
        actBuf[2 * k + 1] = a1;
        logpBuf[k] = gaussianLogProbOne([a0, a1], [mean[2 * i]!, mean[2 * i + 1]!], ls);
        valBuf[k] = value[i]!;
        const [v, w] = fromUnit(a0, a1, bounds);
        envActions[2 * i] = v;
        envActions[2 * i + 1] = w;
      }
      const r = env.step(envActions);
      obs = r.observations;
      for (let i = 0; i < N; i++) {
        rewBuf[t * N + i] = r.rewards[i]! * config.rewardScale;
        doneBuf[t * N + i] = r.dones[i]!;
        tally.add(r.info.reasons[i]!, r.info.episodeReturns[i]!, r.info.episodeLengths[i]!);
      }
    }
    envSteps += N * T;
    normalizeInto(obs, 0, N, size, norm, xNorm);
    const last = forward(xNorm).value;
    // 2. Advantages.
    const { advantages, returns } = computeGae(rewBuf, valBuf, doneBuf, last, T, N, config.gamma, config.gaeLambda);
    // 3. Optimisation.
    const total = T * N;
    const mb = Math.floor(total / config.minibatches);
    const order = Int32Array.from({ length: total }, (_, i) => i);
    let pl = 0;
    let vl = 0;
    let ent = 0;
    let count = 0;
    const mx = new Float32Array(mb * size);
    const ma = new Float32Array(mb * 2);
    const mlp = new Float32Array(mb);
    const madv = new Float32Array(mb);
    const mret = new Float32Array(mb);
    const mval = new Float32Array(mb);
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (let i = total - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = order[i]!;
        order[i] = order[j]!;
        order[j] = tmp;
      }
      for (let b = 0; b < config.minibatches; b++) {
        for (let j = 0; j < mb; j++) {
          const k = order[b * mb + j]!;
          mx.set(obsBuf.subarray(k * size, (k + 1) * size), j * size);
          ma[2 * j] = actBuf[2 * k]!;
          ma[2 * j + 1] = actBuf[2 * k + 1]!;
          mlp[j] = logpBuf[k]!;
          madv[j] = advantages[k]!;
          mret[j] = returns[k]!;
          mval[j] = valBuf[k]!;
        }
        const nadv = normalizeAdvantages(madv);
        const parts = tf.tidy(() => {
          const x = tf.tensor2d(mx, [mb, size]);
          const a = tf.tensor2d(ma, [mb, 2]);
          const oldLogp = tf.tensor1d(mlp);
          const adv = tf.tensor1d(nadv);
          const ret = tf.tensor1d(mret);
          const oldV = tf.tensor1d(mval);
          const losses: number[] = [];
          const { grads } = tf.variableGrads(() => {
            const mean = actor.apply(x) as tf.Tensor2D;
            const logp = gaussianLogProb(a, mean, logStd as tf.Tensor1D);
            const p = ppoClippedLoss(logp, oldLogp, adv, config.clipCoef);
            const v = valueLoss((critic.apply(x) as tf.Tensor2D).reshape([mb]) as tf.Tensor1D, ret, oldV, config.clipCoef);
            const e = gaussianEntropy(logStd as tf.Tensor1D);
            losses.push(p.dataSync()[0]!, v.dataSync()[0]!, e.dataSync()[0]!);
            return p.sub(e.mul(config.entropyCoef)).add(v.mul(config.valueCoef)) as tf.Scalar;
          });
          const clipped = clipByGlobalNorm(grads, config.maxGradNorm);
          optimizer.applyGradients(clipped.grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
          return losses;
        });
        pl += parts[0]!;
        vl += parts[1]!;
        ent += parts[2]!;
        count++;
      }
    }
    const s = tally.stats();
    const point: PpoPoint = {
      iteration: it,
      envSteps,
      policyLoss: pl / count,
      valueLoss: vl / count,
      entropy: ent / count,
      rolloutSuccessRate: s.episodes > 0 ? s.successRate : NaN,
      rolloutReturn: s.episodes > 0 ? s.meanReturn : NaN,
      envStepsPerSecond: (N * T) / ((performance.now() - t0) / 1000),
    };
    if (config.evalEpisodes > 0 && config.evalEvery > 0 && (it % config.evalEvery === 0 || it === iterations)) {
      const evalEnv = makeNavEnv(config.worlds, N, config.env).env;
      point.evaluation = await evaluateActor(evalEnv, modelActor(actor, norm, bounds), { episodes: config.evalEpisodes, seed: seeds.evaluation });
    }
    history.push(point);
    await hooks.onIteration?.(point);
  }
  optimizer.dispose();
  return { actor, critic, logStd, normalization: norm, history };
}
