import { circleCollides, compileScene, nearestSurface, makeSurfacePoint, pointInside, raycastAll, raycastNearest, type RayHit } from "../../sim/geometry";
import type { DetectableObject, Solid, World } from "../../sim/world/types";

const GREY = { r: 0.5, g: 0.5, b: 0.5 };

/** A world holding only the given solids and objects (no boundary walls). */
function worldOf(solids: Solid[], objects: DetectableObject[] = []): World {
  return {
    name: "fixture",
    bounds: { min: { x: -10, y: -10 }, max: { x: 10, y: 10 } },
    enclosed: false,
    floorColor: GREY,
    solids,
    objects,
    spawns: [{ x: 0, y: 0, yaw: 0 }],
    goals: [],
  };
}

/** Fixture scene, hand-checkable:
 *  - "wall":  box centred (3, 0), 0.2 x 4 m → its west face is the line x = 2.9, y in [-2, 2]
 *  - "post":  cylinder centred (0, 3), radius 0.5 → nearest point from origin along +y at y = 2.5
 *  - "wedge": triangle (-3,-1) (-2,0) (-3,1) → its corner (-2, 0) is the closest point along -x
 *  - "chair": detectable box centred (0, -3), 0.4 x 0.4, rotated 45° → a corner at y = -3 + 0.2·√2
 */
const scene = compileScene(
  worldOf(
    [
      { name: "wall", shape: { kind: "box", center: { x: 3, y: 0 }, size: { x: 0.2, y: 4 }, yaw: 0 }, height: 1, color: GREY },
      { name: "post", shape: { kind: "cylinder", center: { x: 0, y: 3 }, radius: 0.5 }, height: 0.8, color: GREY },
      {
        name: "wedge",
        shape: { kind: "polygon", points: [{ x: -3, y: -1 }, { x: -2, y: 0 }, { x: -3, y: 1 }] },
        height: 0.5,
        color: GREY,
      },
    ],
    [
      {
        name: "chair",
        className: "chair",
        shape: { kind: "box", center: { x: 0, y: -3 }, size: { x: 0.4, y: 0.4 }, yaw: Math.PI / 4 },
        height: 0.9,
        color: { r: 1, g: 0, b: 0 },
      },
    ],
  ),
  { cellSizeM: 0.7 },
);
const owner = (name: string): number => scene.owners.findIndex((o) => o.name === name);

describe("compileScene", () => {
  it("flattens boxes and polygons into CCW segments with outward normals and cylinders into circles", () => {
    expect(scene.owners.map((o) => o.name)).toEqual(["wall", "post", "wedge", "chair"]);
    expect(scene.owners[3].className).toBe("chair");
    expect(scene.segCount).toBe(4 + 3 + 4);
    expect(scene.circCount).toBe(1);
    for (let i = 0; i < scene.segCount; i++) {
      // Outward: the normal points to the right of the CCW edge A→B.
      const ex = scene.segBx[i] - scene.segAx[i];
      const ey = scene.segBy[i] - scene.segAy[i];
      expect(ex * scene.segNy[i] - ey * scene.segNx[i]).toBeLessThan(0);
      expect(Math.hypot(scene.segNx[i], scene.segNy[i])).toBeCloseTo(1, 12);
    }
  });
});

describe("raycastNearest", () => {
  it.each([
    // [what, origin x, origin y, direction angle (rad), expected distance, expected owner, normal x, normal y]
    ["the wall's west face head-on", 0, 0, 0, 2.9, "wall", -1, 0],
    ["the wall obliquely (30°): 2.9 / cos 30°", 0, 0, Math.PI / 6, 2.9 / Math.cos(Math.PI / 6), "wall", -1, 0],
    ["the cylinder along +y", 0, 0, Math.PI / 2, 2.5, "post", 0, -1],
    ["the polygon corner along -x", 0, 0, Math.PI, 2, "wedge", NaN, NaN],
    ["the rotated box's corner along -y", 0, 0, -Math.PI / 2, 3 - 0.2 * Math.SQRT2, "chair", NaN, NaN],
  ])("hits %s", (_what, ox, oy, angle, distance, name, nx, ny) => {
    const d = raycastNearest(scene, ox, oy, Math.cos(angle), Math.sin(angle), 10);
    expect(d).toBeCloseTo(distance, 10);
    expect(scene.lastOwner).toBe(owner(name));
    if (!Number.isNaN(nx)) {
      expect(scene.lastNx).toBeCloseTo(nx, 10);
      expect(scene.lastNy).toBeCloseTo(ny, 10);
    }
  });

  it("hits a cylinder off-axis where the circle equation says", () => {
    // Ray from (0.3, 0) along +y meets x² + (y-3)² = 0.25 at y = 3 - sqrt(0.25 - 0.09) = 2.6.
    expect(raycastNearest(scene, 0.3, 0, 0, 1, 10)).toBeCloseTo(2.6, 12);
  });

  it("returns Infinity and owner -1 when nothing lies within range", () => {
    expect(raycastNearest(scene, 0, 0, 0, 1, 2)).toBe(Infinity);
    expect(scene.lastOwner).toBe(-1);
    expect(raycastNearest(scene, 0, 0, Math.SQRT1_2, Math.SQRT1_2, 100)).toBe(Infinity);
  });

  it("works from an origin outside the grid", () => {
    expect(raycastNearest(scene, -50, 0, 1, 0, 100)).toBeCloseTo(47, 10); // wedge's west side x = -3
    expect(scene.lastOwner).toBe(owner("wedge"));
  });

  it("agrees with the first crossing raycastAll reports, over many random rays", () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const hits: RayHit[] = [];
    for (let k = 0; k < 2000; k++) {
      const ox = rand() * 12 - 6;
      const oy = rand() * 12 - 6;
      const a = rand() * 2 * Math.PI;
      const d = raycastNearest(scene, ox, oy, Math.cos(a), Math.sin(a), 8);
      const n = raycastAll(scene, ox, oy, Math.cos(a), Math.sin(a), 8, hits);
      expect(d).toBe(n > 0 ? hits[0].distance : Infinity);
    }
  });
});

