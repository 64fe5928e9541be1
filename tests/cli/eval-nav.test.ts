/**
 * Navigation end to end, a small version of `kestrel eval nav`: seeded episodes driven by the
 * real stack (sim, planner, controller on the embedded bus) must reach their goals without
 * collisions, on a path close to the optimal one.
 */
import { evalNavCommand } from "../../cli/eval/nav";
import { freeSpaceGrid, sampleEpisodes } from "../../cli/eval/nav-episodes";
import { summarise } from "../../cli/eval/nav-run";
import { compileScene } from "../../sim/geometry";
import { loadWorldFile } from "../../sim/world/files";

describe("navigation episodes", () => {
  it("are deterministic for a seed, start and end in free space, and carry their optimal length", () => {
    const world = loadWorldFile("cluttered");
    const a = sampleEpisodes(world, { count: 3, seed: 7 });
    const b = sampleEpisodes(world, { count: 3, seed: 7 });
    expect(a).toEqual(b);
    for (const e of a) {
      const straight = Math.hypot(e.goal.x - e.start.x, e.goal.y - e.start.y);
      expect(straight).toBeGreaterThanOrEqual(2);
      // An 8-connected path is never shorter than the straight line (minus a cell of rounding).
      expect(e.optimalLengthM).toBeGreaterThanOrEqual(straight - 0.1);
    }
  });

  it("blocks cells near walls in the free-space grid", () => {
    const world = loadWorldFile("office");
    const grid = freeSpaceGrid(world, compileScene(world), 0.15, 0.1);
    // The enclosing wall runs along x = 0: the first column is blocked, one 1 m in is not.
    expect(grid.costs[60 * grid.width + 0]).toBe(254);
    expect(grid.costs[60 * grid.width + 10]).toBe(0);
  });
});

describe("kestrel eval nav (small)", () => {
  it("reaches every goal in the cluttered world with zero collisions and a near-optimal path", async () => {
    const lines: string[] = [];
    const results = await evalNavCommand({ worlds: ["cluttered"], episodes: 2, seed: 3, print: (l) => lines.push(l) });
    const summary = summarise(results.get("cluttered")!);
    expect(lines.at(-1)).toMatch(/^cluttered: success 100% \(2\/2\), collisions 0, mean time to goal/);
    expect(summary.collisions).toBe(0);
    expect(summary.meanLengthRatio).toBeLessThanOrEqual(1.2);
  }, 120_000);
});
