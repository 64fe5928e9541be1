/**
 * The training and evaluation environment: a VecEnv over shipped (or given) worlds, robots spread
 * round-robin over them, and the episode statistics every algorithm and `kestrel eval policy`
 * report. One function builds environments so training and evaluation see the same thing.
 *
 * The observation is layout kestrel-nav-v2 by default: VecEnv's lidar and goal values (without
 * v and w: observeVelocity false) plus the lookahead points of each robot's global path, appended
 * by PlannedPathObservation. The path
 * comes from a GridPlanner (A* on the world's cost grid, replanned when the robot strays), the
 * VecEnv's stand-in for the stack's planner and its /plan; the grid expert pursues the same
 * planner's path (GridExpert picks it up from the env).
 */
import type { EpisodeSampler, ObservationExtension } from "../../../sim/env/vec-env";
import { compileScene, makeSurfacePoint, nearestSurface, pointInside, type Scene } from "../../../sim/geometry";
import type { Rng } from "../../../sim/random";
import { DEFAULT_VEC_ENV_CONFIG, DoneReason, VecEnv, type VecEnvConfig } from "../../../sim/env/vec-env";
import type { RobotState } from "../../../sim/robot/diff-drive";
import { loadWorldFile } from "../../../sim/world/files";
import type { GoalRegion, Pose2D, World } from "../../../sim/world/types";
import { GridPlanner, type ExpertConfig } from "../expert/grid-expert";
import { OBSERVATION_LAYOUT, OBSERVATION_LAYOUT_V1, checkLayout, lookaheadOf, type ObservationSpec } from "../policy/observation";
import { pathLookahead } from "../policy/path-features";

export const DEFAULT_WORLDS = ["cluttered", "office", "warehouse"];

export interface NavEnv {
  env: VecEnv;
  /** One world per robot (as given to the VecEnv). */
  worlds: World[];
  /** The observation the env produces (layout, lidar beams, range, lookahead). */
  spec: ObservationSpec;
  /** The path source of the observation (v2; absent for v1). */
  planner?: GridPlanner;
}

export interface NavEnvOptions {
  /**
   * Where episodes start and end: "random" (default) draws reachable start/goal pairs anywhere in
   * free space (RandomEpisodes), so held-out seeds are unseen pairs; "world" uses the world file's
   * few spawns and goals (every seed then replays the same pairs with other yaws and noise).
   */
  episodes?: "random" | "world";
  /** Observation layout (default OBSERVATION_LAYOUT, kestrel-nav-v2). */
  layout?: string;
  /** v2 lookahead arc lengths (m); DEFAULT_LOOKAHEAD_M when absent. */
  lookaheadM?: readonly number[];
  /** Planner settings of the path source (the expert's defaults). */
  planner?: Partial<ExpertConfig>;
}

/** Appends the lookahead points of each robot's planned path (layout kestrel-nav-v2). */
export class PlannedPathObservation implements ObservationExtension {
  readonly size: number;
  private readonly line = { xs: new Float64Array(2), ys: new Float64Array(2), length: 2 };

  constructor(
    readonly planner: GridPlanner,
    readonly lookaheadM: readonly number[],
  ) {
    this.size = 2 * lookaheadM.length;
  }

  write(i: number, state: RobotState, goal: GoalRegion, fresh: boolean, out: Float32Array, offset: number): void {
    if (fresh) this.planner.forget(i);
    const p = state.pose;
    const tracked = this.planner.track(i, p.x, p.y, goal.center.x, goal.center.y);
    let path = tracked?.path;
    if (!path) {
      // No path (the search failed): the straight line to the goal, as the expert then drives.
      this.line.xs[0] = p.x;
      this.line.ys[0] = p.y;
      this.line.xs[1] = goal.center.x;
      this.line.ys[1] = goal.center.y;
      path = this.line as unknown as NonNullable<typeof path>;
    }
    pathLookahead(path, { x: p.x, y: p.y, theta: p.yaw }, this.lookaheadM, out, offset);
  }
}

const worldCache = new Map<string, World>();

export function loadWorlds(names: string[]): World[] {
  return names.map((n) => {
    let w = worldCache.get(n);
    if (!w) worldCache.set(n, (w = loadWorldFile(n)));
    return w;
  });
}

export interface RandomEpisodesConfig {
  /** Starts and goals keep at least this much room to every surface (m), as `kestrel eval nav` draws them. */
  clearanceM: number;
  /** Shortest straight-line start-goal distance (m). */
  minDistanceM: number;
  /** Radius of the drawn goal region (m): the worlds' goals use 0.4. */
  goalRadiusM: number;
}

