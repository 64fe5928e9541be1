/**
 * The stop and slow-down zones: circles around the circular footprint (radius + margin), checked
 * against the nearest scan point in base_link (Nav2 collision monitor's stop / slowdown polygons,
 * for a round robot).
 */
import type { ScanPoints, Velocity2D } from "../types";

export interface ZoneParams {
  /** Footprint radius around base_link (m). */
  footprintRadius: number;
  /** Stop zone = footprint radius + this (m). */
  stopMargin: number;
  /** Slow-down zone = footprint radius + this (m). */
  slowdownMargin: number;
  /** Speed factor inside the slow-down zone, in [0, 1]. */
  slowdownScale: number;
}

export function stopZoneRadius(p: ZoneParams): number {
  return p.footprintRadius + p.stopMargin;
}

export function slowdownZoneRadius(p: ZoneParams): number {
  return p.footprintRadius + p.slowdownMargin;
}

export type ZoneResult = { zone: "clear"; scale: 1 } | { zone: "slowdown" | "stop"; scale: number; distance: number; radius: number };

/** Which zone the nearest obstacle (distance from base_link, m) is in, and the speed factor it implies. */
export function classifyZone(nearestDistance: number, p: ZoneParams): ZoneResult {
  const stop = stopZoneRadius(p);
  if (nearestDistance < stop) return { zone: "stop", scale: 0, distance: nearestDistance, radius: stop };
  const slow = slowdownZoneRadius(p);
  if (nearestDistance < slow) return { zone: "slowdown", scale: p.slowdownScale, distance: nearestDistance, radius: slow };
  return { zone: "clear", scale: 1 };
}

/**
 * The part of a command that is safe with an obstacle inside the stop zone: turning in place
 * (a circular footprint sweeps nothing new) and driving straight away from every point inside the
 * zone. Anything that closes in is removed. Without this the robot could never leave a stop zone.
 */
export function escapeCommand(cmd: Velocity2D, points: ScanPoints, stopRadius: number): Velocity2D {
  if (cmd.linear === 0) return cmd;
  for (let i = 0; i < points.count; i++) {
    const x = points.xs[i]!;
    const y = points.ys[i]!;
    // Moving along +x by `linear` closes in on a point in front (x > 0) when linear > 0.
    if (Math.hypot(x, y) < stopRadius && x * cmd.linear > 0) return { linear: 0, angular: cmd.angular };
  }
  return cmd;
}
