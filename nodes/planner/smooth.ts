/**
 * Path smoothing that never enters lethal or inscribed cells: line-of-sight shortcutting checked
 * cell by cell against the costmap (a shortcut may not pass any cell costlier than the worst cell
 * of the stretch it replaces), resampling, then a gradient smoother (data + smoothness terms)
 * whose every move is kept only if the point's cell is no costlier than before and the segments
 * to its neighbours stay clear. Points are in continuous cell coordinates (cell (i, j) spans
 * [i, i+1) × [j, j+1)); the node maps them to metres. No ROS imports.
 */
import { INSCRIBED_INFLATED_OBSTACLE, NO_INFORMATION } from "./costmap/cost";
import type { PlanningGrid } from "./search/types";

export interface SmoothOptions {
  /** Unknown cells (255) count as free (cost 0) when true, as blocked when false. Default true. */
  allowUnknown?: boolean;
  /** Largest spacing between points after resampling, cells. Default 1. */
  spacing?: number;
  /** Gradient iterations. Default 50. */
  iterations?: number;
  /** Pull of each point towards its original position. Default 0.2. */
  wData?: number;
  /** Pull of each point towards the midpoint of its neighbours. Default 0.3. */
  wSmooth?: number;
}

/** A cell's cost as smoothing sees it: unknown → 0 (allowed) or 255 (blocked). */
function costAt(grid: PlanningGrid, cx: number, cy: number, allowUnknown: boolean): number {
  if (cx < 0 || cy < 0 || cx >= grid.width || cy >= grid.height) return NO_INFORMATION;
  const c = grid.costs[cy * grid.width + cx]!;
  return c === NO_INFORMATION && allowUnknown ? 0 : c;
}

/**
 * The highest cost of any cell the segment (x0,y0)→(x1,y1) touches (supercover: a segment
 * through a cell corner touches all cells at that corner), stopping early once above `stopAbove`.
 */
export function segmentMaxCost(grid: PlanningGrid, x0: number, y0: number, x1: number, y1: number, allowUnknown = true, stopAbove = 255): number {
  let cx = Math.floor(x0);
  let cy = Math.floor(y0);
  const ex = Math.floor(x1);
  const ey = Math.floor(y1);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const sx = dx > 0 ? 1 : -1;
  const sy = dy > 0 ? 1 : -1;
  const tdx = dx !== 0 ? Math.abs(1 / dx) : Infinity;
  const tdy = dy !== 0 ? Math.abs(1 / dy) : Infinity;
  let tmx = dx !== 0 ? (dx > 0 ? cx + 1 - x0 : x0 - cx) * tdx : Infinity;
  let tmy = dy !== 0 ? (dy > 0 ? cy + 1 - y0 : y0 - cy) * tdy : Infinity;
  let worst = costAt(grid, cx, cy, allowUnknown);
  const eps = 1e-9;
  let guard = Math.abs(ex - cx) + Math.abs(ey - cy) + 2;
  while ((cx !== ex || cy !== ey) && worst <= stopAbove && guard-- > 0) {
    if (Math.abs(tmx - tmy) < eps) {
      // Through a corner: both side cells count, then the diagonal one.
      worst = Math.max(worst, costAt(grid, cx + sx, cy, allowUnknown), costAt(grid, cx, cy + sy, allowUnknown));
      cx += sx;
      cy += sy;
      tmx += tdx;
      tmy += tdy;
    } else if (tmx < tmy) {
      cx += sx;
      tmx += tdx;
    } else {
      cy += sy;
      tmy += tdy;
    }
    worst = Math.max(worst, costAt(grid, cx, cy, allowUnknown));
  }
  return worst;
}

/** Whether a segment stays out of lethal, inscribed (and, unless allowed, unknown) cells. */
export function segmentIsClear(grid: PlanningGrid, x0: number, y0: number, x1: number, y1: number, allowUnknown = true): boolean {
  return segmentMaxCost(grid, x0, y0, x1, y1, allowUnknown, INSCRIBED_INFLATED_OBSTACLE - 1) < INSCRIBED_INFLATED_OBSTACLE;
}

/**
 * Greedy line-of-sight shortcutting of a cell path (indices) into cell-centre points
 * [x0, y0, x1, y1, ...]: from each kept point, the furthest later point whose segment passes no
 * cell costlier than the worst cell of the stretch it replaces.
 */
