/**
 * The training and evaluation environment: a VecEnv over shipped (or given) worlds, robots spread
 * round-robin over them, and the episode statistics every algorithm and `kestrel eval policy`
 * report. One function builds environments so training and evaluation see the same thing.
 */
import { DoneReason, VecEnv, type VecEnvConfig } from "../../../sim/env/vec-env";
import { loadWorldFile } from "../../../sim/world/files";
import type { World } from "../../../sim/world/types";

export const DEFAULT_WORLDS = ["cluttered", "office", "warehouse"];

export interface NavEnv {
  env: VecEnv;
  /** One world per robot (as given to the VecEnv). */
  worlds: World[];
}

const worldCache = new Map<string, World>();

export function loadWorlds(names: string[]): World[] {
  return names.map((n) => {
    let w = worldCache.get(n);
    if (!w) worldCache.set(n, (w = loadWorldFile(n)));
    return w;
  });
}

/** A VecEnv with numEnvs robots spread round-robin over `worldNames`. */
export function makeNavEnv(worldNames: string[], numEnvs: number, config: Partial<VecEnvConfig> = {}): NavEnv {
  const unique = loadWorlds(worldNames);
  const worlds = Array.from({ length: numEnvs }, (_, i) => unique[i % unique.length]!);
  return { env: new VecEnv(worlds, { ...config, numEnvs }), worlds };
}

export interface EpisodeStats {
  episodes: number;
  successes: number;
  collisions: number;
  timeouts: number;
  successRate: number;
  collisionRate: number;
  meanReturn: number;
  meanLength: number;
}

/** Accumulates finished episodes from VecEnv step infos. */
export class EpisodeTally {
  episodes = 0;
  successes = 0;
  collisions = 0;
  timeouts = 0;
  private returnSum = 0;
  private lengthSum = 0;

  /** Counts robot i's finished episode from a step's info; returns whether one finished. */
  add(reason: number, episodeReturn: number, length: number): boolean {
    if (reason === DoneReason.None) return false;
    this.episodes++;
    if (reason === DoneReason.Goal) this.successes++;
    else if (reason === DoneReason.Collision) this.collisions++;
    else this.timeouts++;
    this.returnSum += episodeReturn;
    this.lengthSum += length;
    return true;
  }

  stats(): EpisodeStats {
    const n = Math.max(1, this.episodes);
    return {
      episodes: this.episodes,
      successes: this.successes,
      collisions: this.collisions,
      timeouts: this.timeouts,
      successRate: this.successes / n,
      collisionRate: this.collisions / n,
      meanReturn: this.returnSum / n,
      meanLength: this.lengthSum / n,
    };
  }
}

/** A batch controller: observations (numEnvs · obsSize) → actions (numEnvs · 2) in m/s, rad/s. */
export type BatchActor = (observations: Float32Array, out: Float32Array) => Float32Array | Promise<Float32Array>;

export interface EvaluateOptions {
  /** Episodes to finish in total (each robot runs ceil(episodes / numEnvs); extra ones are dropped). */
  episodes: number;
  seed: number;
  /** Called after env.reset (e.g. to reset an expert's path cache). */
  onReset?: () => void;
}

/**
 * Runs `actor` until each robot has finished its share of episodes and returns the statistics of
 * exactly the first `episodes` per robot share: every robot counts its first k episodes
 * (k = ceil(episodes / numEnvs)), so a seed fixes the episode set whatever the actor's speed.
 */
export async function evaluateActor(env: VecEnv, actor: BatchActor, options: EvaluateOptions): Promise<EpisodeStats> {
  const n = env.config.numEnvs;
  const perRobot = Math.ceil(options.episodes / n);
  const done = new Int32Array(n);
  const tally = new EpisodeTally();
  let obs = env.reset(options.seed);
  options.onReset?.();
  const actions = new Float32Array(n * 2);
  let remaining = perRobot * n;
  while (remaining > 0) {
    await actor(obs, actions);
    const r = env.step(actions);
    obs = r.observations;
    for (let i = 0; i < n; i++) {
      if (r.info.reasons[i] === 0 || done[i]! >= perRobot) continue;
      done[i]!++;
      remaining--;
      tally.add(r.info.reasons[i]!, r.info.episodeReturns[i]!, r.info.episodeLengths[i]!);
    }
  }
  return tally.stats();
}
