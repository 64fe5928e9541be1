/**
 * The recovery's pure core: the progress checker, the state machine (back up, spin, hand back;
 * bounded attempts per goal; budgets), the path helpers, the safety layer's veto of a back-up
 * into something behind, and the parameters that are refused or warned about.
 */
import { parameterWarnings, recoveryParamsOf } from "../../nodes/controller/params";
import { RecoveryMachine, SPIN_TOLERANCE_RAD, type RecoveryInput, type RecoveryParams, type RecoveryStep } from "../../nodes/controller/recovery/machine";
import { headingTowardPath, isNewGoal } from "../../nodes/controller/recovery/path";
import { ProgressChecker, type ProgressVerdict } from "../../nodes/controller/recovery/progress";
import { headingAwayFromObstacle, RECOVERY_DISABLED, recoveryStatusText } from "../../nodes/controller/recovery/stage";
import { evaluateSafety, SafetyState, type SafetyParams } from "../../nodes/controller/safety/supervisor";
import { pathFromPoses, scanPointsFrom, type Pose2D } from "../../nodes/controller/types";
import { defaultParams } from "./fixtures";
import { pathMessage, rangeAhead, scanMessage, startController } from "./harness";

describe("ProgressChecker", () => {
  // Each sample: time (s), x (m) of a robot on the x axis, whether it has a path to follow.
  type Sample = [number, number, boolean];
  const cases: Array<[string, Sample[], ProgressVerdict["kind"][]]> = [
    ["still with a path: stuck once the timeout has passed", [[0, 0, true], [5, 0.1, true], [10, 0.2, true], [10.1, 0.2, true]], ["progressing", "progressing", "progressing", "stuck"]],
    ["covering the radius restarts the window", [[0, 0, true], [9, 0.5, true], [18, 0.6, true], [19.1, 0.6, true]], ["progressing", "progressing", "progressing", "stuck"]],
    ["no path: idle, and the window starts when one comes", [[0, 0, false], [20, 0, false], [21, 0, true], [30, 0, true], [31.1, 0, true]], ["idle", "idle", "progressing", "progressing", "stuck"]],
    ["losing the path mid-window starts it afresh", [[0, 0, true], [9, 0, true], [9.5, 0, false], [10, 0, true], [19, 0, true]], ["progressing", "progressing", "idle", "progressing", "progressing"]],
    ["radius measured as a straight line from the window's start", [[0, 0, true], [5, 0.45, true], [10.5, 0.2, true]], ["progressing", "progressing", "stuck"]],
  ];
  it.each(cases)("%s", (_name, samples, verdicts) => {
    const checker = new ProgressChecker({ radiusM: 0.5, timeoutS: 10 });
    const got = samples.map(([t, x, following]) => checker.check({ nowS: t, pose: { x, y: 0, theta: 0 }, following }).kind);
    expect(got).toEqual(verdicts);
  });

  it("reports how far the robot moved and for how long when stuck", () => {
    const checker = new ProgressChecker({ radiusM: 0.5, timeoutS: 10 });
    checker.check({ nowS: 0, pose: { x: 0, y: 0, theta: 0 }, following: true });
    expect(checker.check({ nowS: 12, pose: { x: 0.3, y: 0.4 - 0.1, theta: 0 }, following: true })).toEqual({ kind: "stuck", movedM: expect.closeTo(Math.hypot(0.3, 0.3), 9), elapsedS: 12 });
  });

  it("is idle without a pose", () => {
    const checker = new ProgressChecker({ radiusM: 0.5, timeoutS: 10 });
    expect(checker.check({ nowS: 100, pose: undefined, following: true })).toEqual({ kind: "idle" });
  });
});

const params: RecoveryParams = {
  enabled: true,
  progress: { radiusM: 0.5, timeoutS: 10 },
  backupDistanceM: 0.2,
  backupSpeedMps: 0.1,
  backupTimeoutS: 5,
  spinSpeedRadps: 1,
  spinAngleRad: 0,
  spinTimeoutS: 5,
  maxAttempts: 2,
};

