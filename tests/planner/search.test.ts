import { AStarPlanner } from "../../nodes/planner/search/astar";
import { buildJumpTables, JumpPointPlanner, naiveJump } from "../../nodes/planner/search/jps";
import { octile, type PlanningGrid, type SearchOptions, type SearchResult } from "../../nodes/planner/search/types";
import { cellsOf, gridFrom } from "./grids";

type Search = (grid: PlanningGrid, s: { x: number; y: number }, g: { x: number; y: number }, o?: SearchOptions) => SearchResult;
const astar = new AStarPlanner();
const jps = new JumpPointPlanner();
const SEARCHES: Array<[string, Search]> = [
  ["A*", (g, s, t, o) => astar.search(g, s, t, o)],
  ["JPS", (g, s, t, o) => jps.search(g, s, t, o)],
];

/** Every step of a path goes to an 8-neighbour and never cuts a blocked corner. */
function expectValid(grid: PlanningGrid, cells: Int32Array): void {
  const blocked = (x: number, y: number): boolean => grid.costs[y * grid.width + x]! >= 253 && grid.costs[y * grid.width + x] !== 255;
  const xy = cellsOf(cells, grid.width);
  for (let i = 1; i < xy.length; i++) {
    const [ax, ay] = xy[i - 1]!;
    const [bx, by] = xy[i]!;
    expect(Math.max(Math.abs(bx - ax), Math.abs(by - ay))).toBe(1);
    expect(blocked(bx, by)).toBe(false);
    if (ax !== bx && ay !== by) {
      expect(blocked(bx, ay)).toBe(false);
      expect(blocked(ax, by)).toBe(false);
    }
  }
}

