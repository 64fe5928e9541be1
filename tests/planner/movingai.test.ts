/**
 * The Moving AI benchmark (../shared/data/movingai, see SOURCE.md there): with uniform costs A* and
 * JPS must find the scenario's optimal length (8-connected, √2 diagonals, no corner cutting)
 * within 1e-4. Tests run a sample per map (every 50th scenario and the longest); bench/planner
 * runs all of them.
 */
import { AStarPlanner } from "../../nodes/planner/search/astar";
import { JumpPointPlanner } from "../../nodes/planner/search/jps";
import { loadMovingAi, type Scenario } from "../../nodes/planner/search/movingai";
import { sharedData } from "../support/shared-data";

const MAPS = ["arena2", "maze512-1-0", "random512-10-0"];
const EVERY = 50;

function sample(scenarios: Scenario[]): Array<[number, Scenario]> {
  const picked = new Map<number, Scenario>();
  for (let i = 0; i < scenarios.length; i += EVERY) picked.set(i, scenarios[i]!);
  let longest = 0;
  scenarios.forEach((s, i) => {
    if (s.optimal > scenarios[longest]!.optimal) longest = i;
  });
  picked.set(longest, scenarios[longest]!);
  return [...picked.entries()];
}

describe.each(MAPS)("Moving AI %s", (map) => {
  const { grid, scenarios } = loadMovingAi(sharedData("movingai", `${map}.map`));
  const astar = new AStarPlanner();
  const jps = new JumpPointPlanner();

  it("loads the map and its scenarios", () => {
    expect(grid.width * grid.height).toBeGreaterThan(0);
    expect(scenarios.length).toBeGreaterThan(100);
  });

  it.each([
    ["A*", (s: Scenario) => astar.search(grid, { x: s.startX, y: s.startY }, { x: s.goalX, y: s.goalY })],
    ["JPS", (s: Scenario) => jps.search(grid, { x: s.startX, y: s.startY }, { x: s.goalX, y: s.goalY })],
  ])("%s finds the optimal length on a sample of scenarios", (_name, run) => {
    const mismatches: string[] = [];
    for (const [i, s] of sample(scenarios)) {
      const r = run(s);
      const got = r.ok ? r.length : NaN;
      if (!(Math.abs(got - s.optimal) <= 1e-4)) mismatches.push(`#${i} (${s.startX},${s.startY})→(${s.goalX},${s.goalY}): ${r.ok ? got : r.failure.kind} vs ${s.optimal}`);
    }
    expect(mismatches).toEqual([]);
  });
});
