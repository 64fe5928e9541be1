/** Regulated Pure Pursuit: Nav2's regulation functions, lookahead geometry, rotate-to-heading and goal tolerances, against hand values. */
import { circleSegmentIntersection, closestPoseIndex, findLookaheadPoint, lookaheadDistance, remainingPathLength, toRobotFrame } from "../../nodes/controller/pursuit/geometry";
import { GoalChecker, withinXyTolerance, withinYawTolerance } from "../../nodes/controller/pursuit/goal";
import {
  approachVelocityConstraint,
  approachVelocityScalingFactor,
  curvatureConstraint,
  proximityConstraint,
  pursuitCurvature,
  regulatedLinearVelocity,
  rotateToHeadingVelocity,
} from "../../nodes/controller/pursuit/regulation";
import { RegulatedPurePursuit, type PursuitParams } from "../../nodes/controller/pursuit/rpp";
import { modeContextOf } from "../../nodes/controller/params";
import { pathFromPoses, type Pose2D } from "../../nodes/controller/types";
import { defaultParams } from "./fixtures";

describe("pursuitCurvature", () => {
  it.each([
    // carrot x, carrot y, curvature 2y / (x² + y²)
    [1, 0, 0],
    [1, 1, 1],
    [0, 0.5, 4],
    [1, -1, -1],
    [0, 0, 0], // degenerate: carrot at the robot
  ])("carrot (%p, %p) -> %p", (x, y, k) => expect(pursuitCurvature(x, y)).toBeCloseTo(k, 9));
});

describe("curvatureConstraint", () => {
  it.each([
    // raw speed, curvature (1/m), min radius (m), regulated speed
    [0.2, 2, 0.9, 0.2 * (0.5 / 0.9)], // radius 0.5 < 0.9: scaled by r / r_min
    [0.2, -2, 0.9, 0.2 * (0.5 / 0.9)], // left or right alike
    [0.2, 1, 0.9, 0.2], // radius 1.0 >= 0.9: untouched
    [0.2, 0, 0.9, 0.2], // straight
    [0.2, 10, 0.9, 0.2 * (0.1 / 0.9)],
  ])("v %p, curvature %p, min radius %p -> %p", (v, k, rmin, out) => expect(curvatureConstraint(v, k, rmin)).toBeCloseTo(out, 9));
});

describe("proximityConstraint", () => {
  it.each([
    // raw speed, obstacle distance from footprint (m), cost_scaling_dist, cost_scaling_gain, regulated speed
    [0.2, 0.3, 0.6, 1.0, 0.1], // halfway in: half speed
    [0.2, 0.7, 0.6, 1.0, 0.2], // beyond the scaling distance
    [0.2, 0.3, 0.6, 2.0, 0.2], // gain 2 would exceed the raw speed: capped
    [0.2, 0.0, 0.6, 1.0, 0.0], // touching
    [0.2, Infinity, 0.6, 1.0, 0.2], // no obstacle in the scan
  ])("v %p, distance %p, dist %p, gain %p -> %p", (v, d, dist, gain, out) => expect(proximityConstraint(v, d, dist, gain)).toBeCloseTo(out, 9));
});

describe("approach velocity scaling", () => {
  it.each([
    // remaining path (m), approach_velocity_scaling_dist (m), factor
    [0.3, 0.6, 0.5],
    [1.0, 0.6, 1],
    [0.0, 0.6, 0],
    [0.3, 0.0, 1], // disabled
  ])("factor: remaining %p, dist %p -> %p", (rem, dist, f) => expect(approachVelocityScalingFactor(rem, dist)).toBeCloseTo(f, 9));

  it.each([
    // constrained speed, remaining (m), approach dist (m), min approach speed, result
    [0.2, 0.3, 0.6, 0.05, 0.1],
    [0.2, 0.1, 0.6, 0.05, 0.05], // 0.033 would stall: floored at the minimum approach speed
    [0.04, 0.1, 0.6, 0.05, 0.04], // never above the input
  ])("constraint: v %p, remaining %p, dist %p, min %p -> %p", (v, rem, dist, min, out) =>
    expect(approachVelocityConstraint(v, rem, dist, min)).toBeCloseTo(out, 9));
});