/** Runs a machine at 20 Hz on a scripted world: `pose(t)` says where the robot is. */
class Run {
  readonly m: RecoveryMachine;
  t = 0;
  readonly steps: RecoveryStep[] = [];
  constructor(
    p: Partial<RecoveryParams> = {},
    public pose: (t: number) => Pose2D = () => ({ x: 0, y: 0, theta: 0 }),
    public input: Partial<RecoveryInput> = { following: true, pathHeading: 0 },
  ) {
    this.m = new RecoveryMachine({ ...params, ...p });
  }
  /** Steps for `seconds`; returns the steps taken. */
  run(seconds: number): RecoveryStep[] {
    const out: RecoveryStep[] = [];
    for (let i = 0; i < Math.round(seconds * 20); i++) {
      this.t += 0.05;
      out.push(this.m.step({ nowS: this.t, pose: this.pose(this.t), following: true, pathHeading: 0, awayHeading: undefined, ...this.input }));
    }
    this.steps.push(...out);
    return out;
  }
  outcomes(): string[] {
    return this.steps.flatMap((s) => (s.transition ? [s.transition.outcome] : []));
  }
}

describe("RecoveryMachine", () => {
  it("lets the mode drive while the robot makes progress", () => {
    const r = new Run({}, (t) => ({ x: 0.1 * t, y: 0, theta: 0 })); // 1 m every 10 s
    expect(r.run(60).every((s) => s.phase === "following" && s.cmd === undefined)).toBe(true);
  });

  it("backs straight up at backup_speed_mps once no progress was made within progress_timeout_s", () => {
    const r = new Run();
    const steps = r.run(10.2);
    const first = steps.findIndex((s) => s.phase === "backing_up");
    const startedS = 0.05 * (first + 1);
    // The window opened at the first step (0.05 s): the first step more than 10 s after it.
    expect(startedS).toBeGreaterThan(10.05 - 1e-6);
    expect(startedS).toBeLessThan(10.1 + 1e-6);
    expect(steps[first]).toMatchObject({ cmd: { linear: -0.1, angular: 0 }, attempt: 1, transition: { outcome: "progress_failed", from: "following", to: "backing_up" } });
    expect(steps[first]!.transition!.detail).toMatch(/^no progress: moved 0\.00 m of 0\.50 m in 10\.\d s .*; recovery 1\/2: backing up 0\.20 m at 0\.10 m\/s$/);
  });

  it("ends the back-up when it covered backup_distance_m, then spins toward the path, then hands back", () => {
    let backStart: number | undefined;
    let spinStart: number | undefined;
    const r = new Run({}, (t) => {
      const phase = r.m.state.phase;
      if (phase === "backing_up") backStart ??= t;
      if (phase === "spinning") spinStart ??= t;
      const x = backStart === undefined ? 0 : -Math.min(0.25, 0.1 * (t - backStart));
      const theta = spinStart === undefined ? 0 : Math.min(1.0, 1.0 * (t - spinStart));
      return { x, y: 0, theta };
    }, { following: true, pathHeading: 1.0 });
    r.run(16);
    expect(r.outcomes()).toEqual(["progress_failed", "backup_done", "spin_done"]);
    const spin = r.steps.filter((s) => s.phase === "spinning");
    expect(spin[0]!.cmd!.linear).toBe(0);
    expect(spin[0]!.cmd!.angular).toBeGreaterThan(0); // toward heading 1.0 from 0: left
    expect(r.m.state).toEqual({ phase: "following", attempt: 1 });
  });

  it("when the back-up gets nowhere with an obstacle still in the stop zone, turns away from it and drives on that heading, then hands back", () => {
    let spinStart: number | undefined;
    let driveStart: number | undefined;
    const away = -Math.PI / 2; // the obstacle on the left
    const r = new Run({}, (t) => {
      const phase = r.m.state.phase;
      if (phase === "spinning") spinStart ??= t;
      if (phase === "driving_away") driveStart ??= t;
      const theta = spinStart === undefined ? 0 : Math.max(away, -1.0 * (t - spinStart)); // the back-up never moves it
      const d = driveStart === undefined ? 0 : Math.min(0.25, 0.1 * (t - driveStart));
      return { x: 0, y: -d, theta };
    }, { following: true, pathHeading: 0, awayHeading: away });
    r.run(25);
    expect(r.outcomes()).toEqual(["progress_failed", "backup_timeout", "spin_done", "drive_done"]);
    const spin = r.steps.filter((s) => s.phase === "spinning");
    expect(spin[0]!.cmd).toEqual({ linear: 0, angular: -1 }); // toward the away heading, not the path's
    const drive = r.steps.filter((s) => s.phase === "driving_away");
    expect(drive.every((s) => s.cmd!.linear === 0.1 && s.cmd!.angular === 0)).toBe(true); // forward, straight, at backup_speed_mps
    const handBack = r.steps.find((s) => s.transition?.outcome === "drive_done")!;
    expect(handBack.transition).toMatchObject({ from: "driving_away", to: "following", attempt: 1 });
    expect(handBack.transition!.detail).toMatch(/^drove 0\.2\d m away in \d\.\d s; recovery 1\/2 over: control back to the mode$/);
  });

  it("a back-up that covers its distance spins toward the path, even with an obstacle in the stop zone", () => {
    let backStart: number | undefined;
    const r = new Run({}, (t) => {
      if (r.m.state.phase === "backing_up") backStart ??= t;
      return { x: backStart === undefined ? 0 : -Math.min(0.25, 0.1 * (t - backStart)), y: 0, theta: 0 };
    }, { following: true, pathHeading: 0, awayHeading: Math.PI });
    r.run(14);
    expect(r.outcomes()).toEqual(["progress_failed", "backup_done", "spin_done"]);
    expect(r.m.state.phase).toBe("following");
  });

  it.each([
    // budget that ends the step, outcome named
    ["a back-up the safety layer vetoed (the robot never moves) ends on backup_timeout_s", "backup_timeout", 5],
    ["a spin that cannot turn ends on spin_timeout_s", "spin_timeout", 5],
  ])("%s", (_name, outcome, budgetS) => {
    const r = new Run({}, () => ({ x: 0, y: 0, theta: 0 }), { following: true, pathHeading: 2.0 });
    r.run(22);
    const steps = r.steps;
    const i = steps.findIndex((s) => s.transition?.outcome === outcome);
    const started = steps.findIndex((s) => s.phase === (outcome === "backup_timeout" ? "backing_up" : "spinning"));
    expect(i).toBeGreaterThan(started);
    expect((i - started) * 0.05).toBeCloseTo(budgetS, 6);
    expect(steps[i]!.transition!.detail).toMatch(outcome === "backup_timeout" ? /backup_timeout_s 5/ : /spin_timeout_s 5/);
  });

  it("spins the short way round, slowing into the target, never faster than spin_speed_radps", () => {
    const spinAt = (heading: number, theta: number): number => {
      const m = new RecoveryMachine({ ...params, backupTimeoutS: 0.01 });
      m.step({ nowS: 0, pose: { x: 0, y: 0, theta }, following: true, pathHeading: heading, awayHeading: undefined });
      m.step({ nowS: 10.1, pose: { x: 0, y: 0, theta }, following: true, pathHeading: heading, awayHeading: undefined }); // stuck: back-up
      return m.step({ nowS: 10.2, pose: { x: 0, y: 0, theta }, following: true, pathHeading: heading, awayHeading: undefined }).cmd!.angular; // budget over: spin
    };
    expect(spinAt(3.0, -3.0)).toBeLessThan(0); // 0.28 rad clockwise, not 6 rad anticlockwise
    expect(spinAt(2.0, 0)).toBe(1); // capped
    expect(spinAt(0.3, 0)).toBeCloseTo(0.6, 9); // 2/s * 0.3 rad
    expect(spinAt(SPIN_TOLERANCE_RAD / 2, 0)).toBe(0); // already facing the path
  });

  it("spins by spin_angle_rad when one is set, counting the turn across ±π", () => {
    let spinStart: number | undefined;
    const r = new Run({ spinAngleRad: 4, backupTimeoutS: 0.5, spinTimeoutS: 20 }, (t) => {
      if (r.m.state.phase === "spinning") spinStart ??= t;
      return { x: 0, y: 0, theta: spinStart === undefined ? 0 : Math.atan2(Math.sin(t - spinStart), Math.cos(t - spinStart)) }; // 1 rad/s, wrapped
    });
    r.run(16);
    const done = r.steps.find((s) => s.transition?.outcome === "spin_done");
    expect(done).toBeDefined();
    expect(done!.transition!.detail).toMatch(/spin done, -?0\.\d\d rad from the target/);
    expect(r.steps.filter((s) => s.phase === "spinning").every((s) => s.cmd!.angular > 0)).toBe(true);
  });

  it("bounds the attempts: stuck again after max_recovery_attempts it stays stopped as recovery_exhausted", () => {
    const r = new Run();
    r.run(80);
    expect(r.outcomes()).toEqual(["progress_failed", "backup_timeout", "spin_done", "progress_failed", "backup_timeout", "spin_done", "recovery_exhausted"]);
    const last = r.steps[r.steps.length - 1]!;
    expect(last).toMatchObject({ phase: "exhausted", cmd: { linear: 0, angular: 0 }, attempt: 2 });
    expect(r.steps.find((s) => s.transition?.outcome === "recovery_exhausted")!.transition!.detail).toMatch(/all 2 recovery attempts used: stopped until a new goal$/);
  });

  it("restarts the progress window when it hands back: the mode gets a full progress_timeout_s", () => {
    const r = new Run({ maxAttempts: 1 });
    r.run(30);
    const handBack = r.steps.findIndex((s) => s.transition?.outcome === "spin_done");
    const exhausted = r.steps.findIndex((s) => s.transition?.outcome === "recovery_exhausted");
    expect((exhausted - handBack) * 0.05).toBeCloseTo(10.05, 6);
  });

  it("a new goal resets the attempt count, from any phase, exhausted included", () => {
    const r = new Run({ maxAttempts: 1 });
    r.run(40);
    expect(r.m.state).toEqual({ phase: "exhausted", attempt: 1 });
    r.m.newGoal();
    const [next] = r.run(0.05);
    expect(next).toMatchObject({ phase: "following", attempt: 0, cmd: undefined, transition: { outcome: "new_goal", from: "exhausted" } });
    r.run(10.1);
    expect(r.m.state).toEqual({ phase: "backing_up", attempt: 1 });
    r.m.newGoal();
    expect(r.run(0.05)[0]).toMatchObject({ phase: "following", attempt: 0, transition: { outcome: "new_goal", from: "backing_up" } });
  });

  it("a new goal while following with no attempt used is no transition", () => {
    const r = new Run();
    r.m.newGoal();
    expect(r.run(0.05)[0]!.transition).toBeUndefined();
  });

  it("aborts a recovery when there is nothing to follow any more", () => {
    const r = new Run();
    r.run(10.1);
    r.input = { following: false, pathHeading: 0 };
    expect(r.run(0.05)[0]).toMatchObject({ phase: "following", cmd: undefined, transition: { outcome: "aborted", from: "backing_up" } });
    expect(r.run(30).every((s) => s.phase === "following")).toBe(true); // nothing to check without a path
  });

  it("does nothing when disabled, and hands back at once when disabled mid-recovery or exhausted", () => {
    expect(new Run({ enabled: false }).run(60).every((s) => s.phase === "following" && s.cmd === undefined)).toBe(true);
    const r = new Run();
    r.run(10.1);
    r.m.params = { ...params, enabled: false };
    expect(r.run(0.05)[0]).toMatchObject({ phase: "following", transition: { outcome: "disabled" } });
    const exhausted = new Run({ maxAttempts: 0 });
    exhausted.run(10.1);
    expect(exhausted.m.state.phase).toBe("exhausted");
    exhausted.m.params = { ...params, enabled: false };
    expect(exhausted.run(0.05)[0]).toMatchObject({ phase: "following", cmd: undefined, transition: { outcome: "disabled", from: "exhausted" } });
  });

  it("status text names the phase, the attempts and the last outcome", () => {
    expect(recoveryStatusText({ enabled: true, phase: "exhausted", attempt: 3, maxAttempts: 3, lastOutcome: "recovery_exhausted" })).toBe("recovery exhausted (3/3 attempts used, last: recovery_exhausted)");
    expect(recoveryStatusText({ enabled: false, phase: "following", attempt: 0, maxAttempts: 3 })).toBe("recovery off");
  });
});

