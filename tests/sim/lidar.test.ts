import * as path from "path";
import { compileScene, raycastNearest } from "../../sim/geometry";
import { laserScanGeometry, scan } from "../../sim/lidar";
import { Rng } from "../../sim/random";
import { TURTLEBOT3_LIKE, type LidarSpec } from "../../sim/robot/spec";
import { loadWorld, type Solid, type World } from "../../sim/world";

const GREY = { r: 0.5, g: 0.5, b: 0.5 };
/** A noiseless lidar at base_link's origin: ray i points at i degrees, range 0.12-3.5 m. */
const IDEAL: LidarSpec = { ...TURTLEBOT3_LIKE.lidar, mount: { frameId: "laser", x: 0, y: 0, z: 0.17, yaw: 0 }, noiseStdDev: 0 };
const worldOf = (solids: Solid[]): World => ({
  name: "t",
  bounds: { min: { x: -10, y: -10 }, max: { x: 10, y: 10 } },
  enclosed: false,
  floorColor: GREY,
  solids,
  objects: [],
  spawns: [{ x: 0, y: 0, yaw: 0 }],
  goals: [],
});

/** Fixture: a wall whose west face is x = 2 (|y| <= 3), a cylinder of radius 0.5 at (0, 2),
 *  and a triangle with a corner at (-1.5, 0) pointing at the robot. */
const scene = compileScene(
  worldOf([
    { name: "wall", shape: { kind: "box", center: { x: 2.1, y: 0 }, size: { x: 0.2, y: 6 }, yaw: 0 }, height: 1, color: GREY },
    { name: "post", shape: { kind: "cylinder", center: { x: 0, y: 2 }, radius: 0.5 }, height: 1, color: GREY },
    { name: "wedge", shape: { kind: "polygon", points: [{ x: -2.5, y: -1 }, { x: -1.5, y: 0 }, { x: -2.5, y: 1 }] }, height: 1, color: GREY },
  ]),
);

describe("laserScanGeometry", () => {
  it("follows LaserScan: angle_min 0, increment 2π/rays, angle_max one increment short of 2π", () => {
    expect(laserScanGeometry(IDEAL)).toEqual({ angleMin: 0, angleIncrement: (2 * Math.PI) / 360, angleMax: 2 * Math.PI - (2 * Math.PI) / 360 });
  });
});

describe("scan", () => {
  const out = new Float32Array(360);

  it.each([
    // [what, robot pose, ray index (degrees), expected range (m)]
    ["facing a wall head-on", { x: 0, y: 0, yaw: 0 }, 0, 2],
    ["a wall 30° to the left: 2 / cos 30°", { x: 0, y: 0, yaw: 0 }, 30, 2 / Math.cos(Math.PI / 6)],
    ["the same wall when the robot is yawed 90° (ray 270 looks along +x)", { x: 0, y: 0, yaw: Math.PI / 2 }, 270, 2],
    ["a cylinder straight left", { x: 0, y: 0, yaw: 0 }, 90, 1.5],
    ["a polygon corner straight behind", { x: 0, y: 0, yaw: 0 }, 180, 1.5],
    ["a cylinder from an offset pose (ray 90 at x = 0.3)", { x: 0.3, y: 0, yaw: 0 }, 90, 2 - Math.sqrt(0.25 - 0.09)],
  ])("measures %s", (_what, pose, ray, expected) => {
    scan(scene, pose, IDEAL, null, out);
    expect(out[ray]).toBeCloseTo(expected, 5);
  });

  it("applies the mount offset (laser 0.5 m ahead of base_link)", () => {
    scan(scene, { x: 0, y: 0, yaw: 0 }, { ...IDEAL, mount: { ...IDEAL.mount, x: 0.5 } }, null, out);
    expect(out[0]).toBeCloseTo(1.5, 5);
  });

  it("reports +Infinity beyond range_max and -Infinity below range_min", () => {
    scan(scene, { x: 0, y: 0, yaw: 0 }, IDEAL, null, out);
    expect(out[270]).toBe(Infinity); // nothing to the south within 3.5 m
    scan(scene, { x: 1.9, y: -2.5, yaw: 0 }, IDEAL, null, out);
    expect(out[0]).toBe(-Infinity); // the wall 0.1 m ahead, under range_min 0.12
  });

  it("agrees with raycastNearest on every ray from many poses in the office", () => {
    const world = loadWorld(path.resolve(__dirname, "../../sim/worlds/office.yaml"));
    const office = compileScene(world);
    const rng = new Rng(3);
    for (let k = 0; k < 50; k++) {
      const pose = { x: rng.range(0.5, 19.5), y: rng.range(0.5, 11.5), yaw: rng.range(-Math.PI, Math.PI) };
      scan(office, pose, IDEAL, null, out);
      for (let i = 0; i < 360; i++) {
        const a = pose.yaw + (i * Math.PI) / 180;
        let r = raycastNearest(office, pose.x, pose.y, Math.cos(a), Math.sin(a), 100);
        const inside = office.lastOwner >= 0 && office.lastNx * Math.cos(a) + office.lastNy * Math.sin(a) > 0;
        if (inside) continue; // pose inside a solid: the lidar culls back faces by design
        r = r > IDEAL.rangeMax ? Infinity : r < IDEAL.rangeMin ? -Infinity : r;
        if (Number.isFinite(r)) expect(Math.abs(out[i] - r)).toBeLessThan(1e-5);
        else expect(out[i]).toBe(r);
      }
    }
  });

  it("adds Gaussian noise with the spec's standard deviation, reproducibly for a seed", () => {
    const noisy = { ...IDEAL, noiseStdDev: 0.01 };
    const errors: number[] = [];
    const rng = new Rng(9);
    for (let k = 0; k < 50; k++) {
      scan(scene, { x: 0, y: 0, yaw: 0 }, noisy, rng, out);
      for (let i = -20; i <= 20; i++) errors.push(out[(i + 360) % 360] - 2 / Math.cos((i * Math.PI) / 180));
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / errors.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(sd).toBeGreaterThan(0.008);
    expect(sd).toBeLessThan(0.012);
    const a = Array.from(scan(scene, { x: 0, y: 0, yaw: 0 }, noisy, new Rng(5), out));
    expect(Array.from(scan(scene, { x: 0, y: 0, yaw: 0 }, noisy, new Rng(5), out))).toEqual(a);
  });
});
