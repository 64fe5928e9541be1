/**
 * Jump Point Search for uniform-cost 8-connected grids, in the variant that forbids corner
 * cutting (a diagonal step needs both orthogonal neighbours free; Harabor & Grastien's rules
 * as in PathFinding.js's "move diagonally if no obstacles"). Traversable = cost below INSCRIBED
 * (and unknown when allowed); cell costs are otherwise ignored. Optimal: lengths equal A*'s.
 * No ROS imports.
 *
 * Jumps are table look-ups (Harabor & Grastien's JPS+): per grid (cached while the costs array
 * and version stay the same) `buildJumpTables` stores, for every cell and each of the 8
 * directions, how far the jump from that cell goes — the distance to the jump point it finds, or
 * (as zero or a negative number) how many steps it can take before a wall ends it with none. A
 * jump from a cell is then one read, plus a test whether the goal lies on the way (the only part
 * of a jump that depends on the query). `naiveJump` is the step-by-step jump the tables encode,
 * kept as the reference the tests check the tables against.
 */
import { checkEndpoints, exactCostBits, octile, roundToBits, SQRT2, stepFactorTable, type Cell, type PlanningGrid, type SearchOptions, type SearchResult } from "./types";
import { openStartRegion } from "./start-escape";
import { SearchWorkspace } from "./workspace";

const TIME_CHECK_MASK = 255;

/** Direction d's step: E, W, N (+y), S (−y), then the diagonals NE, NW, SE, SW. */
export const JUMP_DX = [1, -1, 0, 0, 1, -1, 1, -1] as const;
export const JUMP_DY = [0, 0, 1, -1, 1, 1, -1, -1] as const;
const E = 0;
const W = 1;
const N = 2;
const S = 3;

/** Direction index of a unit step (dx, dy), dx, dy ∈ {-1, 0, 1}, not both 0. */
function dirOf(dx: number, dy: number): number {
  if (dy === 0) return dx > 0 ? E : W;
  if (dx === 0) return dy > 0 ? N : S;
  return 4 + (dx > 0 ? 0 : 1) + (dy > 0 ? 0 : 2);
}

/**
 * The step-by-step jump (no goal) from padded cell (x, y) along direction d on a padded walk
 * grid of row width pw: the jump point's distance, or −(steps taken) when a wall ends the jump
 * first. What `buildJumpTables` stores; for tests.
 */
export function naiveJump(walk: Uint8Array, pw: number, x: number, y: number, d: number): number {
  const dx = JUMP_DX[d]!;
  const dy = JUMP_DY[d]!;
  let t = 0;
  if (dx !== 0 && dy !== 0) {
    for (;;) {
      if (!walk[y * pw + x + dx] || !walk[(y + dy) * pw + x]) return -t;
      x += dx;
      y += dy;
      t++;
      if (!walk[y * pw + x]) return -(t - 1);
      if (naiveJump(walk, pw, x, y, dirOf(dx, 0)) > 0 || naiveJump(walk, pw, x, y, dirOf(0, dy)) > 0) return t;
    }
  }
  for (;;) {
    x += dx;
    y += dy;
    t++;
    const i = y * pw + x;
    if (!walk[i]) return -(t - 1);
    // A side cell whose cell behind is blocked can only be reached (without corner cutting) through here.
    if (dx !== 0) {
      if ((walk[i - pw] && !walk[i - pw - dx]) || (walk[i + pw] && !walk[i + pw - dx])) return t;
    } else if ((walk[i - 1] && !walk[i - 1 - dy * pw]) || (walk[i + 1] && !walk[i + 1 - dy * pw])) return t;
  }
}

/**
 * Every cell's jump along each direction, as `naiveJump` gives it, at [8 · i + d] for padded
 * index i; in O(8 · cells): a cell's jump follows from that of the next cell along it, so each
 * sweep goes against the directions it fills. Three sweeps: E, N (down from the end); W, S and
 * the −y diagonals (up); the +y diagonals (down), each reading what the sweeps before wrote.
 */
