/**
 * DAgger (Ross et al. 2011): the policy drives, the expert labels the states it visits, the
 * labels are aggregated with everything before, the policy is retrained.
 *
 * Read top to bottom: iteration 0 collects `initialExpertSteps` of pure expert driving and trains
 * behaviour cloning on them; each iteration k ≥ 1 then drives `stepsPerIteration` env steps with
 * the expert in control with probability β_k = expertProbability · betaDecay^(k−1) (the current
 * policy otherwise), labels every visited state with the expert, aggregates into one dataset,
 * continues training the same network for `bc.steps` more steps, and measures it on
 * model-selection seeds. Normalisation statistics stay those of the first (expert) dataset.
 *
 * Keep-best: a round's retraining can make the policy worse (the aggregate shifts towards the
 * policy's own mistakes), so with `keepBest` the weights of the best round (success, then fewer
 * collisions, then return) on the selection seeds are the result, not the last round's. The
 * selection seeds are neither training nor evaluation seeds, so the held-out figure the caller
 * reports is not inflated by the choice.
 */
import * as tf from "@tensorflow/tfjs";
import type { VecEnvConfig } from "../../../sim/env/vec-env";
import type { Dataset } from "../dataset/dataset";
import { collectRollout, RolloutStore } from "../dataset/from-vecenv";
import { GridExpert } from "../expert/grid-expert";
import { trainBc, type BcConfig, type BcPoint } from "./bc";
import { evaluateActor, makeNavEnv, type EpisodeStats } from "./env";
import { modelActor, type ActionBounds, type Normalization } from "./mlp";
import { deriveSeeds } from "./seeding";

export interface DaggerConfig {
  /** Worlds the robots drive in (round-robin). */
  worlds: string[];
  /** Robots stepped together. */
  numEnvs: number;
  /** VecEnv settings (episode length, noise, rewards). */
  env: Partial<VecEnvConfig>;
  /** Episode starts and goals: random reachable pairs, or the worlds' spawns and goals (makeNavEnv). */
  episodesFrom?: "random" | "world";
  /** Expert-driven env steps before the first training. */
  initialExpertSteps: number;
  /** DAgger iterations after the initial behaviour cloning. */
  iterations: number;
  /** Env steps collected per iteration. */
  stepsPerIteration: number;
  /** β at iteration 1: probability that the expert drives a step. */
  expertProbability: number;
  /** β multiplier per iteration. */
  betaDecay: number;
  /** Behaviour cloning per training round (its `steps` are added each round). */
  bc: BcConfig;
  /** Model-selection episodes after each round (seeds.selection). */
  evalEpisodes: number;
  /** Return the best round's weights (on the selection seeds) instead of the last round's (default true). */
  keepBest?: boolean;
  /** Fraction of episodes held out for the validation loss. */
  valFraction: number;
  /** Master seed. */
  seed: number;
}

export const DEFAULT_DAGGER_CONFIG: Omit<DaggerConfig, "bc"> = {
  worlds: ["cluttered", "office", "warehouse"],
  numEnvs: 12,
  env: { maxEpisodeSteps: 1500 },
  initialExpertSteps: 60_000,
  iterations: 4,
  stepsPerIteration: 30_000,
  expertProbability: 0.5,
  betaDecay: 0.5,
  evalEpisodes: 48,
  keepBest: true,
  valFraction: 0.1,
  seed: 0,
};

export interface DaggerRound {
  iteration: number;
  transitions: number;
  beta: number;
  bc: BcPoint[];
  evaluation: EpisodeStats;
}

export interface DaggerResult {
  model: tf.LayersModel;
  normalization: Normalization;
  dataset: Dataset;
  rounds: DaggerRound[];
  /** The round whose weights `model` holds (the last one without keepBest). */
  bestIteration: number;
}