describe("regulatedLinearVelocity", () => {
  const p = modeContextOf(defaultParams()).pursuit; // min radius 0.9, min speed 0.05, scaling dist 0.6, approach 0.6
  it.each([
    // curvature, obstacle distance, remaining, expected: the lowest heuristic, floored, approach-scaled
    [0, Infinity, 5, 0.2],
    [2, Infinity, 5, 0.2 * (0.5 / 0.9)], // curvature wins
    [2, 0.15, 5, 0.05], // proximity gives 0.05: equals the floor
    [2, 0.01, 5, 0.05], // proximity 0.0033 floored at regulated_linear_scaling_min_speed
    [0, Infinity, 0.3, 0.1], // approach halves it
  ])("curvature %p, obstacle %p m, remaining %p m -> %p", (k, d, rem, out) =>
    expect(regulatedLinearVelocity(0.2, k, d, rem, p)).toBeCloseTo(out, 9));
});

describe("lookaheadDistance", () => {
  it.each([
    // speed, lookahead_time, min, max, distance
    [0.2, 1.5, 0.3, 0.9, 0.3],
    [0.5, 1.5, 0.3, 0.9, 0.75],
    [1.0, 1.5, 0.3, 0.9, 0.9],
    [-0.4, 1.5, 0.3, 0.9, 0.6], // reversing scales by |speed|
  ])("speed %p, time %p, [%p, %p] -> %p", (v, t, lo, hi, out) => expect(lookaheadDistance(v, t, lo, hi)).toBeCloseTo(out, 9));
});

describe("lookahead point", () => {
  /** A straight path along +x and an L: +x for 1 m, then +y for 1 m (sparse: the point must be interpolated). */
  const straight = pathFromPoses([{ x: 0, y: 0, theta: 0 }, { x: 1, y: 0, theta: 0 }, { x: 2, y: 0, theta: 0 }]);
  const lShape = pathFromPoses([{ x: 0, y: 0, theta: 0 }, { x: 1, y: 0, theta: Math.PI / 2 }, { x: 1, y: 1, theta: Math.PI / 2 }]);

  it("on a straight path: where the circle crosses the segment, not the next pose", () => {
    const p = findLookaheadPoint(straight, 0, 0, 0.1, 0.5); // robot 0.1 m left of the path
    expect(p.x).toBeCloseTo(Math.sqrt(0.25 - 0.01), 9);
    expect(p.y).toBeCloseTo(0, 9);
    expect(p.atGoal).toBe(false);
  });

  it("on an L-shaped path: on the second leg once the corner is inside the circle", () => {
    const closest = closestPoseIndex(lShape, 0, 0.8, 0, 2.0);
    expect(closest).toBe(1);
    const p = findLookaheadPoint(lShape, closest, 0.8, 0, 0.5);
    expect(p.x).toBeCloseTo(1, 9);
    expect(p.y).toBeCloseTo(Math.sqrt(0.25 - 0.04), 9);
    // In base_link, the carrot is ahead and to the left: the curvature turns left.
    const c = toRobotFrame(p.x, p.y, 0.8, 0, 0);
    expect(pursuitCurvature(c.x, c.y)).toBeGreaterThan(0);
  });

  it("is the goal itself when the goal is inside the circle", () => {
    expect(findLookaheadPoint(lShape, 2, 1, 0.8, 0.5)).toEqual({ x: 1, y: 1, index: 2, atGoal: true });
  });

  it("circleSegmentIntersection takes the crossing on the far side", () => {
    expect(circleSegmentIntersection(-1, 0, 1, 0, 0, 0, 0.5)).toEqual({ x: 0.5, y: 0 });
  });

  it("remainingPathLength adds the distance to the closest pose and the rest of the path", () => {
    expect(remainingPathLength(lShape, 1, 0.8, 0)).toBeCloseTo(0.2 + 1, 9);
  });
});

describe("rotateToHeadingVelocity", () => {
  it.each([
    // heading error, current yaw rate, rotate vel, max angular accel, dt, command
    [1.0, 0, 1.8, 3.2, 0.05, 0.16], // from rest: one accel step
    [-1.0, 0, 1.8, 3.2, 0.05, -0.16],
    [1.0, 1.7, 1.8, 3.2, 0.05, 1.8], // at speed: the rotate velocity
    [-0.5, 1.8, 1.8, 3.2, 0.05, 1.64], // reversing direction: decelerate first
  ])("error %p, current %p -> %p", (err, cur, vel, acc, dt, out) => expect(rotateToHeadingVelocity(err, cur, vel, acc, dt)).toBeCloseTo(out, 9));
});

