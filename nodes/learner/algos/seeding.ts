/**
 * Seeding, in one place. One user seed derives every random stream the learners use, each
 * through mixSeed with its own stream number, so changing how one stream is used never shifts
 * another: weight initialisation, minibatch shuffling, action noise, training rollouts,
 * model-selection episodes and held-out evaluation episodes. Evaluation seeds are far from training seeds (held out).
 */
import { mixSeed, Rng } from "../../../sim/random";

export interface Seeds {
  /** TF.js weight initialisers (each layer adds its index). */
  init: number;
  /** Minibatch sampling. */
  shuffle: number;
  /** PPO action noise and DAgger's β draws. */
  noise: number;
  /** env.reset of training rollouts (rollout k uses rollout + k). */
  rollout: number;
  /** env.reset of held-out evaluation. */
  evaluation: number;
  /** env.reset of model selection (DAgger's keep-best): neither training nor the reported evaluation. */
  selection: number;
}

export function deriveSeeds(seed: number): Seeds {
  return {
    init: mixSeed(seed, 1) % 2147483647,
    shuffle: mixSeed(seed, 2),
    noise: mixSeed(seed, 3),
    rollout: mixSeed(seed, 4) % 1_000_000,
    evaluation: 1_000_000 + (mixSeed(seed, 5) % 1_000_000),
    selection: 2_000_000 + (mixSeed(seed, 6) % 1_000_000),
  };
}

export function rngFor(seed: number): Rng {
  return new Rng(seed);
}
