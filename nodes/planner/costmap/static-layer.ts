/**
 * The static layer: an OccupancyGrid (as map_server publishes it) resampled into the costmap's
 * cells, read as Nav2's StaticLayer does with trinary_costmap: -1 → NO_INFORMATION, at or above
 * `lethalThreshold` → LETHAL, otherwise FREE. `mapFromGrid` places the costmap frame in the map frame.
 */
import { FREE_SPACE, LETHAL_OBSTACLE, NO_INFORMATION } from "./cost";
import type { GridGeometry } from "./grid";
import type { Pose2D } from "./obstacle-layer";

export interface StaticMap {
  geometry: GridGeometry;
  /** OccupancyGrid data: -1 unknown, 0..100 occupancy. */
  data: ArrayLike<number>;
}

/**
 * Static costs for every cell of `target`: 255 where the map says nothing (or the cell lies off
 * the map), 254 for occupied, 0 for free. `gridInMap` is the costmap frame's pose in the map frame.
 */
export function projectStaticMap(map: StaticMap, target: GridGeometry, gridInMap: Pose2D, lethalThreshold: number, out: Uint8Array): Uint8Array {
  const m = map.geometry;
  const c = Math.cos(gridInMap.yaw);
  const s = Math.sin(gridInMap.yaw);
  for (let cy = 0; cy < target.height; cy++) {
    const y = target.originY + (cy + 0.5) * target.resolution;
    for (let cx = 0; cx < target.width; cx++) {
      const x = target.originX + (cx + 0.5) * target.resolution;
      const mx = Math.floor((gridInMap.x + c * x - s * y - m.originX) / m.resolution);
      const my = Math.floor((gridInMap.y + s * x + c * y - m.originY) / m.resolution);
      let cost = NO_INFORMATION;
      if (mx >= 0 && my >= 0 && mx < m.width && my < m.height) {
        const v = map.data[my * m.width + mx]!;
        cost = v < 0 ? NO_INFORMATION : v >= lethalThreshold ? LETHAL_OBSTACLE : FREE_SPACE;
      }
      out[cy * target.width + cx] = cost;
    }
  }
  return out;
}
