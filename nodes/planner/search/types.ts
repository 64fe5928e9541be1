/**
 * What the grid searches take and return. A planning grid is a cost grid as the costmap makes it
 * (0..252 traversable with a penalty, 253 inscribed and 254 lethal blocked, 255 unknown): plain
 * typed arrays, no ROS.
 */
import { INSCRIBED_INFLATED_OBSTACLE, MAX_NON_OBSTACLE, NO_INFORMATION } from "../costmap/cost";

export interface PlanningGrid {
  width: number;
  height: number;
  /** Row-major costs, index = y * width + x. */
  costs: Uint8Array;
  /**
   * Bumped by the owner whenever `costs` change. Searches may cache per-grid data (JPS's
   * traversability) while the costs array and version stay the same; absent = never cached.
   */
  version?: number;
}

export interface Cell {
  x: number;
  y: number;
}

export interface SearchOptions {
  /** Weight of cell cost in the traversal cost: step · (1 + costWeight · cost / 252). 0 = uniform. */
  costWeight?: number;
  /** Whether unknown cells (255) are traversable (as free). Default true (NavFn's allow_unknown). */
  allowUnknown?: boolean;
  /** Expansions before giving up with PlannerTimedOut. Default: unbounded. */
  maxIterations?: number;
  /** Wall-clock budget in ms before giving up with PlannerTimedOut. Default: unbounded. */
  timeBudgetMs?: number;
  /**
   * A start in inscribed cost plans out through the inscribed cells connected to it within this
   * Chebyshev radius (cells), as NavFn's clearRobotCell (start-escape.ts). Default 8; -1 = never
   * (StartOccupied).
   */
  startEscapeCells?: number;
}

/** Why a search found no path: a discriminated union on `kind`. */
export type PlanFailure =
  | { kind: "StartOutOfMap"; start: Cell }
  | { kind: "GoalOutOfMap"; goal: Cell }
  | { kind: "StartOccupied"; start: Cell; cost: number }
  | { kind: "GoalOccupied"; goal: Cell; cost: number }
  | { kind: "NoPathFound"; expanded: number }
  | { kind: "PlannerTimedOut"; expanded: number; elapsedMs: number; limit: "max_iterations" | "time_budget" };

export type PlanFailureKind = PlanFailure["kind"];

export interface PathFound {
  ok: true;
  /** Cell indices from start to goal inclusive, each step to an 8-neighbour. */
  cells: Int32Array;
  /** Geometric length in cells (1 per straight step, √2 per diagonal). */
  length: number;
  /** The search's cost of the path (equals `length` with costWeight 0). */
  cost: number;
  /** Nodes taken off the open list. */
  expanded: number;
}

export interface PathNotFound {
  ok: false;
  failure: PlanFailure;
  expanded: number;
}

export type SearchResult = PathFound | PathNotFound;

export const SQRT2 = Math.SQRT2;

/** The octile distance between two cells: the 8-connected length with no obstacles. */
export function octile(dx: number, dy: number): number {
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  return ax > ay ? ax - ay + SQRT2 * ay : ay - ax + SQRT2 * ax;
}

/**
 * The searches' step costs are dyadic fractions p / 2^k (the geometric cost rounded to k bits):
 * with every sum below 2^(53 − k) they add exactly in doubles, so equal path costs compare
 * equal (true ties, no last-bit "improvements") and the open list can rely on f never falling
 * (see workspace.ts). This is the finest k ≤ 32 that keeps a search's largest f (below
 * 2 · cells · √2 · maxFactor) exact; the rounding (≤ 2^-(k+1) per step) is far below any
 * difference between two paths' lengths, and it is monotone, so with step factors ≥ 1 every
 * rounded step still costs at least the rounded octile heuristic's (which stays consistent).
 */
export function exactCostBits(cells: number, maxFactor: number): number {
  const bound = 2 * cells * SQRT2 * Math.max(1, maxFactor);
  return Math.max(8, Math.min(32, Math.floor(Math.log2(2 ** 53 / bound))));
}

/** x rounded to a multiple of 2^-bits. */
export function roundToBits(x: number, bits: number): number {
  const scale = 2 ** bits;
  return Math.round(x * scale) / scale;
}

/**
 * Per-cost step factor (1 + w·c/252), or -1 for a blocked cost. 256 entries: one table read
 * per neighbour in the search loops.
 */
export function stepFactorTable(costWeight: number, allowUnknown: boolean): Float64Array {
  const t = new Float64Array(256);
  for (let c = 0; c < 256; c++) {
    if (c === NO_INFORMATION) t[c] = allowUnknown ? 1 : -1;
    else if (c >= INSCRIBED_INFLATED_OBSTACLE) t[c] = -1;
    else t[c] = 1 + (costWeight * c) / MAX_NON_OBSTACLE;
  }
  return t;
}

/** Geometric length of a cell path (indices) on a grid of `width`. */
export function cellPathLength(cells: ArrayLike<number>, width: number): number {
  let len = 0;
  for (let i = 1; i < cells.length; i++) {
    const a = cells[i - 1]!;
    const b = cells[i]!;
    const dx = (b % width) - (a % width);
    const dy = Math.floor(b / width) - Math.floor(a / width);
    len += octile(dx, dy);
  }
  return len;
}

/** The checks every search makes before searching: bounds, then occupancy, start first. */
export function checkEndpoints(grid: PlanningGrid, start: Cell, goal: Cell, factor: Float64Array): PlanFailure | undefined {
  const inside = (c: Cell): boolean => Number.isInteger(c.x) && Number.isInteger(c.y) && c.x >= 0 && c.y >= 0 && c.x < grid.width && c.y < grid.height;
  if (!inside(start)) return { kind: "StartOutOfMap", start };
  if (!inside(goal)) return { kind: "GoalOutOfMap", goal };
  const sc = grid.costs[start.y * grid.width + start.x]!;
  if (factor[sc]! < 0) return { kind: "StartOccupied", start, cost: sc };
  const gc = grid.costs[goal.y * grid.width + goal.x]!;
  if (factor[gc]! < 0) return { kind: "GoalOccupied", goal, cost: gc };
  return undefined;
}
