/** The safety layer's cores: scan projection, zones, predicted collision, decision priority, parameter conflicts. */
import { kestrel_msgs } from "../../msgs/generated/types";
import { laserScanProblem as scanProblem } from "../../msgs/checks";
import { parameterWarnings } from "../../nodes/controller/params";
import { poseAfter, predictCollision } from "../../nodes/controller/safety/collision";
import { ScanProjector } from "../../nodes/controller/safety/scan";
import { evaluateSafety, SafetyState, TransitionTracker, type SafetyParams } from "../../nodes/controller/safety/supervisor";
import { classifyZone } from "../../nodes/controller/safety/zones";
import { scanPointsFrom } from "../../nodes/controller/types";
import { defaultParams } from "./fixtures";
import { scanMessage } from "./harness";

/** Footprint 0.105 m; stop zone 0.155 m; slow-down zone 0.355 m at half speed; 2 s horizon in 0.05 s steps. */
const safety: SafetyParams = {
  footprintRadius: 0.105,
  stopMargin: 0.05,
  slowdownMargin: 0.25,
  slowdownScale: 0.5,
  collisionHorizonS: 2.0,
  collisionTimeStepS: 0.05,
};

describe("SafetyState", () => {
  it("mirrors kestrel_msgs/SafetyStatus constants", () => {
    expect(SafetyState).toEqual({ ...kestrel_msgs.msg.SafetyStatus });
  });
});

describe("ScanProjector", () => {
  it.each([
    // ray angle (rad), range (m), mount {x, y, yaw}, point in base_link (m)
    [0, 1, { x: -0.032, y: 0, yaw: 0 }, [0.968, 0]],
    [Math.PI / 2, 1, { x: -0.032, y: 0, yaw: 0 }, [-0.032, 1]],
    [0, 1, { x: 0, y: 0, yaw: Math.PI }, [-1, 0]], // laser mounted backwards
  ])("ray at %p rad, range %p, mount %p -> %p", (angle, r, mount, [x, y]) => {
    const pts = new ScanProjector().project([r], { angleMin: angle, angleIncrement: 0.1, rangeMin: 0.12, rangeMax: 3.5 }, mount);
    expect(pts.count).toBe(1);
    expect(pts.xs[0]).toBeCloseTo(x!, 9);
    expect(pts.ys[0]).toBeCloseTo(y!, 9);
  });

  it("drops NaN, infinite and out-of-range returns", () => {
    const pts = new ScanProjector().project([Number.NaN, Infinity, 0.05, 4, 1], { angleMin: 0, angleIncrement: 0.1, rangeMin: 0.12, rangeMax: 3.5 }, { x: 0, y: 0, yaw: 0 });
    expect(pts.count).toBe(1);
  });
});

describe("classifyZone", () => {
  it.each([
    // nearest obstacle (m), zone, speed scale
    [0.1, "stop", 0],
    [0.154, "stop", 0],
    [0.155, "slowdown", 0.5],
    [0.354, "slowdown", 0.5],
    [0.355, "clear", 1],
    [Infinity, "clear", 1],
  ])("%p m -> %p (x%p)", (d, zone, scale) => expect(classifyZone(d, safety)).toMatchObject({ zone, scale }));
});

describe("predictCollision", () => {
  it("poseAfter follows the exact arc", () => {
    const p = poseAfter({ linear: 1, angular: 1 }, Math.PI / 2);
    expect(p.x).toBeCloseTo(1, 9);
    expect(p.y).toBeCloseTo(1, 9);
  });

  it.each([
    // command, obstacle point (base_link), horizon (s), time of footprint contact or undefined
    [{ linear: 0.2, angular: 0 }, [0.5, 0], 2.0, 2.0], // contact once x > 0.395: at the 2.0 s step
    [{ linear: 0.2, angular: 0 }, [0.5, 0], 1.0, undefined], // beyond the horizon
    [{ linear: 0.2, angular: 0 }, [-0.5, 0], 2.0, undefined], // behind, driving away
    [{ linear: -0.2, angular: 0 }, [-0.5, 0], 2.0, 2.0], // reversing into it
    [{ linear: 0, angular: 1 }, [0.12, 0], 2.0, undefined], // turning in place sweeps nothing
    [{ linear: 0.2, angular: 0 }, [0.05, 0], 2.0, undefined], // already inside: the stop zone's case
    [{ linear: 0.2, angular: 0 }, [0.3, 0.2], 2.0, undefined], // beside a straight course
    [{ linear: 0.2, angular: 0.4 }, [0.3439, 0.1368], 2.0, 1.4], // on the arc of radius 0.5 m
  ])("%p toward %p over %p s -> %p", (cmd, [x, y], horizon, time) => {
    const hit = predictCollision(cmd, scanPointsFrom([[x!, y!]]), 0.105, horizon, 0.05);
    if (time === undefined) expect(hit).toBeUndefined();
    else expect(hit?.timeS).toBeCloseTo(time, 6);
  });
});

