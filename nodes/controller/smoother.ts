/**
 * Velocity smoother (Nav2's nav2_velocity_smoother, open loop): every command sent to /cmd_vel
 * is clamped to velocity limits, bounded in acceleration and deceleration per axis against the
 * previous output, and passed through a deadband. Pure: the node owns the timing.
 */
import { clamp, ZERO_VELOCITY, type Velocity2D } from "./types";

export interface SmootherLimits {
  /** Velocity bounds: forward [minLinear, maxLinear] (m/s), yaw rate |angular| <= maxAngular (rad/s). */
  maxLinear: number;
  minLinear: number;
  maxAngular: number;
  /** Magnitudes (m/s², rad/s²): accel when speeding up, decel when slowing down or reversing. */
  maxLinearAccel: number;
  maxLinearDecel: number;
  maxAngularAccel: number;
  maxAngularDecel: number;
  /** Outputs smaller than these in magnitude are sent as 0 (m/s, rad/s). */
  deadbandLinear: number;
  deadbandAngular: number;
}

/** |v| below the deadband becomes 0. */
export function applyDeadband(v: number, deadband: number): number {
  return Math.abs(v) < deadband ? 0 : v;
}

/**
 * One axis's next velocity from `current` toward `target` over `dt`: speeding up (same sign,
 * larger magnitude) is bounded by `accel`, anything else (slowing, reversing) by `decel`.
 */
export function accelerationLimited(current: number, target: number, accel: number, decel: number, dt: number): number {
  const speedingUp = Math.abs(target) >= Math.abs(current) && current * target >= 0;
  const step = (speedingUp ? accel : decel) * dt;
  return clamp(target, current - step, current + step);
}

export class VelocitySmoother {
  private last: Velocity2D = ZERO_VELOCITY;

  constructor(public limits: SmootherLimits) {}

  /** The last output before the deadband (what the next step ramps from). */
  get current(): Velocity2D {
    return this.last;
  }

  /** Forgets the ramp: the next command ramps from `to` (zero after an emergency stop). */
  reset(to: Velocity2D = ZERO_VELOCITY): void {
    this.last = { linear: to.linear, angular: to.angular };
  }

  /** The command to send for `target`, `dt` seconds after the previous one. */
  smooth(target: Velocity2D, dt: number): Velocity2D {
    this.last = this.ramp(target, dt);
    return this.output(this.last);
  }

  /**
   * What smooth(target, dt) would send now, without moving the ramp: the command of a second
   * source (the expert beside a driving policy) as if it had been the one sent this cycle.
   */
  preview(target: Velocity2D, dt: number): Velocity2D {
    return this.output(this.ramp(target, dt));
  }

  private ramp(target: Velocity2D, dt: number): Velocity2D {
    const from = this.last;
    const l = this.limits;
    const linear = accelerationLimited(
      from.linear,
      clamp(target.linear, l.minLinear, l.maxLinear),
      l.maxLinearAccel,
      l.maxLinearDecel,
      dt,
    );
    const angular = accelerationLimited(
      from.angular,
      clamp(target.angular, -l.maxAngular, l.maxAngular),
      l.maxAngularAccel,
      l.maxAngularDecel,
      dt,
    );
    return { linear, angular };
  }

  private output(v: Velocity2D): Velocity2D {
    return { linear: applyDeadband(v.linear, this.limits.deadbandLinear), angular: applyDeadband(v.angular, this.limits.deadbandAngular) };
  }
}
