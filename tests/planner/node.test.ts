/**
 * The planner node on the embedded bus: a test node plays robot (publishes /odom, /tf, /scan)
 * and user (/goal_pose) and watches /plan and /planner/status.
 */
import { kestrel_msgs, type geometry_msgs, type nav_msgs, type sensor_msgs } from "../../msgs/generated/types";
import { quaternionFromYaw } from "../../ros/tf/math";
import { plannerNode } from "../../nodes/planner/node";
import type { PlannerParams } from "../../nodes/planner/params";
import { localStack, type LocalStack } from "../support/local-stack";

const STATUS = kestrel_msgs.msg.PlannerStatus;
const stamp = { sec: 0, nanosec: 0 };

/** A 10 m × 10 m costmap at 0.1 m centred on the odom origin, updated at 50 Hz; replanning by timer effectively off. */
const PARAMS = ["width_m:=10.0", "height_m:=10.0", "origin_x_m:=-5.0", "origin_y_m:=-5.0", "resolution_m:=0.1", "update_rate_hz:=50.0", "replan_rate_hz:=0.1", "publish_rate_hz:=0.1"];

function odomAt(x: number, y: number): nav_msgs.msg.Odometry {
  return {
    header: { stamp, frame_id: "odom" },
    child_frame_id: "base_link",
    pose: { pose: { position: { x, y, z: 0 }, orientation: quaternionFromYaw(0) }, covariance: new Float64Array(36) },
    twist: { twist: { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } }, covariance: new Float64Array(36) },
  };
}

function goalAt(x: number, y: number, frame = "odom"): geometry_msgs.msg.PoseStamped {
  return { header: { stamp, frame_id: frame }, pose: { position: { x, y, z: 0 }, orientation: quaternionFromYaw(0) } };
}

/** A 360-ray scan in base_link of a wall at x = wallX spanning |y| ≤ halfWidth (other rays see nothing). */
function wallScan(wallX: number, halfWidth: number, count = 360): sensor_msgs.msg.LaserScan {
  const inc = (2 * Math.PI) / count;
  const ranges = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const a = i * inc;
    const c = Math.cos(a);
    ranges[i] = c > 0 && Math.abs(wallX * Math.tan(a)) <= halfWidth ? wallX / c : Infinity;
  }
  return {
    header: { stamp, frame_id: "base_link" },
    angle_min: 0,
    angle_max: inc * (count - 1),
    angle_increment: inc,
    time_increment: 0,
    scan_time: 0.1,
    range_min: 0.05,
    range_max: 8,
    ranges,
    intensities: new Float32Array(0),
  };
}

async function until(stack: LocalStack, what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    await stack.flush();
    if (cond()) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup(extra: string[] = []) {
  const stack = localStack();
  const node = stack.node("planner", [...PARAMS, ...extra].flatMap((p) => ["-p", p]));
  const instance = await plannerNode.start(node, node.declareParameters<PlannerParams>(plannerNode.parameters));
  const robot = stack.node("robot");
  const pubs = {
    odom: robot.createPublisher("nav_msgs/msg/Odometry", "/odom"),
    scan: robot.createPublisher("sensor_msgs/msg/LaserScan", "/scan"),
    goal: robot.createPublisher("geometry_msgs/msg/PoseStamped", "/goal_pose"),
    tf: robot.createPublisher("tf2_msgs/msg/TFMessage", "/tf"),
  };
  const plans: nav_msgs.msg.Path[] = [];
  const statuses: kestrel_msgs.msg.PlannerStatus[] = [];
  robot.subscribe("nav_msgs/msg/Path", "/plan", { durability: "transient_local" }).subscribe((m) => plans.push(m));
  robot.subscribe("kestrel_msgs/msg/PlannerStatus", "/planner/status", { durability: "transient_local", depth: 10 }).subscribe((m) => statuses.push(m));
  const costmaps: nav_msgs.msg.OccupancyGrid[] = [];
  robot.subscribe("nav_msgs/msg/OccupancyGrid", "/costmap", { durability: "transient_local" }).subscribe((m) => costmaps.push(m));
  // odom → base_link at the origin, as the odometry source broadcasts it.
  pubs.tf.publish({ transforms: [{ header: { stamp, frame_id: "odom" }, child_frame_id: "base_link", transform: { translation: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } } }] });
  pubs.odom.publish(odomAt(0, 0));
  await stack.flush();
  return { stack, instance, pubs, plans, statuses, costmaps };
}

const maxAbsY = (p: nav_msgs.msg.Path): number => Math.max(...p.poses.map((q) => Math.abs(q.pose.position.y)));