describe.each(SEARCHES)("%s", (_name, search) => {
  it.each([
    // [case, grid rows, start, goal, optimal length]
    ["open grid: pure diagonal", ["....", "....", "....", "...."], [0, 0], [3, 3], 3 * Math.SQRT2],
    ["start equals goal", ["..", ".."], [1, 1], [1, 1], 0],
    ["straight corridor", ["#####", ".....", "#####"], [0, 1], [4, 1], 4],
    // The diagonal (1,0)→(2,1) would squeeze between the blocked (2,0) and (1,1): forbidden, so go
    // round the bottom in 5 straight steps (corner cutting would give 1 + √2).
    ["corner cutting forbidden", ["..#", ".#.", "..."], [0, 0], [2, 1], 5],
    ["wall with a gap", [".....", "####.", ".....", ".####", "....."], [0, 0], [0, 4], 4 + 4 + 4],
  ])("%s", (_case, rows, s, g, length) => {
    const grid = gridFrom(rows as string[]);
    const r = search(grid, { x: (s as number[])[0]!, y: (s as number[])[1]! }, { x: (g as number[])[0]!, y: (g as number[])[1]! });
    if (!r.ok) throw new Error(`no path: ${r.failure.kind}`);
    expect(r.length).toBeCloseTo(length as number, 9);
    expectValid(grid, r.cells);
  });

  it.each([
    // [case, grid rows, start, goal, failure kind]
    ["goal walled off", ["..#..", "..#..", "..#.."], [0, 0], [4, 0], "NoPathFound"],
    ["diagonal gap only (corner cutting would pass)", [".#", "#."], [0, 0], [1, 1], "NoPathFound"],
    ["start occupied", ["#...", "...."], [0, 0], [3, 1], "StartOccupied"],
    ["start in inscribed cost, escape disabled", ["i...", "...."], [0, 0], [3, 1], "StartOccupied", { startEscapeCells: -1 }],
    ["goal in the inscribed region the start escapes through", ["#####", "iiiii", "....."], [0, 1], [4, 1], "GoalOccupied"],
    ["goal occupied", ["....", "...#"], [0, 0], [3, 1], "GoalOccupied"],
    ["goal out of map", ["....", "...."], [0, 0], [9, 1], "GoalOutOfMap"],
    ["start out of map", ["....", "...."], [-1, 0], [3, 1], "StartOutOfMap"],
    // (The options as a rest parameter: a sixth declared parameter would make jest wait for a done callback.)
  ])("%s → %s", (_case, rows, s, g, kind, ...options: unknown[]) => {
    const r = search(gridFrom(rows as string[]), { x: (s as number[])[0]!, y: (s as number[])[1]! }, { x: (g as number[])[0]!, y: (g as number[])[1]! }, options[0] as SearchOptions | undefined);
    expect(r.ok ? "found" : r.failure.kind).toBe(kind);
  });

  describe("a start inside the inflation (robot stopped against a wall), as NavFn's clearRobotCell", () => {
    // A wall on row 0, its inscribed band on rows 1–2, free space below.
    const rows = ["##########", "iiiiiiiiii", "iiiiiiiiii", "..........", "..........", ".........."];
    const inBand = (grid: PlanningGrid, c: [number, number]): boolean => grid.costs[c[1] * grid.width + c[0]]! === 253;

    it("plans out of the inscribed cells instead of failing with StartOccupied", () => {
      const grid = gridFrom(rows);
      const r = search(grid, { x: 2, y: 1 }, { x: 8, y: 5 }, { costWeight: 3 });
      if (!r.ok) throw new Error(`no path: ${r.failure.kind}`);
      const xy = cellsOf(r.cells, grid.width);
      expect(xy[0]).toEqual([2, 1]);
      // Once out of the band the path never goes back in, and it never enters a lethal cell.
      const firstFree = xy.findIndex((c) => !inBand(grid, c));
      expect(firstFree).toBeGreaterThan(0);
      expect(xy.slice(firstFree).every((c) => !inBand(grid, c))).toBe(true);
      expect(xy.every(([x, y]) => grid.costs[y * grid.width + x]! !== 254)).toBe(true);
      expect(grid.costs[2 * grid.width + 2]).toBe(253); // the caller's grid is not modified
    });

    it("keeps a start on a lethal cell StartOccupied", () => {
      const r = search(gridFrom(rows), { x: 2, y: 0 }, { x: 8, y: 5 });
      expect(r.ok ? "found" : r.failure.kind).toBe("StartOccupied");
    });
  });

  it("gives up with PlannerTimedOut past max_iterations instead of searching on", () => {
    // A serpentine: walls on odd rows with the gap alternating between the ends.
    const grid = gridFrom(Array.from({ length: 21 }, (_, y) => (y % 2 === 0 ? ".".repeat(21) : y % 4 === 1 ? "#".repeat(20) + "." : "." + "#".repeat(20))));
    const r = search(grid, { x: 0, y: 0 }, { x: 0, y: 20 }, { maxIterations: 3 });
    expect(r.ok ? "found" : r.failure.kind).toBe("PlannerTimedOut");
    if (!r.ok && r.failure.kind === "PlannerTimedOut") expect(r.failure.limit).toBe("max_iterations");
  });

  it("treats unknown cells as free only when allowed", () => {
    const grid = gridFrom(["...", "???", "..."]);
    expect(search(grid, { x: 0, y: 0 }, { x: 0, y: 2 }).ok).toBe(true);
    const r = search(grid, { x: 0, y: 0 }, { x: 0, y: 2 }, { allowUnknown: false });
    expect(r.ok ? "found" : r.failure.kind).toBe("NoPathFound");
  });

  it("reuses its arrays across queries on grids of different sizes", () => {
    const small = gridFrom(["...", "...", "..."]);
    const big = gridFrom(Array.from({ length: 20 }, () => ".".repeat(30)));
    for (let i = 0; i < 3; i++) {
      expect((search(big, { x: 0, y: 0 }, { x: 29, y: 19 }) as { length: number }).length).toBeCloseTo(octile(29, 19), 9);
      expect((search(small, { x: 0, y: 0 }, { x: 2, y: 0 }) as { length: number }).length).toBe(2);
    }
  });
});

