/**
 * Datasets from rosbag2 recordings of the navigation stack (the expert): /scan, /odom, /plan,
 * /cmd_vel, /cmd_vel_expert and kestrel_msgs/EpisodeEvent on /episode/events.
 *
 * Alignment (per bag, messages in log-time order; at equal times state messages — scan, odom,
 * plan, events, /cmd_vel_expert — come before /cmd_vel):
 *   - a transition is made at every /cmd_vel received inside an episode (between an episode's
 *     START and END events; a bag without events is one episode from its first to last message);
 *   - its observation is observationFromScan (the controller's and VecEnv's layout, `layout`:
 *     kestrel-nav-v2 by default) from the latest /scan, the latest /odom (pose for the goal and
 *     the path lookahead, twist for v and w) and the latest /plan, whose END is the goal (as the
 *     controller's policy mode takes it) and whose lookahead points come from path-features.ts
 *     pathLookahead (the function the controller and VecEnv use), all received at or before the
 *     /cmd_vel; a /cmd_vel before any of the three, or whose plan cannot be brought into the
 *     odom frame yet, is skipped;
 *   - its action is the EXPERT's command for that cycle, [linear.x, angular.z]: the last
 *     /cmd_vel_expert received after the previous /cmd_vel (of the bag, kept or skipped) and at or
 *     before this one, else this /cmd_vel itself. Why: in policy mode the policy drives, so
 *     /cmd_vel is its own command, and the controller publishes pursuit's command for the same
 *     cycle on /cmd_vel_expert just before it (same stamp); in pursuit and shadow mode there is no
 *     /cmd_vel_expert and /cmd_vel is pursuit's. An expert command is used for one /cmd_vel at
 *     most, so a stale one (its /cmd_vel lost) never labels a later cycle. Both carry the
 *     command after the safety layer and the smoother (nodes/controller/pipeline.ts), so the
 *     labels mean the same thing whichever mode drove. `BagTopics.cmdVelExpert` "" disables it.
 *     A label that reverses (the controller's recovery backing up) makes no transition: Kestrel
 *     policies do not reverse; the manifest counts them (`reverse_skipped`);
 *   - its reward is VecEnv's: progressPerM · (goal distance now − goal distance at the next
 *     transition, or at the END event for the last one) + perStep, plus goalReached on the last
 *     transition of a "success" episode and collision on that of a "collision" one;
 *   - done is 1 on the last transition of every episode.
 *
 * Frames: the pose is in the /odom message's frame (odom); the /plan is in its header.frame_id
 * (config/nav.yaml plans in `map`, and the embedded sim latches map -> odom at the spawn pose, not
 * the identity). The plan is moved into the odom frame with the latest planar map -> odom (or
 * odom -> map) transform recorded on /tf_static or /tf before it is used, exactly as the
 * controller node moves /plan into odom before its modes see it. A plan with no frame, or in the
 * odom frame already, is used as is.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { openBag } from "../../../ros/bag";
import { DEFAULT_VEC_ENV_CONFIG, type RewardConfig } from "../../../sim/env/vec-env";
import { OBSERVATION_LAYOUT, goalInRobotFrame, observationFromScan, observationSize, type ObservationSpec } from "../policy/observation";
import { DEFAULT_LOOKAHEAD_M, lookupTransform, recordTransform, transformPoints, yawOfQuaternion, type PathPoints, type TransformTable } from "../policy/path-features";
import { finalizeDataset, sha256Of, TransitionBuffer, type Dataset, type EpisodeRecord } from "./dataset";

export interface BagTopics {
  scan: string;
  odom: string;
  plan: string;
  cmdVel: string;
  /** The expert's command beside a driving policy (the label when present); "" = labels from cmdVel only. */
  cmdVelExpert: string;
  events: string;
  tf: string;
  tfStatic: string;
}

