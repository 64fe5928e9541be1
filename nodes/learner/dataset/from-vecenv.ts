/**
 * Datasets straight from VecEnv rollouts (the fast path for training here): a behaviour policy
 * drives, the expert labels every visited state with its command. With no behaviour policy the
 * expert drives (behaviour cloning data); with one, it is DAgger's data. `expertProbability`
 * mixes them per robot and step (DAgger's β), drawn from a seeded Rng, so a rollout is
 * reproducible for a seed. Transitions are stored episode by episode (the robots' interleaved
 * steps are regrouped), unfinished episodes at the end are kept with outcome "truncated".
 */
import { DoneReason, type VecEnv } from "../../../sim/env/vec-env";
import { mixSeed, Rng } from "../../../sim/random";
import type { GridExpert } from "../expert/grid-expert";
import { OBSERVATION_LAYOUT_V1, OBSERVATION_LAYOUT_V2, type ObservationSpec } from "../policy/observation";
import { DEFAULT_LOOKAHEAD_M } from "../policy/path-features";
import { finalizeDataset, TransitionBuffer, type Dataset, type EpisodeRecord } from "./dataset";

const OUTCOMES: Record<number, string> = { [DoneReason.Goal]: "success", [DoneReason.Collision]: "collision", [DoneReason.Timeout]: "timeout" };

interface StoredEpisode {
  id: string;
  outcome: string;
  return: number;
  rows: number[];
}

/** Transitions gathered over one or more rollouts (DAgger aggregates into one store). */
export class RolloutStore {
  readonly buffer: TransitionBuffer;
  readonly episodes: StoredEpisode[] = [];
  /** Rollouts appended so far (names episode ids). */
  rollouts = 0;

  constructor(readonly obsSize: number) {
    this.buffer = new TransitionBuffer(obsSize, 4096);
  }

  get count(): number {
    return this.buffer.count;
  }

  /** The dataset of everything stored so far, episodes contiguous, split and hashed. */
  toDataset(meta: ObservationSpec, options: { valFraction: number; splitSeed: number; params: Record<string, unknown> }): Dataset {
    const order: number[] = [];
    const records: EpisodeRecord[] = [];
    for (const e of this.episodes) {
      records.push({ id: e.id, source: "vecenv", start: order.length, count: e.rows.length, outcome: e.outcome, return: e.return });
      for (const r of e.rows) order.push(r);
    }
    const arrays = this.buffer.arrays(order);
    // Episode indices follow the regrouped order.
    records.forEach((e, k) => arrays.episodes.fill(k, e.start, e.start + e.count));
    return finalizeDataset(arrays, records, inferLayout(meta, this.obsSize), { ...options, origin: "vecenv", sources: [{ name: "vecenv", sha256: "" }] });
  }
}

/**
 * A spec without a layout (callers written before v2 pass { lidarBeams, maxRange }) gets the
 * layout its row size implies: v1 for beams + 4, v2 with the default lookahead otherwise.
 */
function inferLayout(meta: ObservationSpec, obsSize: number): ObservationSpec {
  if (meta.layout) return meta;
  if (obsSize === meta.lidarBeams + 4) return { ...meta, layout: OBSERVATION_LAYOUT_V1 };
  return { ...meta, layout: OBSERVATION_LAYOUT_V2, lookaheadM: meta.lookaheadM ?? DEFAULT_LOOKAHEAD_M };
}

export type PolicyActor = (observations: Float32Array, out: Float32Array) => Float32Array | Promise<Float32Array>;

export interface RolloutOptions {
  /** Environment steps to collect in total (all robots together). */
  steps: number;
  /** Seed of env.reset and of the β draws. */
  seed: number;
  /** Probability that the expert drives a robot on a step (1 = pure expert). */
  expertProbability: number;
}

export interface RolloutSummary {
  steps: number;
  finished: number;
  successes: number;
  collisions: number;
}

/**
 * Runs `steps` env steps: the expert labels each state; `policy` (when given and not overridden
 * by the β draw) drives. Appends to `store`.
 */
export async function collectRollout(env: VecEnv, expert: GridExpert, policy: PolicyActor | null, store: RolloutStore, options: RolloutOptions): Promise<RolloutSummary> {
  const n = env.config.numEnvs;
  const obsSize = env.obsSize;
  const rng = new Rng(mixSeed(options.seed, 0x5eed));
  const rollout = store.rollouts++;
  let obs = env.reset(options.seed);
  expert.reset();
  const labels = new Float32Array(n * 2);
  const policyActions = new Float32Array(n * 2);
  const drive = new Float32Array(n * 2);
  const current: number[] = [];
  let serial = 0;
  const open = (i: number): void => {
    current[i] = store.episodes.length;
    store.episodes.push({ id: `r${rollout}/e${i}-${serial++}`, outcome: "truncated", return: 0, rows: [] });
  };
  for (let i = 0; i < n; i++) open(i);
  const summary: RolloutSummary = { steps: 0, finished: 0, successes: 0, collisions: 0 };
  const iterations = Math.ceil(options.steps / n);
  for (let it = 0; it < iterations; it++) {
    expert.act(obs, labels);
    if (policy && options.expertProbability < 1) await policy(obs, policyActions);
    for (let i = 0; i < n; i++) {
      const useExpert = !policy || options.expertProbability >= 1 || rng.uniform() < options.expertProbability;
      drive[2 * i] = useExpert ? labels[2 * i]! : policyActions[2 * i]!;
      drive[2 * i + 1] = useExpert ? labels[2 * i + 1]! : policyActions[2 * i + 1]!;
    }
    // Rows are pushed before stepping (obs is overwritten by step).
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      const ep = store.episodes[current[i]!]!;
      const row = store.buffer.push(obs, i * obsSize, labels[2 * i]!, labels[2 * i + 1]!, 0, false, current[i]!);
      ep.rows.push(row);
      rows.push(row);
    }
    const r = env.step(drive);
    obs = r.observations;
    summary.steps += n;
    for (let i = 0; i < n; i++) {
      const ep = store.episodes[current[i]!]!;
      const done = r.dones[i] === 1;
      store.buffer.setReward(rows[i]!, r.rewards[i]!, done);
      ep.return += r.rewards[i]!;
      if (done) {
        ep.outcome = OUTCOMES[r.info.reasons[i]!] ?? "unknown";
        summary.finished++;
        if (r.info.reasons[i] === DoneReason.Goal) summary.successes++;
        if (r.info.reasons[i] === DoneReason.Collision) summary.collisions++;
        open(i);
      }
    }
  }
  // Drop the empty episodes opened by the last resets.
  for (let k = store.episodes.length - 1; k >= 0; k--) if (store.episodes[k]!.rows.length === 0) store.episodes.splice(k, 1);
  return summary;
}
