/**
 * The node wrapper's message side: ROS messages checked field by field and converted into the
 * cores' plain data. A malformed message yields an error naming the field; the caller logs it
 * with the topic and keeps running.
 */
import type { geometry_msgs, nav_msgs } from "../../msgs/generated/types";
import { yawFromQuaternion } from "../../ros/tf/math";
import type { Time } from "../../ros/time";
import type { Path2D, Pose2D, Velocity2D } from "./types";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

function firstNonFinite(fields: ReadonlyArray<readonly [string, number]>): string | undefined {
  for (const [name, value] of fields) if (typeof value !== "number" || !Number.isFinite(value)) return `field '${name}' is ${String(value)}`;
  return undefined;
}

function poseFields(prefix: string, pose: geometry_msgs.msg.Pose): Array<readonly [string, number]> {
  const { position: p, orientation: q } = pose;
  return [
    [`${prefix}.position.x`, p.x],
    [`${prefix}.position.y`, p.y],
    [`${prefix}.orientation.x`, q.x],
    [`${prefix}.orientation.y`, q.y],
    [`${prefix}.orientation.z`, q.z],
    [`${prefix}.orientation.w`, q.w],
  ];
}

function zeroQuaternion(q: geometry_msgs.msg.Quaternion): boolean {
  return q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w < 1e-12;
}

export function odometryState(m: nav_msgs.msg.Odometry): Checked<{ pose: Pose2D; velocity: Velocity2D }> {
  const bad = firstNonFinite([
    ...poseFields("pose.pose", m.pose.pose),
    ["twist.twist.linear.x", m.twist.twist.linear.x],
    ["twist.twist.angular.z", m.twist.twist.angular.z],
  ]);
  if (bad) return { ok: false, error: bad };
  if (zeroQuaternion(m.pose.pose.orientation)) return { ok: false, error: "field 'pose.pose.orientation' is a zero quaternion" };
  const { position, orientation } = m.pose.pose;
  return {
    ok: true,
    value: {
      pose: { x: position.x, y: position.y, theta: yawFromQuaternion(orientation) },
      velocity: { linear: m.twist.twist.linear.x, angular: m.twist.twist.angular.z },
    },
  };
}

export function pathData(m: nav_msgs.msg.Path): Checked<Path2D> {
  const n = m.poses.length;
  const path: Path2D = { xs: new Float64Array(n), ys: new Float64Array(n), thetas: new Float64Array(n), length: n };
  for (let i = 0; i < n; i++) {
    const pose = m.poses[i]!.pose;
    const bad = firstNonFinite(poseFields(`poses[${i}].pose`, pose));
    if (bad) return { ok: false, error: bad };
    path.xs[i] = pose.position.x;
    path.ys[i] = pose.position.y;
    path.thetas[i] = zeroQuaternion(pose.orientation) ? 0 : yawFromQuaternion(pose.orientation);
  }
  // Planners often leave intermediate orientations unset: head along the path there.
  for (let i = 0; i < n - 1; i++) {
    if (zeroQuaternion(m.poses[i]!.pose.orientation)) path.thetas[i] = Math.atan2(path.ys[i + 1]! - path.ys[i]!, path.xs[i + 1]! - path.xs[i]!);
  }
  return { ok: true, value: path };
}

export function twistMessage(v: Velocity2D): geometry_msgs.msg.Twist {
  return { linear: { x: v.linear, y: 0, z: 0 }, angular: { x: 0, y: 0, z: v.angular } };
}

export function twistStampedMessage(v: Velocity2D, stamp: Time, frameId: string): geometry_msgs.msg.TwistStamped {
  return { header: { stamp, frame_id: frameId }, twist: twistMessage(v) };
}
