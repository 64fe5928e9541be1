/**
 * The sim node: Kestrel's embedded simulator speaking exactly the topics the Gazebo robot speaks
 * through ros_gz_bridge — /clock, /odom, /tf, /tf_static, /scan, /camera/image_raw,
 * /camera/camera_info — plus /contact (kestrel_msgs/Contact) and /ground_truth/boxes
 * (kestrel_msgs/GroundTruthBoxes); it drives the robot from /cmd_vel. It also latches map -> odom
 * (the spawn pose): the embedded sim localises perfectly, so goals can be given in `map`.
 *
 * It is the clock: it steps on the wall clock (real time times `real_time_factor`, or as fast as
 * possible when that is 0) and publishes /clock every step, so every node with use_sim_time
 * follows it. Its own stepping therefore never waits on /clock.
 */
import { twistProblem } from "../../msgs/checks";
import type { kestrel_msgs } from "../../msgs/generated/types";
import { defineNode, type NodeInstance } from "../../ros/definition";
import type { RosNode } from "../../ros/node";
import { timeFromSeconds, type Time } from "../../ros/time";
import { toGroundTruthBoxMsg } from "../camera";
import { TURTLEBOT3_LIKE } from "../robot/spec";
import { loadWorldFile } from "../world/files";
import {
  clockMessage,
  imageMessage,
  laserScanMessage,
  mapToOdomMessage,
  odometryMessage,
  odomTfMessage,
  staticTfMessage,
} from "./messages";
import { Simulation } from "./simulation";
import { WallStepper } from "./stepper";

export interface SimParameters extends Record<string, unknown> {
  world: string;
  map_cell_size_m: number;
  spawn_index: number;
  spawn_pose: number[];
  seed: number;
  step_hz: number;
  real_time_factor: number;
  odom_rate_hz: number;
  lidar_rate_hz: number;
  lidar_noise_std_dev: number;
  camera_rate_hz: number;
  wheel_slip_std_dev: number;
  odom_noise_std_dev: number;
  ground_truth: boolean;
}

/** Sensors publish with SystemDefaults (consumers use SensorData), as the Gazebo bridge does. */
const SENSOR_QOS = "qos_profile_system_default";
/** tf2's broadcaster QoS and static broadcaster QoS. */
const TF_QOS = { depth: 100 } as const;
const TF_STATIC_QOS = { depth: 1, durability: "transient_local" } as const;

export const simNode = defineNode<SimParameters>({
  name: "sim",
  description: "Embedded simulator: a TurtleBot3-like robot publishing what the Gazebo robot publishes",
  parameters: {
    type: "object",
    properties: {
      world: { type: "string", default: "office", description: "Shipped world name (office, warehouse, cluttered) or a path to a world YAML or Moving AI .map", readOnly: true },
      map_cell_size_m: { type: "number", default: 0.25, description: "Cell size of a Moving AI .map world (m)", exclusiveMinimum: 0, readOnly: true },
      spawn_index: { type: "integer", default: 0, description: "Which of the world's spawn poses to start at", minimum: 0, readOnly: true },
      spawn_pose: { type: "array", items: { type: "number" }, default: [], description: "Start pose [x, y, yaw] (m, m, rad) in the world instead of a spawn_index pose; empty = use spawn_index", readOnly: true },
      seed: { type: "integer", default: 0, description: "Seed of sensor noise and wheel slip", readOnly: true },
      step_hz: { type: "number", default: 100.0, description: "Physics and /clock rate (Hz)", minimum: 10, maximum: 1000, readOnly: true },
      real_time_factor: { type: "number", default: 1.0, description: "Sim seconds per wall second; 0 runs as fast as possible", minimum: 0, maximum: 100 },
      odom_rate_hz: { type: "number", default: 50.0, description: "/odom and odom->base_link rate (Hz)", minimum: 1, maximum: 1000, readOnly: true },
      lidar_rate_hz: { type: "number", default: 10.0, description: "/scan rate (Hz)", minimum: 1, maximum: 100, readOnly: true },
      lidar_noise_std_dev: { type: "number", default: 0.01, description: "Std dev of lidar range noise (m)", minimum: 0 },
      camera_rate_hz: { type: "number", default: 15.0, description: "/camera/image_raw rate (Hz); 0 disables the camera", minimum: 0, maximum: 120, readOnly: true },
      wheel_slip_std_dev: { type: "number", default: 0.0, description: "Std dev of per-step wheel slip (fraction)", minimum: 0, maximum: 0.5, readOnly: true },
      odom_noise_std_dev: { type: "number", default: 0.0, description: "Std dev of per-step wheel encoder error (fraction)", minimum: 0, maximum: 0.5, readOnly: true },
      ground_truth: { type: "boolean", default: true, description: "Publish ground-truth boxes of visible objects on /ground_truth/boxes" },
    },
  },
  start(node, params) {
    return startSim(node, params.values, (listener) => params.onChange(listener));
  },
});

