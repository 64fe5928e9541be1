/**
 * What the recovery needs to know about the path: which way faces it from the robot (the spin's
 * target) and whether a new path is a new goal (the attempt count is per goal; the planner
 * replans the same goal every second, which must not hand out fresh attempts).
 */
import { clamp, type Path2D, type Pose2D } from "../types";

/**
 * The heading (odom, rad) from the robot to the point `lookaheadM` along the path past the point
 * of the path nearest to it — about where pursuit's carrot is at low speed, so pursuit tracks on
 * from there instead of turning again. Undefined without a path, or when that point is the
 * robot's own position (at the goal).
 */
export function headingTowardPath(path: Path2D | undefined, pose: Pose2D, lookaheadM: number): number | undefined {
  if (!path || path.length === 0) return undefined;
  const point = pointAlongPath(path, nearestOnPath(path, pose.x, pose.y), lookaheadM);
  const dx = point.x - pose.x;
  const dy = point.y - pose.y;
  if (Math.hypot(dx, dy) < 1e-6) return undefined;
  return Math.atan2(dy, dx);
}

/** Where on the path (segment index and fraction along it) lies the point nearest to (x, y). */
function nearestOnPath(path: Path2D, x: number, y: number): { segment: number; t: number } {
  const { xs, ys, length } = path;
  let best = { segment: 0, t: 0 };
  let bestD2 = (xs[0]! - x) ** 2 + (ys[0]! - y) ** 2;
  for (let i = 0; i + 1 < length; i++) {
    const dx = xs[i + 1]! - xs[i]!;
    const dy = ys[i + 1]! - ys[i]!;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? clamp(((x - xs[i]!) * dx + (y - ys[i]!) * dy) / len2, 0, 1) : 0;
    const d2 = (xs[i]! + t * dx - x) ** 2 + (ys[i]! + t * dy - y) ** 2;
    if (d2 < bestD2) {
      bestD2 = d2;
      best = { segment: i, t };
    }
  }
  return best;
}

/** The point `distance` metres along the path from `from` (the path's end when it is shorter). */
function pointAlongPath(path: Path2D, from: { segment: number; t: number }, distance: number): { x: number; y: number } {
  const { xs, ys, length } = path;
  let left = distance;
  let t = from.t;
  for (let i = from.segment; i + 1 < length; i++) {
    const segLen = Math.hypot(xs[i + 1]! - xs[i]!, ys[i + 1]! - ys[i]!);
    const rest = segLen * (1 - t);
    if (rest >= left && segLen > 0) {
      const f = t + left / segLen;
      return { x: xs[i]! + f * (xs[i + 1]! - xs[i]!), y: ys[i]! + f * (ys[i + 1]! - ys[i]!) };
    }
    left -= rest;
    t = 0;
  }
  return { x: xs[length - 1]!, y: ys[length - 1]! };
}

/** The last pose of a path (its goal), or undefined for none. */
export function pathGoal(path: Path2D | undefined): { x: number; y: number } | undefined {
  if (!path || path.length === 0) return undefined;
  return { x: path.xs[path.length - 1]!, y: path.ys[path.length - 1]! };
}

/**
 * Whether `next` starts a new goal after `previous` (the goal of the last path, undefined after
 * an empty one): a path after an empty one (the planner sends one when a goal is reached,
 * cancelled or unreachable), or one ending more than `toleranceM` from the previous goal.
 */
export function isNewGoal(previous: { x: number; y: number } | undefined, next: { x: number; y: number } | undefined, toleranceM: number): boolean {
  if (!next) return false;
  if (!previous) return true;
  return Math.hypot(next.x - previous.x, next.y - previous.y) > toleranceM;
}