describe("A* with costs", () => {
  it("leaves the inflation by the shortest way first when the start is in it, even with the goal along the wall", () => {
    const grid = gridFrom(["############", "iiiiiiiiiiii", "iiiiiiiiiiii", "............", "............"]);
    const r = astar.search(grid, { x: 1, y: 1 }, { x: 10, y: 3 }, { costWeight: 3 });
    if (!r.ok) throw new Error(`no path: ${r.failure.kind}`);
    // Two steps straight (or diagonally) down, then along the free row.
    const ys = cellsOf(r.cells, grid.width).map(([, y]) => y);
    expect(ys.slice(0, 3)).toEqual([1, 2, 3]);
    expect(ys.slice(3).every((y) => y >= 3)).toBe(true);
  });

  it("pays for cost and detours to keep clearance when cost_weight > 0", () => {
    // A straight row through costly cells (9 → cost 225) and a free detour one row down.
    const grid = gridFrom(["9999999", "......."]);
    const row0 = (r: SearchResult): boolean => r.ok && cellsOf(r.cells, 7).slice(1, -1).every(([, y]) => y === 0);
    const uniform = astar.search(grid, { x: 0, y: 0 }, { x: 6, y: 0 });
    const weighted = astar.search(grid, { x: 0, y: 0 }, { x: 6, y: 0 }, { costWeight: 3 });
    expect(row0(uniform)).toBe(true);
    expect(row0(weighted)).toBe(false);
    if (!weighted.ok) throw new Error("no path");
    expect(weighted.cost).toBeGreaterThan(weighted.length);
  });

  it("reports the PlannerTimedOut time budget", () => {
    const grid = gridFrom(Array.from({ length: 300 }, () => ".".repeat(300)));
    const r = astar.search(grid, { x: 0, y: 0 }, { x: 299, y: 150 }, { timeBudgetMs: 1e-6, costWeight: 1 });
    expect(r.ok ? "found" : r.failure.kind).toBe("PlannerTimedOut");
  });
});

/** A seeded generator (mulberry32) so random grids are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random grid: blocked (lethal) with probability `density`, else a random cost below inscribed (or 0). */
function randomGrid(rand: () => number, width: number, height: number, density: number, costly: boolean): PlanningGrid {
  const costs = new Uint8Array(width * height);
  for (let i = 0; i < costs.length; i++) costs[i] = rand() < density ? 254 : costly ? Math.floor(rand() * 253) : 0;
  return { width, height, costs };
}

/**
 * Plain Dijkstra (O(n²), no heap, floating-point costs) with the searches' rules: the reference
 * cost of the cheapest path, or Infinity when there is none.
 */
function referenceCost(grid: PlanningGrid, s: { x: number; y: number }, t: { x: number; y: number }, costWeight: number): number {
  const { width, height, costs } = grid;
  const n = width * height;
  const free = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && costs[y * width + x]! < 253;
  const dist = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  dist[s.y * width + s.x] = 0;
  for (;;) {
    let u = -1;
    for (let i = 0; i < n; i++) if (!done[i] && dist[i]! < Infinity && (u < 0 || dist[i]! < dist[u]!)) u = i;
    if (u < 0) return Infinity;
    if (u === t.y * width + t.x) return dist[u]!;
    done[u] = 1;
    const ux = u % width;
    const uy = (u - ux) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = ux + dx;
        const y = uy + dy;
        if ((dx === 0 && dy === 0) || !free(x, y)) continue;
        if (dx !== 0 && dy !== 0 && (!free(ux + dx, uy) || !free(ux, uy + dy))) continue;
        const v = y * width + x;
        const d = dist[u]! + (dx !== 0 && dy !== 0 ? Math.SQRT2 : 1) * (1 + (costWeight * costs[v]!) / 252);
        if (d < dist[v]!) dist[v] = d;
      }
    }
  }
}

