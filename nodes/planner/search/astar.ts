/**
 * Cost-aware A* on an 8-connected grid: octile heuristic, no corner cutting (a diagonal step
 * needs both orthogonal neighbours traversable), step cost = length · (1 + w · cost / 252),
 * inscribed/lethal cells blocked. The heuristic is consistent (every step costs at least its
 * length), so closed nodes are final and the path is optimal for the step cost. No ROS imports.
 *
 * Speed (bench/planner): the search runs on a padded copy of the costs (one lethal cell on every
 * side), cached while the grid's costs array and version stay the same, so neighbours are fixed
 * index offsets with no bounds tests. Step costs are rounded to multiples of 2^-k so that every
 * sum is exact (types.exactCostBits): equal costs compare equal, and the open list's fast path
 * for nodes that keep the least f (workspace.ts) is sound.
 */
import { LETHAL_OBSTACLE } from "../costmap/cost";
import { cellPathLength, checkEndpoints, exactCostBits, roundToBits, SQRT2, stepFactorTable, type Cell, type PlanningGrid, type SearchOptions, type SearchResult } from "./types";
import { openStartRegion } from "./start-escape";
import { SearchWorkspace } from "./workspace";

const TIME_CHECK_MASK = 1023;

/** Step-cost tables for one (costWeight, allowUnknown, bits): cost → straight / diagonal step cost (exact, see exactCostBits), -1 = blocked. */
interface StepTables {
  key: string;
  straight: Float64Array;
  diagonal: Float64Array;
  /** Blocked test for the endpoints, as types.checkEndpoints takes it. */
  factor: Float64Array;
}

function stepTables(costWeight: number, allowUnknown: boolean, bits: number, key: string): StepTables {
  const factor = stepFactorTable(costWeight, allowUnknown);
  const straight = new Float64Array(256);
  const diagonal = new Float64Array(256);
  for (let c = 0; c < 256; c++) {
    const f = factor[c]!;
    straight[c] = f < 0 ? -1 : roundToBits(f, bits);
    diagonal[c] = f < 0 ? -1 : roundToBits(SQRT2 * f, bits);
  }
  return { key, straight, diagonal, factor };
}

export class AStarPlanner {
  private readonly ws = new SearchWorkspace();
  private tables: StepTables | undefined;
  /** Padded costs, index (y + 1) · (width + 2) + x + 1; LETHAL on the border. */
  private padded: Uint8Array = new Uint8Array(0);
  private paddedFor: { costs: Uint8Array; version: number | undefined; width: number } | undefined;

