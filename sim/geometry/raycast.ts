/**
 * Exact 2D ray casting against a compiled Scene, walking the uniform grid cell by cell
 * (Amanatides & Woo) so a ray only tests the primitives of the cells it crosses; a mailbox
 * stamp per primitive keeps a primitive spanning several cells from being tested twice.
 *
 * Rays are `origin + t * (dx, dy)` with (dx, dy) a unit vector, so t is a distance in metres.
 * Both functions are allocation-free in steady state.
 */
import { nextStamp, type Scene } from "./scene";

/** One surface crossing along a ray. */
export interface RayHit {
  /** Distance from the ray origin (m). */
  distance: number;
  /** Index into `scene.owners`. */
  owner: number;
  /** Outward unit normal of the surface at the hit. The ray meets a front face (enters the
   *  solid) when `nx * dx + ny * dy < 0`, a back face (leaves it) otherwise. For Lambert-style
   *  shading use `max(0, -(nx * dx + ny * dy))`. */
  nx: number;
  ny: number;
}

const PARALLEL_EPS = 1e-12;
/** Segments are extended by this fraction at both ends so that a ray through a vertex shared by
 *  two segments cannot slip between them through rounding. */
export const SEGMENT_END_EPS = 1e-9;
/** Two crossings of one owner closer than this are one crossing (a ray through a shared vertex). */
const SAME_HIT_EPS = 1e-9;

/** Distance along the ray to segment `i`, or -1 when the ray misses it (parallel rays miss). */
export function raySegment(scene: Scene, i: number, ox: number, oy: number, dx: number, dy: number): number {
  const ax = scene.segAx[i];
  const ay = scene.segAy[i];
  const ex = scene.segBx[i] - ax;
  const ey = scene.segBy[i] - ay;
  const denom = dx * ey - dy * ex;
  if (denom > -PARALLEL_EPS && denom < PARALLEL_EPS) return -1;
  const wx = ax - ox;
  const wy = ay - oy;
  const t = (wx * ey - wy * ex) / denom;
  const s = (wx * dy - wy * dx) / denom;
  if (t < 0 || s < -SEGMENT_END_EPS || s > 1 + SEGMENT_END_EPS) return -1;
  return t;
}

/** Walks the grid cells crossed by the ray within [0, maxRange] and calls `visitCell` for each
 *  cell with the distance at which the ray leaves it; stops when the visitor returns true. */
function walkGrid(
  scene: Scene,
  ox: number,
  oy: number,
  dx: number,
  dy: number,
  maxRange: number,
  visitCell: (cell: number, tExit: number) => boolean,
): void {
  const g = scene.grid;
  let t0 = 0;
  let t1 = maxRange;
  if (dx !== 0) {
    let ta = (g.minX - ox) / dx;
    let tb = (g.maxX - ox) / dx;
    if (ta > tb) [ta, tb] = [tb, ta];
    if (ta > t0) t0 = ta;
    if (tb < t1) t1 = tb;
  } else if (ox < g.minX || ox > g.maxX) return;
  if (dy !== 0) {
    let ta = (g.minY - oy) / dy;
    let tb = (g.maxY - oy) / dy;
    if (ta > tb) [ta, tb] = [tb, ta];
    if (ta > t0) t0 = ta;
    if (tb < t1) t1 = tb;
  } else if (oy < g.minY || oy > g.maxY) return;
  if (t0 > t1) return;
  const cs = g.cellSize;
  let ix = Math.floor((ox + dx * t0 - g.minX) * g.invCellSize);
  let iy = Math.floor((oy + dy * t0 - g.minY) * g.invCellSize);
  if (ix < 0) ix = 0;
  else if (ix >= g.cols) ix = g.cols - 1;
  if (iy < 0) iy = 0;
  else if (iy >= g.rows) iy = g.rows - 1;
  const stepX = dx > 0 ? 1 : dx < 0 ? -1 : 0;
  const stepY = dy > 0 ? 1 : dy < 0 ? -1 : 0;
  let tMaxX = dx > 0 ? (g.minX + (ix + 1) * cs - ox) / dx : dx < 0 ? (g.minX + ix * cs - ox) / dx : Infinity;
  let tMaxY = dy > 0 ? (g.minY + (iy + 1) * cs - oy) / dy : dy < 0 ? (g.minY + iy * cs - oy) / dy : Infinity;
  const tDeltaX = dx !== 0 ? cs / Math.abs(dx) : Infinity;
  const tDeltaY = dy !== 0 ? cs / Math.abs(dy) : Infinity;
  for (;;) {
    const tExit = tMaxX < tMaxY ? tMaxX : tMaxY;
    if (visitCell(iy * g.cols + ix, tExit)) return;
    if (tExit > t1) return;
    if (tMaxX < tMaxY) {
      ix += stepX;
      if (ix < 0 || ix >= g.cols) return;
      tMaxX += tDeltaX;
    } else {
      iy += stepY;
      if (iy < 0 || iy >= g.rows) return;
      tMaxY += tDeltaY;
    }
  }
}

// Per-call state for the cell visitors, kept at module level so the visitors are not closures
// allocated per call (the functions are not re-entrant, which is fine: JS is single-threaded).
let cur: Scene;
let cOx = 0;
let cOy = 0;
let cDx = 0;
let cDy = 0;
let cMax = 0;
let cStamp = 0;
let bestT = Infinity;
let bestOwner = -1;
let bestNx = 0;
let bestNy = 0;
let hitOut: RayHit[] = [];
let hitCount = 0;

