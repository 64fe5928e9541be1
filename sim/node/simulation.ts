/**
 * One simulated robot in one world, stepped at a fixed rate: the core the sim node wraps, with no
 * ROS in it. `step(cmd)` advances physics by one tick and says which sensors fell due; their
 * data are produced on demand (`scan()`, `renderCamera()`), so nothing is computed for a sensor
 * nobody listens to.
 */
import { CameraRenderer, type CameraFrame } from "../camera";
import { compileScene, type Scene } from "../geometry";
import { scan as lidarScan } from "../lidar";
import { mixSeed, Rng } from "../random";
import { createRobotState, stepRobot, type ContactEvent, type RobotNoise, type RobotState } from "../robot/diff-drive";
import type { RobotSpec } from "../robot/spec";
import type { Pose2D, World } from "../world/types";

export interface SimulationConfig {
  world: World;
  robot: RobotSpec;
  /** Which of the world's spawn poses the robot starts at. */
  spawnIndex: number;
  /** A start pose of one's own, instead of the world's spawn (evaluation episodes use it). */
  spawnPose?: Pose2D;
  /** Seeds the sensor noise and wheel slip (one stream each). */
  seed: number;
  /** Physics (and /clock) rate, Hz. */
  stepHz: number;
  lidarRateHz: number;
  cameraRateHz: number;
  odomRateHz: number;
  noise: RobotNoise;
  /** Std dev (m) of lidar range noise; overrides the spec's. */
  lidarNoiseStdDev: number;
}

/** Which outputs fell due on this step. */
export interface StepOutcome {
  contact: ContactEvent | null;
  odomDue: boolean;
  scanDue: boolean;
  cameraDue: boolean;
}

/** A fixed-rate schedule in whole steps, so sensor rates never drift against the clock. */
class Every {
  private readonly periodSteps: number;
  constructor(rateHz: number, stepHz: number) {
    this.periodSteps = rateHz > 0 ? Math.max(1, Math.round(stepHz / rateHz)) : 0;
  }
  due(step: number): boolean {
    return this.periodSteps > 0 && step % this.periodSteps === 0;
  }
}

export class Simulation {
  readonly state: RobotState;
  readonly scene: Scene;
  readonly dtS: number;
  /** Where the robot started: the odom frame's origin in the world. */
  readonly spawn: Pose2D;
  private stepCount = 0;
  private readonly physicsRng: Rng;
  private readonly lidarRng: Rng;
  private readonly ranges: Float32Array;
  private readonly lidarSpec: RobotSpec["lidar"];
  private camera: CameraRenderer | undefined;
  private readonly schedule: { odom: Every; lidar: Every; camera: Every };
  /** Distance driven (m) and collisions, for the node's summary. */
  distanceM = 0;
  collisions = 0;

  constructor(readonly config: SimulationConfig) {
    const { world, robot } = config;
    const spawn = config.spawnPose ?? world.spawns[config.spawnIndex];
    if (!spawn) {
      throw new Error(`spawn_index ${config.spawnIndex}: world '${world.name}' has ${world.spawns.length} spawn pose(s)`);
    }
    this.scene = compileScene(world);
    this.spawn = spawn;
    this.state = createRobotState(spawn);
    this.dtS = 1 / config.stepHz;
    this.physicsRng = new Rng(mixSeed(config.seed, 1));
    this.lidarRng = new Rng(mixSeed(config.seed, 2));
    this.lidarSpec = { ...robot.lidar, noiseStdDev: config.lidarNoiseStdDev };
    this.ranges = new Float32Array(robot.lidar.rays);
    this.schedule = {
      odom: new Every(config.odomRateHz, config.stepHz),
      lidar: new Every(config.lidarRateHz, config.stepHz),
      camera: new Every(config.cameraRateHz, config.stepHz),
    };
  }

  /** Simulated seconds since start. */
  get timeS(): number {
    return this.stepCount * this.dtS;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Advances one tick under the command (m/s, rad/s); limits and accelerations apply. */
  step(linear: number, angular: number): StepOutcome {
    const before = { x: this.state.pose.x, y: this.state.pose.y };
    const contact = stepRobot(this.state, linear, angular, this.dtS, {
      scene: this.scene,
      base: this.config.robot.base,
      noise: this.config.noise,
      rng: this.physicsRng,
    });
    this.distanceM += Math.hypot(this.state.pose.x - before.x, this.state.pose.y - before.y);
    if (contact) this.collisions++;
    const n = ++this.stepCount;
    return {
      contact,
      odomDue: this.schedule.odom.due(n),
      scanDue: this.schedule.lidar.due(n),
      cameraDue: this.schedule.camera.due(n),
    };
  }

  /** The current lidar scan; the array is reused by the next call. */
  scan(): Float32Array {
    return lidarScan(this.scene, this.state.pose, this.lidarSpec, this.lidarRng, this.ranges);
  }

  /** The current camera frame; its buffers are reused by the next call. */
  renderCamera(): CameraFrame {
    return this.cameraRenderer().render(this.state.pose);
  }

  cameraRenderer(): CameraRenderer {
    this.camera ??= new CameraRenderer(this.config.world, { camera: this.config.robot.camera });
    return this.camera;
  }
}
