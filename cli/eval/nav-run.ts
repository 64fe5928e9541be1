/**
 * Runs navigation episodes through the real stack — sim, planner, controller on the embedded
 * bus, the sim as fast as the CPU allows — and measures each: reached or not, collisions, sim
 * time to the goal, and the length driven against the optimal grid path.
 *
 * With `recordDir`, the recorder node runs beside the stack and records the episode into a
 * rosbag2 MCAP bag (<recordDir>/<world>-<index>-s<seed>) with kestrel_msgs/EpisodeEvent START (when
 * the goal is sent) and END (with the outcome: success, collision, timeout, no_path) on
 * /episode/events: the stack-recorded episodes `kestrel train --bags` learns from.
 */
import { join } from "node:path";
import { kestrel_msgs } from "../../msgs/generated/types";
import { ComponentContainer, type LoadedNode } from "../../ros/container";
import { Logger, type LogRecord } from "../../ros/logger";
import { RosNode } from "../../ros/node";
import { packageShareDir } from "../../ros/package-share";
import { quaternionFromYaw } from "../../ros/tf/math";
import { timeToSeconds } from "../../ros/time";
import { LocalTransport } from "../../ros/transport/local/backend";
import { NODE_DEFINITIONS } from "../../nodes/registry";
import type { RecorderInstance } from "../../nodes/recorder/node";
import type { NavEpisode } from "./nav-episodes";

/** What the recorder keeps: what a dataset needs (nodes/learner/dataset/from-bags.ts) and the outcome's evidence. */
export const RECORDED_TOPICS = ["/scan", "/odom", "/plan", "/cmd_vel", "/cmd_vel_expert", "/tf", "/tf_static", "/goal_pose", "/contact", "/planner/status"];

/** The EpisodeEvent outcome of an evaluation outcome (from-bags rewards "success" and "collision"). */
export function episodeOutcome(outcome: EpisodeResult["outcome"]): string {
  return outcome === "reached" ? "success" : outcome;
}

export type EpisodeResult = {
  episode: NavEpisode;
  outcome: "reached" | "no_path" | "collision" | "timeout" | "failed_to_start";
  detail: string;
  /** Sim seconds from sending the goal to the outcome. */
  timeS: number;
  drivenM: number;
  collisions: number;
};

export interface RunOptions {
  /** World name or path, as the sim's `world` parameter takes it. */
  world: string;
  seed: number;
  /** Sim seconds allowed per metre of optimal path, plus a fixed margin. */
  timeoutPerMeterS: number;
  timeoutMarginS: number;
  /** Log lines from the stack (quiet by default). */
  logSink?: (record: LogRecord) => void;
  /** Record the episode as a bag in this directory (see the file comment). */
  recordDir?: string;
  /** Run the controller in mode 'policy' on the policy store at this directory (evalNavCommand's --policy). */
  policyStore?: string;
}

const GOAL_DELAY_S = 1.0;

