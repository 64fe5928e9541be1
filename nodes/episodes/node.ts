/**
 * The episodes node (executable "episodes"): the online learning loop's source of episodes. It
 * draws seeded random goals among the world's goal regions, sends each on /goal_pose (as RViz's
 * "2D Goal Pose" does), and brackets each drive with kestrel_msgs/EpisodeEvent START and END on
 * /episode/events, END carrying the outcome and the return (core.ts), so the recorder's bag holds
 * its own episode boundaries and a learner can count finished episodes.
 *
 * Inputs: /odom (the robot's position, moved into the goal frame through tf: map -> odom is
 * latched by the sim or a localiser), /planner/status (REACHED, NO_PATH), /contact (collisions).
 */
import { poseProblem } from "../../msgs/checks";
import type { Subscription } from "rxjs";
import { kestrel_msgs } from "../../msgs/generated/types";
import { defineNode } from "../../ros/definition";
import { quaternionFromYaw, transformPoint } from "../../ros/tf/math";
import { TfBuffer } from "../../ros/tf/buffer";
import { timeToSeconds } from "../../ros/time";
import { DEFAULT_VEC_ENV_CONFIG } from "../../sim/env/vec-env";
import { loadWorldFile } from "../../sim/world/files";
import { EPISODE_TOPIC } from "../recorder/node";
import { EpisodeSequencer, outcomeCounts, type EpisodeAction, type EpisodeGoal } from "./core";

/** The recorder always records it: one name for every producer and consumer. */
export const EPISODE_EVENTS_TOPIC = EPISODE_TOPIC;

export interface EpisodesParameters extends Record<string, unknown> {
  world: string;
  goals: number[];
  frame_id: string;
  seed: number;
  min_goal_distance_m: number;
  episode_timeout_s: number;
  settle_s: number;
  abort_backoff_max_s: number;
  start_delay_s: number;
  max_episodes: number;
  step_s: number;
  reward_progress_per_m: number;
  reward_goal: number;
  reward_collision: number;
  reward_per_step: number;
}

const R = DEFAULT_VEC_ENV_CONFIG.rewards;

/** Candidate goals: the `goals` parameter (x, y pairs) or else the world's goal regions. */
export function candidateGoals(p: Pick<EpisodesParameters, "world" | "goals">): EpisodeGoal[] {
  if (p.goals.length > 0) {
    if (p.goals.length % 2 !== 0) throw new Error(`goals: expected x, y pairs, found ${p.goals.length} numbers`);
    const out: EpisodeGoal[] = [];
    for (let i = 0; i < p.goals.length; i += 2) out.push({ name: `goal_${i / 2 + 1}`, x: p.goals[i]!, y: p.goals[i + 1]! });
    return out;
  }
  const world = loadWorldFile(p.world);
  if (world.goals.length === 0) throw new Error(`world '${p.world}' has no goal regions; give goals as x, y pairs`);
  return world.goals.map((g) => ({ name: g.name, x: g.center.x, y: g.center.y }));
}

