/**
 * The policy observation, built from live data exactly as the simulator's VecEnv
 * (sim/env/vec-env.ts, extended by nodes/learner/algos/env.ts) builds it for training, so a
 * policy trained there sees the same numbers on the robot. Pure: no I/O, no messages.
 *
 * Layout "kestrel-nav-v2" (the current one; size beams + 2 + 2·K):
 *   [0 .. beams)   lidar sector minima (m): sector k covers laser angles [k·2π/beams, (k+1)·2π/beams),
 *                  starting straight ahead, counter-clockwise; a sector with no return is max_range;
 *                  a "too close" reading (-Inf) is 0; values are clamped to max_range;
 *   beams + 0      distance to the goal (m);
 *   beams + 1      bearing of the goal in the robot frame (rad, (-π, π], + = left);
 *   beams + 2 + 2k, beams + 3 + 2k   (x, y) in the robot frame (m) of the global path's point
 *                  lookahead_m[k] of arc length ahead of the robot's nearest point on the path
 *                  (path-features.ts pathLookahead; the path's end where it is shorter).
 * Layout "kestrel-nav-v1" (kept loadable; size beams + 4): the same sectors and goal, then
 *   beams + 2      linear velocity v (m/s);
 *   beams + 3      angular velocity w (rad/s);
 * and no path: the reactive policy that could not see around walls.
 *
 * Why v2 has no velocities: the stack's /cmd_vel is smoothed (acceleration-limited at 20 Hz), so
 * in recorded episodes "repeat the current v, w" predicts the next command better than anything
 * the path or the lidar say (measured: RMSE 0.025 rad/s in w against 0.055 for a trained BC),
 * and a network given v, w learns that shortcut and drives nowhere (causal confusion; the
 * "inertia problem" of behaviour cloning). The expert's command does not depend on them, and
 * the controller's smoother still limits the policy's accelerations on the robot.
 *
 * The sim cannot be reused as is (VecEnv.observe is private and reads its own ray buffer), so
 * this replicates it, and tests/learner/policy/observation.test.ts pins the two together on
 * identical geometry. VecEnv groups rays by index (rays / beams per sector, angle_min 0); here a
 * ray goes to the sector of its angle (angle_min + i·increment + laser yaw), which is the same
 * grouping for the sim's layout and also handles real scans (angle_min = -π, other ray counts).
 *
 * Range semantics (REP-117, as the sim and Gazebo produce them): +Inf (no return) counts as
 * max_range, -Inf (too close) as 0. NaN and finite readings outside [range_min, range_max] are
 * invalid and skipped (real drivers, e.g. the TurtleBot3 LDS, send 0 for "no reading"); the sim
 * never produces them. Ranges are taken as the laser measures them (from the laser origin, like
 * VecEnv's rays), only the laser yaw is applied.
 *
 * The goal, in the controller: the END of the current /plan (not the pursuit lookahead point),
 * because VecEnv's goal is the goal region's centre: the policy is trained to drive to the
 * goal itself, avoiding obstacles on its own, while the path only supplies where that goal is.
 */

import { DEFAULT_LOOKAHEAD_M, pathLookahead, type PathPoints, type PlanarPose } from "./path-features";

/** LaserScan angle and range fields (radians, metres). */
export interface ScanGeometry {
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
}

export interface ObservationSpec {
  lidarBeams: number;
  /** Sector values are clamped to this (m): the training lidar's range_max. */
  maxRange: number;
  /** The layout; absent means "kestrel-nav-v1" (specs written before v2). */
  layout?: string;
  /** v2: arc lengths (m) of the path lookahead points; DEFAULT_LOOKAHEAD_M when absent. */
  lookaheadM?: readonly number[];
}

export const OBSERVATION_LAYOUT_V1 = "kestrel-nav-v1";
export const OBSERVATION_LAYOUT_V2 = "kestrel-nav-v2";
/** The layout new policies and datasets use. */
export const OBSERVATION_LAYOUT = OBSERVATION_LAYOUT_V2;
/** Every layout this code can build; a policy package naming another is refused. */
export const OBSERVATION_LAYOUTS: readonly string[] = [OBSERVATION_LAYOUT_V1, OBSERVATION_LAYOUT_V2];

/** The lookahead arc lengths of a spec (none for v1). */
export function lookaheadOf(spec: ObservationSpec): readonly number[] {
  return (spec.layout ?? OBSERVATION_LAYOUT_V1) === OBSERVATION_LAYOUT_V2 ? (spec.lookaheadM ?? DEFAULT_LOOKAHEAD_M) : [];
}

