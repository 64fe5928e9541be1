/**
 * The 2D lidar: one scan as sensor_msgs/LaserScan would carry it. Ray i points at
 * angle_min + i * angle_increment in the laser frame, with angle_min = 0 and
 * angle_increment = 2π / rays counter-clockwise (so angle_max = 2π - increment); the laser frame
 * is base_link moved by the spec's mount. Range semantics follow Gazebo's gpu_lidar:
 *   - no surface within range_max → +Infinity,
 *   - a surface closer than range_min → -Infinity,
 *   - otherwise the exact distance, plus N(0, noiseStdDev) when noiseStdDev > 0, clamped into
 *     [range_min, range_max] so noise never turns a reading into an out-of-range one.
 *
 * Fast path: instead of walking the grid per ray, the scan gathers the primitives within
 * range_max once and, for each front-facing segment or circle, tests only the rays inside its
 * angular span (a polar z-buffer). The per-ray test is the same exact intersection as
 * raycastNearest, so both agree to rounding. Surfaces seen from inside a solid (back faces)
 * are culled: a lidar inside a wall sees through that wall.
 */
import { nextStamp, type Scene } from "../geometry/scene";
import { SEGMENT_END_EPS } from "../geometry/raycast";
import type { Rng } from "../random";
import type { LidarSpec, Mount } from "../robot/spec";
import type { Pose2D } from "../world/types";

/** LaserScan angle fields for a spec (radians). */
export interface LaserScanGeometry {
  angleMin: number;
  angleMax: number;
  angleIncrement: number;
}

export function laserScanGeometry(spec: LidarSpec): LaserScanGeometry {
  const inc = (2 * Math.PI) / spec.rays;
  return { angleMin: 0, angleMax: 2 * Math.PI - inc, angleIncrement: inc };
}

/** The pose of a sensor mounted on a robot at `base` (mount translation rotated by the base yaw). */
export function mountedPose(base: Pose2D, mount: Mount, out: Pose2D = { x: 0, y: 0, yaw: 0 }): Pose2D {
  const c = Math.cos(base.yaw);
  const s = Math.sin(base.yaw);
  out.x = base.x + c * mount.x - s * mount.y;
  out.y = base.y + s * mount.x + c * mount.y;
  out.yaw = base.yaw + mount.yaw;
  return out;
}

interface RayTable {
  cos: Float64Array;
  sin: Float64Array;
  best: Float64Array;
}
const tables = new Map<number, RayTable>();

function rayTable(rays: number): RayTable {
  let t = tables.get(rays);
  if (!t) {
    t = { cos: new Float64Array(rays), sin: new Float64Array(rays), best: new Float64Array(rays) };
    const inc = (2 * Math.PI) / rays;
    for (let i = 0; i < rays; i++) {
      t.cos[i] = Math.cos(i * inc);
      t.sin[i] = Math.sin(i * inc);
    }
    tables.set(rays, t);
  }
  return t;
}

const TWO_PI = 2 * Math.PI;
const sensor: Pose2D = { x: 0, y: 0, yaw: 0 };

/** Nearest hits of segment `id` for the rays in its angular span, into `best` (sensor frame). */
function scanSegment(
  scene: Scene,
  id: number,
  sx: number,
  sy: number,
  c: number,
  s: number,
  inc: number,
  table: RayTable,
): void {
  const wax = scene.segAx[id] - sx;
  const way = scene.segAy[id] - sy;
  if (scene.segNx[id] * wax + scene.segNy[id] * way >= 0) return; // back face or edge-on
  const wbx = scene.segBx[id] - sx;
  const wby = scene.segBy[id] - sy;
  const ax = c * wax + s * way;
  const ay = -s * wax + c * way;
  const bx = c * wbx + s * wby;
  const by = -s * wbx + c * wby;
  const ta = Math.atan2(ay, ax);
  let d = Math.atan2(by, bx) - ta;
  if (d > Math.PI) d -= TWO_PI;
  else if (d < -Math.PI) d += TWO_PI;
  const lo = d >= 0 ? ta : ta + d;
  const k0 = Math.ceil(lo / inc) - 1;
  const k1 = Math.floor((lo + Math.abs(d)) / inc) + 1;
  const ex = bx - ax;
  const ey = by - ay;
  const n = table.cos.length;
  const cosT = table.cos;
  const sinT = table.sin;
  const best = table.best;
  for (let k = k0; k <= k1; k++) {
    const i = k < 0 ? k + n : k >= n ? k - n : k;
    const dx = cosT[i];
    const dy = sinT[i];
    const denom = dx * ey - dy * ex;
    if (denom === 0) continue;
    const t = (ax * ey - ay * ex) / denom;
    const u = (ax * dy - ay * dx) / denom;
    if (t >= 0 && u >= -SEGMENT_END_EPS && u <= 1 + SEGMENT_END_EPS && t < best[i]) best[i] = t;
  }
}