describe("JPS jump tables", () => {
  it("equal the step-by-step jump for every cell and direction on random grids", () => {
    const rand = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const w = 1 + Math.floor(rand() * 24);
      const h = 1 + Math.floor(rand() * 24);
      const density = [0, 0.05, 0.2, 0.4, 0.7][trial % 5]!;
      const pw = w + 2;
      const walk = new Uint8Array(pw * (h + 2));
      for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) walk[y * pw + x] = rand() < density ? 0 : 1;
      const table = buildJumpTables(walk, pw, h + 2);
      const wrong: string[] = [];
      for (let y = 1; y <= h; y++) {
        for (let x = 1; x <= w; x++) {
          for (let d = 0; d < 8; d++) {
            const want = naiveJump(walk, pw, x, y, d);
            const got = table[8 * (y * pw + x) + d]!;
            if (got !== want) wrong.push(`trial ${trial} (${x},${y}) dir ${d}: ${got} vs ${want}`);
          }
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  });
});

describe("random grids against a plain Dijkstra", () => {
  const rand = rng(42);
  const cases = Array.from({ length: 150 }, (_, i) => {
    const w = 2 + Math.floor(rand() * 28);
    const h = 2 + Math.floor(rand() * 28);
    const grid = randomGrid(rand, w, h, [0.05, 0.2, 0.35][i % 3]!, i % 2 === 1);
    const pick = (): { x: number; y: number } => {
      for (;;) {
        const c = { x: Math.floor(rand() * w), y: Math.floor(rand() * h) };
        if (grid.costs[c.y * w + c.x]! < 253) return c;
      }
    };
    return { grid, s: pick(), t: pick() };
  });

  it("A* and JPS find the optimal length (uniform costs), or both no path", () => {
    for (const { grid, s, t } of cases) {
      const want = referenceCost(grid, s, t, 0);
      for (const [name, search] of SEARCHES) {
        const r = search(grid, s, t);
        if (want === Infinity) {
          expect(`${name} ${r.ok ? "found" : r.failure.kind}`).toBe(`${name} NoPathFound`);
          continue;
        }
        if (!r.ok) throw new Error(`${name}: no path where Dijkstra finds ${want}`);
        expect(Math.abs(r.length - want)).toBeLessThan(1e-9);
        expectValid(grid, r.cells);
        expect(r.cells[0]).toBe(s.y * grid.width + s.x);
        expect(r.cells[r.cells.length - 1]).toBe(t.y * grid.width + t.x);
      }
    }
  });

  it("A* finds the least cost with cost weights (its whole-number costs lose nothing)", () => {
    for (const { grid, s, t } of cases) {
      for (const costWeight of [1, 3.7]) {
        const want = referenceCost(grid, s, t, costWeight);
        const r = astar.search(grid, s, t, { costWeight });
        if (want === Infinity) {
          expect(r.ok).toBe(false);
          continue;
        }
        if (!r.ok) throw new Error(`no path where Dijkstra finds ${want}`);
        expect(Math.abs(r.cost - want)).toBeLessThan(1e-6);
        expectValid(grid, r.cells);
      }
    }
  });

  it("JPS and A* see a change to the grid once its version is bumped", () => {
    for (const [name, search] of SEARCHES) {
      const grid: PlanningGrid = { ...gridFrom([".....", ".....", "....."]), version: 1 };
      const before = search(grid, { x: 0, y: 1 }, { x: 4, y: 1 });
      expect(before.ok && before.length).toBe(4);
      for (let y = 0; y < 3; y++) grid.costs[y * 5 + 2] = 254;
      grid.version = 2;
      const after = search(grid, { x: 0, y: 1 }, { x: 4, y: 1 });
      expect(`${name} ${after.ok ? "found" : after.failure.kind}`).toBe(`${name} NoPathFound`);
    }
  });
});
