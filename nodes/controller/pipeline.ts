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
 * collision monitor sits after the smoother for the same reason). Only a turn in place toward the
 * path that the safety layer passes still goes out (safety/turn-in-place.ts), ramped within the
 * angular limits, so a robot stopped against a wall can turn back to its path.
 *
 * The expert beside a learned policy (ModeOutput.expert, policy mode): its command goes through
 * the same safety decision and ONE smoother step from the same ramp state without moving it, so
 * `expertCmd` is exactly what /cmd_vel would carry this cycle had pursuit driven — the label the
 * learner needs (in pursuit and shadow mode it learns from /cmd_vel, which is safety- and
 * smoother-processed too, so both label sources mean the same thing). The policy's own command
 * and the ramp it drives are untouched.
 */
import type { ControlInput, ControllerMode, ModeOutput } from "./mode";
import { evaluateSafety, isFiniteVelocity, SafetyState, type SafetyDecision, type SafetyFault, type SafetyParams } from "./safety/supervisor";
import { stopTurnInPlace } from "./safety/turn-in-place";
import { VelocitySmoother } from "./smoother";
import { ZERO_VELOCITY, type Velocity2D } from "./types";

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
}

export class ControlPipeline {
  private idleZeroSent = false;

  constructor(
    public mode: ControllerMode<any>,
    readonly smoother: VelocitySmoother,
    public safety: SafetyParams,
  ) {}

  step(input: ControlInput, faults: ReadonlyArray<SafetyFault>): CycleResult {
    let mode: ModeOutput;
    try {
      mode = this.mode.compute(input);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      mode = { cmd: { linear: Number.NaN, angular: Number.NaN }, active: true, state: `error: ${text}` };
    }
    const decision = evaluateSafety({ cmd: mode.cmd, points: input.scan, faults }, this.safety);
    // The expert's command first: previewed from the ramp state before this cycle's step moves it.
    // When the expert is what drives (policy mode's pursuit fallback), it is the command itself.
    const expert = mode.expert;
    const expertDrives = expert !== undefined && expert.cmd === mode.cmd && expert.active === mode.active;
    // In a STOP the turn in place is the one the expert (pursuit, which turns toward the path)
    // asks for when there is one: a learned policy that drove into a wall need not know how to
    // turn away from it, and its own turn is often none.
    const turn = expert && expert.active ? expert.cmd.angular : mode.cmd.angular;
    const stopTurn = (d: SafetyDecision): Velocity2D => stopTurnInPlace(d, turn, input.scan, faults, this.safety);
    const previewed = expert && !expertDrives ? this.command(expert, evaluateSafety({ cmd: expert.cmd, points: input.scan, faults }, this.safety), stopTurn, input.dt, false) : undefined;
    const cmd = this.command(mode, decision, stopTurn, input.dt, true);
    const turningInStop = decision.state === SafetyState.STOP && cmd.angular !== 0;
    const expertCmd = expertDrives ? cmd : previewed;
    const moving = this.smoother.current.linear !== 0 || this.smoother.current.angular !== 0;
    let publish: boolean;
    if (mode.active || moving) {
      publish = true;
      this.idleZeroSent = false;
    } else {
      publish = !this.idleZeroSent;
      this.idleZeroSent = true;
    }
    return expertCmd ? { cmd, publish, decision, mode, expertCmd, turningInStop } : { cmd, publish, decision, mode, turningInStop };
  }

  /**
   * Safety decision → smoother; `commit` moves the ramp (the command sent), else it is a preview.
   * `stopTurn` gives the turn in place a STOP decision still lets out (zero for none).
   */
  private command(out: ModeOutput, decision: SafetyDecision, stopTurn: (d: SafetyDecision) => Velocity2D, dt: number, commit: boolean): Velocity2D {
    let target = out.active ? decision.cmd : ZERO_VELOCITY;
    if (decision.state === SafetyState.STOP) {
      target = out.active ? stopTurn(decision) : ZERO_VELOCITY;
      if (target.angular === 0) {
        if (commit) this.smoother.reset();
        return ZERO_VELOCITY;
      }
      // The linear part stops at once; the turn ramps on from the current angular velocity.
      const ramped = commit ? (this.smoother.reset({ linear: 0, angular: this.smoother.current.angular }), this.smoother.smooth(target, dt)) : this.smoother.preview(target, dt);
      const cmd = { linear: 0, angular: ramped.angular };
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
