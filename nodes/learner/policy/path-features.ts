/**
 * The path part of the policy observation (layout "kestrel-nav-v2", observation.ts), and the
 * planar frame maths that bring a plan into the frame of the robot's pose. Pure: no I/O, no
 * messages. One implementation for every place that builds the observation:
 *   - the simulator's VecEnv in training (nodes/learner/algos/env.ts, from the grid planner's path),
 *   - the controller's policy modes on the robot (nodes/controller/policy-mode.ts, from /plan),
 *   - datasets from recorded bags (nodes/learner/dataset/from-bags.ts, from the recorded /plan),
 * so a policy sees the same numbers wherever it runs.
 *
 * Why lookahead points: a reactive network that only knows where the goal is cannot see around
 * the walls the planner plans around (v1's failure). Given a few points of the global path in its
 * own frame, as Nav2 controllers get the plan, the policy becomes a learned local controller:
 * follow the path, keep off the obstacles the lidar shows. Points are taken by arc length from
 * the point of the path nearest to the robot, so they do not depend on how densely the planner
 * samples the path, nor on where the path starts (the robot moved since the plan was made).
 */

/** A polyline (metres): `length` points in xs/ys (a Path2D fits). */
export interface PathPoints {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  length: number;
}

/** A planar pose: position (m) and heading (rad). */
export interface PlanarPose {
  x: number;
  y: number;
  theta: number;
}

/** Arc lengths (m) of the lookahead points of layout kestrel-nav-v2, nearest first. */
export const DEFAULT_LOOKAHEAD_M: readonly number[] = [0.4, 0.8, 1.6, 2.4];

/** The point of the path nearest to (x, y): on segment `index` → `index + 1` at fraction t. */
export interface PathProjection {
  index: number;
  t: number;
  x: number;
  y: number;
  distance: number;
}

/**
 * Projects (x, y) on the path: the nearest point over all segments (the first one on ties, so a
 * path that passes a point twice projects on its earlier pass). A one-point path projects on it.
 */
export function projectOnPath(path: PathPoints, x: number, y: number): PathProjection {
  if (path.length === 0) throw new RangeError("projectOnPath: empty path");
  let best: PathProjection = { index: 0, t: 0, x: path.xs[0]!, y: path.ys[0]!, distance: Math.hypot(path.xs[0]! - x, path.ys[0]! - y) };
  for (let i = 0; i + 1 < path.length; i++) {
    const ax = path.xs[i]!;
    const ay = path.ys[i]!;
    const dx = path.xs[i + 1]! - ax;
    const dy = path.ys[i + 1]! - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
    const px = ax + t * dx;
    const py = ay + t * dy;
    const d = Math.hypot(px - x, py - y);
    if (d < best.distance) best = { index: i, t, x: px, y: py, distance: d };
  }
  return best;
}

/**
 * The points `distancesM` (ascending) of arc length ahead of the robot's projection on the path,
 * each in the robot frame (x forward, y left), written as x0, y0, x1, y1, ... into out[offset ..].
 * A point beyond the path's end is the end itself (the goal). Allocation-free apart from the
 * projection record.
 */
export function pathLookahead(path: PathPoints, pose: PlanarPose, distancesM: readonly number[], out: Float32Array | number[], offset = 0): void {
  const p = projectOnPath(path, pose.x, pose.y);
  const c = Math.cos(pose.theta);
  const s = Math.sin(pose.theta);
  const write = (k: number, wx: number, wy: number): void => {
    const dx = wx - pose.x;
    const dy = wy - pose.y;
    out[offset + 2 * k] = c * dx + s * dy;
    out[offset + 2 * k + 1] = -s * dx + c * dy;
  };
  // Walk the segments from the projection, emitting each point when its arc length is passed.
  let k = 0;
  let walked = 0;
  let x = p.x;
  let y = p.y;
  let i = p.index;
  while (k < distancesM.length && i + 1 < path.length) {
    const nx = path.xs[i + 1]!;
    const ny = path.ys[i + 1]!;
    const seg = Math.hypot(nx - x, ny - y);
    while (k < distancesM.length && walked + seg >= distancesM[k]!) {
      const f = seg > 0 ? (distancesM[k]! - walked) / seg : 0;
      write(k, x + f * (nx - x), y + f * (ny - y));
      k++;
    }
    walked += seg;
    x = nx;
    y = ny;
    i++;
  }
  const ex = path.xs[path.length - 1]!;
  const ey = path.ys[path.length - 1]!;
  for (; k < distancesM.length; k++) write(k, ex, ey);
}

/** A rigid planar transform: the pose of a child frame in its parent (x, y in m, yaw in rad). */
export interface Transform2D {
  x: number;
  y: number;
  yaw: number;
}

/** The inverse transform (the parent's pose in the child). */
export function invertTransform(t: Transform2D): Transform2D {
  const c = Math.cos(t.yaw);
  const s = Math.sin(t.yaw);
  return { x: -(c * t.x + s * t.y), y: -(-s * t.x + c * t.y), yaw: -t.yaw };
}

/** Points given in a child frame, expressed in its parent: p' = R(yaw)·p + (x, y). Returns new arrays. */
export function transformPoints(path: PathPoints, t: Transform2D): { xs: Float64Array; ys: Float64Array; length: number } {
  const c = Math.cos(t.yaw);
  const s = Math.sin(t.yaw);
  const xs = new Float64Array(path.length);
  const ys = new Float64Array(path.length);
  for (let i = 0; i < path.length; i++) {
    const x = path.xs[i]!;
    const y = path.ys[i]!;
    xs[i] = c * x - s * y + t.x;
    ys[i] = s * x + c * y + t.y;
  }
  return { xs, ys, length: path.length };
}

/** Yaw (rad) of a unit quaternion (rotation about z; REP-103). */
export function yawOfQuaternion(q: { x: number; y: number; z: number; w: number }): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/** Planar transforms by "parent->child" (frame ids without a leading "/"), as /tf and /tf_static carry them. */
export type TransformTable = Map<string, Transform2D>;

/** Records a geometry_msgs/TransformStamped-shaped transform in the table (the latest wins). */
export function recordTransform(table: TransformTable, t: { header: { frame_id: string }; child_frame_id: string; transform: { translation: { x: number; y: number }; rotation: { x: number; y: number; z: number; w: number } } }): void {
  const parent = t.header.frame_id.replace(/^\//, "");
  const child = t.child_frame_id.replace(/^\//, "");
  table.set(`${parent}->${child}`, { x: t.transform.translation.x, y: t.transform.translation.y, yaw: yawOfQuaternion(t.transform.rotation) });
}

/**
 * The transform taking points in `source` into `target` (the pose of `source` in `target`):
 * identity for the same frame (or an unnamed one), a direct parent->child edge, or its inverse.
 * undefined when the table has neither (one hop is all a plan in map and a pose in odom need).
 */
export function lookupTransform(table: TransformTable, target: string, source: string): Transform2D | undefined {
  const tgt = target.replace(/^\//, "");
  const src = source.replace(/^\//, "");
  if (src === "" || tgt === "" || src === tgt) return { x: 0, y: 0, yaw: 0 };
  const direct = table.get(`${tgt}->${src}`);
  if (direct) return direct;
  const reverse = table.get(`${src}->${tgt}`);
  return reverse ? invertTransform(reverse) : undefined;
}
