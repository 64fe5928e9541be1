/**
 * The recovery state machine (Nav2's progress checker + BackUp and Spin behaviours, as one
 * bounded sequence): while the active mode follows a path and the progress checker says the
 * robot is stuck, it backs straight up a set distance, then spins toward the path (or by a set
 * angle), each step ending when done or when its time budget runs out, and then hands control
 * back to the mode. At most `maxAttempts` recoveries per goal; the next failure after the last
 * one leaves it stopped in `exhausted` until a new goal.
 *
 * When the back-up gets nowhere (the safety layer vetoed it: something behind) and the robot is
 * still inside the stop zone — a wall along its side closes in both ways — it turns away from the
 * nearest obstacle instead and drives on that heading (Nav2's DriveOnHeading) the back-up distance.
 *
 * Pure: plain data in, plain data out, the caller's clock. Its commands are requests like any
 * mode's: the pipeline puts them through the safety layer, which can veto any of them (a back-up
 * with something behind the robot is stopped there, and the step's budget then ends it).
 *
 *   following ──stuck──▶ backing_up ──done──────────▶ spinning (toward the path) ──▶ following
 *       │                    └──vetoed, in the stop zone──▶ spinning (away) ──▶ driving_away ──▶ following
 *       │                                                                          (attempt + 1)
 *       └──stuck, attempts used up──▶ exhausted ──new goal──▶ following
 */
import { normalizeAngle, ZERO_VELOCITY, type Pose2D, type Velocity2D } from "../types";
import { ProgressChecker, type ProgressParams } from "./progress";

export interface RecoveryParams {
  enabled: boolean;
  progress: ProgressParams;
  /** How far to back up, straight back (m). */
  backupDistanceM: number;
  /** Back-up speed, a magnitude (m/s). */
  backupSpeedMps: number;
  /** Time budget of the back-up (s). */
  backupTimeoutS: number;
  /** Largest spin rate (rad/s). */
  spinSpeedRadps: number;
  /** 0: spin to face the path; otherwise spin by this angle (rad, positive = left). */
  spinAngleRad: number;
  /** Time budget of the spin (s). */
  spinTimeoutS: number;
  /** Recoveries allowed per goal. */
  maxAttempts: number;
}

export type RecoveryPhase = "following" | "backing_up" | "spinning" | "driving_away" | "exhausted";

/** Why a phase ended: the names the node logs and the cycle result carries. */
export type RecoveryOutcome =
  | "progress_failed" // following → backing_up: an attempt starts
  | "backup_done" // the back-up covered its distance
  | "backup_timeout" // the back-up's budget ran out first (e.g. the safety layer vetoed it)
  | "spin_done" // facing the path (or turned the set angle): control goes back to the mode
  | "spin_timeout" // the spin's budget ran out first: control goes back to the mode (or on to driving_away)
  | "drive_done" // drove the back-up distance away from the obstacle: control goes back to the mode
  | "drive_timeout" // the drive's budget (backup_timeout_s) ran out first
  | "recovery_exhausted" // stuck again with every attempt used: stays stopped
  | "aborted" // nothing to follow any more (path cleared, goal reached) mid-recovery
  | "new_goal" // a new goal: the attempt count starts again
  | "disabled"; // recovery switched off mid-recovery

export interface RecoveryTransition {
  outcome: RecoveryOutcome;
  from: RecoveryPhase;
  to: RecoveryPhase;
  /** Attempts used for the current goal after the transition. */
  attempt: number;
  /** One line with the numbers, for the log. */
  detail: string;
}

export interface RecoveryInput {
  nowS: number;
  /** Robot pose (odom); undefined until odometry arrives. */
  pose: Pose2D | undefined;
  /** Whether the active mode is driving toward a goal. */
  following: boolean;
  /** The heading (odom, rad) that faces the path from the robot, when there is one: the spin's target. */
  pathHeading: number | undefined;
  /** The heading (odom, rad) pointing away from the nearest obstacle, when one is inside the stop zone. */
  awayHeading: number | undefined;
}

export interface RecoveryStep {
  phase: RecoveryPhase;
  /** What the recovery commands: undefined while the mode drives (following); zero when exhausted. */
  cmd: Velocity2D | undefined;
  /** Attempts used for the current goal. */
  attempt: number;
  /** Set only in the cycle a transition happens (log it once). */
  transition?: RecoveryTransition;
}

/** A spin is done within this of its target (rad): pursuit's own rotate-to-heading takes finer errors. */
export const SPIN_TOLERANCE_RAD = 0.1;
/** Spin rate per radian left to turn (1/s), so the spin slows into its target instead of overshooting. */
const SPIN_GAIN = 2.0;
/** Slowest spin rate (rad/s), so the last few degrees do not crawl until the budget runs out. */
const SPIN_MIN_RADPS = 0.3;