describe("raycastAll", () => {
  it("reports entry and exit of every solid along the ray, sorted, with facing", () => {
    const hits: RayHit[] = [];
    // Along +x from (-5, 0): wedge (x=-3 enter, corner x=-2 exit), wall (x=2.9 enter, 3.1 exit).
    const n = raycastAll(scene, -5, 0, 1, 0, 20, hits);
    expect(n).toBe(4);
    expect(hits.slice(0, n).map((h) => [h.distance, scene.owners[h.owner].name])).toEqual([
      [2, "wedge"],
      [3, "wedge"],
      [expect.closeTo(7.9, 10), "wall"],
      [expect.closeTo(8.1, 10), "wall"],
    ]);
    expect(hits[2].nx * 1 + hits[2].ny * 0).toBeLessThan(0); // front face
    expect(hits[3].nx * 1 + hits[3].ny * 0).toBeGreaterThan(0); // back face
  });

  it("reports both crossings of a cylinder with radial normals", () => {
    const hits: RayHit[] = [];
    const n = raycastAll(scene, 0, 0, 0, 1, 20, hits);
    expect(n).toBe(2);
    expect(hits[0].distance).toBeCloseTo(2.5, 12);
    expect(hits[1].distance).toBeCloseTo(3.5, 12);
    expect([hits[0].ny, hits[1].ny]).toEqual([-1, 1]);
  });

  it("reuses the caller's array without growing it when it is long enough", () => {
    const hits: RayHit[] = Array.from({ length: 8 }, () => ({ distance: 0, owner: 0, nx: 0, ny: 0 }));
    const before = hits.slice();
    raycastAll(scene, -5, 0, 1, 0, 20, hits);
    expect(hits.length).toBe(8);
    expect(new Set(hits)).toEqual(new Set(before));
  });
});

describe("circleCollides", () => {
  it.each([
    // [what, centre x, centre y, radius, expected owner name or null]
    ["clear of everything", 0, 0, 0.5, null],
    ["just touching the wall (not an overlap)", 2.8, 0, 0.1, null],
    ["overlapping the wall by 1 mm", 2.801, 0, 0.1, "wall"],
    ["overlapping the post", 0, 2.45, 0.1, "post"],
    ["wholly inside the wedge", -2.8, 0, 0.05, "wedge"],
    ["near the wedge corner but outside", -1.85, 0, 0.1, null],
  ])("%s", (_what, x, y, r, name) => {
    expect(circleCollides(scene, x, y, r)).toBe(name === null ? -1 : owner(name));
  });
});

describe("nearestSurface and pointInside", () => {
  it("finds the closest surface point and the normal towards the query", () => {
    const p = makeSurfacePoint();
    expect(nearestSurface(scene, 2, 0.5, 5, p)).toBe(true);
    expect(p.distance).toBeCloseTo(0.9, 12);
    expect([p.px, p.py, p.nx, p.ny]).toEqual([2.9, 0.5, -1, 0]);
    expect(nearestSurface(scene, 0, 0, 0.5, p)).toBe(false);
  });

  it("tells which solid contains a point", () => {
    expect(pointInside(scene, 3, 1.9)).toBe(owner("wall"));
    expect(pointInside(scene, 0, 3.2)).toBe(owner("post"));
    expect(pointInside(scene, 0, 0)).toBe(-1);
  });
});