describe("evaluateSafety", () => {
  const clear = scanPointsFrom([[2, 0]]);
  const cmd = { linear: 0.2, angular: 0 };
  it.each([
    // case, inputs, state, source, command allowed through
    ["clear", { cmd, points: clear, faults: [] }, SafetyState.OK, "", cmd],
    ["NaN command wins over everything", { cmd: { linear: Number.NaN, angular: 0 }, points: undefined, faults: [{ source: "odom", reason: "stale" }] }, SafetyState.STOP, "cmd_nan", { linear: 0, angular: 0 }],
    ["a fault wins over zones", { cmd, points: clear, faults: [{ source: "odom", reason: "/odom stale" }] }, SafetyState.STOP, "odom", { linear: 0, angular: 0 }],
    ["no scan at all", { cmd, points: undefined, faults: [] }, SafetyState.STOP, "scan", { linear: 0, angular: 0 }],
    ["stop zone", { cmd, points: scanPointsFrom([[0.13, 0]]), faults: [] }, SafetyState.STOP, "scan", { linear: 0, angular: 0 }],
    ["stop zone still lets the robot turn in place", { cmd: { linear: 0.2, angular: 1 }, points: scanPointsFrom([[0.13, 0]]), faults: [] }, SafetyState.STOP, "scan", { linear: 0, angular: 1 }],
    ["stop zone lets the robot back straight away", { cmd: { linear: -0.1, angular: 0 }, points: scanPointsFrom([[0.13, 0]]), faults: [] }, SafetyState.STOP, "scan", { linear: -0.1, angular: 0 }],
    ["slow-down zone, scaled command checked for collision", { cmd, points: scanPointsFrom([[0, 0.3]]), faults: [] }, SafetyState.SLOWDOWN, "scan", { linear: 0.1, angular: 0 }],
    ["predicted collision", { cmd, points: scanPointsFrom([[0.45, 0]]), faults: [] }, SafetyState.STOP, "collision_check", { linear: 0, angular: 0 }],
  ])("%s", (_label, inputs, state, source, allowed) => {
    const d = evaluateSafety(inputs, safety);
    expect(d).toMatchObject({ state, source, cmd: allowed });
    expect(d.reason === "").toBe(state === SafetyState.OK);
  });

  it("TransitionTracker reports changes of state or source only", () => {
    const t = new TransitionTracker();
    const ok = evaluateSafety({ cmd, points: clear, faults: [] }, safety);
    const odom = evaluateSafety({ cmd, points: clear, faults: [{ source: "odom", reason: "a" }] }, safety);
    const scan = evaluateSafety({ cmd, points: clear, faults: [{ source: "scan", reason: "b" }] }, safety);
    expect([ok, ok, odom, odom, scan, ok].map((d) => t.update(d))).toEqual([true, false, true, false, true, true]);
  });
});

describe("scanProblem", () => {
  it.each([
    // mutation of a valid 360-ray scan, problem (undefined when valid)
    ["valid", () => scanMessage(), undefined],
    ["ranges too short", () => scanMessage({}, 300), /field 'ranges' has 300 entries .* give 360/],
    ["NaN angle_increment", () => ({ ...scanMessage(), angle_increment: Number.NaN }), /field 'angle_increment' is NaN/],
    ["range_max below range_min", () => ({ ...scanMessage(), range_max: 0.1 }), /field 'range_max'/],
    ["intensities length", () => ({ ...scanMessage(), intensities: new Float32Array(10) }), /field 'intensities' has 10 entries/],
  ])("%s", (_label, make, problem) => {
    const p = scanProblem(make());
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(problem);
  });
});

describe("parameterWarnings", () => {
  it("has nothing to say about the defaults", () => expect(parameterWarnings(defaultParams())).toEqual([]));

  it.each([
    // contradicting overrides, text naming both values
    [{ min_lookahead_dist: 1.0, max_lookahead_dist: 0.5 }, "min_lookahead_dist 1 exceeds max_lookahead_dist 0.5"],
    [{ desired_linear_vel: 0.3 }, "desired_linear_vel 0.3 exceeds max_linear_vel 0.22"],
    [{ rotate_to_heading_angular_vel: 3.0 }, "rotate_to_heading_angular_vel 3 exceeds max_angular_vel 2.84"],
    [{ slowdown_zone_margin: 0.05 }, "slowdown_zone_margin 0.05 is not larger than stop_zone_margin 0.05"],
    [{ collision_horizon_s: 0.05 }, "collision_horizon_s 0.05 is shorter than the stopping time max_linear_vel / max_linear_decel = 0.22 / 2.5"],
    [{ scan_timeout_s: 0.01 }, "scan_timeout_s 0.01 is shorter than the control period"],
    [{ regulated_linear_scaling_min_speed: 0.3 }, "regulated_linear_scaling_min_speed 0.3 exceeds desired_linear_vel 0.2"],
  ])("%p", (overrides, text) => expect(parameterWarnings(defaultParams(overrides))).toContainEqual(expect.stringContaining(text)));
});
