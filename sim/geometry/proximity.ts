/**
 * Proximity queries against a compiled Scene: the nearest surface to a point (the robot's
 * clearance for conservative advancement), whether a circle overlaps any solid (the robot
 * footprint), and whether a point lies inside a solid. Exact distances; the grid limits each
 * query to the cells within its search radius.
 */
import { raycastAll, type RayHit } from "./raycast";
import { nextStamp, type Scene } from "./scene";

/** The nearest surface point found by `nearestSurface`. */
export interface SurfacePoint {
  /** Distance (m) from the query point to the surface; Infinity when none lies within range. */
  distance: number;
  /** The closest point on the surface. */
  px: number;
  py: number;
  /** Unit vector from the surface point towards the query point (the contact normal). */
  nx: number;
  ny: number;
  /** Index into `scene.owners`, -1 when none. */
  owner: number;
}

/** A fresh SurfacePoint to reuse across queries. */
export function makeSurfacePoint(): SurfacePoint {
  return { distance: Infinity, px: 0, py: 0, nx: 0, ny: 0, owner: -1 };
}

/**
 * Fills `out` with the surface point nearest to (x, y) among surfaces closer than `maxDistance`
 * (m) and returns whether one was found. Allocation-free.
 */
export function nearestSurface(scene: Scene, x: number, y: number, maxDistance: number, out: SurfacePoint): boolean {
  out.distance = Infinity;
  out.owner = -1;
  const g = scene.grid;
  const reach = Math.min(maxDistance, 1e9);
  const c0 = Math.max(0, Math.floor((x - reach - g.minX) * g.invCellSize));
  const c1 = Math.min(g.cols - 1, Math.floor((x + reach - g.minX) * g.invCellSize));
  const r0 = Math.max(0, Math.floor((y - reach - g.minY) * g.invCellSize));
  const r1 = Math.min(g.rows - 1, Math.floor((y + reach - g.minY) * g.invCellSize));
  if (c0 > c1 || r0 > r1) return false;
  const stamp = nextStamp(scene);
  let best = maxDistance;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      const end = g.start[cell + 1];
      for (let k = g.start[cell]; k < end; k++) {
        const id = g.items[k];
        if (scene.stamps[id] === stamp) continue;
        scene.stamps[id] = stamp;
        if (id < scene.segCount) {
          const ax = scene.segAx[id];
          const ay = scene.segAy[id];
          const ex = scene.segBx[id] - ax;
          const ey = scene.segBy[id] - ay;
          const len2 = ex * ex + ey * ey;
          let s = ((x - ax) * ex + (y - ay) * ey) / len2;
          s = s < 0 ? 0 : s > 1 ? 1 : s;
          const px = ax + s * ex;
          const py = ay + s * ey;
          const d = Math.hypot(x - px, y - py);
          if (d < best) {
            best = d;
            out.distance = d;
            out.px = px;
            out.py = py;
            // On the surface exactly: fall back to the outward normal.
            out.nx = d > 0 ? (x - px) / d : scene.segNx[id];
            out.ny = d > 0 ? (y - py) / d : scene.segNy[id];
            out.owner = scene.segOwner[id];
          }
        } else {
          const ci = id - scene.segCount;
          const cx = scene.circX[ci];
          const cy = scene.circY[ci];
          const rad = scene.circR[ci];
          const dc = Math.hypot(x - cx, y - cy);
          const d = Math.abs(dc - rad);
          if (d < best) {
            const ux = dc > 0 ? (x - cx) / dc : 1;
            const uy = dc > 0 ? (y - cy) / dc : 0;
            const sign = dc >= rad ? 1 : -1;
            best = d;
            out.distance = d;
            out.px = cx + ux * rad;
            out.py = cy + uy * rad;
            out.nx = ux * sign;
            out.ny = uy * sign;
            out.owner = scene.circOwner[ci];
          }
        }
      }
    }
  }
  return out.owner >= 0;
}

const scratchPoint = makeSurfacePoint();
const scratchHits: RayHit[] = [];
/** A direction unlikely to pass exactly through a polygon vertex (for the parity test). */
const PARITY_DX = Math.cos(0.3183098861837907);
const PARITY_DY = Math.sin(0.3183098861837907);

/**
 * Index of the owner whose solid footprint strictly contains (x, y), or -1. Counts crossings of
 * a ray per owner (even-odd rule), so it costs one full-length ray cast: meant for validation
 * and spawning, not for inner loops.
 */
export function pointInside(scene: Scene, x: number, y: number): number {
  const g = scene.grid;
  if (x < g.minX || x > g.maxX || y < g.minY || y > g.maxY) return -1;
  const n = raycastAll(scene, x, y, PARITY_DX, PARITY_DY, Infinity, scratchHits);
  for (let i = 0; i < n; i++) {
    const owner = scratchHits[i].owner;
    let count = 0;
    let firstIndex = -1;
    for (let j = 0; j < n; j++) {
      if (scratchHits[j].owner !== owner) continue;
      if (firstIndex < 0) firstIndex = j;
      count++;
    }
    if (firstIndex === i && count % 2 === 1) return owner;
  }
  return -1;
}

/**
 * Index of an owner that the circle of `radius` (m) centred at (x, y) overlaps, or -1. Touching
 * (distance exactly equal to the radius) is not an overlap. The boundary test is cheap (grid
 * cells within the radius); a circle lying wholly inside a solid is caught by a `pointInside`
 * fallback.
 */
export function circleCollides(scene: Scene, x: number, y: number, radius: number): number {
  if (nearestSurface(scene, x, y, radius, scratchPoint) && scratchPoint.distance < radius) return scratchPoint.owner;
  return pointInside(scene, x, y);
}