export function buildJumpTables(walk: Uint8Array, pw: number, ph: number, out?: Int32Array): Int32Array {
  const n = pw * ph;
  const jump = out && out.length === 8 * n ? out : new Int32Array(8 * n);
  jump.fill(0);
  // One straight or diagonal value: 0 if `next` (or a corner) is blocked, 1 if `next` is a jump point, else next's value one further.
  const on = (u: number): number => (u > 0 ? u + 1 : u - 1);
  for (let y = ph - 2; y >= 1; y--) {
    for (let x = pw - 2; x >= 1; x--) {
      const i = y * pw + x;
      let next = i + 1;
      if (walk[next]) {
        jump[8 * i + E] = (walk[next - pw] && !walk[next - pw - 1]) || (walk[next + pw] && !walk[next + pw - 1]) ? 1 : on(jump[8 * next + E]!);
      }
      next = i + pw;
      if (walk[next]) {
        jump[8 * i + N] = (walk[next - 1] && !walk[next - 1 - pw]) || (walk[next + 1] && !walk[next + 1 - pw]) ? 1 : on(jump[8 * next + N]!);
      }
    }
  }
  for (let y = 1; y <= ph - 2; y++) {
    for (let x = 1; x <= pw - 2; x++) {
      const i = y * pw + x;
      let next = i - 1;
      if (walk[next]) {
        jump[8 * i + W] = (walk[next - pw] && !walk[next - pw + 1]) || (walk[next + pw] && !walk[next + pw + 1]) ? 1 : on(jump[8 * next + W]!);
      }
      next = i - pw;
      if (walk[next]) {
        jump[8 * i + S] = (walk[next - 1] && !walk[next - 1 + pw]) || (walk[next + 1] && !walk[next + 1 + pw]) ? 1 : on(jump[8 * next + S]!);
      }
      if (walk[i - pw]) {
        // SE (+x, −y) and SW (−x, −y): both need the cell below free.
        next = i - pw + 1;
        if (walk[i + 1] && walk[next]) jump[8 * i + 6] = jump[8 * next + E]! > 0 || jump[8 * next + S]! > 0 ? 1 : on(jump[8 * next + 6]!);
        next = i - pw - 1;
        if (walk[i - 1] && walk[next]) jump[8 * i + 7] = jump[8 * next + W]! > 0 || jump[8 * next + S]! > 0 ? 1 : on(jump[8 * next + 7]!);
      }
    }
  }
  for (let y = ph - 2; y >= 1; y--) {
    for (let x = pw - 2; x >= 1; x--) {
      const i = y * pw + x;
      if (!walk[i + pw]) continue;
      // NE (+x, +y) and NW (−x, +y): both need the cell above free.
      let next = i + pw + 1;
      if (walk[i + 1] && walk[next]) jump[8 * i + 4] = jump[8 * next + E]! > 0 || jump[8 * next + N]! > 0 ? 1 : on(jump[8 * next + 4]!);
      next = i + pw - 1;
      if (walk[i - 1] && walk[next]) jump[8 * i + 5] = jump[8 * next + W]! > 0 || jump[8 * next + N]! > 0 ? 1 : on(jump[8 * next + 5]!);
    }
  }
  return jump;
}

export class JumpPointPlanner {
  private readonly ws = new SearchWorkspace();
  /** 1 where traversable, with a one-cell blocked border so jumps need no bounds checks. */
  private walk = new Uint8Array(0);
  private jump: Int32Array = new Int32Array(0);
  private pw = 0;
  private walkFor: { costs: Uint8Array; version: number | undefined; allowUnknown: boolean; width: number } | undefined;
  /** Jump successors of the node being expanded (padded indices). */
  private readonly succ = new Int32Array(8);
  private nSucc = 0;
  private gxP = 0;
  private gyP = 0;

