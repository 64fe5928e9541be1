/**
 * Datasets from rosbag2 recordings of the navigation stack (the expert): /scan, /odom, /plan,
 * /cmd_vel and kestrel_msgs/EpisodeEvent on /episode/events.
 *
 * Alignment (per bag, messages in log-time order; at equal times state messages — scan, odom,
 * plan, events — come before /cmd_vel):
 *   - a transition is made at every /cmd_vel received inside an episode (between an episode's
 *     START and END events; a bag without events is one episode from its first to last message);
 *   - its observation is observationFromScan (the controller's and VecEnv's layout) from the
 *     latest /scan, the latest /odom (pose for the goal, twist for v and w) and the latest /plan,
 *     whose END is the goal (as the controller's policy mode takes it), all received at or before
 *     the /cmd_vel; a /cmd_vel before any of the three is skipped;
 *   - its action is that /cmd_vel's [linear.x, angular.z];
 *   - its reward is VecEnv's: progressPerM · (goal distance now − goal distance at the next
 *     transition, or at the END event for the last one) + perStep, plus goalReached on the last
 *     transition of a "success" episode and collision on that of a "collision" one;
 *   - done is 1 on the last transition of every episode.
 * The /plan is taken to be in the /odom frame (the planner's default global_frame, odom).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { openBag } from "../../../ros/bag";
import { DEFAULT_VEC_ENV_CONFIG, type RewardConfig } from "../../../sim/env/vec-env";
import { goalInRobotFrame, observationFromScan } from "../policy/observation";
import { finalizeDataset, sha256Of, TransitionBuffer, type Dataset, type EpisodeRecord } from "./dataset";

export interface BagTopics {
  scan: string;
  odom: string;
  plan: string;
  cmdVel: string;
  events: string;
}

export interface BagDatasetOptions {
  /** Lidar sectors in the observation. */
  lidarBeams: number;
  /** Sector values are clamped to this (m): the training lidar's range_max. */
  maxRange: number;
  /** Laser yaw on base_link (rad). */
  laserYaw: number;
  topics: BagTopics;
  rewards: RewardConfig;
  /** Fraction of episodes held out for validation. */
  valFraction: number;
  /** Seed of the episode split. */
  splitSeed: number;
}

export const DEFAULT_BAG_DATASET_OPTIONS: BagDatasetOptions = {
  lidarBeams: DEFAULT_VEC_ENV_CONFIG.lidarBeams,
  maxRange: DEFAULT_VEC_ENV_CONFIG.robot.lidar.rangeMax,
  laserYaw: 0,
  topics: { scan: "/scan", odom: "/odom", plan: "/plan", cmdVel: "/cmd_vel", events: "/episode/events" },
  rewards: DEFAULT_VEC_ENV_CONFIG.rewards,
  valFraction: 0.2,
  splitSeed: 0,
};

/** A decoded message with its receive time. */
export interface TimedMessage {
  topic: string;
  timeNs: bigint;
  message: unknown;
}

interface Scan {
  angle_min: number;
  angle_increment: number;
  range_min: number;
  range_max: number;
  ranges: ArrayLike<number>;
}
interface Odom {
  pose: { pose: { position: { x: number; y: number }; orientation: { x: number; y: number; z: number; w: number } } };
  twist: { twist: { linear: { x: number }; angular: { z: number } } };
}
interface Plan {
  poses: Array<{ pose: { position: { x: number; y: number } } }>;
}
interface Twist {
  linear: { x: number };
  angular: { z: number };
}
interface Event {
  event: number;
  episode_id: string;
  outcome: string;
}

export function yawOf(q: { x: number; y: number; z: number; w: number }): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/**
 * Aligns one bag's messages into `buffer` (see the file comment) and returns its episodes.
 * `source` names the bag in episode ids. Pure apart from appending to the buffer.
 */
