/**
 * Navigation evaluation episodes: seeded start/goal pairs in a world that a robot of a given
 * clearance can travel between, each with its optimal grid path length (8-connected, no corner
 * cutting, uniform cost) — the yardstick for the driven path.
 */
import { compileScene, makeSurfacePoint, nearestSurface, pointInside, worldCostGrid, type Scene, type WorldCostGrid } from "../../sim/geometry";
import { Rng } from "../../sim/random";
import type { Pose2D, World } from "../../sim/world/types";
import { AStarPlanner } from "../../nodes/planner/search/astar";
import type { PlanningGrid } from "../../nodes/planner/search/types";

export type FreeSpaceGrid = PlanningGrid & WorldCostGrid;

export interface NavEpisode {
  index: number;
  start: Pose2D;
  goal: Pose2D;
  /** Optimal 8-connected grid path length between start and goal (m). */
  optimalLengthM: number;
}

export interface EpisodeSampling {
  /** Cells closer than this to a surface are blocked (the planner's inscribed radius, m). */
  clearanceM: number;
  /** Starts and goals keep at least this much room (m), so no episode begins against a wall. */
  endpointClearanceM: number;
  /** Shortest straight-line start-goal distance (m). */
  minDistanceM: number;
  resolutionM: number;
}

export const DEFAULT_SAMPLING: EpisodeSampling = { clearanceM: 0.15, endpointClearanceM: 0.35, minDistanceM: 2.0, resolutionM: 0.05 };

/** Where a robot centre may be: 0 free, 254 blocked (near a surface or inside a solid). */
export function freeSpaceGrid(world: World, scene: Scene, clearanceM: number, resolutionM: number): FreeSpaceGrid {
  return worldCostGrid(world, scene, { resolutionM, lethalM: clearanceM, inflationM: 0 });
}

function cellOf(grid: FreeSpaceGrid, x: number, y: number): { x: number; y: number } {
  return { x: Math.floor((x - grid.originX) / grid.resolutionM), y: Math.floor((y - grid.originY) / grid.resolutionM) };
}

/** Draws `count` reachable episodes; deterministic for a seed. */
export function sampleEpisodes(world: World, options: { count: number; seed: number; sampling?: EpisodeSampling }): NavEpisode[] {
  const sampling = options.sampling ?? DEFAULT_SAMPLING;
  const scene = compileScene(world);
  const grid = freeSpaceGrid(world, scene, sampling.clearanceM, sampling.resolutionM);
  const rng = new Rng(options.seed);
  const planner = new AStarPlanner();
  const surface = makeSurfacePoint();
  const roomy = (x: number, y: number): boolean =>
    !nearestSurface(scene, x, y, sampling.endpointClearanceM, surface) && pointInside(scene, x, y) < 0;
  const draw = (): Pose2D => {
    for (;;) {
      const x = rng.range(world.bounds.min.x, world.bounds.max.x);
      const y = rng.range(world.bounds.min.y, world.bounds.max.y);
      if (roomy(x, y)) return { x, y, yaw: rng.range(-Math.PI, Math.PI) };
    }
  };
  const episodes: NavEpisode[] = [];
  for (let attempts = 0; episodes.length < options.count; attempts++) {
    if (attempts > options.count * 200) throw new Error(`world '${world.name}': could not find ${options.count} reachable start/goal pairs`);
    const start = draw();
    const goal = draw();
    if (Math.hypot(goal.x - start.x, goal.y - start.y) < sampling.minDistanceM) continue;
    const result = planner.search(grid, cellOf(grid, start.x, start.y), cellOf(grid, goal.x, goal.y), { costWeight: 0 });
    if (!result.ok) continue;
    episodes.push({ index: episodes.length, start, goal, optimalLengthM: result.length * sampling.resolutionM });
  }
  return episodes;
}
