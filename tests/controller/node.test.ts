/**
 * The controller node on the embedded bus with sim time: every safety trigger, the output type,
 * malformed input, mode switching and the idle behaviour, observed on /cmd_vel and /safety/status.
 */
import { kestrel_msgs } from "../../msgs/generated/types";
import { createControllerNode } from "../../nodes/controller/node";
import { DEFAULT_MODES } from "../../nodes/controller/mode";
import { ConstantMode, odomMessage, pathMessage, rangeAhead, scanMessage, startController } from "./harness";

const { OK, SLOWDOWN, STOP } = kestrel_msgs.msg.SafetyStatus;
/** The node with pursuit plus a test mode that commands ConstantMode.cmd. */
const withConstant = createControllerNode({ modes: { ...DEFAULT_MODES, constant: () => new ConstantMode() } });
const lastCmd = (cmds: Array<{ linear: number; angular: number }>) => cmds[cmds.length - 1]!;
const lastStatus = <T>(s: T[]): T => s[s.length - 1]!;

beforeEach(() => {
  ConstantMode.cmd = { linear: 0.2, angular: 0 };
  ConstantMode.active = true;
});

describe("controller node: pursuit", () => {
  it("drives along /plan, publishing geometry_msgs/Twist at controller_frequency_hz, with status OK", async () => {
    const h = await startController();
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(h.cmds.length).toBe(20); // 20 Hz for 1 s
    expect(h.cmds[0]!.linear).toBeCloseTo(0.125, 6); // first cycle: accel-limited, 2.5 m/s² * 0.05 s
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6); // desired_linear_vel
    expect(lastCmd(h.cmds).angular).toBeCloseTo(0, 6);
    expect(lastStatus(h.statuses)).toMatchObject({ state: OK, speed_scale: 1, reason: "", source: "" });
  });

  it("with no path publishes zero once and then stays quiet (as Nav2's controller server)", async () => {
    const h = await startController();
    await h.advance(1.0);
    expect(h.cmds).toEqual([{ linear: 0, angular: 0, t: expect.any(Number) }]);
  });

  it("ramps down within the deceleration limit when the goal is reached, publishes the zero, then goes quiet", async () => {
    const h = await startController();
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6);
    h.feed.odom = odomMessage(2.0, 0.0, 0.0, 0.2, 0); // teleport onto the goal: position and heading within tolerance
    const before = h.cmds.length;
    await h.advance(1.0);
    const after = h.cmds.slice(before).map((c) => c.linear);
    expect(after).toEqual([expect.closeTo(0.075, 6), 0]); // 0.2 - 0.125, then 0; nothing after
  });

  it("rotates in place toward the path when it starts behind the robot", async () => {
    const h = await startController();
    h.planPub.publish(pathMessage([[0, 0], [0, 1], [0, 2]])); // path heads +y, robot faces +x: 90° off
    await h.advance(0.5);
    const c = lastCmd(h.cmds);
    expect(c.linear).toBe(0);
    expect(c.angular).toBeGreaterThan(0); // turning left, toward +y
  });
});

describe("controller node: safety triggers", () => {
  it("stops at once for an obstacle in the stop zone, and reports it once per transition", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6);
    h.feed.scan = scanMessage({ 0: rangeAhead(0.13) }); // 0.13 m ahead: inside 0.105 + 0.05
    await h.advance(0.5);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    const stops = h.statuses.filter((s) => s.state === STOP);
    expect(stops[0]).toMatchObject({ source: "scan", speed_scale: 0 });
    expect(stops[0]!.reason).toMatch(/obstacle at 0\.130 m, inside the stop zone \(0\.155 m\)/);
    expect(h.warnings().filter((w) => w.startsWith("safety: STOP (scan)"))).toHaveLength(1);
  });

  it("scales the command by slowdown_scale for an obstacle in the slow-down zone", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    h.feed.scan = scanMessage({ 0: rangeAhead(0.3) }); // 0.30 m: outside 0.155, inside 0.355
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.1, 6); // 0.2 * 0.5
    expect(lastStatus(h.statuses)).toMatchObject({ state: SLOWDOWN, source: "scan", speed_scale: 0.5 });
  });

  it("stops (turning in place only) for a collision predicted along the commanded arc, not for the same obstacle off a straight course", async () => {
    // Ray 20° at 0.40 m from the laser: (0.344, 0.137) in base_link, 0.370 m away (outside both zones),
    // and on the circle of radius 0.5 m that v = 0.2, w = 0.4 drives: 0.38 m of arc away, so the
    // 0.105 m footprint touches it after about (0.38 - 0.105) / 0.2 = 1.4 s, within the 2 s horizon.
    const h = await startController(["-p", "mode:=constant", "-p", "collision_horizon_s:=2.0"], withConstant);
    h.feed.scan = scanMessage({ 20: 0.4 });
    ConstantMode.cmd = { linear: 0.2, angular: 0 };
    await h.advance(0.5);
    expect(lastStatus(h.statuses).state).toBe(OK);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6);
    ConstantMode.cmd = { linear: 0.2, angular: 0.4 };
    await h.advance(0.5);
    // Stopped, turning in place (a round footprint sweeps nothing new) until the arc is clear.
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0.4 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "collision_check" });
    expect(lastStatus(h.statuses).reason).toMatch(/^predicted collision in 1\.4\d s/);
  });

  it("stops when /scan goes stale for scan_timeout_s, and resumes when it returns", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.5);
    h.feed.scan = undefined;
    await h.advance(0.9);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6); // 0.9 s < 1.0 s: still fresh
    await h.advance(0.2);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "scan", reason: "/scan stale: nothing for 1 s (scan_timeout_s)" });
    h.feed.scan = scanMessage();
    await h.advance(0.2);
    expect(lastStatus(h.statuses).state).toBe(OK);
    expect(lastCmd(h.cmds).linear).toBeGreaterThan(0);
  });

  it("stops when /odom goes stale for odom_timeout_s", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.5);
    h.feed.odom = undefined;
    await h.advance(0.4);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6);
    await h.advance(0.2);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "odom", reason: "/odom stale: nothing for 0.5 s (odom_timeout_s)" });
  });

  it("holds still until /scan and /odom have arrived", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    h.feed.scan = undefined;
    await h.advance(0.3);
    expect(h.cmds.every((c) => c.linear === 0 && c.angular === 0)).toBe(true);
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "scan", reason: "no /scan received yet" });
  });

  it.each([
    ["NaN linear", { linear: Number.NaN, angular: 0 }],
    ["Inf angular", { linear: 0.1, angular: Number.POSITIVE_INFINITY }],
  ])("stops on a non-finite command from the mode (%s)", async (_label, cmd) => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.3);
    ConstantMode.cmd = cmd;
    await h.advance(0.1);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "cmd_nan" });
  });
});

