/**
 * What a STOP still lets out: a turn in place toward the path (a circular footprint turning about
 * its centre sweeps nothing new), as far as the safety layer passes it; never the backing away,
 * never anything on a fault or a non-finite command.
 */
import { stopTurnInPlace } from "../../nodes/controller/safety/turn-in-place";
import { evaluateSafety, SafetyState, type SafetyParams } from "../../nodes/controller/safety/supervisor";
import { scanPointsFrom } from "../../nodes/controller/types";

const p: SafetyParams = { footprintRadius: 0.15, stopMargin: 0.05, slowdownMargin: 0.3, slowdownScale: 0.5, collisionHorizonS: 1.0, collisionTimeStepS: 0.1 };
// A wall 0.17 m ahead (inside the 0.2 m stop zone).
const wall = scanPointsFrom([-0.1, -0.05, 0, 0.05, 0.1].map((y) => [0.17, y] as const));
const stopped = (linear: number, angular: number, points = wall) => evaluateSafety({ cmd: { linear, angular }, points, faults: [] }, p);

describe("stopTurnInPlace", () => {
  it("turns in place, without the forward part, when driving straight into a wall stops the robot", () => {
    const d = stopped(0.2, 0);
    expect(d.state).toBe(SafetyState.STOP);
    expect(d.cmd).toEqual({ linear: 0, angular: 0 });
    expect(stopTurnInPlace(d, 0.8, wall, [], p)).toEqual({ linear: 0, angular: 0.8 });
  });

  it("never backs away (it crept into the inflation with a noisy lidar)", () => {
    expect(stopTurnInPlace(stopped(-0.1, 0), 0, wall, [], p)).toEqual({ linear: 0, angular: 0 });
    expect(stopTurnInPlace(stopped(-0.1, -0.5), -0.5, wall, [], p)).toEqual({ linear: 0, angular: -0.5 });
  });

  it("turns out of a STOP for a predicted collision too", () => {
    const far = scanPointsFrom([[0.5, 0]]);
    const d = stopped(0.5, 0, far);
    expect(d.source).toBe("collision_check");
    expect(stopTurnInPlace(d, 1, far, [], p)).toEqual({ linear: 0, angular: 1 });
  });

  it("sends zero on a STOP from a fault or a non-finite command, and with no scan", () => {
    const fault = { source: "odom", reason: "stale" };
    const faulted = evaluateSafety({ cmd: { linear: 0, angular: 1 }, points: wall, faults: [fault] }, p);
    expect(stopTurnInPlace(faulted, 1, wall, [fault], p)).toEqual({ linear: 0, angular: 0 });
    expect(stopTurnInPlace(stopped(Number.NaN, 0), 1, wall, [], p)).toEqual({ linear: 0, angular: 0 });
    const noScan = evaluateSafety({ cmd: { linear: 0.1, angular: 0 }, points: undefined, faults: [] }, p);
    expect(stopTurnInPlace(noScan, 1, undefined, [], p)).toEqual({ linear: 0, angular: 0 });
  });

  it("sends zero for a decision that is not a STOP, and for no turn or a non-finite one", () => {
    const open = scanPointsFrom([[3, 0]]);
    expect(stopTurnInPlace(stopped(0.1, 0.3, open), 0.3, open, [], p)).toEqual({ linear: 0, angular: 0 });
    expect(stopTurnInPlace(stopped(0.2, 0), 0, wall, [], p)).toEqual({ linear: 0, angular: 0 });
    expect(stopTurnInPlace(stopped(0.2, 0), Number.POSITIVE_INFINITY, wall, [], p)).toEqual({ linear: 0, angular: 0 });
  });
});
