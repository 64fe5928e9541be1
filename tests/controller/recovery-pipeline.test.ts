/**
 * The recovery inside the whole control cycle (pursuit → recovery → safety → smoother) on a small
 * kinematic world: the robot drives what the cycle sends (unicycle, perfect odometry), and the
 * scan is every world point within the laser's range, in base_link. No part is stood in for:
 * the pipeline, pursuit, safety layer and smoother are the node's, with the schema's defaults.
 */
import { PursuitMode, type ModeOutput } from "../../nodes/controller/mode";
import { modeContextOf, recoveryParamsOf, safetyParamsOf, smootherLimitsOf, type ControllerParams } from "../../nodes/controller/params";
import { ControlPipeline, type CycleResult } from "../../nodes/controller/pipeline";
import { SafetyState } from "../../nodes/controller/safety/supervisor";
import { VelocitySmoother } from "../../nodes/controller/smoother";
import { pathFromPoses, scanPointsFrom, type Path2D, type Pose2D } from "../../nodes/controller/types";
import { defaultParams, ScriptedMode } from "./fixtures";

const DT = 0.05; // 20 Hz, controller_frequency_hz's default
const RANGE_MAX = 3.5;

/** A path through (x, y) points, a pose every 5 cm as the planner's grid gives them, headings along it. */
function pathThrough(points: ReadonlyArray<readonly [number, number]>): Path2D {
  const dense: Array<[number, number]> = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [ax, ay] = points[i]!;
    const [bx, by] = points[i + 1]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / 0.05));
    for (let k = 0; k < n; k++) dense.push([ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n]);
  }
  dense.push([...points[points.length - 1]!]);
  return pathFromPoses(
    dense.map(([x, y], i) => {
      const [nx, ny] = dense[Math.min(i + 1, dense.length - 1)]!;
      const [px, py] = dense[Math.max(i - 1, 0)]!;
      return { x, y, theta: i + 1 < dense.length ? Math.atan2(ny - y, nx - x) : Math.atan2(y - py, x - px) };
    }),
  );
}

/** Points every 1 cm along the segment from a to b (a wall as a lidar sees it, densely). */
function wall(a: readonly [number, number], b: readonly [number, number]): Array<[number, number]> {
  const n = Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 0.01);
  return Array.from({ length: n + 1 }, (_, i) => [a[0] + ((b[0] - a[0]) * i) / n, a[1] + ((b[1] - a[1]) * i) / n]);
}

class World {
  pose: Pose2D = { x: 0, y: 0, theta: 0 };
  /** The pose at the start of the last cycle (what the pipeline saw). */
  seen: Pose2D = { x: 0, y: 0, theta: 0 };
  t = 1;
  /** Closest the footprint's centre came to any world point (m). */
  closest = Infinity;
  readonly log: CycleResult[] = [];
  readonly pipeline: ControlPipeline;

  constructor(
    public obstacles: Array<[number, number]>,
    readonly params: ControllerParams,
  ) {
    this.pipeline = new ControlPipeline(new PursuitMode(modeContextOf(params)), new VelocitySmoother(smootherLimitsOf(params)), safetyParamsOf(params), recoveryParamsOf(params));
  }

  private scan() {
    const { x, y, theta } = this.pose;
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    const pts: Array<[number, number]> = [];
    for (const [wx, wy] of this.obstacles) {
      const dx = wx - x;
      const dy = wy - y;
      const d = Math.hypot(dx, dy);
      this.closest = Math.min(this.closest, d);
      if (d <= RANGE_MAX) pts.push([c * dx + s * dy, -s * dx + c * dy]);
    }
    return scanPointsFrom(pts);
  }

  /** One cycle: the pipeline's command is what the robot does for one period. */
  step(): CycleResult {
    this.seen = { ...this.pose };
    const r = this.pipeline.step({ pose: { ...this.pose }, velocity: this.velocity(), scan: this.scan(), nowS: this.t, dt: DT }, []);
    this.log.push(r);
    const { linear, angular } = r.cmd;
    const mid = this.pose.theta + (angular * DT) / 2;
    this.pose = { x: this.pose.x + linear * Math.cos(mid) * DT, y: this.pose.y + linear * Math.sin(mid) * DT, theta: this.pose.theta + angular * DT };
    this.t += DT;
    return r;
  }

  private velocity() {
    const last = this.log[this.log.length - 1];
    return last ? { ...last.cmd } : { linear: 0, angular: 0 };
  }

