/**
 * The camera model: pinhole intrinsics from the robot spec, the CameraInfo message, the camera's
 * pose in the world from the robot pose and mount, and projecting world points into pixels.
 */
import { TURTLEBOT3_LIKE } from "../../sim/robot/spec";
import {
  cameraInfo,
  cameraPoseInWorld,
  columnAngleRad,
  inImage,
  intrinsicsFromSpec,
  projectPoint,
  verticalFovRad,
  OPTICAL_FROM_LINK_QUATERNION,
} from "../../sim/camera";

// TURTLEBOT3_LIKE.camera: 320x240, hfov 1.085595 rad (62.2 deg).
// fx = fy = 160 / tan(0.5427975) = 160 / 0.603238... = 265.2350 px; cx = 160, cy = 120.
const FX = 265.2349695;

describe("camera intrinsics", () => {
  const k = intrinsicsFromSpec(TURTLEBOT3_LIKE.camera);

  it("are the pinhole intrinsics of the spec", () => {
    expect(k.width).toBe(320);
    expect(k.height).toBe(240);
    expect(k.fx).toBeCloseTo(FX, 6);
    expect(k.fy).toBe(k.fx);
    expect(k.cx).toBe(160);
    expect(k.cy).toBe(120);
    // vfov = 2 atan(120 / 265.235) = 2 atan(0.45243) = 0.84974 rad (48.7 deg)
    expect(verticalFovRad(k)).toBeCloseTo(0.84974, 4);
  });

  it("reject nonsense specs", () => {
    expect(() => intrinsicsFromSpec({ width: 0, height: 240, horizontalFov: 1 })).toThrow(/size/);
    expect(() => intrinsicsFromSpec({ width: 320, height: 240.5, horizontalFov: 1 })).toThrow(/size/);
    expect(() => intrinsicsFromSpec({ width: 320, height: 240, horizontalFov: Math.PI })).toThrow(/horizontalFov/);
  });

  it("give the sensor_msgs/CameraInfo: plumb_bob, zero D, K, identity R, P = [K|0]", () => {
    const info = cameraInfo(k, "camera_optical_frame", { sec: 12, nanosec: 500 });
    expect(info.header).toEqual({ stamp: { sec: 12, nanosec: 500 }, frame_id: "camera_optical_frame" });
    expect(info.width).toBe(320);
    expect(info.height).toBe(240);
    expect(info.distortion_model).toBe("plumb_bob");
    expect(Array.from(info.d)).toEqual([0, 0, 0, 0, 0]);
    const K = Array.from(info.k);
    expect(K).toHaveLength(9);
    [FX, 0, 160, 0, FX, 120, 0, 0, 1].forEach((v, i) => expect(K[i]).toBeCloseTo(v, 6));
    expect(Array.from(info.r)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const P = Array.from(info.p);
    expect(P).toHaveLength(12);
    [FX, 0, 160, 0, 0, FX, 120, 0, 0, 0, 1, 0].forEach((v, i) => expect(P[i]).toBeCloseTo(v, 6));
    expect(info.binning_x).toBe(0);
    expect(info.binning_y).toBe(0);
    expect(info.roi).toEqual({ x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false });
    expect(info.k).toBeInstanceOf(Float64Array);
  });

  it("name the optical rotation camera_link -> optical (z forward, x right, y down)", () => {
    // Rotating the optical z axis (0,0,1) by q must give camera_link's x axis (1,0,0).
    const { x, y, z, w } = OPTICAL_FROM_LINK_QUATERNION;
    const rot = (v: [number, number, number]): number[] => {
      // v' = q v q*
      const [vx, vy, vz] = v;
      const tx = 2 * (y * vz - z * vy);
      const ty = 2 * (z * vx - x * vz);
      const tz = 2 * (x * vy - y * vx);
      return [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)];
    };
    const close = (a: number[], b: number[]): void => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 12));
    close(rot([0, 0, 1]), [1, 0, 0]); // optical z = forward
    close(rot([1, 0, 0]), [0, -1, 0]); // optical x = right
    close(rot([0, 1, 0]), [0, 0, -1]); // optical y = down
  });
});

