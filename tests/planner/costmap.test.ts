import { Costmap, type CostmapParams } from "../../nodes/planner/costmap/costmap";
import { bresenham, worldToCell, type GridGeometry } from "../../nodes/planner/costmap/grid";
import { projectStaticMap } from "../../nodes/planner/costmap/static-layer";

/** 4 m × 4 m at 0.1 m, centred on the origin. */
const GEOMETRY: GridGeometry = { width: 40, height: 40, resolution: 0.1, originX: -2, originY: -2 };
const PARAMS: CostmapParams = {
  inflation: { inscribedRadiusM: 0.2, inflationRadiusM: 0.5, costScalingFactor: 3 },
  logOdds: { hit: 0.85, miss: -0.4, min: -2, max: 3.5, occupiedThreshold: 0.7 },
  trackUnknownSpace: true,
};
const LIMITS = { obstacleMaxRangeM: 3, raytraceMaxRangeM: 3 };

/** A one-ray-per-degree scan with every ray returning at `range`. */
function ring(range: number, count = 360): { angleMin: number; angleIncrement: number; rangeMin: number; rangeMax: number; ranges: Float32Array } {
  return { angleMin: 0, angleIncrement: (2 * Math.PI) / count, rangeMin: 0.05, rangeMax: 3.5, ranges: new Float32Array(count).fill(range) };
}

function costAt(map: Costmap, x: number, y: number): number {
  const { cx, cy } = worldToCell(GEOMETRY, x, y);
  return map.costs[cy * GEOMETRY.width + cx]!;
}

describe("bresenham", () => {
  it.each([
    // [x0, y0, x1, y1, cells]
    [0, 0, 3, 0, [[0, 0], [1, 0], [2, 0], [3, 0]]],
    [0, 0, 2, 2, [[0, 0], [1, 1], [2, 2]]],
    [0, 0, 1, 3, [[0, 0], [0, 1], [1, 2], [1, 3]]],
    [2, 1, 0, 1, [[2, 1], [1, 1], [0, 1]]],
  ])("(%p,%p)→(%p,%p)", (x0, y0, x1, y1, cells) => {
    const seen: number[][] = [];
    bresenham(x0, y0, x1, y1, (x, y) => void seen.push([x, y]));
    expect(seen).toEqual(cells);
  });
});

describe("Costmap", () => {
  it("starts unknown everywhere", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    expect(costAt(map, 0, 0)).toBe(255);
  });

  it("marks returns lethal, inflates them, and clears the space between", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    map.obstacles.integrate({ x: 0, y: 0, yaw: 0 }, ring(1.0), PARAMS.logOdds, LIMITS);
    map.update();
    expect(costAt(map, 1.05, 0.05)).toBe(254); // the return at 1 m east
    expect(costAt(map, 0.05, 1.05)).toBe(254); // and at 1 m north
    expect(costAt(map, 0.05, 0.05)).toBe(0); // the robot's cell was ray-traced free
    expect(costAt(map, 0.35, 0.05)).toBe(0); // 0.65 m from the ring: farther than the inflation radius from the ring
    expect(costAt(map, 0.85, 0.05)).toBe(253); // within the inscribed radius of the ring
    expect(costAt(map, 1.85, 0.05)).toBe(255); // beyond the ring: never observed
  });

  it("clears an obstacle that moved away after enough misses", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    map.obstacles.integrate({ x: 0, y: 0, yaw: 0 }, ring(1.0), PARAMS.logOdds, LIMITS);
    map.update();
    expect(costAt(map, 1.05, 0.05)).toBe(254);
    // The obstacle is gone: rays now return at 2 m and pass through the old cells.
    for (let i = 0; i < 3; i++) map.obstacles.integrate({ x: 0, y: 0, yaw: 0 }, ring(2.0), PARAMS.logOdds, LIMITS);
    map.update();
    expect(costAt(map, 1.05, 0.05)).toBe(0);
    expect(costAt(map, 2.05, 0.05)).toBe(254);
  });

  it("clamps log-odds to [min, max]", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    for (let i = 0; i < 20; i++) map.obstacles.integrate({ x: 0, y: 0, yaw: 0 }, ring(1.0), PARAMS.logOdds, LIMITS);
    const lo = map.obstacles.logOdds;
    expect(Math.max(...lo)).toBeCloseTo(3.5, 5);
    expect(Math.min(...lo)).toBeCloseTo(-2, 5);
  });

  it("uses the laser pose: a scan from a rotated, offset laser marks in the grid frame", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    // One ray straight ahead of a laser at (0.5, 0) facing +y (yaw 90°), return at 1 m → (0.5, 1.0).
    map.obstacles.integrate({ x: 0.5, y: 0, yaw: Math.PI / 2 }, { angleMin: 0, angleIncrement: 0.01, rangeMin: 0.05, rangeMax: 3.5, ranges: Float32Array.of(1.0) }, PARAMS.logOdds, LIMITS);
    map.update();
    expect(costAt(map, 0.55, 1.05)).toBe(254);
  });

  it("ignores NaN ranges and clears but does not mark +Inf ones", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    map.obstacles.integrate({ x: 0, y: 0, yaw: 0 }, { angleMin: 0, angleIncrement: 0.01, rangeMin: 0.05, rangeMax: 3.5, ranges: Float32Array.of(Infinity, NaN) }, PARAMS.logOdds, LIMITS);
    map.update();
    expect(costAt(map, 1.05, 0.05)).toBe(0);
    expect(map.costs.includes(254)).toBe(false);
  });

  it("takes lethal and free cells from a static map", () => {
    const map = new Costmap(GEOMETRY, PARAMS);
    // 4 × 4 map of 1 m cells from (−2, −2): cell (3, 2), i.e. x ∈ [1, 2), y ∈ [0, 1), occupied; cell (0, 0) unknown.
    const data = new Int8Array(16);
    data[2 * 4 + 3] = 100;
    data[0] = -1;
    map.staticCosts = projectStaticMap({ geometry: { width: 4, height: 4, resolution: 1, originX: -2, originY: -2 }, data }, GEOMETRY, { x: 0, y: 0, yaw: 0 }, 65, new Uint8Array(1600));
    map.update();
    expect(costAt(map, 1.5, 0.5)).toBe(254);
    expect(costAt(map, -0.5, -0.5)).toBe(0);
    expect(costAt(map, -1.5, -1.5)).toBe(255);
  });
});
