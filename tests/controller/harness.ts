/**
 * Drives the controller node on the embedded bus with sim time: the test owns /clock, /odom,
 * /scan and /plan, and records /cmd_vel and /safety/status. Time advances in control periods,
 * so timers fire deterministically.
 */
import type { geometry_msgs, kestrel_msgs, nav_msgs, sensor_msgs } from "../../msgs/generated/types";
import type { NodeDefinition, NodeInstance } from "../../ros/definition";
import type { Publisher, RosNode } from "../../ros/node";
import type { NodeParameters } from "../../ros/parameters/declare";
import { quaternionFromYaw } from "../../ros/tf/math";
import { controllerNode } from "../../nodes/controller/node";
import type { ControllerParams } from "../../nodes/controller/params";
import type { ControllerMode, ModeContext, ModeOutput } from "../../nodes/controller/mode";
import type { Velocity2D } from "../../nodes/controller/types";
import { localStack, type LocalStack } from "../support/local-stack";

/** Laser geometry of the fixtures: 360 rays from 0 rad, TurtleBot3 LDS limits. */
export const RAYS = 360;
export const INC = (2 * Math.PI) / RAYS;

/** A LaserScan in the `laser` frame with every ray empty (Infinity) except `hits` (ray index → range, m). */
export function scanMessage(hits: Record<number, number> = {}, rays = RAYS): sensor_msgs.msg.LaserScan {
  const ranges = new Float32Array(rays).fill(Infinity);
  for (const [i, r] of Object.entries(hits)) ranges[Number(i)] = r;
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "laser" },
    angle_min: 0, // first ray straight ahead
    angle_max: (RAYS - 1) * INC, // last ray one increment short of a full turn
    angle_increment: INC,
    time_increment: 0,
    scan_time: 0.2, // 5 Hz, as the simulated LDS
    range_min: 0.12,
    range_max: 3.5,
    ranges,
    intensities: new Float32Array(0),
  };
}

/** The laser range (and ray) that puts an obstacle `d` metres straight ahead of base_link, with the default mount x = -0.032. */
export function rangeAhead(d: number): number {
  return d + 0.032;
}

export function odomMessage(x = 0, y = 0, theta = 0, linear = 0, angular = 0): nav_msgs.msg.Odometry {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "odom" },
    child_frame_id: "base_link",
    pose: { pose: { position: { x, y, z: 0 }, orientation: quaternionFromYaw(theta) }, covariance: new Float64Array(36) },
    twist: { twist: { linear: { x: linear, y: 0, z: 0 }, angular: { x: 0, y: 0, z: angular } }, covariance: new Float64Array(36) },
  };
}

/** A nav_msgs/Path in odom through the given (x, y) points, headings along the path. */
export function pathMessage(points: ReadonlyArray<readonly [number, number]>): nav_msgs.msg.Path {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "odom" },
    poses: points.map(([x, y], i) => {
      const [nx, ny] = points[Math.min(i + 1, points.length - 1)]!;
      const [px, py] = points[Math.max(i - 1, 0)]!;
      const yaw = i + 1 < points.length ? Math.atan2(ny - y, nx - x) : Math.atan2(y - py, x - px);
      return { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "odom" }, pose: { position: { x, y, z: 0 }, orientation: quaternionFromYaw(yaw) } };
    }),
  };
}

/** A controller mode that commands whatever the test sets: for safety triggers independent of pursuit. */
export class ConstantMode implements ControllerMode<ModeContext> {
  readonly name = "constant";
  static cmd: Velocity2D = { linear: 0, angular: 0 };
  static active = true;
  setPath(): void {}
  configure(): void {}
  compute(): ModeOutput {
    return { cmd: ConstantMode.cmd, active: ConstantMode.active, state: "constant" };
  }
}

export interface Harness {
  stack: LocalStack;
  node: RosNode;
  params: NodeParameters<ControllerParams>;
  instance: NodeInstance;
  cmds: Array<{ linear: number; angular: number; t: number }>;
  stamped: geometry_msgs.msg.TwistStamped[];
  statuses: kestrel_msgs.msg.SafetyStatus[];
  scanPub: Publisher<sensor_msgs.msg.LaserScan>;
  odomPub: Publisher<nav_msgs.msg.Odometry>;
  planPub: Publisher<nav_msgs.msg.Path>;
  /** What the test publishes every period while advancing (set to undefined to go silent). */
  feed: { scan: sensor_msgs.msg.LaserScan | undefined; odom: nav_msgs.msg.Odometry | undefined };
  /** Advances sim time by `seconds` in control periods (50 ms), feeding /odom and /scan each period. */
  advance(seconds: number): Promise<void>;
  /** Sim time (s). */
  now(): number;
  errors(): string[];
  warnings(): string[];
}

export async function startController(
  rosArgs: string[] = [],
  definition: NodeDefinition<ControllerParams> = controllerNode,
): Promise<Harness> {
  const stack = localStack();
  const sim = stack.node("test_sim");
  const clock = sim.createPublisher("rosgraph_msgs/msg/Clock", "/clock");
  const scanPub = sim.createPublisher("sensor_msgs/msg/LaserScan", "/scan");
  const odomPub = sim.createPublisher("nav_msgs/msg/Odometry", "/odom");
  const planPub = sim.createPublisher("nav_msgs/msg/Path", "/plan");
  const node = stack.node("controller", ["-p", "use_sim_time:=true", ...rosArgs]);
  const params = node.declareParameters<ControllerParams>(definition.parameters);
  let simNs = 1_000_000_000n; // start at t = 1 s
  clock.publish({ clock: { sec: 1, nanosec: 0 } });
  await stack.flush();
  const h: Harness = {
    stack,
    node,
    params,
    instance: await definition.start(node, params),
    cmds: [],
    stamped: [],
    statuses: [],
    scanPub,
    odomPub,
    planPub,
    feed: { scan: scanMessage(), odom: odomMessage() },
    async advance(seconds: number) {
      const steps = Math.round(seconds / 0.05);
      for (let i = 0; i < steps; i++) {
        if (h.feed.odom) odomPub.publish(h.feed.odom);
        if (h.feed.scan) scanPub.publish(h.feed.scan);
        await stack.flush();
        simNs += 50_000_000n;
        clock.publish({ clock: { sec: Number(simNs / 1_000_000_000n), nanosec: Number(simNs % 1_000_000_000n) } });
        await stack.flush();
      }
    },
    now: () => Number(simNs) / 1e9,
    errors: () => stack.logs.filter((l) => l.level === "ERROR" && l.logger === "controller").map((l) => l.message),
    warnings: () => stack.logs.filter((l) => l.level === "WARN" && l.logger === "controller").map((l) => l.message),
  };
  if (params.values.enable_stamped_cmd_vel) {
    sim.subscribe("geometry_msgs/msg/TwistStamped", "/cmd_vel").subscribe((m) => {
      h.stamped.push(m);
      h.cmds.push({ linear: m.twist.linear.x, angular: m.twist.angular.z, t: h.now() });
    });
  } else {
    sim.subscribe("geometry_msgs/msg/Twist", "/cmd_vel").subscribe((m) => h.cmds.push({ linear: m.linear.x, angular: m.angular.z, t: h.now() }));
  }
  sim.subscribe("kestrel_msgs/msg/SafetyStatus", "/safety/status").subscribe((m) => h.statuses.push(m));
  return h;
}