  /** Runs until `until` holds for a cycle's result or `seconds` pass; the results of those cycles. */
  run(seconds: number, until: (r: CycleResult) => boolean = () => false): CycleResult[] {
    const out: CycleResult[] = [];
    for (let i = 0; i < Math.round(seconds / DT); i++) {
      const r = this.step();
      out.push(r);
      if (until(r)) break;
    }
    return out;
  }

  outcomes(from = 0): string[] {
    return this.log.slice(from).flatMap((r) => (r.recovery.transition ? [r.recovery.transition.outcome] : []));
  }
}

/** A wall across the path 1 m ahead, 0.6 m wide: the planner's map does not have it (a box dropped there). */
const boxAcrossPath = wall([1.0, -0.3], [1.0, 0.3]);
const straightPath = pathThrough([[0, 0], [1, 0], [2, 0], [3, 0]]);

describe("ControlPipeline with recovery: a robot stuck in STOP against a wall", () => {
  it("without recovery it sits at the wall for good: STOP, pursuit's turn toward a path straight ahead is none", () => {
    const w = new World(boxAcrossPath, defaultParams({ recovery_enabled: false }));
    w.pipeline.setPath(straightPath);
    w.run(60);
    expect(w.pose.x).toBeGreaterThan(0.8);
    expect(w.log.slice(-400).every((r) => r.cmd.linear === 0 && r.cmd.angular === 0)).toBe(true);
    expect(w.log[w.log.length - 1]!.decision.state).toBe(SafetyState.STOP);
    expect(w.outcomes()).toEqual([]);
  });

  it("backs up backup_distance_m after progress_timeout_s, then resumes following its path", () => {
    const w = new World(boxAcrossPath, defaultParams());
    w.pipeline.setPath(straightPath);
    const approach = w.run(30, (r) => r.recovery.phase === "backing_up");
    const stuckAt = { ...w.seen };
    expect(approach[approach.length - 1]!.recovery).toMatchObject({ phase: "backing_up", attempt: 1, transition: { outcome: "progress_failed" } });
    // Crept into the stop zone at the slow-down zone's speed, and stopped there: nothing to turn toward.
    expect(stuckAt.x).toBeGreaterThan(0.75);
    expect(approach.slice(-40, -1).every((r) => r.decision.state === SafetyState.STOP && r.decision.source === "scan" && r.cmd.linear === 0 && r.cmd.angular === 0)).toBe(true);
    // The back-up: straight back, at backup_speed_mps scaled by the slow-down zone the wall is in.
    const backup = w.run(10, (r) => r.recovery.phase !== "backing_up");
    expect(backup[backup.length - 1]!.recovery.transition).toMatchObject({ outcome: "backup_done", to: "spinning" });
    expect(backup.slice(1, -1).every((r) => r.cmd.angular === 0 && r.cmd.linear === -0.05 && r.decision.state === SafetyState.SLOWDOWN)).toBe(true);
    expect(stuckAt.x - w.pose.x).toBeGreaterThanOrEqual(0.2 - 1e-9);
    expect(stuckAt.x - w.pose.x).toBeLessThan(0.2 + 0.1 * DT + 1e-9);
    expect(Math.abs(w.pose.y)).toBeLessThan(1e-9); // straight back
    // Facing the path already: the spin is over at once and pursuit drives again, toward the wall.
    const handBack = w.run(2, (r) => r.recovery.phase === "following");
    expect(handBack[handBack.length - 1]!.recovery.transition).toMatchObject({ outcome: "spin_done", to: "following" });
    const resumed = w.run(3);
    expect(resumed.every((r) => r.mode.state === "tracking")).toBe(true);
    expect(resumed[resumed.length - 1]!.cmd.linear).toBeGreaterThan(0);
    expect(w.pose.x).toBeGreaterThan(stuckAt.x - 0.2 + 0.05); // forward again, slowly: the wall is in the slow-down zone
    expect(w.closest).toBeGreaterThan(0.105); // the footprint never touched the wall
  });

  it("stays stopped as recovery_exhausted after max_recovery_attempts when the wall stays, and goes quiet", () => {
    const w = new World(boxAcrossPath, defaultParams());
    w.pipeline.setPath(straightPath);
    w.run(120, (r) => r.recovery.phase === "exhausted");
    expect(w.outcomes()).toEqual([
      ...["progress_failed", "backup_done", "spin_done"],
      ...["progress_failed", "backup_done", "spin_done"],
      ...["progress_failed", "backup_done", "spin_done"],
      "recovery_exhausted",
    ]);
    const after = w.run(5);
    expect(after.every((r) => r.recovery.phase === "exhausted" && r.cmd.linear === 0 && r.cmd.angular === 0)).toBe(true);
    expect(after.filter((r) => r.publish).length).toBeLessThanOrEqual(1); // the zero once, then quiet
    expect(w.closest).toBeGreaterThan(0.105);
  });

  it("a replan to the same goal keeps the attempt count; a new goal resets it and the recovery backs up again", () => {
    const w = new World(boxAcrossPath, defaultParams({ max_recovery_attempts: 1 }));
    w.pipeline.setPath(straightPath);
    w.run(30, (r) => r.recovery.phase === "backing_up");
    w.pipeline.setPath(pathThrough([[w.pose.x, w.pose.y], [2, 0], [3, 0]])); // the planner's periodic replan
    w.run(60, (r) => r.recovery.phase === "exhausted");
    expect(w.log[w.log.length - 1]!.recovery).toMatchObject({ phase: "exhausted", attempt: 1, lastOutcome: "recovery_exhausted" });
    // A new goal (still beyond the wall): the attempts start again, and the next stall backs up again.
    w.pipeline.setPath(pathThrough([[w.pose.x, w.pose.y], [3, 0.5]]));
    const stuckAt = { ...w.pose };
    const next = w.run(30, (r) => r.recovery.transition?.outcome === "backup_done");
    expect(next[0]!.recovery).toMatchObject({ phase: "following", attempt: 0, transition: { outcome: "new_goal", from: "exhausted" } });
    expect(next[next.length - 1]!.recovery).toMatchObject({ phase: "spinning", attempt: 1 });
    expect(stuckAt.x - w.pose.x).toBeGreaterThan(0.15);
  });

  it("the wall taken away during the back-up: the robot resumes its path and reaches the goal", () => {
    const w = new World([...boxAcrossPath], defaultParams());
    w.pipeline.setPath(straightPath);
    w.run(30, (r) => r.recovery.phase === "backing_up");
    w.obstacles = [];
    const rest = w.run(40, (r) => r.mode.state === "goal_reached");
    expect(rest[rest.length - 1]!.mode.state).toBe("goal_reached");
    expect(w.outcomes()).toEqual(["progress_failed", "backup_done", "spin_done"]);
    expect(w.pose.x).toBeGreaterThan(2.7);
  });

  it("a back-up toward something behind is stopped by the safety layer, and the step ends on its budget", () => {
    // The wall ahead, and a second one 0.3 m behind where the robot stops: room for 0.15 m at most.
    const w = new World(boxAcrossPath, defaultParams());
    w.pipeline.setPath(straightPath);
    w.run(30, (r) => r.recovery.phase === "backing_up");
    const stuckAt = { ...w.pose };
    w.obstacles = [...boxAcrossPath, ...wall([stuckAt.x - 0.3, -0.3], [stuckAt.x - 0.3, 0.3])];
    const backup = w.run(10, (r) => r.recovery.phase !== "backing_up");
    expect(backup[backup.length - 1]!.recovery.transition).toMatchObject({ outcome: "backup_timeout" });
    expect(backup.length * DT).toBeCloseTo(5, 1); // backup_timeout_s
    // It moved back until the wall behind came into the stop zone and no further.
    const behind = stuckAt.x - 0.3;
    expect(w.pose.x - behind).toBeGreaterThan(0.105);
    expect(w.pose.x - behind).toBeLessThan(0.155 + 0.01);
    expect(backup.some((r) => r.decision.state === SafetyState.STOP && r.cmd.linear === 0 && r.recovery.phase === "backing_up")).toBe(true);
    expect(w.closest).toBeGreaterThan(0.105);
  });
});