describe("headingTowardPath", () => {
  const path = pathFromPoses([0, 1, 2, 3].map((x) => ({ x, y: 0, theta: 0 })));
  it.each([
    // robot pose, lookahead (m), heading (rad) or undefined
    [{ x: 0.5, y: 0, theta: 2 }, 0.3, 0], // on the path: along it
    [{ x: 0.5, y: 0.3, theta: 0 }, 0.5, Math.atan2(-0.3, 0.5)], // beside it: toward the point 0.5 m along it from the nearest
    [{ x: 2.9, y: 0, theta: 0 }, 0.3, 0], // near the end: toward the goal
    [{ x: 3, y: 0, theta: 0 }, 0.3, undefined], // at the goal: nothing to face
  ])("from %p with lookahead %p m -> %p", (pose, lookahead, heading) => {
    const got = headingTowardPath(path, pose, lookahead);
    if (heading === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(heading, 6);
  });

  it("is undefined without a path", () => expect(headingTowardPath(undefined, { x: 0, y: 0, theta: 0 }, 0.3)).toBeUndefined());
});

describe("headingAwayFromObstacle", () => {
  const at = { x: 2, y: 1, theta: Math.PI / 2 }; // facing +y in odom
  // Points in base_link; `want` is the heading relative to the robot (the result is in odom: theta + want).
  it.each<[string, Array<[number, number]>, number | undefined]>([
    ["away from the nearest point inside the radius (on the left: face right)", [[0, 0.12], [0, -0.3]], -Math.PI / 2],
    ["the nearest one wins (ahead: face back)", [[0.1, 0], [0, 0.14]], Math.PI],
    ["nothing inside the radius: undefined", [[0.2, 0], [0, -0.3]], undefined],
  ])("%s", (_name, points, want) => {
    const got = headingAwayFromObstacle(scanPointsFrom(points), at, 0.155);
    if (want === undefined) return expect(got).toBeUndefined();
    expect(Math.cos(got! - (at.theta + want))).toBeCloseTo(1, 9);
  });
  it("is undefined without a scan", () => {
    expect(headingAwayFromObstacle(undefined, at, 0.155)).toBeUndefined();
  });
});

describe("isNewGoal", () => {
  it.each([
    // previous goal, next goal, new?
    [undefined, { x: 1, y: 1 }, true], // the first path, or the first after an empty one
    [{ x: 1, y: 1 }, { x: 1.1, y: 1.1 }, false], // a replan to the same goal (within 0.25 m)
    [{ x: 1, y: 1 }, { x: 2, y: 1 }, true],
    [{ x: 1, y: 1 }, undefined, false], // an empty path is no goal
  ])("%p -> %p: %p", (previous, next, expected) => expect(isNewGoal(previous, next, 0.25)).toBe(expected));
});

describe("the safety layer on a recovery back-up", () => {
  const safety: SafetyParams = { footprintRadius: 0.105, stopMargin: 0.05, slowdownMargin: 0.25, slowdownScale: 0.5, collisionHorizonS: 1.0, collisionTimeStepS: 0.05 };
  const back = { linear: -0.1, angular: 0 };
  const fast = { linear: -0.3, angular: 0 };
  const wallAhead: Array<[number, number]> = [[0.14, -0.02], [0.14, 0], [0.14, 0.02]];
  const cases: Array<[string, { linear: number; angular: number }, Array<[number, number]>, number, string, { linear: number; angular: number }]> = [
    // case, back-up command, scan points (base_link), state, source, command allowed through
    ["wall ahead only: the back-up leaves the stop zone", back, wallAhead, SafetyState.STOP, "scan", back],
    ["wall ahead, something behind inside the stop zone: vetoed", back, [...wallAhead, [-0.14, 0]], SafetyState.STOP, "scan", { linear: 0, angular: 0 }],
    ["wall ahead, something behind within the collision horizon: vetoed", back, [...wallAhead, [-0.19, 0]], SafetyState.STOP, "scan", { linear: 0, angular: 0 }],
    ["clear around, something behind within the collision horizon of a fast back-up: vetoed", fast, [[-0.38, 0]], SafetyState.STOP, "collision_check", { linear: 0, angular: 0 }],
    ["something behind in the slow-down zone: half speed (the stop zone vetoes it closer in)", back, [[-0.3, 0]], SafetyState.SLOWDOWN, "scan", { linear: -0.05, angular: 0 }],
    ["something ahead in the stop zone and behind in the slow-down zone: vetoed once the half-speed reverse would hit it", back, [...wallAhead, [-0.17, 0]], SafetyState.STOP, "scan", { linear: 0, angular: 0 }],
    ["something beside, clear behind: passes at half speed", back, [[0, 0.3]], SafetyState.SLOWDOWN, "scan", { linear: -0.05, angular: 0 }],
  ];
  it.each(cases)("%s", (_name, cmd, points, state, source, allowed) => {
    const d = evaluateSafety({ cmd, points: scanPointsFrom(points), faults: [] }, safety);
    expect(d).toMatchObject({ state, source, cmd: allowed });
  });
});

describe("recovery parameters", () => {
  it("warns about none at the defaults", () => expect(parameterWarnings(defaultParams())).toEqual([]));

  it("a pipeline built without recovery parameters has the schema's defaults, switched off", () => {
    expect(RECOVERY_DISABLED).toEqual(recoveryParamsOf(defaultParams({ recovery_enabled: false })));
  });

  it.each([
    // contradicting overrides, text naming both values
    [{ min_linear_vel: 0 }, "backup_speed_mps 0.1 exceeds -min_linear_vel 0: the smoother clamps the back-up to 0 m/s (no back-up at all: the recovery only spins)"],
    [{ backup_speed_mps: 0.2 }, "backup_speed_mps 0.2 exceeds -min_linear_vel 0.1"],
    [{ backup_timeout_s: 1 }, "backup_timeout_s 1 is shorter than backup_distance_m / back-up speed = 0.2 / 0.1 = 2.00 s"],
    [{ spin_speed_radps: 3 }, "spin_speed_radps 3 exceeds max_angular_vel 2.84"],
    [{ progress_radius_m: 0.5 }, "progress_radius_m / progress_timeout_s = 0.5 / 10 = 0.050 m/s is not below the slowest speed pursuit creeps at in the slow-down zone, regulated_linear_scaling_min_speed * slowdown_scale = 0.05 * 0.5 = 0.025 m/s"],
  ])("%p", (overrides, text) => expect(parameterWarnings(defaultParams(overrides))).toContainEqual(expect.stringContaining(text)));

  it("has nothing to say about the recovery when it is disabled", () => {
    expect(parameterWarnings(defaultParams({ recovery_enabled: false, min_linear_vel: 0 }))).toEqual([]);
  });

  it.each([
    // parameter, nonsense value, what the refusal expects
    ["progress_radius_m", 0, "a value > 0"],
    ["progress_timeout_s", -1, "a value > 0"],
    ["backup_distance_m", 5, "a value <= 1"],
    ["backup_speed_mps", -0.1, "a value > 0"],
    ["backup_timeout_s", 0, "a value > 0"],
    ["spin_speed_radps", 0, "a value > 0"],
    ["spin_angle_rad", 10, "a value in [-6.28"],
    ["spin_timeout_s", 0, "a value > 0"],
    ["max_recovery_attempts", -1, "a value >= 0"],
    ["max_recovery_attempts", 1.5, "a value that must be integer"],
  ])("refuses %s = %p: expected %s", async (name, value, expected) => {
    const h = await startController();
    const before = h.params.values[name];
    const result = h.params.set({ [name]: value });
    expect(result.successful).toBe(false);
    expect(result.reason).toContain(`parameter '${name}': expected ${expected}`);
    expect(result.reason).toMatch(/, found -?[\d.]+$/);
    expect(h.params.values[name]).toBe(before);
    await h.instance.stop?.();
  });

  it("refuses to start with a nonsense value given at launch, naming parameter, value and bound", async () => {
    await expect(startController(["-p", "backup_speed_mps:=-0.1"])).rejects.toThrow(/parameter 'backup_speed_mps'.*-0\.1/);
  });
});

describe("controller node with recovery", () => {
  it("backs up on /cmd_vel when stuck, logs each transition once, and reports the outcome in its summary", async () => {
    const h = await startController(["-p", "progress_timeout_s:=2.0", "-p", "backup_timeout_s:=1.0", "-p", "spin_timeout_s:=1.0", "-p", "max_recovery_attempts:=1"]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    h.feed.scan = scanMessage({ 0: rangeAhead(0.13) }); // a wall 0.13 m ahead: inside the stop zone; odometry never moves
    await h.advance(9);
    const recoveryLines = h.stack.logs.filter((l) => l.logger === "controller" && l.message.startsWith("recovery: ")).map((l) => `${l.level} ${l.message.split(":")[1]!.trim()}`);
    // Odometry never moves: the back-up gets nowhere with the wall still in the stop zone, so the
    // recovery turns away from it and drives on (each step ending on its budget), then gives up.
    expect(recoveryLines).toEqual(["WARN progress_failed", "WARN backup_timeout", "WARN spin_timeout", "WARN drive_timeout", "ERROR recovery_exhausted"]);
    expect(h.cmds.some((c) => c.linear < 0 && c.angular === 0)).toBe(true); // the back-up went out through the STOP
    expect(h.cmds.every((c) => c.linear <= 0)).toBe(true); // never into the wall
    expect(h.instance.summary?.()).toMatch(/recovery exhausted \(1\/1 attempts used, last: recovery_exhausted\)$/);
    const quietFrom = h.cmds.length;
    await h.advance(2);
    expect(h.cmds.length - quietFrom).toBeLessThanOrEqual(1); // stopped, and quiet
  });
});
