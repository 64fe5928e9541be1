/**
 * Planner benchmark on the Moving AI maps (../shared/data/movingai): for every scenario of each
 * map, A* and JPS with uniform costs — mean time per query, ns per expanded node, JPS's speed-up
 * over A*, and every length checked against the scenario file (1e-4).
 * Run: npm run bench:planner. Goals (issue 5): A* ≤ 200 ns per expansion; JPS ≥ 20× A* on arena2.
 * Both planners cache per-grid data while the grid's version stays the same (A* a padded copy of
 * the costs, JPS its jump tables); queries here reuse it, and "JPS prep" is what building it
 * costs (once per grid version: each costmap update in the planner node).
 */
import * as path from "path";
import { AStarPlanner } from "../nodes/planner/search/astar";
import { JumpPointPlanner } from "../nodes/planner/search/jps";
import { loadMovingAi, type Scenario } from "../nodes/planner/search/movingai";
import type { PlanningGrid, SearchResult } from "../nodes/planner/search/types";

const DATA = path.resolve(__dirname, "../../../shared/data/movingai");
const MAPS = ["arena2", "maze512-1-0", "random512-10-0"];
const WARMUP_MS = 500;

interface Run {
  ns: number;
  /** Process CPU time over the timed loop (user + system): unlike `ns`, not stretched by other processes on a shared machine. */
  cpuNs: number;
  expanded: number;
  mismatches: number;
  firstMismatch?: string;
}

function runAll(scenarios: Scenario[], search: (s: Scenario) => SearchResult): Run {
  // Warm up the JIT first: at least 20 queries and WARMUP_MS of them (cycling through the
  // scenarios). V8 compiles the hot code in the background and recompiles it as paths not yet
  // seen come up; on a shared machine that takes longer than 20 fast queries.
  const t0 = performance.now();
  for (let i = 0; i < 20 || performance.now() - t0 < WARMUP_MS; i++) search(scenarios[i % scenarios.length]!);
  let ns = 0;
  let expanded = 0;
  let mismatches = 0;
  let firstMismatch: string | undefined;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < scenarios.length; i++) {
    const s = scenarios[i]!;
    const t0 = process.hrtime.bigint();
    const r = search(s);
    ns += Number(process.hrtime.bigint() - t0);
    expanded += r.expanded;
    const got = r.ok ? r.length : NaN;
    if (!(Math.abs(got - s.optimal) <= 1e-4)) {
      mismatches++;
      firstMismatch ??= `#${i}: ${r.ok ? got : r.failure.kind} vs ${s.optimal}`;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { ns, cpuNs: (cpu.user + cpu.system) * 1000, expanded, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
}

/** Best of 5: a query on a fresh JPS planner with start = goal, i.e. building its per-grid tables. */
function prepMs(grid: PlanningGrid, s: Scenario): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const jps = new JumpPointPlanner();
    const t0 = process.hrtime.bigint();
    jps.search(grid, { x: s.startX, y: s.startY }, { x: s.startX, y: s.startY });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

function main(): void {
  console.log(`planner bench: Moving AI maps from ${DATA}, all scenarios, uniform costs`);
  console.log("map               scen  | A* ms/query  ns/exp  | JPS ms/query  ns/exp  | speed-up | mismatches A*/JPS | JPS prep ms | CPU time: A* ns/exp, speed-up");
  let totalMismatches = 0;
  for (const name of MAPS) {
    const { grid, scenarios } = loadMovingAi(path.join(DATA, `${name}.map`));
    const astar = new AStarPlanner();
    const jps = new JumpPointPlanner();
    const a = runAll(scenarios, (s) => astar.search(grid, { x: s.startX, y: s.startY }, { x: s.goalX, y: s.goalY }));
    const j = runAll(scenarios, (s) => jps.search(grid, { x: s.startX, y: s.startY }, { x: s.goalX, y: s.goalY }));
    const n = scenarios.length;
    const prep = prepMs(grid, scenarios[0]!);
    totalMismatches += a.mismatches + j.mismatches;
    console.log(
      `${name.padEnd(16)} ${String(n).padStart(5)}  | ${(a.ns / n / 1e6).toFixed(3).padStart(11)} ${(a.ns / a.expanded).toFixed(0).padStart(7)}  | ` +
        `${(j.ns / n / 1e6).toFixed(3).padStart(12)} ${(j.ns / j.expanded).toFixed(0).padStart(7)}  | ${(a.ns / j.ns).toFixed(1).padStart(7)}x | ${`${a.mismatches}/${j.mismatches}`.padStart(17)} | ${prep.toFixed(2).padStart(11)} | ${(a.cpuNs / a.expanded).toFixed(0).padStart(6)} ${(a.cpuNs / j.cpuNs).toFixed(1).padStart(6)}x`,
    );
    for (const r of [a, j]) if (r.firstMismatch) console.log(`  first mismatch: ${r.firstMismatch}`);
  }
  console.log(`length mismatches against the scenario files: ${totalMismatches}`);
  console.log("goals: A* <= 200 ns per expansion; JPS >= 20x faster than A* on arena2");
}

main();
