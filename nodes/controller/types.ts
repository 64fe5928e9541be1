/**
 * Plain data the controller cores work on: no ROS types, no transport. The node wrapper
 * (node.ts, messages.ts) converts messages into these. SI units, REP-103 axes.
 */

/** A planar pose: position (m) and heading (rad) in some frame (odom for the robot and path). */
export interface Pose2D {
  x: number;
  y: number;
  theta: number;
}

/** A planar velocity command for a differential-drive base: forward m/s, yaw rate rad/s. */
export interface Velocity2D {
  linear: number;
  angular: number;
}

export const ZERO_VELOCITY: Readonly<Velocity2D> = Object.freeze({ linear: 0, angular: 0 });

/** A path as parallel arrays (odom frame): positions (m) and headings (rad) of each pose. */
export interface Path2D {
  xs: Float64Array;
  ys: Float64Array;
  thetas: Float64Array;
  length: number;
}

/** Scan returns as points in base_link (m), only the valid ones: `count` entries of `xs`/`ys` are used. */
export interface ScanPoints {
  xs: Float64Array;
  ys: Float64Array;
  count: number;
}

export function pathFromPoses(poses: ReadonlyArray<Pose2D>): Path2D {
  const n = poses.length;
  const path: Path2D = { xs: new Float64Array(n), ys: new Float64Array(n), thetas: new Float64Array(n), length: n };
  poses.forEach((p, i) => {
    path.xs[i] = p.x;
    path.ys[i] = p.y;
    path.thetas[i] = p.theta;
  });
  return path;
}

export function scanPointsFrom(points: ReadonlyArray<readonly [number, number]>): ScanPoints {
  return {
    xs: Float64Array.from(points, (p) => p[0]),
    ys: Float64Array.from(points, (p) => p[1]),
    count: points.length,
  };
}

/** Wraps an angle to (-pi, pi]. */
export function normalizeAngle(a: number): number {
  const wrapped = Math.atan2(Math.sin(a), Math.cos(a));
  return wrapped === -Math.PI ? Math.PI : wrapped;
}

export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** Distance from the base_link origin to the nearest scan point (Infinity when there is none). */
export function nearestPointDistance(points: ScanPoints): number {
  let best = Infinity;
  for (let i = 0; i < points.count; i++) {
    const d2 = points.xs[i]! * points.xs[i]! + points.ys[i]! * points.ys[i]!;
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
}