export interface BagDatasetOptions {
  /** Lidar sectors in the observation. */
  lidarBeams: number;
  /** Sector values are clamped to this (m): the training lidar's range_max. */
  maxRange: number;
  /** Laser yaw on base_link (rad). */
  laserYaw: number;
  /** Observation layout (default OBSERVATION_LAYOUT, kestrel-nav-v2). */
  layout: string;
  /** v2 lookahead arc lengths (m). */
  lookaheadM: readonly number[];
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
  layout: OBSERVATION_LAYOUT,
  lookaheadM: DEFAULT_LOOKAHEAD_M,
  topics: { scan: "/scan", odom: "/odom", plan: "/plan", cmdVel: "/cmd_vel", cmdVelExpert: "/cmd_vel_expert", events: "/episode/events", tf: "/tf", tfStatic: "/tf_static" },
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
  header?: { frame_id: string };
  pose: { pose: { position: { x: number; y: number }; orientation: { x: number; y: number; z: number; w: number } } };
  twist: { twist: { linear: { x: number }; angular: { z: number } } };
}
interface Plan {
  header?: { frame_id: string };
  poses: Array<{ pose: { position: { x: number; y: number } } }>;
}
interface TfMessage {
  transforms: Array<Parameters<typeof recordTransform>[1]>;
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
  return yawOfQuaternion(q);
}

/**
 * A nav_msgs/Path's positions in `targetFrame` (the odom frame of the pose), through the planar
 * transforms recorded so far; undefined when the table cannot connect the two frames yet.
 */
export function planInFrame(plan: Plan, targetFrame: string, transforms: TransformTable): PathPoints | undefined {
  const t = lookupTransform(transforms, targetFrame, plan.header?.frame_id ?? "");
  if (!t) return undefined;
  const raw = { xs: plan.poses.map((p) => p.pose.position.x), ys: plan.poses.map((p) => p.pose.position.y), length: plan.poses.length };
  return transformPoints(raw, t);
}

/**
 * Aligns one bag's messages into `buffer` (see the file comment) and returns its episodes.
 * `source` names the bag in episode ids. Pure apart from appending to the buffer.
 */