  search(original: PlanningGrid, start: Cell, goal: Cell, options: SearchOptions = {}): SearchResult {
    const grid = openStartRegion(original, start, goal, options.startEscapeCells);
    const allowUnknown = options.allowUnknown ?? true;
    const factor = stepFactorTable(0, allowUnknown);
    const bad = checkEndpoints(grid, start, goal, factor);
    if (bad) return { ok: false, failure: bad, expanded: 0 };
    const w = this.walkFor;
    if (!w || w.costs !== grid.costs || w.version !== grid.version || w.allowUnknown !== allowUnknown || w.width !== grid.width || grid.version === undefined) {
      this.prepare(grid, factor);
      this.walkFor = { costs: grid.costs, version: grid.version, allowUnknown, width: grid.width };
    }
    const { width } = grid;
    const pw = this.pw;
    const walk = this.walk;
    const maxIterations = options.maxIterations ?? Infinity;
    const budget = options.timeBudgetMs ?? Infinity;
    const timed = budget < Infinity;
    const t0 = timed ? performance.now() : 0;

    // Exact costs (types.exactCostBits): a straight step 1, a diagonal √2 rounded to k bits, so
    // the octile distance is max + min · DX with DX = (rounded √2) − 1.
    const DX = roundToBits(SQRT2, exactCostBits(walk.length, 1)) - 1;

    // Search in padded coordinates: index = (y + 1) * pw + (x + 1).
    const ws = this.ws;
    ws.begin(walk.length);
    const rec = ws.rec;
    const rec32 = ws.rec32;
    const OPEN = ws.open;
    const CLOSED = ws.closed;
    const sx = start.x + 1;
    const sy = start.y + 1;
    const gx = (this.gxP = goal.x + 1);
    const gy = (this.gyP = goal.y + 1);
    const s = sy * pw + sx;
    const goalIdx = gy * pw + gx;
    {
      const ax = Math.abs(gx - sx);
      const ay = Math.abs(gy - sy);
      rec[2 * s] = 0;
      rec32[4 * s + 2] = OPEN;
      rec32[4 * s + 3] = -1;
      ws.push(s, ax > ay ? ax + ay * DX : ay + ax * DX, 0);
    }
    const succ = this.succ;
    let expanded = 0;

    while (!ws.empty()) {
      const cur = ws.pop();
      rec32[4 * cur + 2] = CLOSED;
      expanded++;
      if (cur === goalIdx) return this.finish(cur, width, expanded);
      if (expanded > maxIterations) {
        return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs: timed ? performance.now() - t0 : 0, limit: "max_iterations" }, expanded };
      }
      // The clock is read at the first expansion, then every 256.
      if (timed && (expanded & TIME_CHECK_MASK) === 1) {
        const elapsedMs = performance.now() - t0;
        if (elapsedMs > budget) return { ok: false, failure: { kind: "PlannerTimedOut", expanded, elapsedMs, limit: "time_budget" }, expanded };
      }
      const cy = (cur / pw) | 0;
      const cx = cur - cy * pw;
      this.nSucc = 0;
      const p = rec32[4 * cur + 3]!;
      if (p < 0) {
        for (let d = 0; d < 4; d++) this.straight(cur, cx, cy, d);
        for (let d = 4; d < 8; d++) this.diagonal(cur, cx, cy, d);
      } else {
        const py = (p / pw) | 0;
        const px = p - py * pw;
        const dx = cx > px ? 1 : cx < px ? -1 : 0;
        const dy = cy > py ? 1 : cy < py ? -1 : 0;
        const hd = dx > 0 ? E : W;
        const vd = dy > 0 ? N : S;
        if (dx !== 0 && dy !== 0) {
          this.straight(cur, cx, cy, hd);
          this.straight(cur, cx, cy, vd);
          this.diagonal(cur, cx, cy, 4 + (dx > 0 ? 0 : 1) + (dy > 0 ? 0 : 2));
        } else if (dx !== 0) {
          this.straight(cur, cx, cy, hd);
          // Forced neighbours only: a side cell whose cell behind is blocked (no corner cutting).
          const xo = dx > 0 ? 0 : 1;
          if (walk[cur + pw] && !walk[cur + pw - dx]) {
            this.straight(cur, cx, cy, N);
            this.diagonal(cur, cx, cy, 4 + xo);
          }
          if (walk[cur - pw] && !walk[cur - pw - dx]) {
            this.straight(cur, cx, cy, S);
            this.diagonal(cur, cx, cy, 6 + xo);
          }
        } else {
          this.straight(cur, cx, cy, vd);
          const yo = dy > 0 ? 0 : 2;
          if (walk[cur + 1] && !walk[cur + 1 - dy * pw]) {
            this.straight(cur, cx, cy, E);
            this.diagonal(cur, cx, cy, 4 + yo);
          }
          if (walk[cur - 1] && !walk[cur - 1 - dy * pw]) {
            this.straight(cur, cx, cy, W);
            this.diagonal(cur, cx, cy, 5 + yo);
          }
        }
      }
      const gc = rec[2 * cur]!;
      for (let k = 0, nk = this.nSucc; k < nk; k++) {
        const jp = succ[k]!;
        const m = rec32[4 * jp + 2]!;
        if (m === CLOSED) continue;
        const jy = (jp / pw) | 0;
        const jx = jp - jy * pw;
        let ax = jx > cx ? jx - cx : cx - jx;
        let ay = jy > cy ? jy - cy : cy - jy;
        const ng = gc + (ax > ay ? ax + ay * DX : ay + ax * DX);
        if (m === OPEN && ng >= rec[2 * jp]!) continue;
        rec[2 * jp] = ng;
        rec32[4 * jp + 3] = cur;
        ax = jx > gx ? jx - gx : gx - jx;
        ay = jy > gy ? jy - gy : gy - jy;
        const f = ng + (ax > ay ? ax + ay * DX : ay + ax * DX);
        if (m === OPEN) ws.decreased(jp, f, ng);
        else {
          rec32[4 * jp + 2] = OPEN;
          ws.push(jp, f, ng);
        }
      }
    }
    return { ok: false, failure: { kind: "NoPathFound", expanded }, expanded };
  }

  /** The straight jump from cur = (cx, cy) along d (E, W, N or S): its jump point, or the goal when that comes first, added to the successors. */
  private straight(cur: number, cx: number, cy: number, d: number): void {
    const v = this.jump[8 * cur + d]!;
    const reach = v > 0 ? v : -v;
    let ahead: number;
    if (d < 2) ahead = cy === this.gyP ? (d === E ? this.gxP - cx : cx - this.gxP) : 0;
    else ahead = cx === this.gxP ? (d === N ? this.gyP - cy : cy - this.gyP) : 0;
    if (ahead > 0 && ahead <= reach) this.succ[this.nSucc++] = this.gyP * this.pw + this.gxP;
    else if (v > 0) this.succ[this.nSucc++] = cur + v * (d === E ? 1 : d === W ? -1 : d === N ? this.pw : -this.pw);
  }

  /**
   * The diagonal jump from cur = (cx, cy) along d (4..7), stopping early at the cell of the goal's
   * row or column when the goal lies straight on from there.
   */
  private diagonal(cur: number, cx: number, cy: number, d: number): void {
    const jump = this.jump;
    const pw = this.pw;
    const v = jump[8 * cur + d]!;
    const reach = v > 0 ? v : -v;
    const dx = JUMP_DX[d]!;
    const dy = JUMP_DY[d]!;
    const step = dy * pw + dx;
    const tx = (this.gxP - cx) * dx;
    const ty = (this.gyP - cy) * dy;
    if (tx > 0 && ty > 0) {
      const t = tx < ty ? tx : ty;
      if (t <= reach) {
        const c = cur + t * step;
        let on: boolean;
        if (tx === ty) on = true;
        else if (tx > ty) {
          const u = jump[8 * c + (dx > 0 ? E : W)]!;
          on = tx - ty <= (u > 0 ? u : -u);
        } else {
          const u = jump[8 * c + (dy > 0 ? N : S)]!;
          on = ty - tx <= (u > 0 ? u : -u);
        }
        if (on) {
          this.succ[this.nSucc++] = c;
          return;
        }
      }
    }
    if (v > 0) this.succ[this.nSucc++] = cur + v * step;
  }

  private prepare(grid: PlanningGrid, factor: Float64Array): void {
    const { width, height, costs } = grid;
    const pw = width + 2;
    const ph = height + 2;
    const n = pw * ph;
    if (this.walk.length !== n) this.walk = new Uint8Array(n);
    else this.walk.fill(0);
    this.pw = pw;
    const walk = this.walk;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const prow = (y + 1) * pw + 1;
      for (let x = 0; x < width; x++) walk[prow + x] = factor[costs[row + x]!]! >= 0 ? 1 : 0;
    }
    this.jump = buildJumpTables(walk, pw, ph, this.jump);
  }

  /** Expands the jump points (padded indices, from the parent chain of `goal`) into every cell between them (unpadded indices). */
  private finish(goal: number, width: number, expanded: number): SearchResult {
    const jumps = this.ws.reconstruct(goal);
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
    return { ok: true, cells: Int32Array.from(cells), length, cost: length, expanded };
  }
}
