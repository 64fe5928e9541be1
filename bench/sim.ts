/**
 * Simulator throughput: single-robot steps/s with the 360-ray lidar (default world: office),
 * vectorised env-steps/s for 16 robots, and the speed-up over real time (sim dt / wall time
 * per step), and camera frames/s (320x240, sim/camera's CameraRenderer). Prints figures only.
 * Run: npm run bench:sim
 */
import * as path from "path";
import { CameraRenderer } from "../sim/camera";
import { VecEnv } from "../sim/env";
import { compileScene } from "../sim/geometry";
import { scan } from "../sim/lidar";
import { Rng } from "../sim/random";
import { createRobotState, stepRobot } from "../sim/robot/diff-drive";
import { TURTLEBOT3_LIKE } from "../sim/robot/spec";
import { loadWorld } from "../sim/world";

const DT_S = 0.1;
const worldPath = path.resolve(__dirname, "../../sim/worlds/office.yaml");

/** Runs `body` repeatedly for about `seconds` of wall time; returns iterations per second. */
function rate(seconds: number, body: (i: number) => void): number {
  for (let i = 0; i < 200; i++) body(i); // warm-up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let k = 0; k < 200; k++) body(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return n / elapsed;
}

function main(): void {
  const world = loadWorld(worldPath);
  const scene = compileScene(world);
  const spec = TURTLEBOT3_LIKE;
  const rng = new Rng(1);
  const ranges = new Float32Array(spec.lidar.rays);
  const state = createRobotState(world.spawns[0]);
  const robotWorld = { scene, base: spec.base, noise: { wheelSlipStdDev: 0.02, odomWheelStdDev: 0.01 }, rng };
  const single = rate(2, (i) => {
    if (stepRobot(state, 0.22, Math.sin(i * 0.01) * 1.5, DT_S, robotWorld)) state.pose.yaw += Math.PI / 2;
    scan(scene, state.pose, spec.lidar, rng, ranges);
  });
  const scanOnly = rate(1, () => scan(scene, state.pose, spec.lidar, rng, ranges));

  const env = new VecEnv(world, { numEnvs: 16, dt: DT_S });
  env.reset(1);
  const actions = new Float32Array(32);
  for (let i = 0; i < 16; i++) actions.set([0.2, 0.5 * Math.sin(i)], 2 * i);
  const vec = rate(2, () => env.step(actions));

  const f = (x: number): string => Math.round(x).toLocaleString("en-US");
  console.log(`world: ${world.name} (${scene.segCount} segments, ${scene.circCount} circles), dt = ${DT_S} s`);
  console.log(`lidar scans/s (360 rays, scan only):       ${f(scanOnly)}`);
  console.log(`single robot steps/s (dynamics + lidar):   ${f(single)}   speed-up over real time: ${f(single * DT_S)}x`);
  console.log(`vectorised env: ${f(vec)} steps/s x 16 robots = ${f(vec * 16)} robot-steps/s   speed-up over real time: ${f(vec * DT_S)}x (each of 16 robots)`);

  const camera = new CameraRenderer(world);
  const cameraPose = { ...world.spawns[0] };
  const frames = rate(2, (i) => {
    cameraPose.yaw = i * 0.01;
    camera.render(cameraPose);
  });
  console.log(`camera frames/s (${spec.camera.width}x${spec.camera.height}, with ground-truth boxes): ${f(frames)}   speed-up at ${spec.camera.rateHz} Hz: ${f(frames / spec.camera.rateHz)}x`);
}

main();