export const episodesNode = defineNode<EpisodesParameters>({
  name: "episodes",
  description: "Runs seeded random-goal episodes: /goal_pose out, START/END kestrel_msgs/EpisodeEvent (outcome, return) on /episode/events",
  parameters: {
    type: "object",
    properties: {
      world: { type: "string", default: "office", description: "World whose goal regions are the candidate goals (shipped name or world file)", readOnly: true },
      goals: { type: "array", items: { type: "number" }, default: [], description: "Candidate goals as x, y pairs (m) in frame_id; empty = the world's goal regions", readOnly: true },
      frame_id: { type: "string", default: "map", description: "Frame of the goals", readOnly: true },
      seed: { type: "integer", default: 0, description: "Seed of the goal draws", readOnly: true },
      min_goal_distance_m: { type: "number", default: 2.0, minimum: 0, description: "Goals nearer than this to the robot are not drawn (m)" },
      episode_timeout_s: { type: "number", default: 120.0, exclusiveMinimum: 0, description: "An episode without a verdict ends as a timeout after this long (s, node clock)" },
      settle_s: { type: "number", default: 1.0, minimum: 0, description: "Pause between episodes (s, node clock)" },
      abort_backoff_max_s: { type: "number", default: 30.0, minimum: 0, description: "After consecutive aborted episodes (no path) the pause doubles up to this (s, node clock)" },
      start_delay_s: { type: "number", default: 1.0, minimum: 0, description: "Wait this long (s, node clock) before the first episode, so the planner has a costmap" },
      max_episodes: { type: "integer", default: 0, minimum: 0, description: "Episodes to run; 0 runs until stopped", readOnly: true },
      step_s: { type: "number", default: DEFAULT_VEC_ENV_CONFIG.dt, exclusiveMinimum: 0, description: "Time per VecEnv step the per-step reward is charged for (s)", readOnly: true },
      reward_progress_per_m: { type: "number", default: R.progressPerM, description: "Return per metre of progress towards the goal (1/m; VecEnv's progressPerM)", readOnly: true },
      reward_goal: { type: "number", default: R.goalReached, description: "Return added on success (VecEnv's goalReached)", readOnly: true },
      reward_collision: { type: "number", default: R.collision, description: "Return added on a collision (VecEnv's collision)", readOnly: true },
      reward_per_step: { type: "number", default: R.perStep, description: "Return added per step_s of driving (VecEnv's perStep)", readOnly: true },
    },
  },
  start(node, params) {
    const p = params.values;
    const goals = candidateGoals(p);
    const sequencer = new EpisodeSequencer({
      goals,
      seed: p.seed,
      minGoalDistanceM: p.min_goal_distance_m,
      timeoutS: p.episode_timeout_s,
      settleS: p.settle_s,
      abortBackoffMaxS: p.abort_backoff_max_s,
      maxEpisodes: p.max_episodes,
      rewards: { progressPerM: p.reward_progress_per_m, goalReached: p.reward_goal, collision: p.reward_collision, perStep: p.reward_per_step },
      stepS: p.step_s,
      codes: { reached: kestrel_msgs.msg.PlannerStatus.REACHED, noPath: kestrel_msgs.msg.PlannerStatus.NO_PATH },
    });
    const log = node.logger;
    const tf = new TfBuffer();
    const subscriptions: Subscription[] = [...tf.listen(node)];
    const goalPub = node.createPublisher("geometry_msgs/msg/PoseStamped", "/goal_pose");
    const eventPub = node.createPublisher("kestrel_msgs/msg/EpisodeEvent", EPISODE_EVENTS_TOPIC, { depth: 50 });
    const nowS = (): number => timeToSeconds(node.now());

    const act = (a: EpisodeAction | undefined): void => {
      if (!a) return;
      if (a.kind === "start") {
        log.info(`episode ${a.id}: goal '${a.goal.name}' (${a.goal.x.toFixed(2)}, ${a.goal.y.toFixed(2)}) in ${p.frame_id}, ${a.distanceM.toFixed(1)} m away`);
        goalPub.publish({
          header: { stamp: node.now(), frame_id: p.frame_id },
          pose: { position: { x: a.goal.x, y: a.goal.y, z: 0 }, orientation: quaternionFromYaw(a.yaw) },
        });
        eventPub.publish({ header: { stamp: node.now(), frame_id: "" }, event: kestrel_msgs.msg.EpisodeEvent.START, episode_id: a.id, outcome: "", return_value: 0 });
        return;
      }
      const text = `episode ${a.id} ${a.outcome} after ${a.durationS.toFixed(1)} s, return ${a.returnValue.toFixed(1)}${a.detail ? ` (${a.detail})` : ""}`;
      if (a.outcome === "success") log.info(text);
      else log.warn(text);
      eventPub.publish({ header: { stamp: node.now(), frame_id: "" }, event: kestrel_msgs.msg.EpisodeEvent.END, episode_id: a.id, outcome: a.outcome, return_value: a.returnValue });
      if (sequencer.finished) log.info(`episodes complete: ${summary()}`);
    };

    let tfWarned = false;
    let badOdometry = 0;
    subscriptions.push(
      node.subscribe("nav_msgs/msg/Odometry", "/odom", "qos_profile_sensor_data").subscribe((m) => {
        const problem = poseProblem(m.pose.pose, "pose.pose");
        if (problem) {
          // The first one and every 100th: a broken odometry source publishes at sensor rate.
          if (badOdometry++ % 100 === 0) log.warn(`rejected /odom: ${problem} (${badOdometry} rejected so far); the episode keeps its last position`);
          return;
        }
        const q = m.pose.pose.position;
        const odomFrame = m.header.frame_id.replace(/^\//, "") || "odom";
        let point = { x: q.x, y: q.y, z: 0 };
        if (odomFrame !== p.frame_id.replace(/^\//, "")) {
          try {
            point = transformPoint(tf.lookup(p.frame_id, odomFrame).transform, point);
          } catch (error) {
            if (!tfWarned) log.warn(`no transform ${p.frame_id} <- ${odomFrame} yet (${(error as Error).message}); waiting for it before the first episode`);
            tfWarned = true;
            return;
          }
        }
        sequencer.onPosition(point.x, point.y);
      }),
      node.subscribe("kestrel_msgs/msg/PlannerStatus", "/planner/status", { depth: 10 }).subscribe((s) => {
        act(sequencer.onStatus(s.status, s.message, timeToSeconds(s.header.stamp)));
      }),
      node.subscribe("kestrel_msgs/msg/Contact", "/contact", { depth: 10 }).subscribe((c) => {
        act(sequencer.onContact(c.in_contact === true, nowS(), c.other ? `touched '${c.other}'` : ""));
      }),
    );

    let startS: number | undefined;
    const timer = node.createTimer(100, () => {
      const t = nowS();
      // With use_sim_time the clock reads 0 until the first /clock arrives.
      if (t === 0) return;
      startS ??= t;
      if (t - startS < p.start_delay_s) return;
      act(sequencer.tick(t));
    });
    const summary = (): string => {
      const c = outcomeCounts(sequencer.ended);
      return `${sequencer.ended.length} episodes: ${c.success} success, ${c.collision} collision, ${c.timeout} timeout, ${c.aborted} aborted`;
    };
    log.info(`episodes: ${goals.length} candidate goals in ${p.frame_id}${p.max_episodes > 0 ? `, ${p.max_episodes} episodes` : ""}`);
    return {
      stop: () => {
        timer.cancel();
        for (const s of subscriptions) s.unsubscribe();
      },
      summary,
    };
  },
});