const f2 = (v: number): string => v.toFixed(2);

export class RecoveryMachine {
  private readonly progress: ProgressChecker;
  private phase: RecoveryPhase = "following";
  private attempts = 0;
  /** When and where the current step started, and how far a set-angle spin has turned so far. */
  private step0 = { tS: 0, x: 0, y: 0, theta: 0, turnedRad: 0 };
  /** The spin's fixed target when it turns away from an obstacle (then it drives on); undefined: toward the path. */
  private awayTarget: number | undefined;
  private pending: RecoveryTransition | undefined;

  constructor(private p: RecoveryParams) {
    this.progress = new ProgressChecker(p.progress);
  }

  get params(): RecoveryParams {
    return this.p;
  }

  set params(p: RecoveryParams) {
    this.p = p;
    this.progress.params = p.progress;
  }

  get state(): { phase: RecoveryPhase; attempt: number } {
    return { phase: this.phase, attempt: this.attempts };
  }

  /** A new goal: attempts start again from 0 and any recovery in progress ends. */
  newGoal(): void {
    const changed = this.phase !== "following" || this.attempts > 0;
    const from = this.phase;
    this.attempts = 0;
    this.phase = "following";
    this.awayTarget = undefined;
    this.progress.reset();
    if (changed) this.pending = { outcome: "new_goal", from, to: "following", attempt: 0, detail: "new goal: recovery attempts reset" };
  }

  step(input: RecoveryInput): RecoveryStep {
    let transition = this.pending;
    this.pending = undefined;
    transition = this.advance(input) ?? transition;
    const out: RecoveryStep = { phase: this.phase, cmd: this.command(input), attempt: this.attempts };
    if (transition) out.transition = transition;
    return out;
  }

  /** Ends the current phase when its condition holds; the transition, if one happened. */
  private advance(input: RecoveryInput): RecoveryTransition | undefined {
    if (!this.p.enabled) {
      if (this.phase !== "following") return this.handBack(input, "disabled", "recovery disabled: control back to the mode");
      this.progress.reset();
      return undefined;
    }
    switch (this.phase) {
      case "following":
        return this.checkProgress(input);
      case "backing_up":
        if (!input.following) return this.handBack(input, "aborted", "nothing to follow any more: back-up aborted");
        return this.checkBackup(input);
      case "spinning":
        if (!input.following) return this.handBack(input, "aborted", "nothing to follow any more: spin aborted");
        return this.checkSpin(input);
      case "driving_away":
        if (!input.following) return this.handBack(input, "aborted", "nothing to follow any more: drive aborted");
        return this.checkDrive(input);
      case "exhausted":
        return undefined;
    }
  }

  private checkProgress(input: RecoveryInput): RecoveryTransition | undefined {
    const verdict = this.progress.check({ nowS: input.nowS, pose: input.pose, following: input.following });
    if (verdict.kind !== "stuck") return undefined;
    const p = this.p;
    const why = `no progress: moved ${f2(verdict.movedM)} m of ${f2(p.progress.radiusM)} m in ${verdict.elapsedS.toFixed(1)} s (progress_timeout_s ${p.progress.timeoutS})`;
    if (this.attempts >= p.maxAttempts) {
      this.phase = "exhausted";
      return { outcome: "recovery_exhausted", from: "following", to: "exhausted", attempt: this.attempts, detail: `${why}; all ${p.maxAttempts} recovery attempts used: stopped until a new goal` };
    }
    this.attempts++;
    this.enter("backing_up", input);
    return {
      outcome: "progress_failed",
      from: "following",
      to: "backing_up",
      attempt: this.attempts,
      detail: `${why}; recovery ${this.attempts}/${p.maxAttempts}: backing up ${f2(p.backupDistanceM)} m at ${f2(p.backupSpeedMps)} m/s`,
    };
  }

  private checkBackup(input: RecoveryInput): RecoveryTransition | undefined {
    const movedM = input.pose ? Math.hypot(input.pose.x - this.step0.x, input.pose.y - this.step0.y) : 0;
    const elapsedS = input.nowS - this.step0.tS;
    const done = movedM >= this.p.backupDistanceM;
    if (!done && elapsedS < this.p.backupTimeoutS) return undefined;
    this.enter("spinning", input);
    // Vetoed with an obstacle still inside the stop zone: backing up cannot free it, driving away can.
    this.awayTarget = !done && input.awayHeading !== undefined ? input.awayHeading : undefined;
    const target =
      this.awayTarget !== undefined ? "away from the nearest obstacle, to drive on that heading" : this.p.spinAngleRad !== 0 ? `by ${f2(this.p.spinAngleRad)} rad` : "toward the path";
    return {
      outcome: done ? "backup_done" : "backup_timeout",
      from: "backing_up",
      to: "spinning",
      attempt: this.attempts,
      detail: `${done ? "backed up" : "back-up budget spent after"} ${f2(movedM)} m in ${elapsedS.toFixed(1)} s${done ? "" : ` (backup_timeout_s ${this.p.backupTimeoutS})`}; spinning ${target}`,
    };
  }

