/**
 * The recovery as a stage of the control cycle, between the active mode and the safety layer
 * (pipeline.ts): it feeds the state machine from the cycle's inputs and the mode's output, and
 * while a recovery runs it replaces the mode's output with its own command. It keeps the path
 * (the spin's target) and the goal (attempts are per goal), which the node hands it through
 * ControlPipeline.setPath.
 */
import type { ControlInput, ModeOutput } from "../mode";
import type { Path2D, Pose2D, ScanPoints } from "../types";
import { RecoveryMachine, type RecoveryOutcome, type RecoveryParams, type RecoveryPhase, type RecoveryTransition } from "./machine";
import { headingTowardPath, isNewGoal, pathGoal } from "./path";

export interface RecoveryStageParams extends RecoveryParams {
  /** How far along the path the spin aims (m): pursuit's lookahead at low speed (min_lookahead_dist). */
  pathLookaheadM: number;
  /** A path ending farther than this from the previous goal is a new goal (m): xy_goal_tolerance. */
  goalToleranceM: number;
  /** The safety layer's stop-zone radius (m): an obstacle inside it is one to turn and drive away from. */
  stopRadiusM: number;
}

/** The recovery's state as the cycle result and the node's status text carry it. */
export interface RecoveryStatus {
  enabled: boolean;
  phase: RecoveryPhase;
  /** Attempts used for the current goal, of `maxAttempts`. */
  attempt: number;
  maxAttempts: number;
  /** How the last phase ended, once one has. */
  lastOutcome?: RecoveryOutcome;
  /** The transition of this very cycle, if any (log it once). */
  transition?: RecoveryTransition;
}

export interface RecoveryDriven {
  /** What goes to the safety layer: the mode's output, or the recovery's in its place. */
  out: ModeOutput;
  /** True when `out` is the recovery's (backing up, spinning, or holding still when exhausted). */
  drives: boolean;
  status: RecoveryStatus;
}

/** Recovery off: what a pipeline built without recovery parameters runs (and the schema's defaults otherwise). */
export const RECOVERY_DISABLED: RecoveryStageParams = Object.freeze({
  enabled: false,
  progress: Object.freeze({ radiusM: 0.2, timeoutS: 10 }),
  backupDistanceM: 0.2,
  backupSpeedMps: 0.1,
  backupTimeoutS: 5,
  spinSpeedRadps: 1,
  spinAngleRad: 0,
  spinTimeoutS: 5,
  maxAttempts: 3,
  pathLookaheadM: 0.3,
  goalToleranceM: 0.25,
  stopRadiusM: 0.155,
});

export class RecoveryStage {
  private readonly machine: RecoveryMachine;
  private path: Path2D | undefined;
  private goal: { x: number; y: number } | undefined;
  private lastOutcome: RecoveryOutcome | undefined;

  constructor(private p: RecoveryStageParams) {
    this.machine = new RecoveryMachine(p);
  }

  get params(): RecoveryStageParams {
    return this.p;
  }

  set params(p: RecoveryStageParams) {
    this.p = p;
    this.machine.params = p;
  }

  /** The path the mode follows now (odom); a new goal resets the attempts. */
  setPath(path: Path2D | undefined): void {
    const goal = pathGoal(path);
    if (isNewGoal(this.goal, goal, this.p.goalToleranceM)) this.machine.newGoal();
    this.goal = goal;
    this.path = goal ? path : undefined;
  }

  drive(mode: ModeOutput, input: ControlInput): RecoveryDriven {
    const recovering = this.machine.state.phase !== "following";
    const pathHeading = recovering && input.pose ? headingTowardPath(this.path, input.pose, this.p.pathLookaheadM) : undefined;
    const awayHeading = recovering && input.pose ? headingAwayFromObstacle(input.scan, input.pose, this.p.stopRadiusM) : undefined;
    const step = this.machine.step({ nowS: input.nowS, pose: input.pose, following: mode.active, pathHeading, awayHeading });
    if (step.transition) this.lastOutcome = step.transition.outcome;
    const status: RecoveryStatus = { enabled: this.p.enabled, phase: step.phase, attempt: step.attempt, maxAttempts: this.p.maxAttempts };
    if (this.lastOutcome) status.lastOutcome = this.lastOutcome;
    if (step.transition) status.transition = step.transition;
    if (!step.cmd) return { out: mode, drives: false, status };
    if (step.phase === "exhausted") return { out: { cmd: step.cmd, active: false, state: "recovery_exhausted" }, drives: true, status };
    const out: ModeOutput = { cmd: step.cmd, active: true, state: `recovery_${step.phase}` };
    // The expert's label (policy mode) goes on: it is what pursuit would do in this state.
    if (mode.expert) out.expert = mode.expert;
    return { out, drives: true, status };
  }
}

/**
 * The heading (odom, rad) pointing from the nearest scan point straight away through the robot,
 * when that point lies inside `radiusM`; undefined otherwise (or without a scan). Driving on it
 * leaves every point of a straight wall beside the robot behind it.
 */
export function headingAwayFromObstacle(scan: ScanPoints | undefined, pose: Pose2D, radiusM: number): number | undefined {
  if (!scan) return undefined;
  let best = -1;
  let bestD2 = radiusM * radiusM;
  for (let i = 0; i < scan.count; i++) {
    const d2 = scan.xs[i]! ** 2 + scan.ys[i]! ** 2;
    if (d2 < bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  if (best < 0) return undefined;
  return pose.theta + Math.atan2(-scan.ys[best]!, -scan.xs[best]!);
}

/** "following (1/3 attempts used, last: spin_done)": the recovery in the node's status text. */
export function recoveryStatusText(s: RecoveryStatus): string {
  if (!s.enabled && s.phase === "following") return "recovery off";
  return `recovery ${s.phase} (${s.attempt}/${s.maxAttempts} attempts used${s.lastOutcome ? `, last: ${s.lastOutcome}` : ""})`;
}