/** Nearest hits of circle `ci` for the rays in its angular span (skipped when the sensor is inside). */
function scanCircle(
  scene: Scene,
  ci: number,
  sx: number,
  sy: number,
  c: number,
  s: number,
  inc: number,
  table: RayTable,
): void {
  const wx = scene.circX[ci] - sx;
  const wy = scene.circY[ci] - sy;
  const cx = c * wx + s * wy;
  const cy = -s * wx + c * wy;
  const r = scene.circR[ci];
  const dist2 = cx * cx + cy * cy;
  if (dist2 <= r * r) return;
  const half = Math.asin(r / Math.sqrt(dist2));
  const phi = Math.atan2(cy, cx);
  const k0 = Math.ceil((phi - half) / inc) - 1;
  const k1 = Math.floor((phi + half) / inc) + 1;
  const n = table.cos.length;
  const best = table.best;
  const cc = dist2 - r * r;
  for (let k = k0; k <= k1; k++) {
    const i = k < 0 ? k + n : k >= n ? k - n : k;
    const b = cx * table.cos[i] + cy * table.sin[i];
    const disc = b * b - cc;
    if (disc < 0) continue;
    const t = b - Math.sqrt(disc);
    if (t >= 0 && t < best[i]) best[i] = t;
  }
}

/**
 * Fills `out` (length spec.rays) with one scan taken by a lidar mounted per `spec.mount` on a
 * robot at `pose`, and returns it. `rng` supplies the range noise; pass null for a noiseless scan
 * whatever the spec says. Allocation-free after the first scan with a given ray count.
 */
export function scan(scene: Scene, pose: Pose2D, spec: LidarSpec, rng: Rng | null, out: Float32Array): Float32Array {
  const rays = spec.rays;
  if (out.length < rays) throw new RangeError(`scan: out has ${out.length} slots, the spec needs ${rays}`);
  const table = rayTable(rays);
  const best = table.best;
  best.fill(Infinity);
  mountedPose(pose, spec.mount, sensor);
  const sx = sensor.x;
  const sy = sensor.y;
  const c = Math.cos(sensor.yaw);
  const s = Math.sin(sensor.yaw);
  const inc = TWO_PI / rays;
  const reach = spec.rangeMax;
  const g = scene.grid;
  const c0 = Math.max(0, Math.floor((sx - reach - g.minX) * g.invCellSize));
  const c1 = Math.min(g.cols - 1, Math.floor((sx + reach - g.minX) * g.invCellSize));
  const r0 = Math.max(0, Math.floor((sy - reach - g.minY) * g.invCellSize));
  const r1 = Math.min(g.rows - 1, Math.floor((sy + reach - g.minY) * g.invCellSize));
  const stamp = nextStamp(scene);
  const stamps = scene.stamps;
  const items = g.items;
  const segCount = scene.segCount;
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      const cell = row * g.cols + col;
      const end = g.start[cell + 1];
      for (let k = g.start[cell]; k < end; k++) {
        const id = items[k];
        if (stamps[id] === stamp) continue;
        stamps[id] = stamp;
        if (id < segCount) scanSegment(scene, id, sx, sy, c, s, inc, table);
        else scanCircle(scene, id - segCount, sx, sy, c, s, inc, table);
      }
    }
  }
  finishRanges(best, spec, rng, out);
  return out;
}

/** Applies range limits and noise, writing the LaserScan ranges. */
function finishRanges(best: Float64Array, spec: LidarSpec, rng: Rng | null, out: Float32Array): void {
  const noisy = rng !== null && spec.noiseStdDev > 0;
  const lo = spec.rangeMin;
  const hi = spec.rangeMax;
  for (let i = 0; i < spec.rays; i++) {
    let r = best[i];
    if (r > hi) r = Infinity;
    else if (r < lo) r = -Infinity;
    else if (noisy) {
      r += (rng as Rng).gaussian(0, spec.noiseStdDev);
      r = r < lo ? lo : r > hi ? hi : r;
    }
    out[i] = r;
  }
}