describe("ControlPipeline: straight out of a STOP", () => {
  it("with a wall at its back inside the stop zone, drives straight ahead out of it along its path (no recovery needed)", () => {
    // The wall 0.12 m behind the robot centre (inside the 0.155 m stop zone), the path ahead.
    const w = new World(wall([-0.12, -0.5], [-0.12, 0.5]), defaultParams({ recovery_enabled: false }));
    w.pipeline.setPath(straightPath);
    const first = w.run(0.5);
    expect(first[0]!.decision.state).toBe(SafetyState.STOP);
    expect(first.filter((r) => r.decision.state === SafetyState.STOP).every((r) => r.cmd.linear >= 0 && r.cmd.angular === 0)).toBe(true);
    w.run(30, (r) => r.mode.state === "goal_reached");
    expect(w.pose.x).toBeGreaterThan(2.7);
    expect(w.closest).toBeGreaterThan(0.105);
  });

  it("never reverses out of a STOP for a mode: a wall ahead and a path behind only turns the robot", () => {
    const w = new World(wall([0.12, -0.5], [0.12, 0.5]), defaultParams({ recovery_enabled: false }));
    w.pipeline.setPath(pathThrough([[0, 0], [-1, 0], [-2, 0]]));
    const cycles = w.run(1);
    expect(cycles.every((r) => r.cmd.linear >= 0)).toBe(true);
    expect(cycles.some((r) => r.cmd.angular !== 0)).toBe(true);
  });
});

