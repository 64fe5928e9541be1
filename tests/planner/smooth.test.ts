import { AStarPlanner } from "../../nodes/planner/search/astar";
import type { PlanningGrid } from "../../nodes/planner/search/types";
import { segmentIsClear, segmentMaxCost, shortcut, smoothPath } from "../../nodes/planner/smooth";
import { gridFrom } from "./grids";

/** Every point and every segment of a smoothed path stays out of inscribed/lethal cells. */
function expectClear(grid: PlanningGrid, pts: Float64Array): void {
  for (let i = 0; i < pts.length; i += 2) {
    const c = grid.costs[Math.floor(pts[i + 1]!) * grid.width + Math.floor(pts[i]!)]!;
    expect(c).toBeLessThan(253);
    if (i >= 2) expect(segmentIsClear(grid, pts[i - 2]!, pts[i - 1]!, pts[i]!, pts[i + 1]!)).toBe(true);
  }
}

describe("segmentMaxCost", () => {
  it.each([
    // [case, rows, from, to, expected max cost]
    ["free row", ["...."], [0.5, 0.5], [3.5, 0.5], 0],
    ["through a costly cell", [".4.."], [0.5, 0.5], [3.5, 0.5], 100],
    // A diagonal exactly through the corner between two blocked cells touches both.
    ["exact corner between blocked cells", [".#", "#."], [0.5, 0.5], [1.5, 1.5], 254],
    ["exact corner with one blocked side", [".#", ".."], [0.5, 0.5], [1.5, 1.5], 254],
  ])("%s", (_c, rows, a, b, expected) => {
    const grid = gridFrom(rows as string[]);
    const [x0, y0] = a as number[];
    const [x1, y1] = b as number[];
    expect(segmentMaxCost(grid, x0!, y0!, x1!, y1!)).toBe(expected);
  });
});

describe("smoothPath", () => {
  // An L-shaped room: the straight line from start to goal would cut the inner corner of the wall
  // block and its inscribed ring ('i'); the costly ring ('4') keeps clearance.
  const ROWS = [
    "..........",
    "..........",
    "..444444..",
    "..4iiii4..",
    "..4i##i4..",
    "..4i##i4..",
    "..4iiii4..",
    "..444444..",
    "..........",
    "..........",
  ];

  it("never enters lethal or inscribed cells around a corner it could cut", () => {
    const grid = gridFrom(ROWS);
    const astar = new AStarPlanner();
    const r = astar.search(grid, { x: 0, y: 3 }, { x: 9, y: 6 }, { costWeight: 3 });
    if (!r.ok) throw new Error(r.failure.kind);
    // The naive straight shortcut would pass through the block.
    expect(segmentIsClear(grid, 0.5, 3.5, 9.5, 6.5)).toBe(false);
    const pts = smoothPath(grid, r.cells, { iterations: 100 });
    expectClear(grid, pts);
    expect(pts.slice(0, 2)).toEqual(Float64Array.of(0.5, 3.5));
    expect(pts.slice(-2)).toEqual(Float64Array.of(9.5, 6.5));
  });

  it("shortens a staircase path across open space to its two ends", () => {
    const grid = gridFrom(["......", "......", "......", "......"]);
    // A staircase: right, up, right, up, ...
    const cells = [0, 1, 7, 8, 14, 15, 21];
    expect(Array.from(shortcut(grid, cells))).toEqual([0.5, 0.5, 3.5, 3.5]);
  });

  it("does not shortcut through costlier cells than the original stretch", () => {
    // Path along row 0 then down column 5; the direct diagonal crosses costly cells ('8').
    const grid = gridFrom(["......", ".888..", ".888..", "......"]);
    const cells = [0, 1, 2, 3, 4, 5, 11, 17, 23];
    const pts = shortcut(grid, cells);
    for (let i = 2; i < pts.length; i += 2) expect(segmentMaxCost(grid, pts[i - 2]!, pts[i - 1]!, pts[i]!, pts[i + 1]!)).toBe(0);
  });
});
