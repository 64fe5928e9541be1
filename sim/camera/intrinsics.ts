/**
 * Pinhole intrinsics of the simulated camera and the sensor_msgs/CameraInfo that describes them.
 *
 * Image coordinates (u, v) are continuous pixels with the origin at the top-left corner of the
 * top-left pixel, u right and v down; pixel (i, j) covers [i, i+1) x [j, j+1) and its centre is at
 * (i + 0.5, j + 0.5). With cx = width / 2 and cy = height / 2 the optical axis passes through the
 * exact centre of the image. The camera is ideal: no distortion (plumb_bob with D = 0), square
 * pixels (fx = fy), no skew, no binning.
 */

import type { CameraSpec } from "../robot/spec";
import type { sensor_msgs, std_msgs } from "../../msgs/generated/types";

/** Pinhole intrinsics in pixels. */
export interface CameraIntrinsics {
  /** Image size in pixels. */
  width: number;
  height: number;
  /** Focal lengths in pixels. */
  fx: number;
  fy: number;
  /** Principal point in pixels (image-corner origin, see the file comment). */
  cx: number;
  cy: number;
}

/** fx = fy = (width / 2) / tan(hfov / 2); cx = width / 2; cy = height / 2. */
export function intrinsicsFromSpec(spec: Pick<CameraSpec, "width" | "height" | "horizontalFov">): CameraIntrinsics {
  const { width, height, horizontalFov } = spec;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`camera size must be positive integers, got ${width}x${height}`);
  }
  if (!(horizontalFov > 0 && horizontalFov < Math.PI)) {
    throw new RangeError(`camera horizontalFov must be in (0, pi) rad, got ${horizontalFov}`);
  }
  const f = width / 2 / Math.tan(horizontalFov / 2);
  return { width, height, fx: f, fy: f, cx: width / 2, cy: height / 2 };
}

/** Vertical field of view (rad) implied by the intrinsics. */
export function verticalFovRad(k: CameraIntrinsics): number {
  return 2 * Math.atan(k.height / 2 / k.fy);
}

/** Row-major 3x3 camera matrix K = [fx 0 cx; 0 fy cy; 0 0 1]. */
export function cameraMatrixK(k: CameraIntrinsics): Float64Array {
  return Float64Array.from([k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1]);
}

/** Row-major 3x4 projection matrix P = [fx 0 cx Tx; 0 fy cy Ty; 0 0 1 0] of a monocular camera (Tx = Ty = 0). */
export function projectionMatrixP(k: CameraIntrinsics): Float64Array {
  return Float64Array.from([k.fx, 0, k.cx, 0, 0, k.fy, k.cy, 0, 0, 0, 1, 0]);
}

/**
 * The sensor_msgs/CameraInfo for these intrinsics: plumb_bob with five zero distortion
 * coefficients, K, R = identity (monocular, no rectification), P = [K | 0], no binning, full ROI.
 * `header` defaults to a zero stamp in `frameId` (the camera's _optical frame).
 */
export function cameraInfo(
  k: CameraIntrinsics,
  frameId: string,
  stamp: std_msgs.msg.Header["stamp"] = { sec: 0, nanosec: 0 },
): sensor_msgs.msg.CameraInfo {
  return {
    header: { stamp: { sec: stamp.sec, nanosec: stamp.nanosec }, frame_id: frameId },
    height: k.height,
    width: k.width,
    distortion_model: "plumb_bob",
    d: new Float64Array(5),
    k: cameraMatrixK(k),
    r: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    p: projectionMatrixP(k),
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}
