/**
 * Nav2's costmap_2d cost model as free functions: the cost values, the inflation cost of a cell
 * at a distance from the nearest obstacle, and the cost → OccupancyGrid translation that
 * costmap_2d's publisher applies. No ROS imports.
 */

/** A cell with no information (never observed). */
export const NO_INFORMATION = 255;
/** A cell that holds an obstacle. */
export const LETHAL_OBSTACLE = 254;
/** A cell within the robot's inscribed radius of an obstacle: the robot centre there collides. */
export const INSCRIBED_INFLATED_OBSTACLE = 253;
/** The highest cost a robot centre can occupy without a certain collision. */
export const MAX_NON_OBSTACLE = 252;
export const FREE_SPACE = 0;

export interface InflationParams {
  /** Radius of the largest circle inside the footprint, m (Nav2: the inscribed radius). */
  inscribedRadiusM: number;
  /** Distance from an obstacle beyond which cost is 0, m. */
  inflationRadiusM: number;
  /** Exponential decay rate of cost with distance beyond the inscribed radius, 1/m. */
  costScalingFactor: number;
}

/**
 * Nav2's InflationLayer::computeCost for a cell `distanceM` from the nearest obstacle cell:
 * 0 → LETHAL (254); ≤ inscribed radius → INSCRIBED (253); up to the inflation radius
 * `(INSCRIBED - 1) * exp(-cost_scaling_factor * (d - inscribed_radius))`, truncated to an
 * integer as Nav2's unsigned char cast does; beyond the inflation radius → 0.
 */
export function inflationCost(distanceM: number, p: InflationParams): number {
  if (distanceM <= 0) return LETHAL_OBSTACLE;
  if (distanceM <= p.inscribedRadiusM) return INSCRIBED_INFLATED_OBSTACLE;
  if (distanceM > p.inflationRadiusM) return FREE_SPACE;
  const factor = Math.exp(-p.costScalingFactor * (distanceM - p.inscribedRadiusM));
  return Math.floor((INSCRIBED_INFLATED_OBSTACLE - 1) * factor);
}

/**
 * Costs by squared distance in cells (index d² for d² = 0 .. ⌈radius/resolution⌉²), so inflating a
 * map is one table read per cell. Entries past the inflation radius are 0.
 */
export function inflationCostTable(resolutionM: number, p: InflationParams): Uint8Array {
  const radiusCells = Math.ceil(p.inflationRadiusM / resolutionM);
  const table = new Uint8Array(radiusCells * radiusCells + 1);
  for (let d2 = 0; d2 < table.length; d2++) table[d2] = inflationCost(Math.sqrt(d2) * resolutionM, p);
  return table;
}

/** costmap_2d_publisher's translation of a cost (0..255) into OccupancyGrid data (-1, 0..100). */
export function costToOccupancy(cost: number): number {
  if (cost === FREE_SPACE) return 0;
  if (cost === NO_INFORMATION) return -1;
  if (cost === LETHAL_OBSTACLE) return 100;
  if (cost === INSCRIBED_INFLATED_OBSTACLE) return 99;
  return 1 + Math.floor((97 * (cost - 1)) / 251);
}

const OCCUPANCY_TABLE = Int8Array.from({ length: 256 }, (_, c) => costToOccupancy(c));

/** Translates a whole cost grid into OccupancyGrid data (`out` reused when given). */
export function costsToOccupancy(costs: Uint8Array, out: Int8Array = new Int8Array(costs.length)): Int8Array {
  for (let i = 0; i < costs.length; i++) out[i] = OCCUPANCY_TABLE[costs[i]!]!;
  return out;
}
