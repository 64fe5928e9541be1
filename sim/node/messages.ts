/**
 * ROS messages the simulator publishes, built from plain simulator state. These are exactly the
 * shapes the Gazebo robot produces through ros_gz_bridge (sim/gazebo/bridge.yaml), so nodes
 * cannot tell the embedded sim from Gazebo: REP-105 frames (odom -> base_link on /tf, sensor
 * mounts on /tf_static), REP-103 optical frame for the camera.
 */
import type { geometry_msgs, nav_msgs, rosgraph_msgs, sensor_msgs, tf2_msgs } from "../../msgs/generated/types";
import { quaternionFromYaw } from "../../ros/tf/math";
import type { Time } from "../../ros/time";
import type { CameraSpec, LidarSpec, Mount, RobotSpec } from "../robot/spec";
import type { Pose2D } from "../world/types";

export const MAP_FRAME = "map";
export const ODOM_FRAME = "odom";
export const BASE_FRAME = "base_link";

/** Pose variance of the odometry estimate; grows with noise, as diff-drive plugins report it. */
export interface OdometryCovariance {
  /** Variance of x and y (m²). */
  positionVariance: number;
  /** Variance of yaw (rad²). */
  yawVariance: number;
  /** Variance of the linear and angular twist (m²/s², rad²/s²). */
  linearVariance: number;
  angularVariance: number;
}

export function clockMessage(stamp: Time): rosgraph_msgs.msg.Clock {
  return { clock: stamp };
}

/** 6x6 row-major covariance with the given diagonal (x, y, z, roll, pitch, yaw). */
function diagonal6(d: [number, number, number, number, number, number]): Float64Array {
  const c = new Float64Array(36);
  for (let i = 0; i < 6; i++) c[i * 7] = d[i]!;
  return c;
}

/** Planar motion: z, roll and pitch are fixed, which ROS expresses with a large variance. */
const FIXED = 1e6;

export function odometryMessage(
  stamp: Time,
  pose: Pose2D,
  twist: { linear: number; angular: number },
  covariance: OdometryCovariance,
): nav_msgs.msg.Odometry {
  return {
    header: { stamp, frame_id: ODOM_FRAME },
    child_frame_id: BASE_FRAME,
    pose: {
      pose: { position: { x: pose.x, y: pose.y, z: 0 }, orientation: quaternionFromYaw(pose.yaw) },
      covariance: diagonal6([covariance.positionVariance, covariance.positionVariance, FIXED, FIXED, FIXED, covariance.yawVariance]),
    },
    twist: {
      twist: { linear: { x: twist.linear, y: 0, z: 0 }, angular: { x: 0, y: 0, z: twist.angular } },
      covariance: diagonal6([covariance.linearVariance, FIXED, FIXED, FIXED, FIXED, covariance.angularVariance]),
    },
  };
}

function transformStamped(stamp: Time, parent: string, child: string, m: Omit<Mount, "frameId">): geometry_msgs.msg.TransformStamped {
  return {
    header: { stamp, frame_id: parent },
    child_frame_id: child,
    transform: { translation: { x: m.x, y: m.y, z: m.z }, rotation: quaternionFromYaw(m.yaw) },
  };
}

/** odom -> base_link from the odometry estimate (what the diff-drive plugin broadcasts). */
export function odomTfMessage(stamp: Time, pose: Pose2D): tf2_msgs.msg.TFMessage {
  return { transforms: [transformStamped(stamp, ODOM_FRAME, BASE_FRAME, { x: pose.x, y: pose.y, z: 0, yaw: pose.yaw })] };
}

/**
 * map -> odom: the odometry origin (the spawn pose) in world coordinates. The embedded sim knows
 * the truth, so it plays a perfect localiser; goals and the ground truth are in `map`.
 */
export function mapToOdomMessage(stamp: Time, spawn: Pose2D): tf2_msgs.msg.TFMessage {
  return { transforms: [transformStamped(stamp, MAP_FRAME, ODOM_FRAME, { x: spawn.x, y: spawn.y, z: 0, yaw: spawn.yaw })] };
}

/**
 * base_link -> laser, base_link -> camera_link, camera_link -> camera optical frame. The optical
 * frame is z forward, x right, y down: from camera_link (x forward, y left, z up) that is
 * roll -90°, yaw -90°, quaternion (-0.5, 0.5, -0.5, 0.5).
 */
export function staticTfMessage(stamp: Time, robot: RobotSpec): tf2_msgs.msg.TFMessage {
  const { lidar, camera } = robot;
  return {
    transforms: [
      transformStamped(stamp, BASE_FRAME, lidar.mount.frameId, lidar.mount),
      transformStamped(stamp, BASE_FRAME, camera.mount.frameId, camera.mount),
      {
        header: { stamp, frame_id: camera.mount.frameId },
        child_frame_id: camera.opticalFrameId,
        transform: { translation: { x: 0, y: 0, z: 0 }, rotation: { x: -0.5, y: 0.5, z: -0.5, w: 0.5 } },
      },
    ],
  };
}

/** sensor_msgs/LaserScan for a full turn starting at angle 0, counter-clockwise, as gpu_lidar reports it. */
export function laserScanMessage(stamp: Time, spec: LidarSpec, ranges: Float32Array): sensor_msgs.msg.LaserScan {
  const increment = (2 * Math.PI) / spec.rays;
  const scanTime = 1 / spec.rateHz;
  return {
    header: { stamp, frame_id: spec.mount.frameId },
    angle_min: 0,
    angle_max: increment * (spec.rays - 1),
    angle_increment: increment,
    time_increment: 0,
    scan_time: scanTime,
    range_min: spec.rangeMin,
    range_max: spec.rangeMax,
    ranges,
    intensities: new Float32Array(0),
  };
}

/** sensor_msgs/Image (rgb8) around a rendered frame: the pixels are not copied. */
export function imageMessage(stamp: Time, spec: CameraSpec, rgb: Uint8Array): sensor_msgs.msg.Image {
  return {
    header: { stamp, frame_id: spec.opticalFrameId },
    height: spec.height,
    width: spec.width,
    encoding: "rgb8",
    is_bigendian: 0,
    step: spec.width * 3,
    data: rgb,
  };
}
