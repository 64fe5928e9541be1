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
    let cmd: Velocity2D;
    if (decision.state === SafetyState.STOP) {
      this.smoother.reset();
      cmd = ZERO_VELOCITY;
    } else {
      cmd = this.smoother.smooth(mode.active ? decision.cmd : ZERO_VELOCITY, input.dt);
      if (!isFiniteVelocity(cmd)) {
        this.smoother.reset();
        cmd = ZERO_VELOCITY;
      }
    }
    const moving = this.smoother.current.linear !== 0 || this.smoother.current.angular !== 0;
    let publish: boolean;
    if (mode.active || moving) {
      publish = true;
      this.idleZeroSent = false;
    } else {
      publish = !this.idleZeroSent;
      this.idleZeroSent = true;
    }
    return { cmd, publish, decision, mode };
  }
}