export async function runEpisode(episode: NavEpisode, options: RunOptions): Promise<EpisodeResult> {
  const logSink = options.logSink ?? (() => undefined);
  const transport = new LocalTransport({ logSink });
  const container = new ComponentContainer({ transport, registry: NODE_DEFINITIONS, logger: new Logger({ name: "eval", sink: logSink }) });
  const nav = join(packageShareDir(), "config", "nav.yaml");
  const { start, goal } = episode;
  const loads: LoadedNode[] = await Promise.all([
    container.load({
      exec: "sim",
      rosArgs: [
        "-p", `world:=${options.world}`,
        "-p", "real_time_factor:=0.0",
        "-p", "camera_rate_hz:=0.0",
        "-p", `seed:=${options.seed + episode.index}`,
        "-p", `spawn_pose:=[${start.x}, ${start.y}, ${start.yaw}]`,
      ],
    }),
    container.load({ exec: "planner", rosArgs: ["--params-file", nav] }),
    container.load({ exec: "controller", rosArgs: ["--params-file", nav, ...(options.policyStore ? ["-p", "mode:=policy", "-p", `policy_dir:=${options.policyStore}`] : [])] }),
  ]);
  const bagName = `${options.world.replace(/[^A-Za-z0-9_-]/g, "_")}-${episode.index}-s${options.seed}`;
  if (options.recordDir) {
    loads.push(
      await container.load({
        exec: "recorder",
        rosArgs: ["-p", "use_sim_time:=true", "-p", `output_dir:=${options.recordDir}`, "-p", `bag_name:=${bagName}`, "-p", `topics:=[${RECORDED_TOPICS.map((t) => `'${t}'`).join(", ")}]`],
      }),
    );
  }
  const recorderLoad = loads[3];
  const recorder = recorderLoad && recorderLoad.status === "running" ? (recorderLoad.instance as RecorderInstance) : undefined;
  const episodeId = `${bagName}`;
  const failed = loads.find((l) => l.status === "failed");
  if (failed && failed.status === "failed") {
    await container.shutdown();
    return { episode, outcome: "failed_to_start", detail: failed.reason, timeS: 0, drivenM: 0, collisions: 0 };
  }
  const probe = new RosNode(transport.createNode({ name: "eval_probe", namespace: "", rosArgs: ["-p", "use_sim_time:=true"] }));
  const timeoutS = GOAL_DELAY_S + options.timeoutMarginS + options.timeoutPerMeterS * episode.optimalLengthM;
  const result = await new Promise<EpisodeResult>((resolve) => {
    let sentAtS: number | undefined;
    let drivenM = 0;
    let last: { x: number; y: number } | undefined;
    let collisions = 0;
    let finished = false;
    const finish = (outcome: EpisodeResult["outcome"], detail: string, nowS: number): void => {
      if (finished) return;
      finished = true;
      if (recorder && sentAtS !== undefined) recorder.markEpisode({ event: "end", episodeId, outcome: episodeOutcome(outcome) });
      resolve({ episode, outcome, detail, timeS: nowS - (sentAtS ?? nowS), drivenM, collisions });
    };
    const goalPub = probe.createPublisher("geometry_msgs/msg/PoseStamped", "/goal_pose");
    probe.subscribe("nav_msgs/msg/Odometry", "/odom", "qos_profile_sensor_data").subscribe((o) => {
      const p = o.pose.pose.position;
      if (last) drivenM += Math.hypot(p.x - last.x, p.y - last.y);
      last = { x: p.x, y: p.y };
    });
    probe.subscribe("kestrel_msgs/msg/Contact", "/contact").subscribe((c) => {
      if (c.in_contact) {
        collisions++;
        finish("collision", `hit '${c.other}'`, timeToSeconds(c.header.stamp));
      }
    });
    probe.subscribe("kestrel_msgs/msg/PlannerStatus", "/planner/status", { depth: 10 }).subscribe((s) => {
      const t = timeToSeconds(s.header.stamp);
      if (sentAtS === undefined || t < sentAtS) return;
      if (s.status === kestrel_msgs.msg.PlannerStatus.REACHED) finish("reached", s.message, t);
      if (s.status === kestrel_msgs.msg.PlannerStatus.NO_PATH) finish("no_path", s.message, t);
    });
    probe.subscribe("rosgraph_msgs/msg/Clock", "/clock").subscribe((c) => {
      const t = timeToSeconds(c.clock);
      if (sentAtS === undefined && t >= GOAL_DELAY_S) {
        sentAtS = t;
        recorder?.discover();
        recorder?.markEpisode({ event: "start", episodeId });
        goalPub.publish({
          header: { stamp: c.clock, frame_id: "map" },
          pose: { position: { x: goal.x, y: goal.y, z: 0 }, orientation: quaternionFromYaw(goal.yaw) },
        });
      }
      if (t > timeoutS) finish("timeout", `not reached within ${timeoutS.toFixed(0)} s of sim time`, t);
    });
  });
  probe.destroy();
  await container.shutdown();
  return result;
}

export interface NavSummary {
  episodes: number;
  successRate: number;
  collisions: number;
  meanTimeS: number;
  /** Mean driven / optimal length over the successful episodes. */
  meanLengthRatio: number;
}

export function summarise(results: readonly EpisodeResult[]): NavSummary {
  const ok = results.filter((r) => r.outcome === "reached");
  const mean = (xs: number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    episodes: results.length,
    successRate: results.length === 0 ? 0 : ok.length / results.length,
    collisions: results.reduce((n, r) => n + r.collisions, 0),
    meanTimeS: mean(ok.map((r) => r.timeS)),
    meanLengthRatio: mean(ok.map((r) => r.drivenM / r.episode.optimalLengthM)),
  };
}
