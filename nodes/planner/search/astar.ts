/**
 * Cost-aware A* on an 8-connected grid: octile heuristic, no corner cutting (a diagonal step
 * needs both orthogonal neighbours traversable), step cost = length · (1 + w · cost / 252),
 * inscribed/lethal cells blocked. The heuristic is consistent (every step costs at least its
 * length), so closed nodes are final and the path is optimal for the step cost. No ROS imports.
 */
import { cellPathLength, checkEndpoints, octile, SQRT2, stepFactorTable, type Cell, type PlanningGrid, type SearchOptions, type SearchResult } from "./types";
import { SearchWorkspace } from "./workspace";

const TIME_CHECK_MASK = 1023;

export class AStarPlanner {
  private readonly ws = new SearchWorkspace();
  private tableKey = "";
  private factor: Float64Array = new Float64Array(0);

  search(grid: PlanningGrid, start: Cell, goal: Cell, options: SearchOptions = {}): SearchResult {
    const costWeight = options.costWeight ?? 0;
    const allowUnknown = options.allowUnknown ?? true;
    const key = `${costWeight}/${allowUnknown}`;
    if (key !== this.tableKey) {
      this.factor = stepFactorTable(costWeight, allowUnknown);
      this.tableKey = key;
    }
    const factor = this.factor;
    const bad = checkEndpoints(grid, start, goal, factor);
    if (bad) return { ok: false, failure: bad, expanded: 0 };

    const { width, height, costs } = grid;
    const maxIterations = options.maxIterations ?? Infinity;
    const budget = options.timeBudgetMs ?? Infinity;
    const t0 = budget < Infinity ? performance.now() : 0;
    const ws = this.ws;
    ws.begin(width * height);
    const { g, f, parent, seen, closed } = ws;
    const gen = ws.generation;
    const s = start.y * width + start.x;
    const goalIdx = goal.y * width + goal.x;
    const gx = goal.x;
    const gy = goal.y;
    g[s] = 0;
    f[s] = octile(gx - start.x, gy - start.y);
    parent[s] = -1;
    seen[s] = gen;
    ws.push(s);
    let expanded = 0;

    while (ws.size > 0) {
      const cur = ws.pop();
      closed[cur] = gen;
      expanded++;
      if (cur === goalIdx) {
        const cells = Int32Array.from(ws.reconstruct(cur));
        return { ok: true, cells, length: cellPathLength(cells, width), cost: g[cur]!, expanded };
      }
      if (expanded > maxIterations) {
        return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs: t0 ? performance.now() - t0 : 0, limit: "max_iterations" }, expanded };
      }
      if ((expanded & TIME_CHECK_MASK) === 0 && budget < Infinity) {
        const elapsedMs = performance.now() - t0;
        if (elapsedMs > budget) return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs, limit: "time_budget" }, expanded };
      }
      const cy = (cur / width) | 0;
      const cx = cur - cy * width;
      const gc = g[cur]!;
      const hasW = cx > 0;
      const hasE = cx < width - 1;
      const hasN = cy < height - 1;
      const hasS = cy > 0;
      // Orthogonal neighbours first; their traversability gates the diagonals.
      const fW = hasW ? factor[costs[cur - 1]!]! : -1;
      const fE = hasE ? factor[costs[cur + 1]!]! : -1;
      const fS = hasS ? factor[costs[cur - width]!]! : -1;
      const fN = hasN ? factor[costs[cur + width]!]! : -1;
      for (let k = 0; k < 8; k++) {
        let nb: number;
        let step: number;
        let fac: number;
        let nx: number;
        let ny: number;
        switch (k) {
          case 0: if (fE < 0) continue; nb = cur + 1; nx = cx + 1; ny = cy; fac = fE; step = 1; break;
          case 1: if (fW < 0) continue; nb = cur - 1; nx = cx - 1; ny = cy; fac = fW; step = 1; break;
          case 2: if (fN < 0) continue; nb = cur + width; nx = cx; ny = cy + 1; fac = fN; step = 1; break;
          case 3: if (fS < 0) continue; nb = cur - width; nx = cx; ny = cy - 1; fac = fS; step = 1; break;
          case 4: if (fE < 0 || fN < 0) continue; nb = cur + width + 1; nx = cx + 1; ny = cy + 1; fac = factor[costs[nb]!]!; step = SQRT2; break;
          case 5: if (fW < 0 || fN < 0) continue; nb = cur + width - 1; nx = cx - 1; ny = cy + 1; fac = factor[costs[nb]!]!; step = SQRT2; break;
          case 6: if (fE < 0 || fS < 0) continue; nb = cur - width + 1; nx = cx + 1; ny = cy - 1; fac = factor[costs[nb]!]!; step = SQRT2; break;
          default: if (fW < 0 || fS < 0) continue; nb = cur - width - 1; nx = cx - 1; ny = cy - 1; fac = factor[costs[nb]!]!; step = SQRT2; break;
        }
        if (fac < 0 || closed[nb] === gen) continue;
        const ng = gc + step * fac;
        if (seen[nb] !== gen) {
          seen[nb] = gen;
          g[nb] = ng;
          parent[nb] = cur;
          const dx = nx > gx ? nx - gx : gx - nx;
          const dy = ny > gy ? ny - gy : gy - ny;
          f[nb] = ng + (dx > dy ? dx - dy + SQRT2 * dy : dy - dx + SQRT2 * dx);
          ws.push(nb);
        } else if (ng < g[nb]!) {
          f[nb] += ng - g[nb]!;
          g[nb] = ng;
          parent[nb] = cur;
          ws.decreased(nb);
        }
      }
    }
    return { ok: false, failure: { kind: "NoPathFound", expanded }, expanded };
  }
}