describe("plannerNode", () => {
  it("plans to a goal, then replans around a wall that blocks the path", async () => {
    const { stack, pubs, plans, statuses } = await setup();
    pubs.goal.publish(goalAt(3, 0));
    await until(stack, "a first plan", () => plans.some((p) => p.poses.length > 0));
    const first = plans[plans.length - 1]!;
    expect(first.header.frame_id).toBe("odom");
    expect(maxAbsY(first)).toBeLessThan(0.2); // straight through unknown space
    expect(first.poses[first.poses.length - 1]!.pose.position).toMatchObject({ x: 3, y: 0 });
    expect(statuses[statuses.length - 1]!.status).toBe(STATUS.FOLLOWING);

    const count = plans.length;
    pubs.scan.publish(wallScan(1.5, 1.0));
    await until(stack, "a replan after the wall appeared", () => plans.length > count);
    const second = plans[plans.length - 1]!;
    expect(maxAbsY(second)).toBeGreaterThan(1.0); // around the wall's end
    expect(statuses[statuses.length - 1]!.message).toContain("path blocked");
  });

  it("reports NO_PATH naming GoalOutOfMap for a goal outside the costmap, and GoalOccupied for one in a wall", async () => {
    const { stack, pubs, statuses } = await setup();
    pubs.goal.publish(goalAt(20, 0));
    await until(stack, "a NO_PATH status", () => statuses.some((s) => s.status === STATUS.NO_PATH));
    expect(statuses.find((s) => s.status === STATUS.NO_PATH)!.message).toMatch(/^GoalOutOfMap: goal \(20\.00, 0\.00\)/);

    pubs.scan.publish(wallScan(1.5, 1.0));
    await new Promise((r) => setTimeout(r, 60));
    statuses.length = 0;
    pubs.goal.publish(goalAt(1.55, 0));
    await until(stack, "a NO_PATH status", () => statuses.some((s) => s.status === STATUS.NO_PATH));
    expect(statuses.find((s) => s.status === STATUS.NO_PATH)!.message).toMatch(/^GoalOccupied/);
  });

  it("reports REACHED when the robot is within goal_tolerance_m", async () => {
    const { stack, pubs, statuses } = await setup();
    pubs.goal.publish(goalAt(1, 0));
    await until(stack, "FOLLOWING", () => statuses.some((s) => s.status === STATUS.FOLLOWING));
    pubs.odom.publish(odomAt(0.9, 0.05));
    await until(stack, "REACHED", () => statuses.some((s) => s.status === STATUS.REACHED));
  });

  it("publishes the costmap reliable + transient-local with Nav2's value mapping", async () => {
    const { stack, pubs, costmaps } = await setup(["publish_rate_hz:=20.0"]);
    pubs.scan.publish(wallScan(1.5, 1.0));
    await until(stack, "a costmap with the wall", () => costmaps.some((m) => m.data.includes(100)));
    const m = costmaps[costmaps.length - 1]!;
    expect(m.info).toMatchObject({ width: 100, height: 100, resolution: 0.1 });
    const at = (x: number, y: number): number => m.data[Math.floor((y + 5) / 0.1) * 100 + Math.floor((x + 5) / 0.1)]!;
    expect(at(1.55, 0.05)).toBe(100);
    expect(at(1.45, 0.05)).toBe(99);
    expect(at(0.55, 0.05)).toBe(0);
    expect(at(-4.5, -4.5)).toBe(-1);
  });

  it.each([
    // [case, topic, what to publish, words the error must contain]
    ["NaN in a goal pose", "goal", () => goalAt(NaN, 0), ["/goal_pose", "pose.position.x", "NaN"]],
    ["a scan whose ranges disagree with its angles", "scan", () => ({ ...wallScan(1.5, 1), ranges: new Float32Array(10) }), ["/scan", "ranges", "10"]],
    ["Infinity in odometry", "odom", () => odomAt(Infinity, 0), ["/odom", "pose.pose.position.x"]],
  ] as const)("logs an error naming topic and field for %s and keeps running", async (_case, topic, make, words) => {
    const { stack, pubs, plans } = await setup();
    (pubs[topic] as { publish(m: unknown): void }).publish(make());
    await stack.flush();
    const errors = stack.logs.filter((r) => r.level === "ERROR");
    expect(errors.length).toBeGreaterThan(0);
    for (const w of words) expect(errors[0]!.message).toContain(w);
    pubs.goal.publish(goalAt(2, 1));
    await until(stack, "a plan after the bad message", () => plans.some((p) => p.poses.length > 0));
  });
});
