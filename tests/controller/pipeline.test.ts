/**
 * One control cycle with an expert beside the mode (policy mode): the expert's command comes out
 * as /cmd_vel would carry it had the expert driven — the same safety decision and one smoother
 * step from the same ramp — and the command actually sent, and its ramp, are untouched by it.
 */
import type { ModeOutput } from "../../nodes/controller/mode";
import { ControlPipeline } from "../../nodes/controller/pipeline";
import { VelocitySmoother, type SmootherLimits } from "../../nodes/controller/smoother";
import type { SafetyFault, SafetyParams } from "../../nodes/controller/safety/supervisor";
import type { ScanPoints } from "../../nodes/controller/types";
import { ScriptedMode } from "./fixtures";

const limits: SmootherLimits = { maxLinear: 0.22, minLinear: 0, maxAngular: 2.84, maxLinearAccel: 0.5, maxLinearDecel: 1.0, maxAngularAccel: 100, maxAngularDecel: 100, deadbandLinear: 0, deadbandAngular: 0 };
const safety: SafetyParams = { footprintRadius: 0.105, stopMargin: 0.05, slowdownMargin: 0.3, slowdownScale: 0.5, collisionHorizonS: 1.0, collisionTimeStepS: 0.1 };
const noPoints: ScanPoints = { xs: new Float64Array(0), ys: new Float64Array(0), count: 0 };

const input = { pose: { x: 0, y: 0, theta: 0 }, velocity: { linear: 0, angular: 0 }, scan: noPoints, nowS: 0, dt: 0.1 };

describe("ControlPipeline with an expert beside the mode", () => {
  const policy = { cmd: { linear: 0.22, angular: 0.5 }, active: true, state: "policy" };
  const pursuit = { cmd: { linear: 0.2, angular: -1 }, active: true, state: "tracking" };
  type V = { linear: number; angular: number };
  const cases: Array<[string, ModeOutput, ReadonlyArray<SafetyFault>, { cmd: V; expert: V | undefined }]> = [
    ["no expert: no expert command", policy, [], { cmd: { linear: 0.05, angular: 0.5 }, expert: undefined }],
    ["an expert: one smoother step from the same ramp", { ...policy, expert: pursuit }, [], { cmd: { linear: 0.05, angular: 0.5 }, expert: { linear: 0.05, angular: -1 } }],
    ["an idle expert: ramps to zero", { ...policy, expert: { ...pursuit, active: false } }, [], { cmd: { linear: 0.05, angular: 0.5 }, expert: { linear: 0, angular: 0 } }],
    ["a safety STOP: zero for both", { ...policy, expert: pursuit }, [{ source: "odom", reason: "stale" }], { cmd: { linear: 0, angular: 0 }, expert: { linear: 0, angular: 0 } }],
    ["a NaN expert: zero, the command unharmed", { ...policy, expert: { ...pursuit, cmd: { linear: NaN, angular: 0 } } }, [], { cmd: { linear: 0.05, angular: 0.5 }, expert: { linear: 0, angular: 0 } }],
  ];
  it.each(cases)("%s", (_name, out, faults, expected) => {
    const p = new ControlPipeline(new ScriptedMode(out), new VelocitySmoother(limits), safety);
    const r = p.step(input, faults);
    expect(r.cmd).toEqual({ linear: expect.closeTo(expected.cmd.linear, 9), angular: expected.cmd.angular });
    if (expected.expert === undefined) expect(r.expertCmd).toBeUndefined();
    else expect(r.expertCmd).toEqual({ linear: expect.closeTo(expected.expert.linear, 9), angular: expected.expert.angular });
  });

  it("the expert never moves the ramp: the sent commands are those of the mode alone", () => {
    const alone = new ControlPipeline(new ScriptedMode(policy), new VelocitySmoother(limits), safety);
    const beside = new ControlPipeline(new ScriptedMode({ ...policy, expert: pursuit }), new VelocitySmoother(limits), safety);
    for (let i = 0; i < 6; i++) expect(beside.step(input, []).cmd).toEqual(alone.step(input, []).cmd);
  });

  it("when the expert is what drives (the same output), its command is the one sent", () => {
    const out: ModeOutput = { ...pursuit };
    out.expert = out;
    const p = new ControlPipeline(new ScriptedMode(out), new VelocitySmoother(limits), safety);
    const r = p.step(input, []);
    expect(r.expertCmd).toBe(r.cmd);
  });

  it("in the stop zone only the turn in place passes, for the expert's label like the command sent", () => {
    // An obstacle 0.13 m ahead: inside the stop zone (0.105 + 0.05 m).
    const blocked: ScanPoints = { xs: new Float64Array([0.13]), ys: new Float64Array([0]), count: 1 };
    const p = new ControlPipeline(new ScriptedMode({ ...policy, expert: pursuit }), new VelocitySmoother(limits), safety);
    p.smoother.reset({ linear: 0.2, angular: 0 });
    const r = p.step({ ...input, scan: blocked }, []);
    expect(r.decision.state).toBe(2);
    // Both turn the way the expert turns (toward the path), not the policy's way.
    expect(r.cmd).toEqual({ linear: 0, angular: -1 });
    expect(r.expertCmd).toEqual({ linear: 0, angular: -1 });
    expect(r.turningInStop).toBe(true);
    expect(p.smoother.current.linear).toBe(0);
  });
});

