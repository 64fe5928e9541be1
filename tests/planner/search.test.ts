import { AStarPlanner } from "../../nodes/planner/search/astar";
import { JumpPointPlanner } from "../../nodes/planner/search/jps";
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
    ["start in inscribed cost", ["i...", "...."], [0, 0], [3, 1], "StartOccupied"],
    ["goal occupied", ["....", "...#"], [0, 0], [3, 1], "GoalOccupied"],
    ["goal out of map", ["....", "...."], [0, 0], [9, 1], "GoalOutOfMap"],
    ["start out of map", ["....", "...."], [-1, 0], [3, 1], "StartOutOfMap"],
  ])("%s → %s", (_case, rows, s, g, kind) => {
    const r = search(gridFrom(rows as string[]), { x: (s as number[])[0]!, y: (s as number[])[1]! }, { x: (g as number[])[0]!, y: (g as number[])[1]! });
    expect(r.ok ? "found" : r.failure.kind).toBe(kind);
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
