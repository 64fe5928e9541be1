/**
 * Jump Point Search for uniform-cost 8-connected grids, in the variant that forbids corner
 * cutting (a diagonal step needs both orthogonal neighbours free; Harabor & Grastien's rules
 * as in PathFinding.js's "move diagonally if no obstacles"). Traversable = cost below INSCRIBED
 * (and unknown when allowed); cell costs are otherwise ignored. Optimal: lengths equal A*'s.
 * Jumps are loops, not recursion. No ROS imports.
 */
import { checkEndpoints, octile, stepFactorTable, type Cell, type PlanningGrid, type SearchOptions, type SearchResult } from "./types";
import { SearchWorkspace } from "./workspace";

const TIME_CHECK_MASK = 255;

export class JumpPointPlanner {
  private readonly ws = new SearchWorkspace();
  /** 1 where traversable, with a one-cell blocked border so jumps need no bounds checks. */
  private walk = new Uint8Array(0);
  private pw = 0;
  private gxP = 0;
  private gyP = 0;
  private walkFor: { costs: Uint8Array; version: number | undefined; allowUnknown: boolean } | undefined;

  search(grid: PlanningGrid, start: Cell, goal: Cell, options: SearchOptions = {}): SearchResult {
    const factor = stepFactorTable(0, options.allowUnknown ?? true);
    const bad = checkEndpoints(grid, start, goal, factor);
    if (bad) return { ok: false, failure: bad, expanded: 0 };
    const allowUnknown = options.allowUnknown ?? true;
    const w = this.walkFor;
    if (!w || w.costs !== grid.costs || w.version !== grid.version || w.allowUnknown !== allowUnknown || grid.version === undefined) {
      this.buildWalkable(grid, factor);
      this.walkFor = { costs: grid.costs, version: grid.version, allowUnknown };
    }
    const { width } = grid;
    const pw = this.pw;
    const walk = this.walk;
    const maxIterations = options.maxIterations ?? Infinity;
    const budget = options.timeBudgetMs ?? Infinity;
    const t0 = budget < Infinity ? performance.now() : 0;

    // Search in padded coordinates: index = (y + 1) * pw + (x + 1).
    const ws = this.ws;
    ws.begin(walk.length);
    const { g, f, parent, seen, closed } = ws;
    const gen = ws.generation;
    const sx = start.x + 1;
    const sy = start.y + 1;
    const gx = (this.gxP = goal.x + 1);
    const gy = (this.gyP = goal.y + 1);
    const s = sy * pw + sx;
    const goalIdx = gy * pw + gx;
    g[s] = 0;
    f[s] = octile(gx - sx, gy - sy);
    parent[s] = -1;
    seen[s] = gen;
    ws.push(s);
    let expanded = 0;

    const consider = (cur: number, jp: number, cx: number, cy: number): void => {
      if (jp < 0 || closed[jp] === gen) return;
      const jy = (jp / pw) | 0;
      const jx = jp - jy * pw;
      const ng = g[cur]! + octile(jx - cx, jy - cy);
      if (seen[jp] !== gen) {
        seen[jp] = gen;
        g[jp] = ng;
        parent[jp] = cur;
        f[jp] = ng + octile(gx - jx, gy - jy);
        ws.push(jp);
      } else if (ng < g[jp]!) {
        f[jp] = ng + octile(gx - jx, gy - jy);
        g[jp] = ng;
        parent[jp] = cur;
        ws.decreased(jp);
      }
    };

    while (ws.size > 0) {
      const cur = ws.pop();
      closed[cur] = gen;
      expanded++;
      if (cur === goalIdx) return this.finish(ws.reconstruct(cur), width, g[cur]!, expanded);
      if (expanded > maxIterations) {
        return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs: t0 ? performance.now() - t0 : 0, limit: "max_iterations" }, expanded };
      }
      if ((expanded & TIME_CHECK_MASK) === 0 && budget < Infinity) {
        const elapsedMs = performance.now() - t0;
        if (elapsedMs > budget) return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs, limit: "time_budget" }, expanded };
      }
      const cy = (cur / pw) | 0;
      const cx = cur - cy * pw;
      const p = parent[cur]!;
      if (p < 0) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (dx === 0 && dy === 0) continue;
            consider(cur, dx !== 0 && dy !== 0 ? this.jumpDiagonal(cx, cy, dx, dy) : this.jumpStraight(cx, cy, dx, dy), cx, cy);
          }
        }
        continue;
      }
      const py = (p / pw) | 0;
      const px = p - py * pw;
      const dx = Math.sign(cx - px);
      const dy = Math.sign(cy - py);
      if (dx !== 0 && dy !== 0) {
        consider(cur, this.jumpStraight(cx, cy, dx, 0), cx, cy);
        consider(cur, this.jumpStraight(cx, cy, 0, dy), cx, cy);
        consider(cur, this.jumpDiagonal(cx, cy, dx, dy), cx, cy);
      } else if (dx !== 0) {
        consider(cur, this.jumpStraight(cx, cy, dx, 0), cx, cy);
        // Forced neighbours only: a side cell whose cell behind is blocked (no corner cutting).
        for (let sy = -1; sy <= 1; sy += 2) {
          if (!walk[(cy + sy) * pw + cx] || walk[(cy + sy) * pw + cx - dx]) continue;
          consider(cur, this.jumpStraight(cx, cy, 0, sy), cx, cy);
          consider(cur, this.jumpDiagonal(cx, cy, dx, sy), cx, cy);
        }
      } else {
        consider(cur, this.jumpStraight(cx, cy, 0, dy), cx, cy);
        for (let sx2 = -1; sx2 <= 1; sx2 += 2) {
          if (!walk[cy * pw + cx + sx2] || walk[(cy - dy) * pw + cx + sx2]) continue;
          consider(cur, this.jumpStraight(cx, cy, sx2, 0), cx, cy);
          consider(cur, this.jumpDiagonal(cx, cy, sx2, dy), cx, cy);
        }
      }
    }
    return { ok: false, failure: { kind: "NoPathFound", expanded }, expanded };
  }

  private buildWalkable(grid: PlanningGrid, factor: Float64Array): void {
    const { width, height, costs } = grid;
    const pw = width + 2;
    const n = pw * (height + 2);
    if (this.walk.length !== n) this.walk = new Uint8Array(n);
    else this.walk.fill(0);
    this.pw = pw;
    const walk = this.walk;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const prow = (y + 1) * pw + 1;
      for (let x = 0; x < width; x++) walk[prow + x] = factor[costs[row + x]!]! >= 0 ? 1 : 0;
    }
  }

  /** From (x,y) step straight along (dx,dy) until the goal, a forced neighbour (a jump point) or a wall. */
  private jumpStraight(x: number, y: number, dx: number, dy: number): number {
    const walk = this.walk;
    const pw = this.pw;
    const gx = this.gxP;
    const gy = this.gyP;
    if (dx !== 0) {
      for (;;) {
        x += dx;
        const i = y * pw + x;
        if (!walk[i]) return -1;
        if (x === gx && y === gy) return i;
        // A side cell whose cell behind is blocked can only be reached (without corner cutting) through here.
        if ((walk[i - pw] && !walk[i - pw - dx]) || (walk[i + pw] && !walk[i + pw - dx])) return i;
      }
    }
    const step = dy * pw;
    for (;;) {
      y += dy;
      const i = y * pw + x;
      if (!walk[i]) return -1;
      if (x === gx && y === gy) return i;
      if ((walk[i - 1] && !walk[i - 1 - step]) || (walk[i + 1] && !walk[i + 1 - step])) return i;
    }
  }

  /** From (x,y) step diagonally (both orthogonal cells must be free) until the goal or a cell from which a straight jump finds a jump point. */
  private jumpDiagonal(x: number, y: number, dx: number, dy: number): number {
    const walk = this.walk;
    const pw = this.pw;
    for (;;) {
      if (!walk[y * pw + x + dx] || !walk[(y + dy) * pw + x]) return -1;
      x += dx;
      y += dy;
      const i = y * pw + x;
      if (!walk[i]) return -1;
      if (x === this.gxP && y === this.gyP) return i;
      if (this.jumpStraight(x, y, dx, 0) >= 0 || this.jumpStraight(x, y, 0, dy) >= 0) return i;
    }
  }

  /** Expands the jump points (padded indices) into every cell between them (unpadded indices). */
  private finish(jumps: number[], width: number, cost: number, expanded: number): SearchResult {
    const pw = this.pw;
    const cells: number[] = [];
    let length = 0;
    for (let k = 0; k < jumps.length; k++) {
      const j = jumps[k]!;
      const y = ((j / pw) | 0) - 1;
      const x = (j % pw) - 1;
      if (k === 0) {
        cells.push(y * width + x);
        continue;
      }
      const prev = cells[cells.length - 1]!;
      let cx = prev % width;
      let cy = (prev / width) | 0;
      const dx = Math.sign(x - cx);
      const dy = Math.sign(y - cy);
      length += octile(x - cx, y - cy);
      while (cx !== x || cy !== y) {
        cx += dx;
        cy += dy;
        cells.push(cy * width + cx);
      }
    }
    return { ok: true, cells: Int32Array.from(cells), length, cost, expanded };
  }
}
