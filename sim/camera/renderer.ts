/**
 * CameraRenderer: the simulated RGB camera of one robot in one world. Holds the compiled scene,
 * the intrinsics, the image / owner-id / depth buffers and the ground-truth box accumulator, and
 * reuses all of them every frame: `render(robotPose)` allocates nothing in steady state and
 * returns the same frame object (same typed arrays, same boxes array) each time — copy what you
 * keep past the next call.
 */

import type { Pose2D, Shape, World } from "../world/types";
import { TURTLEBOT3_LIKE, type CameraSpec } from "../robot/spec";
import { compileScene, type Scene } from "../geometry/scene";
import type { sensor_msgs, std_msgs } from "../../msgs/generated/types";
import { cameraInfo, intrinsicsFromSpec, type CameraIntrinsics } from "./intrinsics";
import { cameraPoseInWorld, type CameraPose } from "./projection";
import { createRenderTarget, render, type RenderTarget } from "./render";
import { BoxAccumulator, type GroundTruthBox2D } from "./ground-truth";
import { resolveRenderOptions, type RenderOptions } from "./shading";

/** One rendered frame. Every field is reused by the next render. */
export interface CameraFrame {
  width: number;
  height: number;
  /** rgb8, row-major, step = 3 * width (sensor_msgs/Image encoding "rgb8"). */
  image: Uint8Array;
  /** Owner index per pixel (scene.owners), -1 for floor and sky. */
  ownerIds: Int32Array;
  /** Optical-axis depth per pixel (m), +Infinity for sky. */
  depth: Float32Array;
  /** Ground-truth boxes of the visible detectable objects (>= minBoxPixels), ascending owner. */
  boxes: GroundTruthBox2D[];
  /** The camera pose this frame was rendered from. */
  cameraPose: CameraPose;
}

export interface CameraRendererOptions {
  /** Camera spec (mount, size, FOV); default TURTLEBOT3_LIKE.camera. */
  camera?: CameraSpec;
  /** Render options; floorColor defaults to the world's. */
  render?: Partial<RenderOptions>;
  /** A scene already compiled from this same world (scenes hold query scratch: one per thread). */
  scene?: Scene;
}

/** Centre of a footprint: box/cylinder centre, area centroid of a polygon. */
export function footprintCenter(shape: Shape): { x: number; y: number } {
  if (shape.kind !== "polygon") return { x: shape.center.x, y: shape.center.y };
  const pts = shape.points;
  let a2 = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const q = pts[(i + 1) % pts.length]!;
    const cr = p.x * q.y - q.x * p.y;
    a2 += cr;
    sx += (p.x + q.x) * cr;
    sy += (p.y + q.y) * cr;
  }
  if (Math.abs(a2) < 1e-12) {
    let mx = 0;
    let my = 0;
    for (const p of pts) {
      mx += p.x;
      my += p.y;
    }
    return { x: mx / pts.length, y: my / pts.length };
  }
  return { x: sx / (3 * a2), y: sy / (3 * a2) };
}

export class CameraRenderer {
  readonly scene: Scene;
  readonly spec: CameraSpec;
  readonly intrinsics: CameraIntrinsics;
  readonly options: RenderOptions;
  private readonly target: RenderTarget;
  private readonly accumulator: BoxAccumulator;
  /** Object centre (x, y, z) per owner; NaN for owners that are not detectable objects. */
  private readonly centers: Float64Array;
  private readonly frame: CameraFrame;
  private readonly distanceOf = (owner: number): number => {
    const p = this.frame.cameraPose;
    const x = this.centers[owner * 3]! - p.x;
    const y = this.centers[owner * 3 + 1]! - p.y;
    const z = this.centers[owner * 3 + 2]! - p.z;
    return Math.sqrt(x * x + y * y + z * z);
  };

  constructor(world: World, opts: CameraRendererOptions = {}) {
    this.spec = opts.camera ?? TURTLEBOT3_LIKE.camera;
    this.intrinsics = intrinsicsFromSpec(this.spec);
    this.options = resolveRenderOptions({ floorColor: world.floorColor, ...opts.render });
    this.scene = opts.scene ?? compileScene(world);
    this.target = createRenderTarget(this.intrinsics.width, this.intrinsics.height);
    this.accumulator = new BoxAccumulator(this.scene.owners);
    const owners = this.scene.owners;
    this.centers = new Float64Array(owners.length * 3).fill(NaN);
    owners.forEach((o, i) => {
      if (o.source !== "object") return;
      const obj = world.objects[o.sourceIndex];
      if (!obj) return;
      const c = footprintCenter(obj.shape);
      this.centers[i * 3] = c.x;
      this.centers[i * 3 + 1] = c.y;
      this.centers[i * 3 + 2] = obj.height / 2;
    });
    this.frame = {
      width: this.target.width,
      height: this.target.height,
      image: this.target.image,
      ownerIds: this.target.ownerIds,
      depth: this.target.depth,
      boxes: [],
      cameraPose: { x: 0, y: 0, z: 0, yaw: 0 },
    };
  }

  /** Renders what the camera sees with the robot's base_link at `robotPose`. */
  render(robotPose: Pose2D): CameraFrame {
    cameraPoseInWorld(robotPose, this.spec.mount, this.frame.cameraPose);
    return this.renderFrom(this.frame.cameraPose);
  }

  /** Renders from an explicit (level) camera pose. */
  renderFrom(cameraPose: CameraPose): CameraFrame {
    const f = this.frame;
    if (cameraPose !== f.cameraPose) {
      f.cameraPose.x = cameraPose.x;
      f.cameraPose.y = cameraPose.y;
      f.cameraPose.z = cameraPose.z;
      f.cameraPose.yaw = cameraPose.yaw;
    }
    render(this.scene, f.cameraPose, this.intrinsics, this.options, this.target, this.accumulator);
    f.boxes = this.accumulator.collect(this.options.minBoxPixels, this.distanceOf);
    return f;
  }

  /** sensor_msgs/CameraInfo of this camera, in its optical frame. */
  cameraInfo(stamp?: std_msgs.msg.Header["stamp"]): sensor_msgs.msg.CameraInfo {
    return cameraInfo(this.intrinsics, this.spec.opticalFrameId, stamp);
  }
}
