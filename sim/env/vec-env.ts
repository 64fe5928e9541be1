/**
 * A headless vectorised environment for training: N independent robots, each in its own world
 * (or all in one), stepped together. Deterministic for a seed: every robot draws spawns, goals
 * and noise from its own Rng seeded by mixSeed(seed, index).
 *
 * Observation layout, per robot, obsSize = lidarBeams + 4 float32 values at offset i * obsSize
 * (lidarBeams + 2 without observeVelocity, plus the extension's values):
 *   [0 .. lidarBeams)   lidar ranges (m), min-pooled from spec.lidar.rays down to lidarBeams
 *                       sectors (beam k covers rays [k·g, (k+1)·g), g = rays / lidarBeams, so
 *                       beam 0 starts straight ahead, counter-clockwise); no return → rangeMax,
 *                       too close → 0;
 *   lidarBeams + 0      distance to the goal centre (m);
 *   lidarBeams + 1      bearing of the goal in the robot frame (rad, (-π, π], + = left);
 *   lidarBeams + 2      current linear velocity v (m/s)        } only with observeVelocity
 *   lidarBeams + 3      current angular velocity w (rad/s);    }
 *   then                the extension's values, when one is given (below).
 * An ObservationExtension appends extension.size values per robot after these: the learner
 * appends the global path's lookahead points there (layout kestrel-nav-v2,
 * nodes/learner/algos/env.ts). It is injected because the path comes from a planner, and sim/
 * never imports nodes/.
 * Actions: Float32Array of [v (m/s), w (rad/s)] per robot; the robot's limits apply.
 * Finished robots (goal reached, collision, timeout) are reset automatically within step(): the
 * observation returned for them is the new episode's first; the last observation of the
 * finished episode is in info.terminalObservations. Returned arrays are reused between calls.
 */
import { compileScene, type Scene } from "../geometry/scene";
import { scan } from "../lidar/scan";
import { mixSeed, Rng } from "../random";
import { createRobotState, normalizeAngle, resetRobotState, stepRobot, type ContactEvent, type RobotNoise, type RobotState } from "../robot/diff-drive";
import { TURTLEBOT3_LIKE, type RobotSpec } from "../robot/spec";
import type { GoalRegion, Pose2D, World } from "../world/types";

export interface RewardConfig {
  /** Reward per metre of progress towards the goal (negative when moving away). */
  progressPerM: number;
  /** Added once when the goal region is reached. */
  goalReached: number;
  /** Added once on a collision (use a negative value). */
  collision: number;
  /** Added every step (use a negative value: a time cost). */
  perStep: number;
}

export interface VecEnvConfig {
  /** Number of robots stepped together. */
  numEnvs: number;
  /** Simulated seconds per step (control period). */
  dt: number;
  /** Steps after which an episode ends with a timeout. */
  maxEpisodeSteps: number;
  /** Lidar values in the observation; must divide robot.lidar.rays. */
  lidarBeams: number;
  /** Whether v and w follow the goal in the observation (layout kestrel-nav-v1; v2 leaves them out). */
  observeVelocity: boolean;
  /** Whether the lidar readings carry the spec's Gaussian noise. */
  lidarNoise: boolean;
  /** Robot description (limits, footprint, lidar). */
  robot: RobotSpec;
  /** Wheel slip and odometry noise. */
  robotNoise: RobotNoise;
  /** Spawn yaw is drawn uniformly from (-π, π] instead of the world's spawn yaw. */
  randomSpawnYaw: boolean;
  rewards: RewardConfig;
}

export const DEFAULT_VEC_ENV_CONFIG: VecEnvConfig = {
  numEnvs: 16,
  dt: 0.1,
  maxEpisodeSteps: 600,
  lidarBeams: 36,
  observeVelocity: true,
  lidarNoise: true,
  robot: TURTLEBOT3_LIKE,
  robotNoise: { wheelSlipStdDev: 0.02, odomWheelStdDev: 0.01 },
  randomSpawnYaw: true,
  rewards: { progressPerM: 10, goalReached: 100, collision: -100, perStep: -0.05 },
};

/** Values appended to every robot's observation (see the file comment). */
export interface ObservationExtension {
  /** Values per robot. */
  readonly size: number;
  /**
   * Writes robot i's values into out[offset .. offset + size). `fresh` is true on an episode's
   * first observation (after a reset), so per-robot caches (a planned path) can start over.
   */
  write(i: number, state: RobotState, goal: GoalRegion, fresh: boolean, out: Float32Array, offset: number): void;
}

