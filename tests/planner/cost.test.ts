import { costsToOccupancy, costToOccupancy, inflationCost, inflationCostTable, type InflationParams } from "../../nodes/planner/costmap/cost";
import { inflate, squaredDistanceTransform } from "../../nodes/planner/costmap/inflation";

/** Nav2-like settings: inscribed radius 0.2 m, inflation radius 0.55 m, decay 3 /m. */
const P: InflationParams = { inscribedRadiusM: 0.2, inflationRadiusM: 0.55, costScalingFactor: 3 };

describe("inflationCost (Nav2 InflationLayer::computeCost)", () => {
  it.each([
    // [distance m, expected cost, why]
    [0, 254, "an obstacle cell is LETHAL"],
    [0.05, 253, "inside the inscribed radius is INSCRIBED"],
    [0.2, 253, "exactly at the inscribed radius is still INSCRIBED"],
    [0.25, Math.floor(252 * Math.exp(-3 * 0.05)), "just outside: 252·e^(−3·0.05) = 216"],
    [0.3, 186, "252·e^(−0.3) = 186.7, truncated"],
    [0.55, 88, "at the inflation radius: 252·e^(−1.05) = 88.2"],
    [0.56, 0, "beyond the inflation radius is FREE"],
  ])("at %p m costs %p (%s)", (d, expected) => {
    expect(inflationCost(d, P)).toBe(expected);
  });

  it("decreases monotonically with distance", () => {
    let last = 255;
    for (let d = 0; d <= 0.6; d += 0.01) {
      const c = inflationCost(d, P);
      expect(c).toBeLessThanOrEqual(last);
      last = c;
    }
  });

  it("tabulates by squared cell distance", () => {
    const t = inflationCostTable(0.05, P);
    expect(t.length).toBe(11 * 11 + 1);
    expect(t[0]).toBe(254);
    expect(t[16]).toBe(253); // 4 cells = 0.2 m
    expect(t[25]).toBe(inflationCost(0.25, P));
  });
});

describe("costToOccupancy (costmap_2d_publisher's table)", () => {
  it.each([
    // [cost, occupancy]
    [0, 0],
    [1, 1],
    [128, 1 + Math.floor((97 * 127) / 251)],
    [252, 98],
    [253, 99],
    [254, 100],
    [255, -1],
  ])("cost %p → %p", (cost, occ) => {
    expect(costToOccupancy(cost)).toBe(occ);
    expect(costsToOccupancy(Uint8Array.of(cost))[0]).toBe(occ);
  });
});

describe("inflate", () => {
  it("matches brute-force distance to the nearest obstacle on a random grid", () => {
    const w = 40;
    const h = 30;
    const res = 0.05;
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const costs = new Uint8Array(w * h);
    for (let i = 0; i < costs.length; i++) if (rand() < 0.02) costs[i] = 254;
    const obstacles = [...costs.keys()].filter((i) => costs[i] === 254);
    const expected = new Uint8Array(w * h);
    for (let i = 0; i < costs.length; i++) {
      let best = Infinity;
      for (const o of obstacles) best = Math.min(best, Math.hypot((i % w) - (o % w), Math.floor(i / w) - Math.floor(o / w)));
      expected[i] = inflationCost(best * res, P);
    }
    inflate(costs, w, h, res, P);
    expect(Array.from(costs)).toEqual(Array.from(expected));
  });

  it("leaves unknown cells unknown unless the inflation cost is INSCRIBED or more", () => {
    // Row of 12 cells: obstacle at x=0, unknown everywhere else (resolution 0.05 m).
    const costs = new Uint8Array(12).fill(255);
    costs[0] = 254;
    inflate(costs, 12, 1, 0.05, P);
    expect(Array.from(costs.slice(0, 6))).toEqual([254, 253, 253, 253, 253, 255]);
  });

  it("computes exact squared distances", () => {
    const src = new Uint8Array(25);
    src[12] = 1; // centre of a 5x5 grid
    const d = squaredDistanceTransform(src, 5, 5, new Float64Array(25));
    expect(d[0]).toBe(8);
    expect(d[2]).toBe(4);
    expect(d[12]).toBe(0);
  });
});