export function shortcut(grid: PlanningGrid, cells: ArrayLike<number>, allowUnknown = true): Float64Array {
  const n = cells.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cells[i]!;
    const x = c % grid.width;
    const y = (c - x) / grid.width;
    xs[i] = x + 0.5;
    ys[i] = y + 0.5;
    cost[i] = costAt(grid, x, y, allowUnknown);
  }
  const out: number[] = [];
  if (n === 0) return new Float64Array(0);
  let i = 0;
  out.push(xs[0]!, ys[0]!);
  while (i < n - 1) {
    let best = i + 1;
    let stretchMax = Math.max(cost[i]!, cost[i + 1]!);
    for (let j = i + 2; j < n; j++) {
      stretchMax = Math.max(stretchMax, cost[j]!);
      const limit = Math.min(stretchMax, INSCRIBED_INFLATED_OBSTACLE - 1);
      if (segmentMaxCost(grid, xs[i]!, ys[i]!, xs[j]!, ys[j]!, allowUnknown, limit) > limit) break;
      best = j;
    }
    out.push(xs[best]!, ys[best]!);
    i = best;
  }
  return Float64Array.from(out);
}

/** Inserts points so no two consecutive ones are more than `spacing` apart. */
export function resample(points: Float64Array, spacing: number): Float64Array {
  const n = points.length / 2;
  if (n < 2) return points.slice();
  const out: number[] = [points[0]!, points[1]!];
  for (let i = 1; i < n; i++) {
    const ax = points[2 * i - 2]!;
    const ay = points[2 * i - 1]!;
    const bx = points[2 * i]!;
    const by = points[2 * i + 1]!;
    const k = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / spacing));
    for (let s = 1; s <= k; s++) out.push(ax + ((bx - ax) * s) / k, ay + ((by - ay) * s) / k);
  }
  return Float64Array.from(out);
}

/**
 * Gradient smoothing with a clearance check: each interior point moves by
 * wData·(original − p) + wSmooth·(prev + next − 2p); a move is kept only when the point's new cell
 * is no costlier than its cell before smoothing began and both adjacent segments stay clear.
 * Endpoints never move.
 */
export function gradientSmooth(grid: PlanningGrid, points: Float64Array, options: SmoothOptions = {}): Float64Array {
  const allowUnknown = options.allowUnknown ?? true;
  const iterations = options.iterations ?? 50;
  const wData = options.wData ?? 0.2;
  const wSmooth = options.wSmooth ?? 0.3;
  const n = points.length / 2;
  const p = points.slice();
  const limit = new Float64Array(n);
  for (let i = 0; i < n; i++) limit[i] = costAt(grid, Math.floor(p[2 * i]!), Math.floor(p[2 * i + 1]!), allowUnknown);
  for (let it = 0; it < iterations; it++) {
    for (let i = 1; i < n - 1; i++) {
      const x = p[2 * i]!;
      const y = p[2 * i + 1]!;
      const nx = x + wData * (points[2 * i]! - x) + wSmooth * (p[2 * i - 2]! + p[2 * i + 2]! - 2 * x);
      const ny = y + wData * (points[2 * i + 1]! - y) + wSmooth * (p[2 * i - 1]! + p[2 * i + 3]! - 2 * y);
      const c = costAt(grid, Math.floor(nx), Math.floor(ny), allowUnknown);
      if (c > limit[i]! || c >= INSCRIBED_INFLATED_OBSTACLE) continue;
      if (!segmentIsClear(grid, p[2 * i - 2]!, p[2 * i - 1]!, nx, ny, allowUnknown)) continue;
      if (!segmentIsClear(grid, nx, ny, p[2 * i + 2]!, p[2 * i + 3]!, allowUnknown)) continue;
      p[2 * i] = nx;
      p[2 * i + 1] = ny;
    }
  }
  return p;
}

/** Shortcut, resample, gradient-smooth: a cell path (indices) → points [x0, y0, ...] in cell coordinates. */
export function smoothPath(grid: PlanningGrid, cells: ArrayLike<number>, options: SmoothOptions = {}): Float64Array {
  const allowUnknown = options.allowUnknown ?? true;
  const pts = resample(shortcut(grid, cells, allowUnknown), options.spacing ?? 1);
  return gradientSmooth(grid, pts, options);
}