function startSim(
  node: RosNode,
  p: Readonly<SimParameters>,
  onChange: (listener: (changed: ReadonlyArray<string>) => void) => void,
): NodeInstance {
  if (node.usesSimTime) node.logger.warn("use_sim_time is true, but the sim is the clock: it steps on the wall clock and publishes /clock");
  const world = loadWorldFile(p.world, /\.map$/i.test(p.world) ? { cellSize: p.map_cell_size_m } : {});
  const robot = TURTLEBOT3_LIKE;
  if (p.spawn_pose.length !== 0 && p.spawn_pose.length !== 3) {
    throw new Error(`spawn_pose: expected [x, y, yaw] or [], found ${p.spawn_pose.length} numbers`);
  }
  const [sx, sy, syaw] = p.spawn_pose;
  const sim = new Simulation({
    world,
    robot,
    spawnIndex: p.spawn_index,
    ...(p.spawn_pose.length === 3 ? { spawnPose: { x: sx!, y: sy!, yaw: syaw! } } : {}),
    seed: p.seed,
    stepHz: p.step_hz,
    lidarRateHz: p.lidar_rate_hz,
    cameraRateHz: p.camera_rate_hz,
    odomRateHz: p.odom_rate_hz,
    noise: { wheelSlipStdDev: p.wheel_slip_std_dev, odomWheelStdDev: p.odom_noise_std_dev },
    lidarNoiseStdDev: p.lidar_noise_std_dev,
  });

  const pub = {
    clock: node.createPublisher("rosgraph_msgs/msg/Clock", "/clock"),
    odom: node.createPublisher("nav_msgs/msg/Odometry", "odom", SENSOR_QOS),
    tf: node.createPublisher("tf2_msgs/msg/TFMessage", "/tf", TF_QOS),
    tfStatic: node.createPublisher("tf2_msgs/msg/TFMessage", "/tf_static", TF_STATIC_QOS),
    scan: node.createPublisher("sensor_msgs/msg/LaserScan", "scan", SENSOR_QOS),
    image: node.createPublisher("sensor_msgs/msg/Image", "camera/image_raw", SENSOR_QOS),
    cameraInfo: node.createPublisher("sensor_msgs/msg/CameraInfo", "camera/camera_info", SENSOR_QOS),
    contact: node.createPublisher("kestrel_msgs/msg/Contact", "contact"),
    boxes: node.createPublisher("kestrel_msgs/msg/GroundTruthBoxes", "ground_truth/boxes", SENSOR_QOS),
  };
  // One latched message holding every static frame, as tf2's static broadcaster sends them.
  const zero = { sec: 0, nanosec: 0 };
  pub.tfStatic.publish({ transforms: [...mapToOdomMessage(zero, sim.spawn).transforms, ...staticTfMessage(zero, robot).transforms] });

  let command = { linear: 0, angular: 0 };
  let rejected = 0;
  const cmdSubscription = node.subscribe("geometry_msgs/msg/Twist", "cmd_vel").subscribe((twist) => {
    const problem = twistProblem(twist);
    if (problem) {
      rejected++;
      node.logger.error(`/cmd_vel: ignored a command (${problem}); keeping the previous one`);
      return;
    }
    command = { linear: twist.linear.x, angular: twist.angular.z };
  });

  let inContact = false;
  const tick = (): void => {
    const outcome = sim.step(command.linear, command.angular);
    const stamp: Time = timeFromSeconds(sim.timeS);
    pub.clock.publish(clockMessage(stamp));
    if (outcome.contact || inContact) {
      const c = outcome.contact;
      pub.contact.publish(contactMessage(stamp, c));
      if (c && !inContact) node.logger.warn(`collision with '${c.name}' at (${c.x.toFixed(2)}, ${c.y.toFixed(2)})`);
      inContact = c !== null;
    }
    if (outcome.odomDue) {
      const s = sim.state;
      pub.odom.publish(odometryMessage(stamp, s.odom, { linear: s.odomV, angular: s.odomW }, odomCovariance(p)));
      pub.tf.publish(odomTfMessage(stamp, s.odom));
    }
    if (outcome.scanDue && pub.scan.subscriptionCount() > 0) {
      // The scan array is reused by the simulator: subscribers get their own copy.
      pub.scan.publish(laserScanMessage(stamp, robot.lidar, sim.scan().slice()));
    }
    if (outcome.cameraDue && (pub.image.subscriptionCount() > 0 || (p.ground_truth && pub.boxes.subscriptionCount() > 0))) {
      publishCamera(stamp);
    }
  };

  const publishCamera = (stamp: Time): void => {
    const frame = sim.renderCamera();
    // The renderer reuses its buffer; a published Image keeps its pixels, so copy once here.
    pub.image.publish(imageMessage(stamp, robot.camera, frame.image.slice()));
    pub.cameraInfo.publish(sim.cameraRenderer().cameraInfo(stamp));
    if (p.ground_truth) {
      const boxes: kestrel_msgs.msg.GroundTruthBoxes = {
        header: { stamp, frame_id: robot.camera.opticalFrameId },
        boxes: frame.boxes.map((b) => toGroundTruthBoxMsg(b)),
      };
      pub.boxes.publish(boxes);
    }
  };

  const stepper = new WallStepper({ dtS: sim.dtS, realTimeFactor: p.real_time_factor, tick, onError: (e) => node.logger.error(`sim step failed: ${String(e)}`) });
  onChange((changed) => {
    if (changed.includes("real_time_factor")) stepper.setRealTimeFactor(p.real_time_factor);
  });
  stepper.start();
  node.logger.info(
    `world '${world.name}' (${world.solids.length} solids, ${world.objects.length} objects), robot at ` +
      `(${sim.spawn.x.toFixed(2)}, ${sim.spawn.y.toFixed(2)}, ${sim.spawn.yaw.toFixed(2)}), ` +
      `${p.step_hz} Hz, ${p.real_time_factor === 0 ? "as fast as possible" : `real-time factor ${p.real_time_factor}`}`,
  );
  const wallStart = Date.now();
  return {
    stop: () => {
      stepper.stop();
      cmdSubscription.unsubscribe();
    },
    summary: () => {
      const wallS = (Date.now() - wallStart) / 1000;
      return (
        `sim ${sim.timeS.toFixed(1)} s in ${wallS.toFixed(1)} s wall (x${(sim.timeS / Math.max(wallS, 1e-9)).toFixed(2)}), ` +
        `${sim.steps} steps, drove ${sim.distanceM.toFixed(2)} m, ${sim.collisions} collision step(s)` +
        (rejected > 0 ? `, ${rejected} bad /cmd_vel ignored` : "")
      );
    },
  };
}

function odomCovariance(p: Readonly<SimParameters>) {
  // Encoder noise makes the pose estimate uncertain; keep a floor so consumers never see zero variance.
  const n = Math.max(p.odom_noise_std_dev, 1e-3);
  return { positionVariance: n * n, yawVariance: 4 * n * n, linearVariance: n * n, angularVariance: 4 * n * n };
}

function contactMessage(stamp: Time, c: import("../robot/diff-drive").ContactEvent | null): kestrel_msgs.msg.Contact {
  return {
    header: { stamp, frame_id: "map" },
    in_contact: c !== null,
    position: { x: c?.x ?? 0, y: c?.y ?? 0, z: 0 },
    normal: { x: c?.nx ?? 0, y: c?.ny ?? 0, z: 0 },
    other: c?.name ?? "",
  };
}
