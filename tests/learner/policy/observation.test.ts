/**
 * Observation parity: the policy observation built from a LaserScan-shaped scan
 * (nodes/learner/policy/observation.ts) must equal, value for value, what the simulator's VecEnv
 * gives the policy in training, on identical geometry. VecEnv's code is private, so this pins
 * the replica to it.
 */
import * as path from "node:path";
import { goalInRobotFrame, lidarSectors, observationFromScan, observationSize } from "../../../nodes/learner/policy/observation";
import { makeNavEnv } from "../../../nodes/learner/algos/env";
import { VecEnv } from "../../../sim/env";
import { compileScene } from "../../../sim/geometry/scene";
import { laserScanGeometry, scan } from "../../../sim/lidar/scan";
import { TURTLEBOT3_LIKE } from "../../../sim/robot/spec";
import { loadWorld, type World } from "../../../sim/world";

const lidar = TURTLEBOT3_LIKE.lidar;
const spec = { lidarBeams: 36, maxRange: lidar.rangeMax };
const geometry = { angleMin: laserScanGeometry(lidar).angleMin, angleIncrement: laserScanGeometry(lidar).angleIncrement, rangeMin: lidar.rangeMin, rangeMax: lidar.rangeMax };

const scenes = new WeakMap<World, ReturnType<typeof compileScene>>();

/** The observation the controller would build for VecEnv robot 0, from the same world, pose and velocity. */
function liveObservation(world: World, env: VecEnv, ranges: Float32Array, rotate = 0, angleMin = geometry.angleMin, laserYaw = lidar.mount.yaw): Float32Array {
  const state = env.robotState(0);
  if (!scenes.has(world)) scenes.set(world, compileScene(world));
  scan(scenes.get(world)!, state.pose, lidar, null, ranges);
  const n = ranges.length;
  const shifted = Float32Array.from({ length: n }, (_, i) => ranges[(i + rotate) % n]!);
  const goal = goalInRobotFrame({ x: state.pose.x, y: state.pose.y, theta: state.pose.yaw }, world.goals[0]!.center);
  return observationFromScan({ ranges: shifted, geometry: { ...geometry, angleMin }, laserYaw, goal, velocity: { linear: state.v, angular: state.w } }, spec);
}

describe("observation parity with VecEnv", () => {
  for (const name of ["office", "cluttered", "warehouse"]) {
    it(`gives identical observations along a rollout in ${name}`, () => {
      const full = loadWorld(path.resolve(__dirname, `../../../sim/worlds/${name}.yaml`));
      const world: World = { ...full, goals: [full.goals[full.goals.length - 1]!] }; // one goal: VecEnv must pick it
      const env = new VecEnv(world, { numEnvs: 1, lidarNoise: false, lidarBeams: 36 });
      const ranges = new Float32Array(lidar.rays);
      let compared = 0;
      for (const seed of [1, 2, 3]) {
        let obs = env.reset(seed);
        for (let t = 0; t < 60; t++) {
          expect(Array.from(liveObservation(world, env, ranges))).toEqual(Array.from(obs));
          compared++;
          obs = env.step(new Float32Array([0.2 * Math.abs(Math.sin(0.05 * t + seed)), 1.5 * Math.cos(0.11 * t * seed)])).observations;
        }
      }
      expect(compared).toBe(180);
    });
  }

  it("gives the same sectors for a real-robot layout (angle_min = -π) and for a laser mounted backwards (yaw π)", () => {
    const full = loadWorld(path.resolve(__dirname, "../../../sim/worlds/office.yaml"));
    const world: World = { ...full, goals: [full.goals[0]!] };
    const env = new VecEnv(world, { numEnvs: 1, lidarNoise: false });
    const obs = Array.from(env.reset(4));
    const ranges = new Float32Array(lidar.rays);
    // angle_min = -π: ray i looks where the sim's ray i + 180 looks.
    expect(Array.from(liveObservation(world, env, ranges, 180, -Math.PI))).toEqual(obs);
    // a laser yawed by π on base_link: its ray i looks where base ray i + 180 looks.
    expect(Array.from(liveObservation(world, env, ranges, 180, 0, Math.PI))).toEqual(obs);
  });
});