/** Whether round statistics `a` beat `b`: success rate, then fewer collisions, then return. */
export function betterRound(a: EpisodeStats, b: EpisodeStats): boolean {
  if (a.successRate !== b.successRate) return a.successRate > b.successRate;
  if (a.collisions !== b.collisions) return a.collisions < b.collisions;
  return a.meanReturn > b.meanReturn;
}

export interface DaggerHooks {
  onRound?: (round: DaggerRound, model: tf.LayersModel, normalization: Normalization) => void | Promise<void>;
  log?: (line: string) => void;
}

export async function runDagger(config: DaggerConfig, hooks: DaggerHooks = {}): Promise<DaggerResult> {
  const seeds = deriveSeeds(config.seed);
  const { env, worlds, spec } = makeNavEnv(config.worlds, config.numEnvs, config.env, { episodes: config.episodesFrom ?? "random" });
  const expert = new GridExpert(env, worlds);
  const bounds: ActionBounds = { vMax: env.config.robot.base.maxLinear, wMax: env.config.robot.base.maxAngular };
  const meta = spec;
  const store = new RolloutStore(env.obsSize);
  const params = { algorithm: "dagger", seed: config.seed, worlds: config.worlds, numEnvs: config.numEnvs, env: config.env };
  const toDataset = (): Dataset => store.toDataset(meta, { valFraction: config.valFraction, splitSeed: config.seed, params });
  const evaluate = (model: tf.LayersModel, norm: Normalization) =>
    evaluateActor(env, modelActor(model, norm, bounds), { episodes: config.evalEpisodes, seed: seeds.selection });

  await collectRollout(env, expert, null, store, { steps: config.initialExpertSteps, seed: seeds.rollout, expertProbability: 1 });
  let dataset = toDataset();
  let steps = config.bc.steps;
  const first = await trainBc(dataset, bounds, { ...config.bc, seed: config.seed });
  const model = first.model;
  const norm = first.normalization;
  const rounds: DaggerRound[] = [];
  let best: { iteration: number; stats: EpisodeStats; weights: tf.Tensor[] } | undefined;
  const report = async (round: DaggerRound): Promise<void> => {
    rounds.push(round);
    const isBest = !best || betterRound(round.evaluation, best.stats);
    if (isBest) {
      best?.weights.forEach((w) => w.dispose());
      best = { iteration: round.iteration, stats: round.evaluation, weights: model.getWeights().map((w) => w.clone()) };
    }
    hooks.log?.(
      `dagger ${round.iteration}/${config.iterations}: ${round.transitions} transitions, β ${round.beta.toFixed(2)}, selection seeds: success ${(round.evaluation.successRate * 100).toFixed(1)}%, collisions ${round.evaluation.collisions}, return ${round.evaluation.meanReturn.toFixed(1)}${isBest ? " (best so far)" : ""}`,
    );
    await hooks.onRound?.(round, model, norm);
  };
  await report({ iteration: 0, transitions: store.count, beta: 1, bc: first.history, evaluation: await evaluate(model, norm) });
  for (let k = 1; k <= config.iterations; k++) {
    const beta = config.expertProbability * config.betaDecay ** (k - 1);
    await collectRollout(env, expert, modelActor(model, norm, bounds), store, { steps: config.stepsPerIteration, seed: seeds.rollout + k, expertProbability: beta });
    dataset = toDataset();
    const start = steps;
    steps += config.bc.steps;
    const r = await trainBc(dataset, bounds, { ...config.bc, steps, seed: config.seed }, { model, startStep: start, normalization: norm });
    await report({ iteration: k, transitions: store.count, beta, bc: r.history, evaluation: await evaluate(model, norm) });
  }
  let bestIteration = config.iterations;
  if ((config.keepBest ?? true) && best) {
    model.setWeights(best.weights);
    bestIteration = best.iteration;
    hooks.log?.(`dagger: keeping round ${best.iteration} (best on the selection seeds)`);
  }
  best?.weights.forEach((w) => w.dispose());
  return { model, normalization: norm, dataset, rounds, bestIteration };
}