export function alignMessages(messages: TimedMessage[], source: string, options: BagDatasetOptions, buffer: TransitionBuffer, firstEpisodeIndex = 0): AlignedBag {
  const t = options.topics;
  const order = (m: TimedMessage): number => (m.topic === t.cmdVel ? 1 : 0);
  const spec: ObservationSpec = { lidarBeams: options.lidarBeams, maxRange: options.maxRange, layout: options.layout, lookaheadM: options.lookaheadM };
  const wanted = new Set([t.scan, t.odom, t.plan, t.cmdVel, t.events, t.tf, t.tfStatic]);
  if (t.cmdVelExpert !== "") wanted.add(t.cmdVelExpert);
  const sorted = messages
    .filter((m) => wanted.has(m.topic))
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.timeNs < b.m.timeNs ? -1 : a.m.timeNs > b.m.timeNs ? 1 : order(a.m) - order(b.m) || a.i - b.i))
    .map((x) => x.m);
  const hasEvents = sorted.some((m) => m.topic === t.events);
  let scan: Scan | undefined;
  let odom: Odom | undefined;
  let plan: Plan | undefined;
  // The expert command received since the previous /cmd_vel (consumed by the next one).
  let expert: Twist | undefined;
  let expertLabels = 0;
  let reverseSkipped = 0;
  // The plan in the odom frame, recomputed when the plan, the odom frame or a transform changes.
  let planOdom: PathPoints | undefined;
  let planDirty = true;
  const transforms: TransformTable = new Map();
  const currentPlan = (): PathPoints | undefined => {
    if (!plan || plan.poses.length === 0 || !odom) return undefined;
    if (planDirty) {
      planOdom = planInFrame(plan, odom.header?.frame_id ?? "", transforms);
      planDirty = false;
    }
    return planOdom;
  };
  const episodes: EpisodeRecord[] = [];
  let current: { id: string; start: number; distances: number[] } | undefined = hasEvents ? undefined : { id: `${source}/episode`, start: buffer.count, distances: [] };
  const obs = new Float32Array(observationSize(spec));
  const goalDistance = (): number | undefined => {
    const path = currentPlan();
    if (!odom || !path) return undefined;
    const p = odom.pose.pose.position;
    return Math.hypot(path.xs[path.length - 1]! - p.x, path.ys[path.length - 1]! - p.y);
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
    else if (m.topic === t.odom) {
      const next = m.message as Odom;
      if ((next.header?.frame_id ?? "") !== (odom?.header?.frame_id ?? "")) planDirty = true;
      odom = next;
    } else if (m.topic === t.plan) {
      plan = m.message as Plan;
      planDirty = true;
    } else if (m.topic === t.tf || m.topic === t.tfStatic) {
      for (const tr of (m.message as TfMessage).transforms ?? []) {
        recordTransform(transforms, tr);
        // Only an edge touching the plan's frame can move the plan (odom -> base_link cannot).
        const planFrame = (plan?.header?.frame_id ?? "").replace(/^\//, "");
        if (planFrame === "" || tr.header.frame_id.replace(/^\//, "") === planFrame || tr.child_frame_id.replace(/^\//, "") === planFrame) planDirty = true;
      }
    } else if (m.topic === t.events) {
      const e = m.message as Event;
      if (e.event === 0) {
        close("aborted", goalDistance());
        current = { id: `${source}/${e.episode_id}`, start: buffer.count, distances: [] };
      } else if (current && current.id === `${source}/${e.episode_id}`) close(e.outcome || "unknown", goalDistance());
    } else if (m.topic === t.cmdVelExpert) {
      expert = m.message as Twist;
    } else if (m.topic === t.cmdVel) {
      const label = expert ?? (m.message as Twist);
      const labelledByExpert = expert !== undefined;
      expert = undefined;
      const path = currentPlan();
      if (!current || !scan || !odom || !path) continue;
      // A reverse command is the controller's recovery backing away from a wall, not driving:
      // Kestrel policies do not reverse (their action.linear.min is >= 0), so it teaches nothing.
      if (label.linear.x < 0) {
        reverseSkipped++;
        continue;
      }
      const p = odom.pose.pose;
      const pose = { x: p.position.x, y: p.position.y, theta: yawOf(p.orientation) };
      const goal = goalInRobotFrame(pose, { x: path.xs[path.length - 1]!, y: path.ys[path.length - 1]! });
      observationFromScan(
        {
          ranges: scan.ranges,
          geometry: { angleMin: scan.angle_min, angleIncrement: scan.angle_increment, rangeMin: scan.range_min, rangeMax: scan.range_max },
          laserYaw: options.laserYaw,
          goal,
          velocity: { linear: odom.twist.twist.linear.x, angular: odom.twist.twist.angular.z },
          plan: { path, pose },
        },
        spec,
        obs,
      );
      current.distances.push(goal.distance);
      buffer.push(obs, 0, label.linear.x, label.angular.z, 0, false, firstEpisodeIndex + episodes.length);
      if (labelledByExpert) expertLabels++;
    }
  }
  close(hasEvents ? "aborted" : "unknown", goalDistance());
  return { episodes, expertLabels, reverseSkipped };
}

/** One bag's episodes, and how many of their transitions the expert topic labelled. */
export interface AlignedBag {
  episodes: EpisodeRecord[];
  expertLabels: number;
  /** Transitions left out because their label reverses (a recovery's back-up). */
  reverseSkipped: number;
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
  const spec: ObservationSpec = { lidarBeams: o.lidarBeams, maxRange: o.maxRange, layout: o.layout, lookaheadM: o.lookaheadM };
  const buffer = new TransitionBuffer(observationSize(spec));
  const episodes: EpisodeRecord[] = [];
  const sources: Array<{ name: string; sha256: string }> = [];
  let expertLabels = 0;
  let reverseSkipped = 0;
  const topics = Object.values(o.topics).filter((x) => x !== "");
  for (const bag of bags) {
    const reader = await openBag(bag, { decode: true });
    const messages = (await reader.readAll({ topics })).map((m) => ({ topic: m.topic, timeNs: m.logTimeNs, message: m.decoded }));
    const name = basename(resolve(bag));
    const aligned = alignMessages(messages, name, o, buffer, episodes.length);
    episodes.push(...aligned.episodes);
    expertLabels += aligned.expertLabels;
    reverseSkipped += aligned.reverseSkipped;
    sources.push({ name, sha256: bagContentHash(bag) });
  }
  if (buffer.count === 0) throw new Error(`no transitions in ${bags.join(", ")}: need /cmd_vel with ${o.topics.scan}, ${o.topics.odom} and ${o.topics.plan} before it, inside episodes`);
  const { topics: _t, rewards, ...rest } = o;
  void _t;
  return finalizeDataset(buffer.arrays(), episodes, spec, {
    valFraction: o.valFraction,
    splitSeed: o.splitSeed,
    origin: "bags",
    sources,
    params: { ...rest, topics: o.topics, rewards, expert_labels: expertLabels, reverse_skipped: reverseSkipped },
  });
}