/**
 * Draws an episode's start pose and goal for robot i from its rng (deterministic for a seed).
 * Without one, episodes start at one of the world's spawns and drive to one of its goals. Injected
 * for the same reason as the extension: a reachable pair needs a planner (nodes/learner/algos/env.ts).
 */
export interface EpisodeSampler {
  sample(i: number, world: World, rng: Rng): { start: Pose2D; goal: GoalRegion };
}

/** Why an episode ended. */
export enum DoneReason {
  None = 0,
  Goal = 1,
  Collision = 2,
  Timeout = 3,
}

export interface StepInfo {
  /** Per robot: DoneReason of the episode that ended this step (0 when still running). */
  reasons: Uint8Array;
  /** Per robot: return and length of the episode that ended this step (0 otherwise). */
  episodeReturns: Float32Array;
  episodeLengths: Int32Array;
  /** Last observations of the episodes that ended this step (numEnvs * obsSize). */
  terminalObservations: Float32Array;
  /** Per robot: the contact of this step, or null. */
  contacts: Array<ContactEvent | null>;
}

export interface StepResult {
  observations: Float32Array;
  rewards: Float32Array;
  /** 1 where the robot's episode ended this step (it has been reset). */
  dones: Uint8Array;
  info: StepInfo;
}

interface Slot {
  index: number;
  world: World;
  scene: Scene;
  rng: Rng;
  state: RobotState;
  goal: GoalRegion;
  prevDistance: number;
  steps: number;
  episodeReturn: number;
}

export class VecEnv {
  readonly config: VecEnvConfig;
  readonly obsSize: number;
  private readonly slots: Slot[];
  private readonly ranges: Float32Array;
  private readonly observations: Float32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Uint8Array;
  private readonly info: StepInfo;

  /** `worlds`: one world for all robots, or one per robot (length numEnvs). */
  constructor(
    worlds: World | World[],
    config: Partial<VecEnvConfig> = {},
    /** Appends values to each observation (layout kestrel-nav-v2's path points). */
    readonly extension?: ObservationExtension,
    /** Draws start and goal per episode (default: the world's spawns and goals). */
    readonly sampler?: EpisodeSampler,
  ) {
    this.config = { ...DEFAULT_VEC_ENV_CONFIG, ...config };
    const c = this.config;
    if (c.robot.lidar.rays % c.lidarBeams !== 0) throw new Error(`VecEnv: lidarBeams ${c.lidarBeams} must divide ${c.robot.lidar.rays} rays`);
    const list = Array.isArray(worlds) ? worlds : [worlds];
    if (list.length !== 1 && list.length !== c.numEnvs) throw new Error(`VecEnv: give 1 world or ${c.numEnvs}, not ${list.length}`);
    const scenes = new Map<World, Scene>();
    for (const w of list) {
      if (w.spawns.length === 0 || w.goals.length === 0) throw new Error(`VecEnv: world "${w.name}" needs spawns and goals`);
      if (!scenes.has(w)) scenes.set(w, compileScene(w));
    }
    this.obsSize = c.lidarBeams + (c.observeVelocity ? 4 : 2) + (extension?.size ?? 0);
    this.slots = [];
    for (let i = 0; i < c.numEnvs; i++) {
      const world = list.length === 1 ? list[0] : list[i];
      const state = createRobotState(world.spawns[0]);
      this.slots.push({ index: i, world, scene: scenes.get(world) as Scene, rng: new Rng(i), state, goal: world.goals[0], prevDistance: 0, steps: 0, episodeReturn: 0 });
    }
    this.ranges = new Float32Array(c.robot.lidar.rays);
    this.observations = new Float32Array(c.numEnvs * this.obsSize);
    this.rewards = new Float32Array(c.numEnvs);
    this.dones = new Uint8Array(c.numEnvs);
    this.info = {
      reasons: new Uint8Array(c.numEnvs),
      episodeReturns: new Float32Array(c.numEnvs),
      episodeLengths: new Int32Array(c.numEnvs),
      terminalObservations: new Float32Array(c.numEnvs * this.obsSize),
      contacts: new Array<ContactEvent | null>(c.numEnvs).fill(null),
    };
  }

  /** Reseeds every robot and starts new episodes; returns the observations. */
  reset(seed: number): Float32Array {
    this.slots.forEach((slot, i) => {
      slot.rng.reseed(mixSeed(seed, i));
      this.resetSlot(slot);
      this.observe(i, true);
    });
    return this.observations;
  }