  private checkSpin(input: RecoveryInput): RecoveryTransition | undefined {
    this.trackTurn(input.pose);
    const remaining = this.remainingTurn(input);
    const elapsedS = input.nowS - this.step0.tS;
    const done = remaining === undefined || Math.abs(remaining) <= SPIN_TOLERANCE_RAD;
    if (!done && elapsedS < this.p.spinTimeoutS) return undefined;
    const left = remaining === undefined ? "no path heading to face" : `${f2(remaining)} rad from the target`;
    if (this.awayTarget !== undefined) {
      this.enter("driving_away", input);
      return {
        outcome: done ? "spin_done" : "spin_timeout",
        from: "spinning",
        to: "driving_away",
        attempt: this.attempts,
        detail: `turned away from the obstacle, ${left}, after ${elapsedS.toFixed(1)} s; driving ${f2(this.p.backupDistanceM)} m on that heading at ${f2(this.p.backupSpeedMps)} m/s`,
      };
    }
    return this.handBack(
      input,
      done ? "spin_done" : "spin_timeout",
      `${done ? "spin done" : `spin budget spent (spin_timeout_s ${this.p.spinTimeoutS})`}, ${left}, after ${elapsedS.toFixed(1)} s; recovery ${this.attempts}/${this.p.maxAttempts} over: control back to the mode`,
    );
  }

  private checkDrive(input: RecoveryInput): RecoveryTransition | undefined {
    const movedM = input.pose ? Math.hypot(input.pose.x - this.step0.x, input.pose.y - this.step0.y) : 0;
    const elapsedS = input.nowS - this.step0.tS;
    const done = movedM >= this.p.backupDistanceM;
    if (!done && elapsedS < this.p.backupTimeoutS) return undefined;
    return this.handBack(
      input,
      done ? "drive_done" : "drive_timeout",
      `${done ? "drove" : "drive budget spent after"} ${f2(movedM)} m away in ${elapsedS.toFixed(1)} s${done ? "" : ` (backup_timeout_s ${this.p.backupTimeoutS})`}; recovery ${this.attempts}/${this.p.maxAttempts} over: control back to the mode`,
    );
  }

  /** Back to following: the mode drives again and the progress window starts afresh. */
  private handBack(input: RecoveryInput, outcome: RecoveryOutcome, detail: string): RecoveryTransition {
    const from = this.phase;
    this.enter("following", input);
    return { outcome, from, to: "following", attempt: this.attempts, detail };
  }

  private enter(phase: RecoveryPhase, input: RecoveryInput): void {
    this.phase = phase;
    const pose = input.pose;
    this.step0 = { tS: input.nowS, x: pose?.x ?? 0, y: pose?.y ?? 0, theta: pose?.theta ?? 0, turnedRad: 0 };
    if (phase === "following") {
      this.progress.reset();
      this.awayTarget = undefined;
    }
  }

  /** Accumulates the turn since the spin started (unwrapped), for a set-angle spin. */
  private trackTurn(pose: Pose2D | undefined): void {
    if (!pose) return;
    this.step0.turnedRad += normalizeAngle(pose.theta - this.step0.theta);
    this.step0.theta = pose.theta;
  }

  /** Signed turn still to do (rad); undefined when there is nothing to face. */
  private remainingTurn(input: RecoveryInput): number | undefined {
    if (this.awayTarget !== undefined) return input.pose ? normalizeAngle(this.awayTarget - input.pose.theta) : undefined;
    if (this.p.spinAngleRad !== 0) return this.p.spinAngleRad - this.step0.turnedRad;
    if (input.pathHeading === undefined || !input.pose) return undefined;
    return normalizeAngle(input.pathHeading - input.pose.theta);
  }

  private command(input: RecoveryInput): Velocity2D | undefined {
    switch (this.phase) {
      case "following":
        return undefined;
      case "exhausted":
        return ZERO_VELOCITY;
      case "backing_up":
        return { linear: -this.p.backupSpeedMps, angular: 0 };
      case "driving_away":
        return { linear: this.p.backupSpeedMps, angular: 0 };
      case "spinning": {
        const remaining = this.remainingTurn(input);
        if (remaining === undefined || Math.abs(remaining) <= SPIN_TOLERANCE_RAD) return ZERO_VELOCITY;
        const rate = Math.min(this.p.spinSpeedRadps, Math.max(SPIN_MIN_RADPS, SPIN_GAIN * Math.abs(remaining)));
        return { linear: 0, angular: Math.sign(remaining) * rate };
      }
    }
  }
}
