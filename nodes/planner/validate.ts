/** Checks of incoming messages: each returns the first problem, naming the field, or undefined. */
import type { geometry_msgs, sensor_msgs } from "../../msgs/generated/types";

/** The first non-finite number of a Pose, e.g. "pose.position.x is NaN". */
export function poseProblem(pose: geometry_msgs.msg.Pose, prefix: string): string | undefined {
  const fields: Array<[string, number]> = [
    ["position.x", pose.position.x],
    ["position.y", pose.position.y],
    ["position.z", pose.position.z],
    ["orientation.x", pose.orientation.x],
    ["orientation.y", pose.orientation.y],
    ["orientation.z", pose.orientation.z],
    ["orientation.w", pose.orientation.w],
  ];
  for (const [name, v] of fields) {
    if (typeof v !== "number" || !Number.isFinite(v)) return `field ${prefix}.${name} is ${String(v)}`;
  }
  const q = pose.orientation;
  const norm = Math.hypot(q.x, q.y, q.z, q.w);
  if (Math.abs(norm - 1) > 1e-2) return `field ${prefix}.orientation is not a unit quaternion (norm ${norm.toFixed(3)})`;
  return undefined;
}

/**
 * Problems of a LaserScan: non-finite or inconsistent angle fields, and a ranges length that
 * disagrees with (angle_max − angle_min) / angle_increment + 1 by more than one (drivers differ
 * by one). NaN/Inf ranges are legal (no return) and not problems.
 */
export function scanProblem(scan: sensor_msgs.msg.LaserScan): string | undefined {
  for (const name of ["angle_min", "angle_max", "angle_increment", "range_min", "range_max"] as const) {
    const v = scan[name];
    if (typeof v !== "number" || !Number.isFinite(v)) return `field ${name} is ${String(v)}`;
  }
  if (scan.angle_increment === 0) return "field angle_increment is 0";
  if (!scan.ranges || typeof scan.ranges.length !== "number") return "field ranges is missing";
  const expected = Math.round((scan.angle_max - scan.angle_min) / scan.angle_increment) + 1;
  if (Math.abs(scan.ranges.length - expected) > 1) {
    return `field ranges has ${scan.ranges.length} entries but angle_min/angle_max/angle_increment describe ${expected}`;
  }
  if (!(scan.range_max > scan.range_min)) return `field range_max (${scan.range_max}) is not above range_min (${scan.range_min})`;
  return undefined;
}
