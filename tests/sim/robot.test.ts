import { compileScene } from "../../sim/geometry";
import { nearestSurface, makeSurfacePoint } from "../../sim/geometry/proximity";
import { Rng } from "../../sim/random";
import { createRobotState, integrateArc, NO_ROBOT_NOISE, stepRobot, type RobotWorld } from "../../sim/robot/diff-drive";
import { TURTLEBOT3_LIKE, type DiffDriveSpec } from "../../sim/robot/spec";
import type { Solid, World } from "../../sim/world/types";

const GREY = { r: 0.5, g: 0.5, b: 0.5 };
const emptyWorld = (solids: Solid[] = []): World => ({
  name: "t",
  bounds: { min: { x: -50, y: -50 }, max: { x: 50, y: 50 } },
  enclosed: false,
  floorColor: GREY,
  solids,
  objects: [],
  spawns: [{ x: 0, y: 0, yaw: 0 }],
  goals: [],
});

/** A base with huge limits, so that arcs are not altered by ramps. */
const FREE_BASE: DiffDriveSpec = { ...TURTLEBOT3_LIKE.base, maxLinear: 100, maxAngular: 100, maxLinearAccel: 1e9, maxAngularAccel: 1e9 };
const robotWorld = (world: World, base: DiffDriveSpec = FREE_BASE, noise = NO_ROBOT_NOISE, seed = 1): RobotWorld => ({
  scene: compileScene(world),
  base,
  noise,
  rng: new Rng(seed),
});

describe("integrateArc", () => {
  it.each([
    // [what, v (m/s), w (rad/s), t (s), start yaw, expected x, y, yaw]
    ["a straight line", 0.2, 0, 5, 0, 1, 0, 0],
    ["a straight line at 90°", 0.2, 0, 5, Math.PI / 2, 0, 1, Math.PI / 2],
    ["a pure rotation", 0, 1, Math.PI / 2, 0, 0, 0, Math.PI / 2],
    ["a quarter circle of radius 1 m to the left", Math.PI / 2, Math.PI / 2, 1, 0, 1, 1, Math.PI / 2],
    ["a quarter circle of radius 0.5 m to the right", 0.25 * Math.PI, -0.5 * Math.PI, 1, 0, 0.5, -0.5, -Math.PI / 2],
    ["a half circle of radius 2 m", 2 * Math.PI, Math.PI, 1, 0, 0, 4, Math.PI],
  ])("follows %s exactly", (_what, v, w, t, yaw0, x, y, yaw) => {
    const p = integrateArc({ x: 0, y: 0, yaw: yaw0 }, v, w, t, { x: 0, y: 0, yaw: 0 });
    expect(p.x).toBeCloseTo(x, 12);
    expect(p.y).toBeCloseTo(y, 12);
    expect(p.yaw).toBeCloseTo(yaw, 12);
  });

  it("gives the same end pose in one step as in a thousand (exact, not Euler)", () => {
    const one = integrateArc({ x: 1, y: 2, yaw: 0.3 }, 0.2, 0.7, 3, { x: 0, y: 0, yaw: 0 });
    const many = { x: 1, y: 2, yaw: 0.3 };
    for (let i = 0; i < 1000; i++) integrateArc(many, 0.2, 0.7, 0.003, many);
    expect(many.x).toBeCloseTo(one.x, 10);
    expect(many.y).toBeCloseTo(one.y, 10);
  });
});

describe("stepRobot limits", () => {
  const w = robotWorld(emptyWorld(), TURTLEBOT3_LIKE.base);

  it("clamps velocities to the spec and ramps them by the acceleration limits", () => {
    const s = createRobotState({ x: 0, y: 0, yaw: 0 });
    stepRobot(s, 5, -50, 0.05, w);
    expect(s.v).toBeCloseTo(2.5 * 0.05, 12); // maxLinearAccel · dt
    expect(s.w).toBeCloseTo(-3.2 * 0.05, 12); // maxAngularAccel · dt
    for (let i = 0; i < 40; i++) stepRobot(s, 5, -50, 0.05, w);
    expect(s.v).toBe(0.22);
    expect(s.w).toBe(-2.84);
  });

  it("treats NaN or infinite commands as a stop", () => {
    const s = createRobotState({ x: 0, y: 0, yaw: 0 });
    for (let i = 0; i < 10; i++) stepRobot(s, NaN, Infinity, 0.1, w);
    expect([s.v, s.w, s.pose.x, s.pose.y]).toEqual([0, 0, 0, 0]);
  });
});