describe("controller node: output and modes", () => {
  it("publishes geometry_msgs/TwistStamped stamped with sim time in base_link when enable_stamped_cmd_vel is true", async () => {
    const h = await startController(["-p", "enable_stamped_cmd_vel:=true", "-p", "mode:=constant"], withConstant);
    await h.advance(0.2);
    const m = lastStatus(h.stamped);
    expect(m.header.frame_id).toBe("base_link");
    expect(m.header.stamp).toEqual({ sec: 1, nanosec: 200_000_000 });
    expect(m.twist.linear.x).toBeGreaterThan(0);
  });

  it("switches mode at run time through the mode parameter", async () => {
    const h = await startController([], withConstant);
    await h.advance(0.2); // pursuit, no path: one zero
    expect(h.cmds).toHaveLength(1);
    expect(h.params.set({ mode: "constant" })).toEqual({ successful: true, reason: "" });
    await h.advance(0.2);
    expect(lastCmd(h.cmds).linear).toBeGreaterThan(0);
    expect(h.params.set({ mode: "teleop" }).successful).toBe(false); // not a mode this node was built with
  });

  it("warns at start when one parameter contradicts another, naming both values", async () => {
    const h = await startController(["-p", "desired_linear_vel:=0.5"]);
    expect(h.warnings()).toContainEqual(expect.stringContaining("desired_linear_vel 0.5 exceeds max_linear_vel 0.22"));
  });
});

describe("controller node: malformed input", () => {
  it("logs a NaN odometry pose naming topic and field, stops, keeps running, and recovers", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.3);
    h.feed.odom = odomMessage(Number.NaN, 0, 0);
    await h.advance(0.5);
    expect(h.errors()).toEqual([expect.stringMatching(/^\/odom: rejected a malformed nav_msgs\/Odometry: field 'pose\.pose\.position\.x' is NaN/)]);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "odom" });
    h.feed.odom = odomMessage();
    await h.advance(0.2);
    expect(lastStatus(h.statuses).state).toBe(OK);
    expect(lastCmd(h.cmds).linear).toBeGreaterThan(0);
  });

  it("logs a LaserScan whose ranges do not match its angles, naming topic and field, and stays stopped", async () => {
    const h = await startController(["-p", "mode:=constant"], withConstant);
    await h.advance(0.3);
    h.feed.scan = scanMessage({}, 300); // 300 ranges where the angles give 360
    await h.advance(0.5);
    expect(h.errors()).toEqual([expect.stringMatching(/^\/scan: rejected a malformed sensor_msgs\/LaserScan: field 'ranges' has 300 entries but .* give 360/)]);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(lastStatus(h.statuses)).toMatchObject({ state: STOP, source: "scan" });
  });

  it("logs a path with a NaN pose naming the field, and publishes zero", async () => {
    const h = await startController();
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(0.3);
    const bad = pathMessage([[0, 0], [1, 0], [2, 0]]);
    bad.poses[1]!.pose.position.y = Number.POSITIVE_INFINITY;
    h.planPub.publish(bad);
    await h.advance(0.2);
    expect(h.errors()).toEqual([expect.stringMatching(/^\/plan: rejected .*field 'poses\[1\]\.pose\.position\.y' is Infinity/)]);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
  });
});