describe("lidarSectors range semantics", () => {
  const g = { angleMin: 0, angleIncrement: (2 * Math.PI) / 8, rangeMin: 0.12, rangeMax: 3.5 };
  const sp = { lidarBeams: 4, maxRange: 3.5 };
  it("takes the minimum per sector; +Inf is no return (max_range), -Inf is 0, NaN and out-of-range readings are skipped", () => {
    const out = new Float32Array(4);
    lidarSectors([1.0, 2.0, Infinity, Infinity, -Infinity, 1.5, Number.NaN, 0.0], g, 0, sp, out);
    expect(Array.from(out)).toEqual([1.0, 3.5, 0, 3.5]);
  });
  it("clamps to the policy's max_range when the live lidar reaches further", () => {
    const out = new Float32Array(4);
    lidarSectors([5, 6, 7, 8, 9, 10, 11, 2], { ...g, rangeMax: 12 }, 0, sp, out);
    expect(Array.from(out)).toEqual([3.5, 3.5, 3.5, 2]);
  });
  it("puts the goal bearing in (-π, π], positive to the left", () => {
    expect(goalInRobotFrame({ x: 0, y: 0, theta: 0 }, { x: 0, y: 1 }).bearing).toBeCloseTo(Math.PI / 2, 12);
    expect(goalInRobotFrame({ x: 0, y: 0, theta: Math.PI / 2 }, { x: 1, y: 0 }).bearing).toBeCloseTo(-Math.PI / 2, 12);
    expect(goalInRobotFrame({ x: 1, y: 0, theta: 0 }, { x: 0, y: 0 })).toEqual({ distance: 1, bearing: Math.PI });
  });
});

describe("observation kestrel-nav-v2 parity with the training env (makeNavEnv)", () => {
  it("gives identical observations along a rollout: sectors, goal and the planned path's lookahead points", () => {
    const nav = makeNavEnv(["office"], 1, { lidarNoise: false });
    expect(nav.spec).toEqual({ lidarBeams: 36, maxRange: lidar.rangeMax, layout: "kestrel-nav-v2", lookaheadM: [0.4, 0.8, 1.6, 2.4] });
    expect(nav.env.obsSize).toBe(observationSize(nav.spec));
    const world = nav.worlds[0]!;
    const scene = compileScene(world);
    const ranges = new Float32Array(lidar.rays);
    let obs = nav.env.reset(5);
    let compared = 0;
    for (let t = 0; t < 80; t++) {
      const state = nav.env.robotState(0);
      const goal = nav.env.goalOf(0).center;
      const pose = { x: state.pose.x, y: state.pose.y, theta: state.pose.yaw };
      // The path the env's observation used: the planner's current one (tracking again does not replan).
      const path = nav.planner!.track(0, pose.x, pose.y, goal.x, goal.y)!.path;
      scan(scene, state.pose, lidar, null, ranges);
      const live = observationFromScan({ ranges, geometry, laserYaw: lidar.mount.yaw, goal: goalInRobotFrame(pose, goal), velocity: { linear: state.v, angular: state.w }, plan: { path, pose } }, nav.spec);
      expect(Array.from(live)).toEqual(Array.from(obs));
      compared++;
      obs = nav.env.step(new Float32Array([0.2, 0.6 * Math.sin(0.1 * t)])).observations;
    }
    expect(compared).toBe(80);
  });

  it("refuses a layout it does not know, and a v2 observation without a path", () => {
    expect(() => observationSize({ lidarBeams: 36, maxRange: 3.5, layout: "kestrel-nav-v9" })).toThrow(/unknown observation layout 'kestrel-nav-v9'/);
    const input = { ranges: new Float32Array(360), geometry, laserYaw: 0, goal: { distance: 1, bearing: 0 }, velocity: { linear: 0, angular: 0 } };
    expect(() => observationFromScan(input, { lidarBeams: 36, maxRange: 3.5, layout: "kestrel-nav-v2" })).toThrow(/needs the global path/);
  });
});