  /** Applies one action per robot for dt seconds. */
  step(actions: Float32Array): StepResult {
    const c = this.config;
    if (actions.length !== c.numEnvs * 2) throw new Error(`VecEnv.step: expected ${c.numEnvs * 2} action values, got ${actions.length}`);
    this.info.reasons.fill(0);
    this.info.episodeReturns.fill(0);
    this.info.episodeLengths.fill(0);
    for (let i = 0; i < c.numEnvs; i++) {
      const slot = this.slots[i];
      const contact = stepRobot(slot.state, actions[2 * i], actions[2 * i + 1], c.dt, {
        scene: slot.scene,
        base: c.robot.base,
        noise: c.robotNoise,
        rng: slot.rng,
      });
      this.info.contacts[i] = contact;
      slot.steps++;
      const distance = this.goalDistance(slot);
      let reward = c.rewards.progressPerM * (slot.prevDistance - distance) + c.rewards.perStep;
      slot.prevDistance = distance;
      let reason = DoneReason.None;
      if (contact) {
        reward += c.rewards.collision;
        reason = DoneReason.Collision;
      } else if (distance <= slot.goal.radius) {
        reward += c.rewards.goalReached;
        reason = DoneReason.Goal;
      } else if (slot.steps >= c.maxEpisodeSteps) reason = DoneReason.Timeout;
      slot.episodeReturn += reward;
      this.rewards[i] = reward;
      this.observe(i);
      this.dones[i] = reason === DoneReason.None ? 0 : 1;
      if (reason !== DoneReason.None) {
        const o = i * this.obsSize;
        this.info.terminalObservations.set(this.observations.subarray(o, o + this.obsSize), o);
        this.info.reasons[i] = reason;
        this.info.episodeReturns[i] = slot.episodeReturn;
        this.info.episodeLengths[i] = slot.steps;
        this.resetSlot(slot);
        this.observe(i, true);
      }
    }
    return { observations: this.observations, rewards: this.rewards, dones: this.dones, info: this.info };
  }

  /** Ground-truth state of robot i (read-only use). */
  robotState(i: number): RobotState {
    return this.slots[i].state;
  }

  private resetSlot(slot: Slot): void {
    if (this.sampler) {
      const drawn = this.sampler.sample(slot.index, slot.world, slot.rng);
      const yaw = this.config.randomSpawnYaw ? slot.rng.range(-Math.PI, Math.PI) : drawn.start.yaw;
      resetRobotState(slot.state, { x: drawn.start.x, y: drawn.start.y, yaw });
      slot.goal = drawn.goal;
    } else {
      const spawn = slot.world.spawns[slot.rng.int(slot.world.spawns.length)];
      const yaw = this.config.randomSpawnYaw ? slot.rng.range(-Math.PI, Math.PI) : spawn.yaw;
      resetRobotState(slot.state, { x: spawn.x, y: spawn.y, yaw });
      const goals = slot.world.goals;
      slot.goal = goals[slot.rng.int(goals.length)];
    }
    slot.prevDistance = this.goalDistance(slot);
    slot.steps = 0;
    slot.episodeReturn = 0;
  }

  private goalDistance(slot: Slot): number {
    const p = slot.state.pose;
    return Math.hypot(slot.goal.center.x - p.x, slot.goal.center.y - p.y);
  }

  /** The goal region robot i drives to in its current episode (read-only use). */
  goalOf(i: number): GoalRegion {
    return this.slots[i].goal;
  }

  /** Writes robot i's observation (layout in the file comment). */
  private observe(i: number, fresh = false): void {
    const c = this.config;
    const slot = this.slots[i];
    const lidar = c.robot.lidar;
    scan(slot.scene, slot.state.pose, lidar, c.lidarNoise ? slot.rng : null, this.ranges);
    const o = i * this.obsSize;
    const group = lidar.rays / c.lidarBeams;
    for (let k = 0; k < c.lidarBeams; k++) {
      let m = lidar.rangeMax;
      for (let j = k * group; j < (k + 1) * group; j++) {
        const r = this.ranges[j];
        const v = r === Infinity ? lidar.rangeMax : r === -Infinity ? 0 : r;
        if (v < m) m = v;
      }
      this.observations[o + k] = m;
    }
    const p = slot.state.pose;
    const dx = slot.goal.center.x - p.x;
    const dy = slot.goal.center.y - p.y;
    this.observations[o + c.lidarBeams] = Math.hypot(dx, dy);
    this.observations[o + c.lidarBeams + 1] = normalizeAngle(Math.atan2(dy, dx) - p.yaw);
    let k = o + c.lidarBeams + 2;
    if (c.observeVelocity) {
      this.observations[k++] = slot.state.v;
      this.observations[k++] = slot.state.w;
    }
    this.extension?.write(i, slot.state, slot.goal, fresh, this.observations, k);
  }
}
