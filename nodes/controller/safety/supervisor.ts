/**
 * The safety layer's decision, made every control cycle on whatever command the active mode
 * produced: no mode can bypass it. In priority order, the first that applies wins:
 *   1. a non-finite command (NaN/Inf)            → STOP, source "cmd_nan"
 *   2. a sensor/input fault (stale or malformed)  → STOP, source of the fault ("scan", "odom", "path")
 *   3. an obstacle inside the stop zone           → STOP, source "scan" (turning in place and
 *      backing straight away still pass: see escapeCommand)
 *   4. a predicted collision along the command    → STOP, source "collision_check"
 *   5. an obstacle inside the slow-down zone      → SLOWDOWN (scaled command), source "scan"
 * States mirror kestrel_msgs/SafetyStatus (OK 0, SLOWDOWN 1, STOP 2).
 */
import { nearestPointDistance, ZERO_VELOCITY, type ScanPoints, type Velocity2D } from "../types";
import { predictCollision } from "./collision";
import { classifyZone, escapeCommand, type ZoneParams } from "./zones";

export const SafetyState = { OK: 0, SLOWDOWN: 1, STOP: 2 } as const;
export type SafetyStateValue = (typeof SafetyState)[keyof typeof SafetyState];

export interface SafetyParams extends ZoneParams {
  /** How far ahead the commanded twist is simulated (s). */
  collisionHorizonS: number;
  /** Simulation step of the prediction (s). */
  collisionTimeStepS: number;
}

/** Something upstream that makes motion unsafe: a stale or malformed input. */
export interface SafetyFault {
  source: string;
  reason: string;
}

export interface SafetyInputs {
  /** The command the active mode asks for. */
  cmd: Velocity2D;
  /** Latest valid scan in base_link; undefined when there is none (that is a fault too). */
  points: ScanPoints | undefined;
  faults: ReadonlyArray<SafetyFault>;
}

export interface SafetyDecision {
  state: SafetyStateValue;
  /** Why, with the numbers; empty when OK. */
  reason: string;
  /** What triggered it ("scan", "odom", "collision_check", "cmd_nan", ...); empty when OK. */
  source: string;
  /** Factor applied to the command, in [0, 1]. */
  speedScale: number;
  /** The command allowed through. */
  cmd: Velocity2D;
}

export function isFiniteVelocity(v: Velocity2D): boolean {
  return Number.isFinite(v.linear) && Number.isFinite(v.angular);
}

function stop(source: string, reason: string): SafetyDecision {
  return { state: SafetyState.STOP, reason, source, speedScale: 0, cmd: ZERO_VELOCITY };
}

const f3 = (v: number): string => v.toFixed(3);

export function evaluateSafety(input: SafetyInputs, p: SafetyParams): SafetyDecision {
  const { cmd } = input;
  if (!isFiniteVelocity(cmd)) return stop("cmd_nan", `non-finite command (linear ${cmd.linear}, angular ${cmd.angular})`);
  const fault = input.faults[0];
  if (fault) return stop(fault.source, fault.reason);
  const points = input.points;
  if (!points) return stop("scan", "no valid scan");
  const zone = classifyZone(nearestPointDistance(points), p);
  if (zone.zone === "stop") {
    const reason = `obstacle at ${f3(zone.distance)} m, inside the stop zone (${f3(zone.radius)} m)`;
    const escape = escapeCommand(cmd, points, zone.radius);
    const escapeHit = predictCollision(escape, points, p.footprintRadius, p.collisionHorizonS, p.collisionTimeStepS);
    if (escapeHit || (escape.linear === 0 && escape.angular === 0)) return stop("scan", reason);
    return { state: SafetyState.STOP, reason: `${reason}; only turning or backing away is allowed`, source: "scan", speedScale: 0, cmd: escape };
  }
  const scaled: Velocity2D = zone.scale === 1 ? cmd : { linear: cmd.linear * zone.scale, angular: cmd.angular * zone.scale };
  const hit = predictCollision(scaled, points, p.footprintRadius, p.collisionHorizonS, p.collisionTimeStepS);
  if (hit) {
    return stop(
      "collision_check",
      `predicted collision in ${hit.timeS.toFixed(2)} s with the point (${f3(hit.x)}, ${f3(hit.y)}) at linear ${f3(cmd.linear)} m/s, angular ${f3(cmd.angular)} rad/s`,
    );
  }
  if (zone.zone === "slowdown") {
    return {
      state: SafetyState.SLOWDOWN,
      reason: `obstacle at ${f3(zone.distance)} m, inside the slow-down zone (${f3(zone.radius)} m)`,
      source: "scan",
      speedScale: zone.scale,
      cmd: scaled,
    };
  }
  return { state: SafetyState.OK, reason: "", source: "", speedScale: 1, cmd };
}

/**
 * Remembers the last decision so an intervention is reported once per transition (state or
 * source changes), not every cycle.
 */
export class TransitionTracker {
  private last: { state: SafetyStateValue; source: string } | undefined;

  /** True when `decision` differs in state or source from the previous one. */
  update(decision: SafetyDecision): boolean {
    const changed = !this.last || this.last.state !== decision.state || this.last.source !== decision.source;
    this.last = { state: decision.state, source: decision.source };
    return changed;
  }
}
