/**
 * A world rasterised into a planner-style cost grid over its bounds: 254 where a robot centre
 * may not be (inside a solid, or closer than `lethalM` to a surface), a cost falling off
 * exponentially with clearance out to `lethalM + inflationM`, 0 beyond. Evaluation (optimal
 * grid paths) and the learning expert both plan on it.
 */
import type { World } from "../world/types";
import { makeSurfacePoint, nearestSurface, pointInside } from "./proximity";
import type { Scene } from "./scene";

export interface CostGridOptions {
  resolutionM: number;
  /** Closer than this to a surface is lethal (the robot's radius plus any margin), m. */
  lethalM: number;
  /** Width of the decaying band beyond `lethalM`; 0 gives a free/blocked grid, m. */
  inflationM: number;
}

export interface WorldCostGrid {
  width: number;
  height: number;
  /** Row-major, index = y * width + x; cell (0, 0) starts at the bounds' minimum corner. */
  costs: Uint8Array;
  originX: number;
  originY: number;
  resolutionM: number;
}

const LETHAL = 254;

export function worldCostGrid(world: World, scene: Scene, options: CostGridOptions): WorldCostGrid {
  const { resolutionM: res, lethalM, inflationM } = options;
  const originX = world.bounds.min.x;
  const originY = world.bounds.min.y;
  const width = Math.ceil((world.bounds.max.x - originX) / res);
  const height = Math.ceil((world.bounds.max.y - originY) / res);
  const costs = new Uint8Array(width * height);
  const surface = makeSurfacePoint();
  const reach = lethalM + inflationM;
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      const x = originX + (cx + 0.5) * res;
      const y = originY + (cy + 0.5) * res;
      let cost = 0;
      if (nearestSurface(scene, x, y, reach, surface)) {
        const d = surface.distance;
        cost = d <= lethalM ? LETHAL : Math.round(252 * Math.exp((-3 * (d - lethalM)) / inflationM));
      }
      // pointInside costs a full ray cast: only where nothing nearby already made the cell lethal.
      if (cost < LETHAL && pointInside(scene, x, y) >= 0) cost = LETHAL;
      costs[cy * width + cx] = cost;
    }
  }
  return { width, height, costs, originX, originY, resolutionM: res };
}