/** Throws a clear error for a layout this code cannot build. */
export function checkLayout(layout: string): void {
  if (!OBSERVATION_LAYOUTS.includes(layout)) throw new Error(`unknown observation layout '${layout}': this Kestrel builds ${OBSERVATION_LAYOUTS.join(", ")}`);
}

export function observationSize(spec: ObservationSpec): number {
  checkLayout(spec.layout ?? OBSERVATION_LAYOUT_V1);
  const lookahead = lookaheadOf(spec).length;
  return lookahead > 0 ? spec.lidarBeams + 2 + 2 * lookahead : spec.lidarBeams + 4;
}

const TWO_PI = 2 * Math.PI;

/** Wraps an angle into (-π, π] exactly as the simulator does (sim/robot/diff-drive.ts normalizeAngle). */
export function wrapAngle(a: number): number {
  if (a > -Math.PI && a <= Math.PI) return a;
  a = a % TWO_PI;
  if (a > Math.PI) a -= TWO_PI;
  else if (a <= -Math.PI) a += TWO_PI;
  return a;
}

/** Goal distance (m) and bearing in the robot frame (rad), as VecEnv computes them. */
export function goalInRobotFrame(pose: { x: number; y: number; theta: number }, goal: { x: number; y: number }): { distance: number; bearing: number } {
  const dx = goal.x - pose.x;
  const dy = goal.y - pose.y;
  return { distance: Math.hypot(dx, dy), bearing: wrapAngle(Math.atan2(dy, dx) - pose.theta) };
}

/**
 * Lidar sector minima into out[0 .. beams). `laserYaw` is the laser's yaw on base_link (0 in the
 * sim). Allocation-free.
 */
export function lidarSectors(ranges: ArrayLike<number>, geometry: ScanGeometry, laserYaw: number, spec: ObservationSpec, out: Float32Array): void {
  const beams = spec.lidarBeams;
  const maxRange = spec.maxRange;
  for (let k = 0; k < beams; k++) out[k] = maxRange;
  const sector = TWO_PI / beams;
  // Float32 ranges (LaserScan, the sim's buffers) sit up to one float32 ulp outside the double bounds.
  const lo = geometry.rangeMin * (1 - 1e-6);
  const hi = geometry.rangeMax * (1 + 1e-6);
  const n = ranges.length;
  for (let i = 0; i < n; i++) {
    const r = ranges[i]!;
    let value: number;
    if (r === Infinity) continue; // no return: the sector stays at max_range unless something else is nearer
    else if (r === -Infinity) value = 0;
    else if (!(r >= lo && r <= hi)) continue; // NaN or out of the sensor's range
    else value = r;
    let a = (geometry.angleMin + i * geometry.angleIncrement + laserYaw) % TWO_PI;
    if (a < 0) a += TWO_PI;
    // 1e-6 of a sector absorbs the rounding of i·increment (ray 10 of 360 is sector 1 of 36, not 0.99999…).
    let k = Math.floor(a / sector + 1e-6);
    if (k >= beams) k -= beams;
    if (value < out[k]!) out[k] = value;
  }
}

export interface ObservationInput {
  ranges: ArrayLike<number>;
  geometry: ScanGeometry;
  /** Laser yaw on base_link (rad). */
  laserYaw: number;
  goal: { distance: number; bearing: number };
  velocity: { linear: number; angular: number };
  /** v2: the global path and the robot's pose, both in the same frame (e.g. odom). */
  plan?: { path: PathPoints; pose: PlanarPose };
}

/** The full observation (size observationSize(spec)) into `out` (allocated when absent). */
export function observationFromScan(input: ObservationInput, spec: ObservationSpec, out: Float32Array = new Float32Array(observationSize(spec))): Float32Array {
  const b = spec.lidarBeams;
  const size = observationSize(spec);
  if (out.length < size) throw new RangeError(`observationFromScan: out has ${out.length} slots, the layout needs ${size}`);
  lidarSectors(input.ranges, input.geometry, input.laserYaw, spec, out);
  out[b] = input.goal.distance;
  out[b + 1] = input.goal.bearing;
  const lookahead = lookaheadOf(spec);
  if (lookahead.length > 0) {
    if (!input.plan || input.plan.path.length === 0) throw new Error(`observationFromScan: layout ${spec.layout} needs the global path`);
    pathLookahead(input.plan.path, input.plan.pose, lookahead, out, b + 2);
  } else {
    out[b + 2] = input.velocity.linear;
    out[b + 3] = input.velocity.angular;
  }
  return out;
}