export const DEFAULT_RANDOM_EPISODES: RandomEpisodesConfig = { clearanceM: 0.35, minDistanceM: 2.0, goalRadiusM: 0.4 };

/**
 * Reachable start/goal pairs drawn uniformly in a world's free space (kept clear of surfaces by
 * clearanceM, at least minDistanceM apart, connected on the planner's grid), from the robot's rng.
 */
export class RandomEpisodes implements EpisodeSampler {
  private readonly scenes = new Map<World, Scene>();
  private readonly surface = makeSurfacePoint();

  constructor(
    private readonly planner: GridPlanner,
    readonly config: RandomEpisodesConfig = DEFAULT_RANDOM_EPISODES,
  ) {}

  sample(i: number, world: World, rng: Rng): { start: Pose2D; goal: GoalRegion } {
    let scene = this.scenes.get(world);
    if (!scene) this.scenes.set(world, (scene = compileScene(world)));
    const c = this.config;
    const roomy = (x: number, y: number): boolean => !nearestSurface(scene, x, y, c.clearanceM, this.surface) && pointInside(scene, x, y) < 0;
    const draw = (): { x: number; y: number } => {
      for (let k = 0; k < 10_000; k++) {
        const x = rng.range(world.bounds.min.x, world.bounds.max.x);
        const y = rng.range(world.bounds.min.y, world.bounds.max.y);
        if (roomy(x, y)) return { x, y };
      }
      throw new Error(`world '${world.name}': no free point with ${c.clearanceM} m of room`);
    };
    for (let attempt = 0; attempt < 200; attempt++) {
      const a = draw();
      const b = draw();
      if (Math.hypot(b.x - a.x, b.y - a.y) < c.minDistanceM || !this.planner.reachable(i, a.x, a.y, b.x, b.y)) continue;
      return { start: { x: a.x, y: a.y, yaw: rng.range(-Math.PI, Math.PI) }, goal: { name: "random", center: b, radius: c.goalRadiusM } };
    }
    throw new Error(`world '${world.name}': no reachable start/goal pair in 200 draws`);
  }
}

/** A VecEnv with numEnvs robots spread round-robin over `worldNames`, observing layout options.layout (v2 by default). */
export function makeNavEnv(worldNames: string[], numEnvs: number, config: Partial<VecEnvConfig> = {}, options: NavEnvOptions = {}): NavEnv {
  const unique = loadWorlds(worldNames);
  const worlds = Array.from({ length: numEnvs }, (_, i) => unique[i % unique.length]!);
  const layout = options.layout ?? OBSERVATION_LAYOUT;
  checkLayout(layout);
  const probe = { ...DEFAULT_VEC_ENV_CONFIG, ...config };
  const spec: ObservationSpec = { lidarBeams: probe.lidarBeams, maxRange: probe.robot.lidar.rangeMax, layout };
  const planner = new GridPlanner(numEnvs, worlds, probe.robot.base.footprintRadius, options.planner);
  const sampler = (options.episodes ?? "random") === "random" ? new RandomEpisodes(planner) : undefined;
  if (layout === OBSERVATION_LAYOUT_V1) return { env: new VecEnv(worlds, { ...config, numEnvs, observeVelocity: true }, undefined, sampler), worlds, spec };
  spec.lookaheadM = [...lookaheadOf({ ...spec, lookaheadM: options.lookaheadM })];
  const env = new VecEnv(worlds, { ...config, numEnvs, observeVelocity: false }, new PlannedPathObservation(planner, spec.lookaheadM), sampler);
  return { env, worlds, spec, planner };
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
  /** Per group (EvaluateOptions.groups, e.g. the world of each robot), when groups were given. */
  byGroup?: Record<string, EpisodeStats>;
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
  /** A label per robot (e.g. NavEnv.worlds[i].name): the statistics are also given per label. */
  groups?: readonly string[];
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
  const groupTallies = new Map<string, EpisodeTally>();
  for (const g of options.groups ?? []) if (!groupTallies.has(g)) groupTallies.set(g, new EpisodeTally());
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
      const g = options.groups?.[i];
      if (g !== undefined) groupTallies.get(g)!.add(r.info.reasons[i]!, r.info.episodeReturns[i]!, r.info.episodeLengths[i]!);
    }
  }
  const stats = tally.stats();
  if (groupTallies.size > 0) stats.byGroup = Object.fromEntries([...groupTallies].map(([g, t]) => [g, t.stats()]));
  return stats;
}
