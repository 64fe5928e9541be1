/**
 * A way out for a robot whose own cell is inside the inscribed cost (its centre closer to an
 * obstacle than its radius, typically stopped against a wall): NavFn clears the robot's cell
 * before planning (clearRobotCell) so a plan leads out instead of failing with StartOccupied.
 * We clear a little more than the one cell — the inscribed (253, not lethal) cells connected to
 * the start within a small radius — because the robot's cell is usually surrounded by more
 * inscribed cells and a single cleared cell would still be walled in. Cleared cells get the
 * highest traversable cost, so a cost-aware search leaves them by the shortest way; a start on a
 * LETHAL cell (an obstacle in the robot's own cell) is left alone and stays StartOccupied.
 */
import { INSCRIBED_INFLATED_OBSTACLE, MAX_NON_OBSTACLE } from "../costmap/cost";
import type { Cell, PlanningGrid } from "./types";

/** Chebyshev radius (cells) of the cleared region around the start, when SearchOptions does not say. */
export const DEFAULT_START_ESCAPE_CELLS = 8;

/**
 * `grid` itself when the start is not an inscribed cell (or is outside the map); otherwise a copy
 * whose inscribed cells 8-connected to the start, within `radiusCells` (Chebyshev) of it, cost
 * MAX_NON_OBSTACLE — except the goal's cell, so an inscribed goal still fails with GoalOccupied. The copy has no version, so searches do not cache anything for it.
 */
export function openStartRegion(grid: PlanningGrid, start: Cell, goal: Cell, radiusCells: number = DEFAULT_START_ESCAPE_CELLS): PlanningGrid {
  const { width, height, costs } = grid;
  const inside = Number.isInteger(start.x) && Number.isInteger(start.y) && start.x >= 0 && start.y >= 0 && start.x < width && start.y < height;
  if (!inside || radiusCells < 0) return grid;
  const s = start.y * width + start.x;
  if (costs[s] !== INSCRIBED_INFLATED_OBSTACLE) return grid;
  const goalIdx = goal.y * width + goal.x;
  const out = costs.slice();
  out[s] = MAX_NON_OBSTACLE;
  const stack = [s];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        if (Math.abs(nx - start.x) > radiusCells || Math.abs(ny - start.y) > radiusCells) continue;
        const n = ny * width + nx;
        if (out[n] !== INSCRIBED_INFLATED_OBSTACLE || n === goalIdx) continue;
        out[n] = MAX_NON_OBSTACLE;
        stack.push(n);
      }
    }
  }
  return { width, height, costs: out };
}
