/**
 * The layered costmap (Nav2 costmap_2d's shape): a static-size grid in the global (odom) frame
 * combining an optional static layer, the obstacle layer and the inflation layer into one
 * master cost grid (0..255). No ROS imports.
 */
import { FREE_SPACE, LETHAL_OBSTACLE, NO_INFORMATION, inflationCostTable, type InflationParams } from "./cost";
import type { GridGeometry } from "./grid";
import { DistanceScratch, inflate } from "./inflation";
import { ObstacleLayer, type LogOddsParams } from "./obstacle-layer";

export interface CostmapParams {
  inflation: InflationParams;
  logOdds: LogOddsParams;
  /** Unobserved cells are NO_INFORMATION (255) when true, FREE when false. */
  trackUnknownSpace: boolean;
}

export class Costmap {
  readonly obstacles: ObstacleLayer;
  /** The master grid: 0..252 graded, 253 inscribed, 254 lethal, 255 unknown. */
  readonly costs: Uint8Array;
  /** The static layer's costs, when a map was given. */
  staticCosts: Uint8Array | undefined;
  private readonly lethal: Uint8Array;
  private readonly dist: Float64Array;
  private readonly scratch = new DistanceScratch();
  private table: Uint8Array;

  constructor(
    readonly geometry: GridGeometry,
    private params: CostmapParams,
  ) {
    const n = geometry.width * geometry.height;
    this.obstacles = new ObstacleLayer(geometry);
    this.costs = new Uint8Array(n);
    this.lethal = new Uint8Array(n);
    this.dist = new Float64Array(n);
    this.table = inflationCostTable(geometry.resolution, params.inflation);
    this.update();
  }

  setParams(params: CostmapParams): void {
    this.params = params;
    this.table = inflationCostTable(this.geometry.resolution, params.inflation);
  }

  /** Recomputes the master grid from the layers. */
  update(): void {
    const { costs } = this;
    const lo = this.obstacles.logOdds;
    const seen = this.obstacles.observed;
    const thr = this.params.logOdds.occupiedThreshold;
    const unknown = this.params.trackUnknownSpace ? NO_INFORMATION : FREE_SPACE;
    const st = this.staticCosts;
    for (let i = 0; i < costs.length; i++) {
      let c: number;
      if (lo[i]! >= thr) c = LETHAL_OBSTACLE;
      else if (seen[i]) c = FREE_SPACE;
      else c = unknown;
      if (st) {
        const s = st[i]!;
        if (s === LETHAL_OBSTACLE) c = LETHAL_OBSTACLE;
        else if (s === FREE_SPACE && c === unknown) c = FREE_SPACE;
      }
      costs[i] = c;
    }
    const g = this.geometry;
    inflate(costs, g.width, g.height, g.resolution, this.params.inflation, {
      lethal: this.lethal,
      dist: this.dist,
      scratch: this.scratch,
      table: this.table,
    });
  }
}
