/**
 * Path geometry for Regulated Pure Pursuit (Nav2's RegulatedPurePursuitController): the
 * speed-scaled lookahead distance, the closest path pose, the lookahead ("carrot") point
 * interpolated on the path by circle–segment intersection, and the remaining path length.
 * Pure functions over plain arrays; every frame here is the path's frame (odom).
 */
import { clamp, type Path2D } from "../types";

/** Nav2's velocity-scaled lookahead: |speed| * lookahead_time clamped to [min, max] (m). */
export function lookaheadDistance(speed: number, lookaheadTime: number, minDist: number, maxDist: number): number {
  return clamp(Math.abs(speed) * lookaheadTime, minDist, Math.max(minDist, maxDist));
}

/**
 * Index of the path pose closest to (x, y), searching forward from `fromIndex` no further than
 * `searchDist` metres of path (Nav2's max_robot_pose_search_dist), so a path that loops back
 * near itself does not make the robot skip ahead.
 */
export function closestPoseIndex(path: Path2D, fromIndex: number, x: number, y: number, searchDist: number): number {
  const { xs, ys, length } = path;
  let start = Math.min(Math.max(0, fromIndex), length - 1);
  let best = start;
  let bestD2 = (xs[start]! - x) ** 2 + (ys[start]! - y) ** 2;
  let travelled = 0;
  for (let i = start + 1; i < length; i++) {
    travelled += Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
    if (travelled > searchDist) break;
    const d2 = (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2;
    if (d2 < bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

/**
 * Where the segment from a (inside the circle) to b (outside it) crosses the circle of radius r
 * around c: the largest root t in [0, 1] of |a + t(b - a) - c| = r. Falls back to b when the
 * segment does not reach the circle (degenerate input).
 */
export function circleSegmentIntersection(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  r: number,
): { x: number; y: number } {
  const dx = bx - ax;
  const dy = by - ay;
  const fx = ax - cx;
  const fy = ay - cy;
  const a = dx * dx + dy * dy;
  const b = 2 * (fx * dx + fy * dy);
  const c = fx * fx + fy * fy - r * r;
  const disc = b * b - 4 * a * c;
  if (a === 0 || disc < 0) return { x: bx, y: by };
  const t = clamp((-b + Math.sqrt(disc)) / (2 * a), 0, 1);
  return { x: ax + t * dx, y: ay + t * dy };
}

export interface LookaheadPoint {
  x: number;
  y: number;
  /** Index of the first path pose at or beyond the lookahead circle (length - 1 when the goal is inside). */
  index: number;
  /** True when the goal lies within the lookahead circle and the point is the goal itself. */
  atGoal: boolean;
}

/**
 * Nav2's getLookAheadPoint with use_interpolation: the first pose from `fromIndex` at least
 * `lookahead` from the robot; the point is interpolated on the segment entering the circle; the
 * last pose when the whole remaining path lies inside the circle.
 */
export function findLookaheadPoint(path: Path2D, fromIndex: number, x: number, y: number, lookahead: number): LookaheadPoint {
  const { xs, ys, length } = path;
  const r2 = lookahead * lookahead;
  for (let i = Math.max(0, fromIndex); i < length; i++) {
    const d2 = (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2;
    if (d2 >= r2) {
      if (i === fromIndex) return { x: xs[i]!, y: ys[i]!, index: i, atGoal: false };
      const p = circleSegmentIntersection(xs[i - 1]!, ys[i - 1]!, xs[i]!, ys[i]!, x, y, lookahead);
      return { x: p.x, y: p.y, index: i, atGoal: false };
    }
  }
  return { x: xs[length - 1]!, y: ys[length - 1]!, index: length - 1, atGoal: true };
}

/** Distance from (x, y) to pose `fromIndex`, plus the path's length from there to its end (m). */
export function remainingPathLength(path: Path2D, fromIndex: number, x: number, y: number): number {
  const { xs, ys, length } = path;
  let total = Math.hypot(xs[fromIndex]! - x, ys[fromIndex]! - y);
  for (let i = fromIndex + 1; i < length; i++) total += Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
  return total;
}

/** A point (odom) expressed in the robot frame of `pose` (base_link). */
export function toRobotFrame(px: number, py: number, rx: number, ry: number, rtheta: number): { x: number; y: number } {
  const dx = px - rx;
  const dy = py - ry;
  const c = Math.cos(rtheta);
  const s = Math.sin(rtheta);
  return { x: c * dx + s * dy, y: -s * dx + c * dy };
}
