/**
 * Where the camera is in the world and where a world point lands in its image.
 *
 * The camera is level (no pitch, no roll): its pose is a position (x, y, z) and a heading (yaw) in
 * the world frame (REP-103: x forward/east, y left/north, z up). The camera body frame
 * (camera_link) is x forward, y left, z up; the optical frame (camera_optical_frame) is
 * z forward, x right, y down (REP-103 `_optical` suffix), so for a point in camera_link
 * coordinates (f, l, h): x_opt = -l, y_opt = -h, z_opt = f. Pixels follow intrinsics.ts:
 * u = cx + fx * x_opt / z_opt, v = cy + fy * y_opt / z_opt, image-corner origin.
 */

import type { Pose2D } from "../world/types";
import type { Mount } from "../robot/spec";
import type { CameraIntrinsics } from "./intrinsics";
import { normalizeAngle } from "../../ros/tf/math";

/** A level camera in the world: optical centre (m) and heading (rad, CCW from +x). */
export interface CameraPose {
  x: number;
  y: number;
  /** Height of the optical centre above the floor. */
  z: number;
  yaw: number;
}

/** A projected point: pixel coordinates and the optical-frame depth z (m, > 0 in front). */
export interface PixelPoint {
  u: number;
  v: number;
  depth: number;
}

/**
 * Rotation camera_link -> camera_optical_frame as a quaternion (x, y, z, w): roll -pi/2, yaw -pi/2,
 * the usual `_optical` static transform (translation zero).
 */
export const OPTICAL_FROM_LINK_QUATERNION = Object.freeze({ x: -0.5, y: 0.5, z: -0.5, w: 0.5 });

/** Camera pose in the world for a robot (base_link) pose on the floor and the camera mount on base_link. */
export function cameraPoseInWorld(robot: Pose2D, mount: Pick<Mount, "x" | "y" | "z" | "yaw">, out?: CameraPose): CameraPose {
  const c = Math.cos(robot.yaw);
  const s = Math.sin(robot.yaw);
  const p = out ?? { x: 0, y: 0, z: 0, yaw: 0 };
  p.x = robot.x + c * mount.x - s * mount.y;
  p.y = robot.y + s * mount.x + c * mount.y;
  p.z = mount.z;
  p.yaw = normalizeAngle(robot.yaw + mount.yaw);
  return p;
}

/**
 * Projects a world point (x, y, z) into the image. Returns the pixel (u, v) and the depth along
 * the optical axis; a point at or behind the optical plane (depth <= 0) gets u = v = NaN (its
 * depth is still reported). Points outside the image are projected anyway (u, v out of range):
 * check with `inImage`. Pass `out` to avoid allocating.
 */
export function projectPoint(
  pose: CameraPose,
  k: CameraIntrinsics,
  x: number,
  y: number,
  z: number,
  out?: PixelPoint,
): PixelPoint {
  const p = out ?? { u: 0, v: 0, depth: 0 };
  const c = Math.cos(pose.yaw);
  const s = Math.sin(pose.yaw);
  const dx = x - pose.x;
  const dy = y - pose.y;
  const forward = c * dx + s * dy;
  const left = -s * dx + c * dy;
  const up = z - pose.z;
  p.depth = forward;
  if (forward <= 0) {
    p.u = NaN;
    p.v = NaN;
    return p;
  }
  p.u = k.cx + (k.fx * -left) / forward;
  p.v = k.cy + (k.fy * -up) / forward;
  return p;
}

/** Whether a projected point lies inside the image (and in front of the camera). */
export function inImage(p: PixelPoint, k: CameraIntrinsics): boolean {
  return p.depth > 0 && p.u >= 0 && p.u < k.width && p.v >= 0 && p.v < k.height;
}

/**
 * The horizontal angle (rad, CCW positive = to the left, relative to the camera heading) of the
 * vertical plane through pixel column centre u: atan((cx - u) / fx). For a level camera every
 * image column is one vertical plane through the optical centre.
 */
export function columnAngleRad(k: CameraIntrinsics, u: number): number {
  return Math.atan2(k.cx - u, k.fx);
}

/** Image row v (continuous) at which a point at height zWorld and optical depth `depth` appears. */
export function rowForHeight(pose: CameraPose, k: CameraIntrinsics, zWorld: number, depth: number): number {
  return k.cy + (k.fy * (pose.z - zWorld)) / depth;
}

export { normalizeAngle };
