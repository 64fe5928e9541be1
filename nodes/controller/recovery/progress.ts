/**
 * Progress checker (Nav2's SimpleProgressChecker: required_movement_radius within
 * movement_time_allowance): while the robot has a path to follow, it must get `radiusM` away
 * from where the current window started within `timeoutS`; each time it does, the window starts
 * again from where it is now. No path, no pose: nothing to check, and the window starts afresh
 * when there is again. Plain data in and out; the caller owns the clock.
 */
import type { Pose2D } from "../types";

export interface ProgressParams {
  /** Distance the robot must cover (straight line from the window's start, m). */
  radiusM: number;
  /** Time it has to cover it (s). */
  timeoutS: number;
}

export interface ProgressInput {
  nowS: number;
  /** Robot pose (odom); undefined until odometry arrives. */
  pose: Pose2D | undefined;
  /** Whether there is a path the robot should be following (the active mode is driving). */
  following: boolean;
}

/**
 * `idle`: nothing to check (no path or no pose). `progressing`: within the window's time, or it
 * just covered the radius. `stuck`: the window's time ran out short of the radius.
 */
export type ProgressVerdict =
  | { kind: "idle" }
  | { kind: "progressing" }
  | { kind: "stuck"; movedM: number; elapsedS: number };

export class ProgressChecker {
  private start: { x: number; y: number; tS: number } | undefined;

  constructor(public params: ProgressParams) {}

  /** Starts the window afresh at the next check (a new goal, the end of a recovery). */
  reset(): void {
    this.start = undefined;
  }

  check(input: ProgressInput): ProgressVerdict {
    const { pose } = input;
    if (!input.following || !pose) {
      this.start = undefined;
      return { kind: "idle" };
    }
    const start = this.start;
    if (!start) {
      this.start = { x: pose.x, y: pose.y, tS: input.nowS };
      return { kind: "progressing" };
    }
    const movedM = Math.hypot(pose.x - start.x, pose.y - start.y);
    if (movedM >= this.params.radiusM) {
      this.start = { x: pose.x, y: pose.y, tS: input.nowS };
      return { kind: "progressing" };
    }
    const elapsedS = input.nowS - start.tS;
    if (elapsedS > this.params.timeoutS) return { kind: "stuck", movedM, elapsedS };
    return { kind: "progressing" };
  }
}