describe("ControlPipeline with recovery: a wall along its side, inside the stop zone", () => {
  it("turns away from the wall and drives off it when the back-up is vetoed; on the planner's replan from there it goes on", () => {
    // The wall 0.15 m to the left, the path along it: forward and back both close in on stop-zone
    // points, so the safety layer vetoes the back-up; facing the path, a spin toward it is no help.
    const w = new World(wall([-2, 0.15], [4, 0.15]), defaultParams());
    w.pipeline.setPath(straightPath);
    w.run(60, (r) => r.recovery.transition?.outcome === "drive_done");
    expect(w.outcomes()).toEqual(["progress_failed", "backup_timeout", "spin_done", "drive_done"]);
    expect(w.pose.y).toBeLessThan(-0.19); // turned to face away (the wall is on the left) and drove 0.2 m off
    expect(Math.abs(w.pose.x)).toBeLessThan(0.05);
    expect(w.closest).toBeGreaterThan(0.105);
    // The planner replans from where the robot is now, keeping off the wall (same goal).
    w.pipeline.setPath(pathThrough([[w.pose.x, w.pose.y], [1, -0.25], [3, -0.15]]));
    const rest = w.run(60, (r) => r.mode.state === "goal_reached");
    expect(rest[rest.length - 1]!.mode.state).toBe("goal_reached");
    expect(w.closest).toBeGreaterThan(0.105);
  });
});

describe("ControlPipeline with recovery: where it cannot help, it says so", () => {
  it("boxed in inside the stop zone on every side, it reports recovery_exhausted instead of sitting silently", () => {
    const box = [...wall([-0.13, -0.13], [0.13, -0.13]), ...wall([0.13, -0.13], [0.13, 0.13]), ...wall([0.13, 0.13], [-0.13, 0.13]), ...wall([-0.13, 0.13], [-0.13, -0.13])];
    const w = new World(box, defaultParams());
    w.pipeline.setPath(straightPath);
    w.run(200, (r) => r.recovery.phase === "exhausted");
    const outcomes = w.outcomes();
    expect(outcomes.filter((o) => o === "progress_failed")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "backup_timeout")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "drive_timeout")).toHaveLength(3);
    expect(outcomes[outcomes.length - 1]).toBe("recovery_exhausted");
    expect(Math.hypot(w.pose.x, w.pose.y)).toBeLessThan(1e-9); // turned in place, never drove: every straight move was vetoed
    expect(w.log.every((r) => r.decision.state === SafetyState.STOP)).toBe(true);
  });
});

describe("ControlPipeline with recovery beside an expert (policy mode)", () => {

  it("sends the recovery's back-up, while the expert's label stays the expert's own turn in the STOP", () => {
    const p = defaultParams();
    const expert: ModeOutput = { cmd: { linear: 0.2, angular: -1 }, active: true, state: "tracking" };
    const mode = new ScriptedMode({ cmd: { linear: 0.2, angular: 0 }, active: true, state: "policy", expert });
    const pipeline = new ControlPipeline(mode, new VelocitySmoother(smootherLimitsOf(p)), safetyParamsOf(p), { ...recoveryParamsOf(p), progress: { radiusM: 0.2, timeoutS: 0.1 } });
    const wallAhead = scanPointsFrom([[0.13, -0.02], [0.13, 0], [0.13, 0.02]]);
    const cycle = (t: number) => pipeline.step({ pose: { x: 0, y: 0, theta: 0 }, velocity: { linear: 0, angular: 0 }, scan: wallAhead, nowS: t, dt: DT }, []);
    const before = cycle(0);
    expect(before.recovery.phase).toBe("following");
    expect(before.cmd.linear).toBe(0); // STOP: the policy's forward command does not pass
    const r = [0.05, 0.1, 0.15].map(cycle)[2]!;
    expect(r.recovery).toMatchObject({ phase: "backing_up", attempt: 1 });
    expect(r.decision.state).toBe(SafetyState.STOP);
    expect(r.cmd).toEqual({ linear: -0.1, angular: 0 }); // straight back: the turn left over from the STOP stops at once
    expect(r.expertCmd!.linear).toBe(0);
    expect(r.expertCmd!.angular).toBeLessThan(0); // pursuit's own turn toward the path, ramping
    expect(r.mode).toBe(mode.out); // the mode's output as it was; the recovery's is what was sent
  });
});