export function alignMessages(messages: TimedMessage[], source: string, options: BagDatasetOptions, buffer: TransitionBuffer, firstEpisodeIndex = 0): EpisodeRecord[] {
  const t = options.topics;
  const spec = { lidarBeams: options.lidarBeams, maxRange: options.maxRange };
  const order = (m: TimedMessage): number => (m.topic === t.cmdVel ? 1 : 0);
  const sorted = messages
    .filter((m) => m.topic === t.scan || m.topic === t.odom || m.topic === t.plan || m.topic === t.cmdVel || m.topic === t.events)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.timeNs < b.m.timeNs ? -1 : a.m.timeNs > b.m.timeNs ? 1 : order(a.m) - order(b.m) || a.i - b.i))
    .map((x) => x.m);
  const hasEvents = sorted.some((m) => m.topic === t.events);
  let scan: Scan | undefined;
  let odom: Odom | undefined;
  let plan: Plan | undefined;
  const episodes: EpisodeRecord[] = [];
  let current: { id: string; start: number; distances: number[] } | undefined = hasEvents ? undefined : { id: `${source}/episode`, start: buffer.count, distances: [] };
  const obs = new Float32Array(options.lidarBeams + 4);
  const goalDistance = (): number | undefined => {
    if (!odom || !plan || plan.poses.length === 0) return undefined;
    const end = plan.poses[plan.poses.length - 1]!.pose.position;
    const p = odom.pose.pose.position;
    return Math.hypot(end.x - p.x, end.y - p.y);
  };
  const close = (outcome: string, finalDistance: number | undefined): void => {
    if (!current) return;
    const c = current;
    current = undefined;
    const count = buffer.count - c.start;
    if (count === 0) return;
    const r = options.rewards;
    let total = 0;
    for (let k = 0; k < count; k++) {
      const next = k + 1 < count ? c.distances[k + 1]! : (finalDistance ?? c.distances[k]!);
      let reward = r.progressPerM * (c.distances[k]! - next) + r.perStep;
      const last = k === count - 1;
      if (last && outcome === "success") reward += r.goalReached;
      if (last && outcome === "collision") reward += r.collision;
      buffer.setReward(c.start + k, reward, last);
      total += buffer.reward(c.start + k);
    }
    episodes.push({ id: c.id, source, start: c.start, count, outcome, return: total });
  };
  for (const m of sorted) {
    if (m.topic === t.scan) scan = m.message as Scan;
    else if (m.topic === t.odom) odom = m.message as Odom;
    else if (m.topic === t.plan) plan = m.message as Plan;
    else if (m.topic === t.events) {
      const e = m.message as Event;
      if (e.event === 0) {
        close("aborted", goalDistance());
        current = { id: `${source}/${e.episode_id}`, start: buffer.count, distances: [] };
      } else if (current && current.id === `${source}/${e.episode_id}`) close(e.outcome || "unknown", goalDistance());
    } else if (m.topic === t.cmdVel) {
      if (!current || !scan || !odom || !plan || plan.poses.length === 0) continue;
      const cmd = m.message as Twist;
      const p = odom.pose.pose;
      const end = plan.poses[plan.poses.length - 1]!.pose.position;
      const goal = goalInRobotFrame({ x: p.position.x, y: p.position.y, theta: yawOf(p.orientation) }, end);
      observationFromScan(
        {
          ranges: scan.ranges,
          geometry: { angleMin: scan.angle_min, angleIncrement: scan.angle_increment, rangeMin: scan.range_min, rangeMax: scan.range_max },
          laserYaw: options.laserYaw,
          goal,
          velocity: { linear: odom.twist.twist.linear.x, angular: odom.twist.twist.angular.z },
        },
        spec,
        obs,
      );
      current.distances.push(goal.distance);
      buffer.push(obs, 0, cmd.linear.x, cmd.angular.z, 0, false, firstEpisodeIndex + episodes.length);
    }
  }
  close(hasEvents ? "aborted" : "unknown", goalDistance());
  return episodes;
}

/** sha256 over a bag's storage files (sorted by name): identifies the recording. */
export function bagContentHash(bag: string): string {
  const root = resolve(bag);
  const files = statSync(root).isDirectory()
    ? readdirSync(root)
        .filter((f) => /\.(mcap|db3)$/.test(f))
        .sort()
        .map((f) => join(root, f))
    : [root];
  const h = files.map((f) => `${basename(f)}:${sha256Of(readFileSync(f))}`).join("\n");
  return sha256Of(h);
}

/** Reads every bag (decoded), aligns them in the given order and finalises the dataset. */
export async function datasetFromBags(bags: string[], options: Partial<BagDatasetOptions> = {}): Promise<Dataset> {
  const o: BagDatasetOptions = { ...DEFAULT_BAG_DATASET_OPTIONS, ...options, topics: { ...DEFAULT_BAG_DATASET_OPTIONS.topics, ...options.topics } };
  const buffer = new TransitionBuffer(o.lidarBeams + 4);
  const episodes: EpisodeRecord[] = [];
  const sources: Array<{ name: string; sha256: string }> = [];
  const topics = Object.values(o.topics);
  for (const bag of bags) {
    const reader = await openBag(bag, { decode: true });
    const messages = (await reader.readAll({ topics })).map((m) => ({ topic: m.topic, timeNs: m.logTimeNs, message: m.decoded }));
    const name = basename(resolve(bag));
    const eps = alignMessages(messages, name, o, buffer, episodes.length);
    episodes.push(...eps);
    sources.push({ name, sha256: bagContentHash(bag) });
  }
  if (buffer.count === 0) throw new Error(`no transitions in ${bags.join(", ")}: need /cmd_vel with ${o.topics.scan}, ${o.topics.odom} and ${o.topics.plan} before it, inside episodes`);
  const { topics: _t, rewards, ...rest } = o;
  void _t;
  return finalizeDataset(buffer.arrays(), episodes, o, {
    valFraction: o.valFraction,
    splitSeed: o.splitSeed,
    origin: "bags",
    sources,
    params: { ...rest, topics: o.topics, rewards },
  });
}