function visitNearest(cell: number, tExit: number): boolean {
  const s = cur;
  const items = s.grid.items;
  const end = s.grid.start[cell + 1];
  for (let k = s.grid.start[cell]; k < end; k++) {
    const id = items[k];
    if (s.stamps[id] === cStamp) continue;
    s.stamps[id] = cStamp;
    if (id < s.segCount) {
      const t = raySegment(s, id, cOx, cOy, cDx, cDy);
      if (t >= 0 && t < bestT && t <= cMax) {
        bestT = t;
        bestOwner = s.segOwner[id];
        bestNx = s.segNx[id];
        bestNy = s.segNy[id];
      }
    } else {
      const c = id - s.segCount;
      const cx = s.circX[c];
      const cy = s.circY[c];
      const r = s.circR[c];
      const wx = cOx - cx;
      const wy = cOy - cy;
      const b = wx * cDx + wy * cDy;
      const disc = b * b - (wx * wx + wy * wy - r * r);
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      let t = -b - sq;
      if (t < 0) t = -b + sq;
      if (t >= 0 && t < bestT && t <= cMax) {
        bestT = t;
        bestOwner = s.circOwner[c];
        bestNx = (cOx + cDx * t - cx) / r;
        bestNy = (cOy + cDy * t - cy) / r;
      }
    }
  }
  return bestT <= tExit;
}

/**
 * Distance (m) to the first surface along the unit direction (dx, dy) from (ox, oy), within
 * `maxRange`; Infinity when nothing is hit. Zero-allocation out-parameters: the hit's owner index
 * goes to `scene.lastOwner` (-1 on a miss) and its outward surface normal to
 * `scene.lastNx` / `scene.lastNy`. A ray starting inside a solid hits that solid's wall from
 * the inside (a back face).
 */
export function raycastNearest(
  scene: Scene,
  ox: number,
  oy: number,
  dx: number,
  dy: number,
  maxRange: number,
): number {
  cur = scene;
  cOx = ox;
  cOy = oy;
  cDx = dx;
  cDy = dy;
  cMax = maxRange;
  cStamp = nextStamp(scene);
  bestT = Infinity;
  bestOwner = -1;
  bestNx = 0;
  bestNy = 0;
  walkGrid(scene, ox, oy, dx, dy, maxRange, visitNearest);
  scene.lastOwner = bestOwner;
  scene.lastNx = bestNx;
  scene.lastNy = bestNy;
  return bestT;
}

/** Inserts a crossing into `hitOut[0..hitCount)` keeping it sorted by distance. */
function insertHit(t: number, owner: number, nx: number, ny: number): void {
  for (let i = 0; i < hitCount; i++) {
    const h = hitOut[i];
    if (h.owner === owner && Math.abs(h.distance - t) < SAME_HIT_EPS) return;
  }
  if (hitCount === hitOut.length) hitOut.push({ distance: 0, owner: 0, nx: 0, ny: 0 });
  let i = hitCount++;
  const slot = hitOut[i];
  while (i > 0 && hitOut[i - 1].distance > t) {
    hitOut[i] = hitOut[i - 1];
    i--;
  }
  hitOut[i] = slot;
  slot.distance = t;
  slot.owner = owner;
  slot.nx = nx;
  slot.ny = ny;
}

function visitAll(cell: number): boolean {
  const s = cur;
  const items = s.grid.items;
  const end = s.grid.start[cell + 1];
  for (let k = s.grid.start[cell]; k < end; k++) {
    const id = items[k];
    if (s.stamps[id] === cStamp) continue;
    s.stamps[id] = cStamp;
    if (id < s.segCount) {
      const t = raySegment(s, id, cOx, cOy, cDx, cDy);
      if (t >= 0 && t <= cMax) insertHit(t, s.segOwner[id], s.segNx[id], s.segNy[id]);
    } else {
      const c = id - s.segCount;
      const cx = s.circX[c];
      const cy = s.circY[c];
      const r = s.circR[c];
      const wx = cOx - cx;
      const wy = cOy - cy;
      const b = wx * cDx + wy * cDy;
      const disc = b * b - (wx * wx + wy * wy - r * r);
      if (disc <= 0) continue; // a tangent ray grazes, it crosses nothing
      const sq = Math.sqrt(disc);
      const tIn = -b - sq;
      const tOut = -b + sq;
      if (tIn >= 0 && tIn <= cMax) insertHit(tIn, s.circOwner[c], (cOx + cDx * tIn - cx) / r, (cOy + cDy * tIn - cy) / r);
      if (tOut >= 0 && tOut <= cMax) insertHit(tOut, s.circOwner[c], (cOx + cDx * tOut - cx) / r, (cOy + cDy * tOut - cy) / r);
    }
  }
  return false;
}

/**
 * Every surface crossing along the ray within `maxRange`, sorted by increasing distance, written
 * into `out[0..count)`; returns the count. `out` is reused: its existing RayHit objects are
 * overwritten and new ones are appended only when it is too short (so a caller that keeps one
 * array allocates only while it grows). A closed footprint seen from outside gives an entry
 * (front-face) and an exit (back-face) crossing; a ray through a shared polygon vertex counts once.
 */
export function raycastAll(
  scene: Scene,
  ox: number,
  oy: number,
  dx: number,
  dy: number,
  maxRange: number,
  out: RayHit[],
): number {
  cur = scene;
  cOx = ox;
  cOy = oy;
  cDx = dx;
  cDy = dy;
  cMax = maxRange;
  cStamp = nextStamp(scene);
  hitOut = out;
  hitCount = 0;
  walkGrid(scene, ox, oy, dx, dy, maxRange, visitAll);
  hitOut = [];
  return hitCount;
}
