/**
 * One control cycle over plain data: active mode → safety layer → smoother, and whether the
 * result is published. No transport here: the node feeds it and publishes what it returns.
 *
 * Publishing when idle follows Nav2 (controller server + velocity smoother): while a mode is
 * driving, every cycle is published; when it stops driving (no path, goal reached) the smoother
 * ramps the output down within the deceleration limits, publishes the first zero, and then
 * stays quiet until there is something to do again.
 *
 * A STOP decision bypasses the deceleration ramp and stops the linear motion at once (Nav2's
 * collision monitor sits after the smoother for the same reason). What still goes out is what
 * the safety layer passes as a way out: a turn in place toward the path (safety/turn-in-place.ts),
 * ramped within the angular limits, so a robot stopped against a wall can turn back to its path;
 * driving straight ahead when everything in the stop zone is behind the robot (a wall at its
 * back); and, while a recovery runs, its straight back-up.
 *
 * Recovery (recovery/): a stage between the mode and the safety decision, not a mode wrapper.
 * The mode is swapped at run time (parameter `mode`) and a wrapper would lose the attempt count
 * with it; and the one thing the recovery needs from this cycle beyond a mode's output — that its
 * straight back-up may leave a STOP, where a mode's reverse may not — is visible here in one line
 * (`stopExit`) instead of hidden in a wrapper. While it drives, its command replaces the mode's
 * and goes through the same safety decision and smoother: the safety layer keeps the last word
 * (a back-up with something behind the robot is stopped by the stop zone or the collision
 * prediction, both of which look along the commanded reverse).
 *
 * The expert beside a learned policy (ModeOutput.expert, policy mode): its command goes through
 * the same safety decision and ONE smoother step from the same ramp state without moving it, so
 * `expertCmd` is exactly what /cmd_vel would carry this cycle had pursuit driven — the label the
 * learner needs (in pursuit and shadow mode it learns from /cmd_vel, which is safety- and
 * smoother-processed too, so both label sources mean the same thing). The policy's own command
 * and the ramp it drives are untouched.
 */
import type { ControlInput, ControllerMode, ModeOutput } from "./mode";
import { RECOVERY_DISABLED, RecoveryStage, type RecoveryStageParams, type RecoveryStatus } from "./recovery/stage";
import { evaluateSafety, isFiniteVelocity, SafetyState, type SafetyDecision, type SafetyFault, type SafetyParams } from "./safety/supervisor";
import { stopTurnInPlace } from "./safety/turn-in-place";
import { VelocitySmoother } from "./smoother";
import { ZERO_VELOCITY, type Path2D, type Velocity2D } from "./types";

export interface CycleResult {
  /** The command to send (already safe and smoothed). */
  cmd: Velocity2D;
  /** Whether to publish it this cycle. */
  publish: boolean;
  decision: SafetyDecision;
  mode: ModeOutput;
  /** The expert's command as /cmd_vel would carry it, when the mode ran one beside itself (publish it with `cmd`). */
  expertCmd?: Velocity2D;
  /** Whether `cmd` is a turn in place let through a STOP decision. */
  turningInStop: boolean;
  /** The recovery's state; `recovery.transition` is set only in the cycle of a change. */
  recovery: RecoveryStatus;
}

export class ControlPipeline {
  private idleZeroSent = false;
  private readonly recoveryStage: RecoveryStage;

  /** Without `recovery` parameters there is no recovery (the cycle as before it existed). */
  constructor(
    public mode: ControllerMode<any>,
    readonly smoother: VelocitySmoother,
    public safety: SafetyParams,
    recovery: RecoveryStageParams = RECOVERY_DISABLED,
  ) {
    this.recoveryStage = new RecoveryStage(recovery);
  }

  get recovery(): RecoveryStageParams {
    return this.recoveryStage.params;
  }

  set recovery(params: RecoveryStageParams) {
    this.recoveryStage.params = params;
  }

  /** A new path (odom) for the mode and the recovery (a new goal resets its attempts); undefined clears it. */
  setPath(path: Path2D | undefined): void {
    this.mode.setPath(path);
    this.recoveryStage.setPath(path);
  }

