/**
 * Predicted collision: the commanded twist simulated forward (constant twist, exact arc) over a
 * short horizon; the first step at which the circular footprint would contain a scan point.
 * Points already inside the footprint now are left to the stop zone, so the robot is never
 * forbidden from moving away from them.
 */
import type { ScanPoints, Velocity2D } from "../types";

export interface PredictedCollision {
  /** Seconds ahead at which the footprint first touches a point. */
  timeS: number;
  /** The point hit, in base_link (m). */
  x: number;
  y: number;
}

/** The robot pose after `t` seconds of constant twist from the origin (unicycle model, exact). */
export function poseAfter(cmd: Velocity2D, t: number): { x: number; y: number; theta: number } {
  const theta = cmd.angular * t;
  if (Math.abs(cmd.angular) < 1e-9) return { x: cmd.linear * t, y: 0, theta };
  const r = cmd.linear / cmd.angular;
  return { x: r * Math.sin(theta), y: r * (1 - Math.cos(theta)), theta };
}

/** Scratch for the simulated poses (the check runs every control cycle). */
let poseXs = new Float64Array(64);
let poseYs = new Float64Array(64);

export function predictCollision(
  cmd: Velocity2D,
  points: ScanPoints,
  footprintRadius: number,
  horizonS: number,
  stepS: number,
): PredictedCollision | undefined {
  if (cmd.linear === 0 || !(horizonS > 0) || !(stepS > 0)) return undefined; // turning in place cannot sweep a round footprint
  const r2 = footprintRadius * footprintRadius;
  const reach = Math.abs(cmd.linear) * horizonS + footprintRadius;
  const reach2 = reach * reach;
  const steps = Math.max(1, Math.ceil(horizonS / stepS));
  if (poseXs.length < steps) {
    poseXs = new Float64Array(steps);
    poseYs = new Float64Array(steps);
  }
  for (let k = 0; k < steps; k++) {
    const pose = poseAfter(cmd, Math.min(horizonS, (k + 1) * stepS));
    poseXs[k] = pose.x;
    poseYs[k] = pose.y;
  }
  let hitStep = steps;
  let hit: PredictedCollision | undefined;
  for (let i = 0; i < points.count; i++) {
    const px = points.xs[i]!;
    const py = points.ys[i]!;
    const d2 = px * px + py * py;
    if (d2 > reach2 || d2 < r2) continue; // out of reach, or already inside (the stop zone's case)
    for (let k = 0; k < hitStep; k++) {
      const dx = px - poseXs[k]!;
      const dy = py - poseYs[k]!;
      if (dx * dx + dy * dy < r2) {
        hitStep = k;
        hit = { timeS: Math.min(horizonS, (k + 1) * stepS), x: px, y: py };
        break;
      }
    }
  }
  return hit;
}