describe("ControlPipeline in a STOP decision", () => {
  // An obstacle 0.13 m ahead: inside the stop zone (0.105 + 0.05 m).
  const blocked: ScanPoints = { xs: new Float64Array([0.13]), ys: new Float64Array([0]), count: 1 };
  const slowTurn: SmootherLimits = { ...limits, maxAngularAccel: 1, maxAngularDecel: 1 };

  it("sends no backing away, even when the safety layer allows it: zero for a pure reverse", () => {
    const p = new ControlPipeline(new ScriptedMode({ cmd: { linear: -0.1, angular: 0 }, active: true, state: "back" }), new VelocitySmoother(limits), safety);
    const r = p.step({ ...input, scan: blocked }, []);
    expect(r.decision.cmd.linear).toBeLessThan(0);
    expect(r.cmd).toEqual({ linear: 0, angular: 0 });
    expect(r.turningInStop).toBe(false);
  });

  it("ramps the turn in place within the angular acceleration over the cycles it lasts", () => {
    const p = new ControlPipeline(new ScriptedMode({ cmd: { linear: 0.2, angular: 1 }, active: true, state: "tracking" }), new VelocitySmoother(slowTurn), safety);
    const angulars = [0, 1, 2].map(() => p.step({ ...input, scan: blocked }, []).cmd.angular);
    expect(angulars.map((a) => Number(a.toFixed(9)))).toEqual([0.1, 0.2, 0.3]);
  });

  it("turns the way the expert (toward the path) turns when a policy beside it drives straight into the wall", () => {
    const straight = { cmd: { linear: 0.2, angular: 0 }, active: true, state: "policy" };
    const p = new ControlPipeline(new ScriptedMode({ ...straight, expert: { cmd: { linear: 0, angular: -1.5 }, active: true, state: "rotate" } }), new VelocitySmoother(limits), safety);
    const r = p.step({ ...input, scan: blocked }, []);
    expect(r.cmd).toEqual({ linear: 0, angular: -1.5 });
    expect(r.expertCmd).toEqual({ linear: 0, angular: -1.5 });
  });

  it("sends zero for a stop on a fault, whatever the mode asks", () => {
    const p = new ControlPipeline(new ScriptedMode({ cmd: { linear: 0, angular: 1 }, active: true, state: "turn" }), new VelocitySmoother(limits), safety);
    const r = p.step({ ...input, scan: blocked }, [{ source: "odom", reason: "stale" }]);
    expect(r.cmd).toEqual({ linear: 0, angular: 0 });
  });
});
