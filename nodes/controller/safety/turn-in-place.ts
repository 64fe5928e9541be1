/**
 * What a STOP may still send: a turn in place. A circular footprint turning about its centre
 * sweeps nothing new, so a robot stopped against a wall can face its path again (the planner
 * plans out of the inflation for it) instead of staying stopped there for good. Backing away is
 * not sent: with a noisy lidar it crept the robot into the planner's inflation. The turn is put
 * to the safety layer itself, which keeps the last word: on a fault or a predicted collision it
 * stops the turn too. A STOP for a non-finite command sends nothing at all. The one other exit
 * is the recovery's bounded, straight back-up (recovery/, pipeline.ts), as the safety layer
 * passes it.
 */
import { ZERO_VELOCITY, type ScanPoints, type Velocity2D } from "../types";
import { evaluateSafety, SafetyState, type SafetyDecision, type SafetyFault, type SafetyParams } from "./supervisor";

/**
 * The command a STOP decision lets through: (0, `angular`) — the turn toward the path, as the
 * classical controller asks for it — as far as the safety layer passes it (scaled in the slow-down
 * zone), else zero. Zero too for a decision that is not a STOP (its command is `decision.cmd`).
 */
export function stopTurnInPlace(decision: SafetyDecision, angular: number, points: ScanPoints | undefined, faults: ReadonlyArray<SafetyFault>, p: SafetyParams): Velocity2D {
  if (decision.state !== SafetyState.STOP || decision.source === "cmd_nan") return ZERO_VELOCITY;
  if (!Number.isFinite(angular) || angular === 0) return ZERO_VELOCITY;
  const turn = evaluateSafety({ cmd: { linear: 0, angular }, points, faults }, p);
  if (turn.cmd.linear !== 0 || turn.cmd.angular === 0) return ZERO_VELOCITY;
  return { linear: 0, angular: turn.cmd.angular };
}