describe("camera pose and projection", () => {
  const k = intrinsicsFromSpec(TURTLEBOT3_LIKE.camera);

  it("puts the camera at the mount, rotated with the robot", () => {
    // Mount: 0.06 m ahead of base_link, 0.15 m up. Robot at (1, 2) facing +y.
    const p = cameraPoseInWorld({ x: 1, y: 2, yaw: Math.PI / 2 }, TURTLEBOT3_LIKE.camera.mount);
    expect(p.x).toBeCloseTo(1, 12);
    expect(p.y).toBeCloseTo(2.06, 12);
    expect(p.z).toBeCloseTo(0.15, 12);
    expect(p.yaw).toBeCloseTo(Math.PI / 2, 12);
    // A sideways, yawed mount: 0.1 left and turned 90 deg left, robot facing -x.
    const q = cameraPoseInWorld({ x: 0, y: 0, yaw: Math.PI }, { x: 0, y: 0.1, z: 0.3, yaw: Math.PI / 2 });
    expect(q.x).toBeCloseTo(0, 12);
    expect(q.y).toBeCloseTo(-0.1, 12);
    expect(q.yaw).toBeCloseTo(-Math.PI / 2, 12); // pi + pi/2, normalised to (-pi, pi]
  });

  it("projects with z forward, x right, y down", () => {
    const cam = { x: 0, y: 0, z: 0.15, yaw: 0 };
    // 2 m straight ahead at camera height: the principal point.
    const a = projectPoint(cam, k, 2, 0, 0.15);
    expect(a.u).toBeCloseTo(160, 9);
    expect(a.v).toBeCloseTo(120, 9);
    expect(a.depth).toBeCloseTo(2, 12);
    // 1 m ahead, 0.5 m to the LEFT (+y), 0.25 m below: u = 160 - 0.5 fx = 27.38, v = 120 + 0.25 fx = 186.31.
    const b = projectPoint(cam, k, 1, 0.5, -0.1);
    expect(b.u).toBeCloseTo(160 - 0.5 * FX, 5);
    expect(b.u).toBeCloseTo(27.38, 2);
    expect(b.v).toBeCloseTo(186.31, 2);
    expect(inImage(b, k)).toBe(true);
    // Above the camera projects above the centre (smaller v).
    expect(projectPoint(cam, k, 3, 0, 1).v).toBeLessThan(120);
    // Behind the camera: no pixel.
    const c = projectPoint(cam, k, -1, 0, 0);
    expect(c.depth).toBe(-1);
    expect(Number.isNaN(c.u)).toBe(true);
    expect(inImage(c, k)).toBe(false);
  });

  it("follows the camera's heading", () => {
    // Camera at (5, 5) facing -y (yaw -90 deg): a point at (4, 3) is 2 m ahead and 1 m to the right.
    const cam = { x: 5, y: 5, z: 0.5, yaw: -Math.PI / 2 };
    const out = { u: 0, v: 0, depth: 0 };
    const p = projectPoint(cam, k, 4, 3, 0.5, out);
    expect(p).toBe(out);
    expect(p.depth).toBeCloseTo(2, 12);
    expect(p.u).toBeCloseTo(160 + FX / 2, 6);
    expect(p.v).toBeCloseTo(120, 9);
  });

  it("maps pixel columns to vertical planes (left of centre = positive angle)", () => {
    expect(columnAngleRad(k, 160)).toBe(0);
    expect(columnAngleRad(k, 0)).toBeCloseTo(TURTLEBOT3_LIKE.camera.horizontalFov / 2, 9);
    expect(columnAngleRad(k, 320)).toBeCloseTo(-TURTLEBOT3_LIKE.camera.horizontalFov / 2, 9);
  });
});
