/**
 * Rigid transforms as geometry_msgs/Transform shapes them (translation + unit quaternion), and the
 * few operations tf needs: compose, invert, apply to a point, yaw <-> quaternion for planar robots.
 */
import type { geometry_msgs } from "../../msgs/generated/types";

export type Transform = geometry_msgs.msg.Transform;
export type Quaternion = geometry_msgs.msg.Quaternion;
export type Vector3 = geometry_msgs.msg.Vector3;

export const IDENTITY: Readonly<Transform> = Object.freeze({
  translation: Object.freeze({ x: 0, y: 0, z: 0 }),
  rotation: Object.freeze({ x: 0, y: 0, z: 0, w: 1 }),
});

/** Wraps an angle into (-π, π]; exact (no trigonometry) and free for angles already in range. */
export function normalizeAngle(a: number): number {
  if (a > -Math.PI && a <= Math.PI) return a;
  a = a % (2 * Math.PI);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

export function quaternionFromYaw(yaw: number): Quaternion {
  return { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) };
}

/** Rotation about z of a quaternion (the yaw of its ZYX Euler decomposition). */
export function yawFromQuaternion(q: Quaternion): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

function multiply(a: Quaternion, b: Quaternion): Quaternion {
  return {
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
  };
}

export function rotate(q: Quaternion, v: Vector3): Vector3 {
  // v' = v + 2w(u×v) + 2u×(u×v), u = (x, y, z): no temporary quaternions.
  const tx = 2 * (q.y * v.z - q.z * v.y);
  const ty = 2 * (q.z * v.x - q.x * v.z);
  const tz = 2 * (q.x * v.y - q.y * v.x);
  return {
    x: v.x + q.w * tx + (q.y * tz - q.z * ty),
    y: v.y + q.w * ty + (q.z * tx - q.x * tz),
    z: v.z + q.w * tz + (q.x * ty - q.y * tx),
  };
}

/** a∘b: first b, then a (the transform from b's child frame to a's parent frame). */
export function compose(a: Transform, b: Transform): Transform {
  const t = rotate(a.rotation, b.translation);
  return {
    translation: { x: a.translation.x + t.x, y: a.translation.y + t.y, z: a.translation.z + t.z },
    rotation: multiply(a.rotation, b.rotation),
  };
}

export function invert(a: Transform): Transform {
  const conj = { x: -a.rotation.x, y: -a.rotation.y, z: -a.rotation.z, w: a.rotation.w };
  const t = rotate(conj, a.translation);
  return { translation: { x: -t.x, y: -t.y, z: -t.z }, rotation: conj };
}

export function transformPoint(a: Transform, p: Vector3): Vector3 {
  const r = rotate(a.rotation, p);
  return { x: r.x + a.translation.x, y: r.y + a.translation.y, z: r.z + a.translation.z };
}
