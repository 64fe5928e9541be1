/**
 * One control cycle over plain data: active mode → safety layer → smoother, and whether the
 * result is published. No transport here: the node feeds it and publishes what it returns.
 *
 * Publishing when idle follows Nav2 (controller server + velocity smoother): while a mode is
 * driving, every cycle is published; when it stops driving (no path, goal reached) the smoother
 * ramps the output down within the deceleration limits, publishes the first zero, and then
 * stays quiet until there is something to do again.
 *
 * A STOP decision bypasses the deceleration ramp and sends zero at once (Nav2's collision
 * monitor sits after the smoother for the same reason); the ramp restarts from zero.
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
    const previewed = expert && !expertDrives ? this.command(expert, evaluateSafety({ cmd: expert.cmd, points: input.scan, faults }, this.safety), input.dt, false) : undefined;
    const cmd = this.command(mode, decision, input.dt, true);
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
    return expertCmd ? { cmd, publish, decision, mode, expertCmd } : { cmd, publish, decision, mode };
  }

  /** Safety decision → smoother; `commit` moves the ramp (the command sent), else it is a preview. */
  private command(out: ModeOutput, decision: SafetyDecision, dt: number, commit: boolean): Velocity2D {
    if (decision.state === SafetyState.STOP) {
      if (commit) this.smoother.reset();
      return ZERO_VELOCITY;
    }
    const target = out.active ? decision.cmd : ZERO_VELOCITY;
    const cmd = commit ? this.smoother.smooth(target, dt) : this.smoother.preview(target, dt);
    if (isFiniteVelocity(cmd)) return cmd;
    if (commit) this.smoother.reset();
    return ZERO_VELOCITY;
  }
}