  search(original: PlanningGrid, start: Cell, goal: Cell, options: SearchOptions = {}): SearchResult {
    const grid = openStartRegion(original, start, goal, options.startEscapeCells);
    const costWeight = options.costWeight ?? 0;
    const allowUnknown = options.allowUnknown ?? true;
    const bits = exactCostBits((grid.width + 2) * (grid.height + 2), 1 + costWeight);
    const key = `${costWeight}/${allowUnknown}/${bits}`;
    let t = this.tables;
    if (!t || t.key !== key) t = this.tables = stepTables(costWeight, allowUnknown, bits, key);
    const bad = checkEndpoints(grid, start, goal, t.factor);
    if (bad) return { ok: false, failure: bad, expanded: 0 };
    const c = this.paddedFor;
    if (!c || c.costs !== grid.costs || c.version !== grid.version || c.width !== grid.width || grid.version === undefined) {
      this.padCosts(grid);
      this.paddedFor = { costs: grid.costs, version: grid.version, width: grid.width };
    }
    const pc = this.padded;
    const straight = t.straight;
    const diagonal = t.diagonal;
    /** The octile heuristic in the same exact costs: max + min · DX, DX = (rounded √2) − 1. */
    const DX = diagonal[0]! - 1;

    const width = grid.width;
    const pw = width + 2;
    const maxIterations = options.maxIterations ?? Infinity;
    const budget = options.timeBudgetMs ?? Infinity;
    const timed = budget < Infinity;
    const t0 = timed ? performance.now() : 0;
    const ws = this.ws;
    ws.begin(pc.length);
    // Node n's record: g = rec[2n], stamp = rec32[4n + 2], parent = rec32[4n + 3].
    const rec = ws.rec;
    const rec32 = ws.rec32;
    const OPEN = ws.open;
    const CLOSED = ws.closed;
    // Padded coordinates throughout.
    const gx = goal.x + 1;
    const gy = goal.y + 1;
    const s = (start.y + 1) * pw + start.x + 1;
    const goalIdx = gy * pw + gx;
    const adx = Math.abs(goal.x - start.x);
    const ady = Math.abs(goal.y - start.y);
    const h0 = adx > ady ? adx + ady * DX : ady + adx * DX;
    rec[2 * s] = 0;
    rec32[4 * s + 2] = OPEN;
    rec32[4 * s + 3] = -1;
    ws.push(s, h0, 0);
    let expanded = 0;

    while (!ws.empty()) {
      const cur = ws.pop();
      rec32[4 * cur + 2] = CLOSED;
      expanded++;
      if (cur === goalIdx) return this.finish(cur, width, rec[2 * cur]!, expanded);
      if (expanded > maxIterations) {
        return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs: timed ? performance.now() - t0 : 0, limit: "max_iterations" }, expanded };
      }
      // The clock is read at the first expansion, then every 1024.
      if (timed && (expanded & TIME_CHECK_MASK) === 1) {
        const elapsedMs = performance.now() - t0;
        if (elapsedMs > budget) return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs, limit: "time_budget" }, expanded };
      }
      const cy = (cur / pw) | 0;
      const cx = cur - cy * pw;
      const gc = rec[2 * cur]!;
      // Orthogonal neighbours first; their traversability gates the diagonals.
      const sE = straight[pc[cur + 1]!]!;
      const sW = straight[pc[cur - 1]!]!;
      const sN = straight[pc[cur + pw]!]!;
      const sS = straight[pc[cur - pw]!]!;
      for (let k = 0; k < 8; k++) {
        let nb: number;
        let ng: number;
        let nx: number;
        let ny: number;
        switch (k) {
          case 0: if (sE < 0) continue; nb = cur + 1; nx = cx + 1; ny = cy; ng = gc + sE; break;
          case 1: if (sW < 0) continue; nb = cur - 1; nx = cx - 1; ny = cy; ng = gc + sW; break;
          case 2: if (sN < 0) continue; nb = cur + pw; nx = cx; ny = cy + 1; ng = gc + sN; break;
          case 3: if (sS < 0) continue; nb = cur - pw; nx = cx; ny = cy - 1; ng = gc + sS; break;
          case 4: { if (sE < 0 || sN < 0) continue; nb = cur + pw + 1; const d = diagonal[pc[nb]!]!; if (d < 0) continue; nx = cx + 1; ny = cy + 1; ng = gc + d; break; }
          case 5: { if (sW < 0 || sN < 0) continue; nb = cur + pw - 1; const d = diagonal[pc[nb]!]!; if (d < 0) continue; nx = cx - 1; ny = cy + 1; ng = gc + d; break; }
          case 6: { if (sE < 0 || sS < 0) continue; nb = cur - pw + 1; const d = diagonal[pc[nb]!]!; if (d < 0) continue; nx = cx + 1; ny = cy - 1; ng = gc + d; break; }
          default: { if (sW < 0 || sS < 0) continue; nb = cur - pw - 1; const d = diagonal[pc[nb]!]!; if (d < 0) continue; nx = cx - 1; ny = cy - 1; ng = gc + d; break; }
        }
        const m = rec32[4 * nb + 2]!;
        if (m === CLOSED || (m === OPEN && ng >= rec[2 * nb]!)) continue;
        rec[2 * nb] = ng;
        rec32[4 * nb + 3] = cur;
        const dx = nx > gx ? nx - gx : gx - nx;
        const dy = ny > gy ? ny - gy : gy - ny;
        const f = ng + (dx > dy ? dx + dy * DX : dy + dx * DX);
        if (m === OPEN) ws.decreased(nb, f, ng);
        else {
          rec32[4 * nb + 2] = OPEN;
          ws.push(nb, f, ng);
        }
      }
    }
    return { ok: false, failure: { kind: "NoPathFound", expanded }, expanded };
  }

  private padCosts(grid: PlanningGrid): void {
    const { width, height, costs } = grid;
    const pw = width + 2;
    const n = pw * (height + 2);
    if (this.padded.length !== n) this.padded = new Uint8Array(n);
    const out = this.padded;
    out.fill(LETHAL_OBSTACLE);
    for (let y = 0; y < height; y++) out.set(costs.subarray(y * width, (y + 1) * width), (y + 1) * pw + 1);
  }

  /** The parent chain from `goal` (padded) as unpadded cell indices start → goal. */
  private finish(goal: number, width: number, cost: number, expanded: number): SearchResult {
    const pw = width + 2;
    const padded = this.ws.reconstruct(goal);
    const cells = new Int32Array(padded.length);
    for (let i = 0; i < padded.length; i++) {
      const p = padded[i]!;
      const y = ((p / pw) | 0) - 1;
      cells[i] = y * width + (p - (y + 1) * pw) - 1;
    }
    return { ok: true, cells, length: cellPathLength(cells, width), cost, expanded };
  }
}