describe("goal tolerances", () => {
  const goal: Pose2D = { x: 1, y: 1, theta: 0 };
  it.each([
    // pose, xy tolerance 0.25, yaw tolerance 0.25: within xy, within yaw
    [{ x: 1.2, y: 1, theta: 0 }, true, true],
    [{ x: 1.3, y: 1, theta: 0 }, false, true],
    [{ x: 1, y: 1, theta: 0.3 }, true, false],
    [{ x: 1, y: 1, theta: 2 * Math.PI - 0.2 }, true, true], // wraps around
  ])("%p -> xy %p, yaw %p", (pose, xy, yaw) => {
    expect(withinXyTolerance(pose, goal, 0.25)).toBe(xy);
    expect(withinYawTolerance(pose, goal, 0.25)).toBe(yaw);
  });

  it("latches the position once reached, as Nav2's stateful SimpleGoalChecker", () => {
    const checker = new GoalChecker(0.25, 0.25);
    expect(checker.isReached({ x: 1.2, y: 1, theta: 1 }, goal)).toBe(false); // position in, heading off
    expect(checker.isReached({ x: 1.3, y: 1, theta: 0 }, goal)).toBe(true); // drifted out while rotating: still accepted
    checker.reset();
    expect(checker.isReached({ x: 1.3, y: 1, theta: 0 }, goal)).toBe(false);
  });
});

describe("RegulatedPurePursuit", () => {
  const params = (): PursuitParams => modeContextOf(defaultParams()).pursuit;
  const input = (pose: Pose2D) => ({ pose, velocity: { linear: 0, angular: 0 }, obstacleDistance: Infinity, dt: 0.05 });
  const straightAhead = pathFromPoses([0, 1, 2, 3].map((x) => ({ x, y: 0, theta: 0 })));

  it("is idle without a path", () => {
    expect(new RegulatedPurePursuit(params()).compute(input({ x: 0, y: 0, theta: 0 })).state).toBe("idle");
  });

  it("tracks a path ahead at the desired speed", () => {
    const rpp = new RegulatedPurePursuit(params());
    rpp.setPath(straightAhead);
    const out = rpp.compute(input({ x: 0, y: 0, theta: 0 }));
    expect(out.state).toBe("tracking");
    expect(out.cmd.linear).toBeCloseTo(0.2, 9);
    expect(out.cmd.angular).toBeCloseTo(0, 9);
    expect(out.lookahead).toBeCloseTo(0.3, 9); // from rest: min_lookahead_dist
  });

  it.each([
    // robot heading, expected state (rotate_to_heading_min_angle 0.785)
    [0.5, "tracking"],
    [1.0, "rotating_to_path"],
    [-Math.PI / 2, "rotating_to_path"],
  ])("with heading %p off the path: %p", (theta, state) => {
    const rpp = new RegulatedPurePursuit(params());
    rpp.setPath(straightAhead);
    const out = rpp.compute(input({ x: 0, y: 0, theta }));
    expect(out.state).toBe(state);
    if (state === "rotating_to_path") {
      expect(out.cmd.linear).toBe(0);
      expect(Math.sign(out.cmd.angular)).toBe(-Math.sign(theta)); // turns back toward the path
    }
  });

  it("rotates to the goal heading within xy tolerance, then reports the goal reached with zero velocity", () => {
    const rpp = new RegulatedPurePursuit(params());
    rpp.setPath(pathFromPoses([{ x: 0, y: 0, theta: 0 }, { x: 1, y: 0, theta: Math.PI / 2 }]));
    const rotating = rpp.compute(input({ x: 0.9, y: 0, theta: 0 }));
    expect(rotating.state).toBe("rotating_to_goal");
    expect(rotating.cmd.linear).toBe(0);
    expect(rotating.cmd.angular).toBeGreaterThan(0);
    const done = rpp.compute(input({ x: 0.9, y: 0, theta: Math.PI / 2 - 0.1 }));
    expect(done).toEqual({ cmd: { linear: 0, angular: 0 }, state: "goal_reached" });
  });

  it("keeps the curvature when the yaw rate would exceed max_angular_vel", () => {
    const rpp = new RegulatedPurePursuit({ ...params(), maxAngularVel: 0.1, useRotateToHeading: false, useRegulatedLinearVelocityScaling: false });
    rpp.setPath(pathFromPoses([{ x: 0, y: 0, theta: 0 }, { x: 0.2, y: 0.2, theta: 0 }, { x: 0.2, y: 2, theta: 0 }]));
    const out = rpp.compute(input({ x: 0, y: 0, theta: 0 }));
    expect(Math.abs(out.cmd.angular)).toBeCloseTo(0.1, 9);
    expect(out.cmd.angular / out.cmd.linear).toBeCloseTo(out.curvature!, 9);
  });
});
