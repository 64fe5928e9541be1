/**
 * Navigation end to end, a small version of `kestrel eval nav`: seeded episodes driven by the
 * real stack (sim, planner, controller on the embedded bus) must reach their goals without
 * collisions, on a path close to the optimal one.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evalNavCommand } from "../../cli/eval/nav";
import { datasetFromBags } from "../../nodes/learner/dataset";
import { trainCommand } from "../../cli/train";
import { selectBackend } from "../../nodes/learner/ml/backend";
import { fixOrtForJest } from "../support/ort-realm";
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

describe("kestrel eval nav --record", () => {
  beforeAll(async () => {
    fixOrtForJest();
    await selectBackend({ log: () => {} });
  });

  it("records each episode of the stack as a bag with START/END events that a dataset can be built from", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-record-"));
    try {
      const lines: string[] = [];
      await evalNavCommand({ worlds: ["cluttered"], episodes: 1, seed: 3, recordDir: dir, print: (l) => lines.push(l) });
      expect(lines.at(-1)).toMatch(/^cluttered: success 100% \(1\/1\)/);
      expect(readdirSync(dir)).toEqual(["cluttered-0-s3"]);
      const ds = await datasetFromBags([join(dir, "cluttered-0-s3")]);
      expect(ds.manifest.episodes).toHaveLength(1);
      expect(ds.manifest.episodes[0]).toMatchObject({ id: "cluttered-0-s3/cluttered-0-s3", outcome: "success" });
      expect(ds.manifest.count).toBeGreaterThan(100);
      expect(ds.manifest.observation).toMatchObject({ layout: "kestrel-nav-v2", size: 46 });
      // The plan is in map, the pose in odom (map -> odom is the spawn pose): the goal distance at
      // the last transition is within the goal tolerance, which only holds if the plan was moved into odom.
      const last = ds.manifest.count - 1;
      expect(ds.arrays.observations[last * 46 + 36]).toBeLessThan(0.5);
      // And the trainer learns from the recording (a tiny budget: this checks the wiring, not the figure).
      const out: string[] = [];
      const args = ["--algo", "bc", "--bags", join(dir, "cluttered-0-s3"), "--steps", "40", "--worlds", "cluttered", "--envs", "2", "--eval-episodes", "2", "--max-steps", "200", "--out", join(dir, "run")];
      expect(await trainCommand(args, (l) => out.push(l))).toBe(0);
      expect(out.join("\n")).toMatch(/dataset: \d+ transitions, 1 episodes \(bags\)/);
      expect(out.join("\n")).toMatch(/policy \(held-out seeds\): success/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