  step(input: ControlInput, faults: ReadonlyArray<SafetyFault>): CycleResult {
    const mode = this.computeMode(input);
    const recovery = this.recoveryStage.drive(mode, input);
    const out = recovery.out;
    const decision = evaluateSafety({ cmd: out.cmd, points: input.scan, faults }, this.safety);
    // The expert's command first: previewed from the ramp state before this cycle's step moves it.
    // When the expert is what drives (policy mode's pursuit fallback), it is the command itself.
    const expert = out.expert;
    const expertDrives = expert !== undefined && expert.cmd === out.cmd && expert.active === out.active;
    // In a STOP the turn in place is the one the expert (pursuit, which turns toward the path)
    // asks for when there is one: a learned policy that drove into a wall need not know how to
    // turn away from it, and its own turn is often none. A recovery's spin is its own.
    const expertTurn = expert && expert.active ? expert.cmd.angular : out.cmd.angular;
    // What a STOP lets out: straight away from everything in the stop zone when the safety layer
    // passes that (the recovery's back-up; a mode's drive forward with the wall at its back), else
    // the turn in place. A mode's reverse never leaves a STOP.
    const stopExit =
      (angular: number, reverse: boolean) =>
      (d: SafetyDecision): Velocity2D =>
        this.straightOut(d, reverse, input.scan, faults) ?? stopTurnInPlace(d, angular, input.scan, faults, this.safety);
    const backingUp = recovery.drives && out.cmd.linear < 0;
    const previewed = expert && !expertDrives ? this.command(expert, evaluateSafety({ cmd: expert.cmd, points: input.scan, faults }, this.safety), stopExit(expertTurn, false), input.dt, false) : undefined;
    const cmd = this.command(out, decision, stopExit(recovery.drives ? out.cmd.angular : expertTurn, backingUp), input.dt, true);
    const turningInStop = decision.state === SafetyState.STOP && cmd.angular !== 0;
    const expertCmd = expertDrives ? cmd : previewed;
    const publish = this.shouldPublish(out.active);
    const result: CycleResult = { cmd, publish, decision, mode, turningInStop, recovery: recovery.status };
    if (expertCmd) result.expertCmd = expertCmd;
    return result;
  }

  /** The mode's output; a mode that throws asks for a non-finite command, which the safety layer stops. */
  private computeMode(input: ControlInput): ModeOutput {
    try {
      return this.mode.compute(input);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return { cmd: { linear: Number.NaN, angular: Number.NaN }, active: true, state: `error: ${text}` };
    }
  }

  /** Every cycle while driving or still moving; once more (the zero) when that ends; then quiet. */
  private shouldPublish(active: boolean): boolean {
    const moving = this.smoother.current.linear !== 0 || this.smoother.current.angular !== 0;
    if (active || moving) {
      this.idleZeroSent = false;
      return true;
    }
    const publish = !this.idleZeroSent;
    this.idleZeroSent = true;
    return publish;
  }

  /**
   * A STOP's straight way out, or undefined: the decision's escape (the safety layer passed it
   * because every point in the stop zone lies behind the motion) driven without its turn, when the
   * safety layer passes that straight motion too. Forward for a mode, reverse only for the
   * recovery's back-up (`reverse`): with a noisy lidar, a mode's reverse crept the robot into the
   * planner's inflation.
   */
  private straightOut(d: SafetyDecision, reverse: boolean, scan: ControlInput["scan"], faults: ReadonlyArray<SafetyFault>): Velocity2D | undefined {
    if (d.source !== "scan" || (reverse ? d.cmd.linear >= 0 : d.cmd.linear <= 0)) return undefined;
    const straight = evaluateSafety({ cmd: { linear: d.cmd.linear, angular: 0 }, points: scan, faults }, this.safety);
    return straight.cmd.linear === d.cmd.linear ? { linear: d.cmd.linear, angular: 0 } : undefined;
  }

  /**
   * Safety decision → smoother; `commit` moves the ramp (the command sent), else it is a preview.
   * `stopExit` gives what a STOP decision still lets out (zero for none): a turn in place, or a
   * straight way out (straightOut).
   */
  private command(out: ModeOutput, decision: SafetyDecision, stopExit: (d: SafetyDecision) => Velocity2D, dt: number, commit: boolean): Velocity2D {
    let target = out.active ? decision.cmd : ZERO_VELOCITY;
    if (decision.state === SafetyState.STOP) {
      target = out.active ? stopExit(decision) : ZERO_VELOCITY;
      if (target.linear === 0 && target.angular === 0) {
        if (commit) this.smoother.reset();
        return ZERO_VELOCITY;
      }
      // A turn in place: the linear motion stops at once, the turn ramps on from the current
      // angular velocity. A straight way out starts from standstill (or the same straight motion
      // under way) with no turn left over, so the robot moves exactly as the safety layer checked.
      const cur = this.smoother.current;
      const straight = target.linear !== 0;
      const from = straight ? { linear: Math.sign(cur.linear) === Math.sign(target.linear) ? cur.linear : 0, angular: 0 } : { linear: 0, angular: cur.angular };
      const ramped = commit ? (this.smoother.reset(from), this.smoother.smooth(target, dt)) : this.smoother.preview(target, dt);
      const cmd = straight ? { linear: ramped.linear, angular: 0 } : { linear: 0, angular: ramped.angular };
      if (isFiniteVelocity(cmd)) return cmd;
      if (commit) this.smoother.reset();
      return ZERO_VELOCITY;
    }
    const cmd = commit ? this.smoother.smooth(target, dt) : this.smoother.preview(target, dt);
    if (isFiniteVelocity(cmd)) return cmd;
    if (commit) this.smoother.reset();
    return ZERO_VELOCITY;
  }
}