describe("stepRobot noise and odometry", () => {
  it("keeps odometry equal to ground truth (relative to spawn) without noise", () => {
    const w = robotWorld(emptyWorld());
    const s = createRobotState({ x: 0, y: 0, yaw: 0 });
    for (let i = 0; i < 50; i++) stepRobot(s, 0.2, 0.3, 0.1, w);
    expect(s.odom.x).toBeCloseTo(s.pose.x, 12);
    expect(s.odom.y).toBeCloseTo(s.pose.y, 12);
  });

  it("lets odometry drift from ground truth with slip and encoder noise, reproducibly for a seed", () => {
    const run = (seed: number): number[] => {
      const w = robotWorld(emptyWorld(), FREE_BASE, { wheelSlipStdDev: 0.05, odomWheelStdDev: 0.02 }, seed);
      const s = createRobotState({ x: 0, y: 0, yaw: 0 });
      for (let i = 0; i < 100; i++) stepRobot(s, 0.2, 0.2, 0.1, w);
      return [s.pose.x, s.pose.y, s.odom.x, s.odom.y];
    };
    const a = run(42);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
    expect(Math.hypot(a[0] - a[2], a[1] - a[3])).toBeGreaterThan(0.01);
  });
});

describe("stepRobot collisions", () => {
  /** A 1 cm thick wall, 4 m long, centred 1 m east of the robot's start, rotated by `yaw`. */
  const thinWall = (yaw: number): Solid => ({
    name: "thin_wall",
    shape: { kind: "box", center: { x: Math.cos(yaw), y: Math.sin(yaw) }, size: { x: 0.01, y: 4 }, yaw },
    height: 1,
    color: GREY,
  });

  it.each([0.05, 0.1, 0.5, 2, 10])("never tunnels through a 1 cm wall at max speed from 36 headings (dt = %s s)", (dt) => {
    const sp = makeSurfacePoint();
    for (let k = 0; k < 36; k++) {
      const wallYaw = (k * 2 * Math.PI) / 36;
      // Fire at the wall from up to 60° off its normal.
      const heading = wallYaw + ((k % 5) - 2) * (Math.PI / 6);
      const w = robotWorld(emptyWorld([thinWall(wallYaw)]), { ...TURTLEBOT3_LIKE.base, maxLinearAccel: 1e9 });
      const s = createRobotState({ x: 0, y: 0, yaw: heading });
      let contact = null;
      for (let i = 0; i < Math.ceil(20 / dt) && !contact; i++) {
        contact = stepRobot(s, TURTLEBOT3_LIKE.base.maxLinear, 0, dt, w);
        nearestSurface(w.scene, s.pose.x, s.pose.y, 1, sp);
        expect(sp.distance).toBeGreaterThanOrEqual(TURTLEBOT3_LIKE.base.footprintRadius);
        // Still on the near side of the wall plane.
        expect(s.pose.x * Math.cos(wallYaw) + s.pose.y * Math.sin(wallYaw)).toBeLessThan(1);
      }
      expect(contact).not.toBeNull();
      expect(contact?.name).toBe("thin_wall");
      expect(contact?.nx).toBeCloseTo(-Math.cos(wallYaw), 6);
      expect(contact?.ny).toBeCloseTo(-Math.sin(wallYaw), 6);
      expect([s.v, s.w]).toEqual([0, 0]);
      expect(sp.distance - TURTLEBOT3_LIKE.base.footprintRadius).toBeLessThan(0.002); // stopped touching
    }
  });

  it("stops on a cylinder at the exact contact distance", () => {
    const post: Solid = { name: "post", shape: { kind: "cylinder", center: { x: 1, y: 0 }, radius: 0.1 }, height: 1, color: GREY };
    const w = robotWorld(emptyWorld([post]));
    const s = createRobotState({ x: 0, y: 0, yaw: 0 });
    const contact = stepRobot(s, 1, 0, 2, w);
    expect(contact).toMatchObject({ name: "post", x: expect.closeTo(0.9, 6), y: expect.closeTo(0, 6), nx: expect.closeTo(-1, 6) });
    expect(s.pose.x).toBeGreaterThan(1 - 0.1 - 0.105 - 0.002);
    expect(s.pose.x).toBeLessThanOrEqual(1 - 0.1 - 0.105);
  });

  it("can back away from and turn in place against a wall it touches", () => {
    const wall: Solid = { name: "wall", shape: { kind: "box", center: { x: 1, y: 0 }, size: { x: 0.1, y: 4 }, yaw: 0 }, height: 1, color: GREY };
    const w = robotWorld(emptyWorld([wall]));
    const s = createRobotState({ x: 0, y: 0, yaw: 0 });
    expect(stepRobot(s, 0.2, 0, 10, w)).not.toBeNull();
    expect(stepRobot(s, 0, 1, 0.5, w)).toBeNull(); // turning in place sweeps nothing
    s.pose.yaw = 0;
    const x = s.pose.x;
    expect(stepRobot(s, -0.2, 0, 0.5, w)).toBeNull();
    expect(s.pose.x).toBeCloseTo(x - 0.1, 9);
  });
});
