/**
 * Semantic checks of incoming messages that CDR cannot express: non-finite numbers where a node
 * needs finite ones, and a LaserScan whose ranges disagree with its angles. Each returns the first
 * problem, naming the field, or undefined. Every node that consumes these types uses these.
 */
import type { geometry_msgs, sensor_msgs } from "./generated/types";

function nonFinite(prefix: string, fields: Array<[string, unknown]>): string | undefined {
  for (const [name, v] of fields) {
    if (typeof v !== "number" || !Number.isFinite(v)) return `field '${prefix}${name}' is ${String(v)}`;
  }
  return undefined;
}

/** A Pose with a non-finite component or a non-unit quaternion, e.g. "field 'pose.position.x' is NaN". */
export function poseProblem(pose: geometry_msgs.msg.Pose, prefix: string): string | undefined {
  const p = pose.position;
  const q = pose.orientation;
  const bad = nonFinite(`${prefix}.`, [
    ["position.x", p.x],
    ["position.y", p.y],
    ["position.z", p.z],
    ["orientation.x", q.x],
    ["orientation.y", q.y],
    ["orientation.z", q.z],
    ["orientation.w", q.w],
  ]);
  if (bad) return bad;
  const norm = Math.hypot(q.x, q.y, q.z, q.w);
  if (Math.abs(norm - 1) > 1e-2) return `field '${prefix}.orientation' is not a unit quaternion (norm ${norm.toFixed(3)})`;
  return undefined;
}

/** A Twist with a non-finite component, e.g. "field 'linear.x' is NaN". */
export function twistProblem(t: geometry_msgs.msg.Twist): string | undefined {
  return nonFinite("", [
    ["linear.x", t?.linear?.x],
    ["linear.y", t?.linear?.y],
    ["linear.z", t?.linear?.z],
    ["angular.x", t?.angular?.x],
    ["angular.y", t?.angular?.y],
    ["angular.z", t?.angular?.z],
  ]);
}

/**
 * A LaserScan with non-finite or inconsistent angle fields, or whose ranges length disagrees with
 * (angle_max − angle_min) / angle_increment + 1 by more than one (drivers differ by one on whether
 * angle_max is included). NaN/Inf ranges are legal (no return) and not problems.
 */
export function laserScanProblem(scan: sensor_msgs.msg.LaserScan): string | undefined {
  const bad = nonFinite("", [
    ["angle_min", scan.angle_min],
    ["angle_max", scan.angle_max],
    ["angle_increment", scan.angle_increment],
    ["range_min", scan.range_min],
    ["range_max", scan.range_max],
  ]);
  if (bad) return bad;
  if (scan.angle_increment === 0) return "field 'angle_increment' is 0";
  if (!scan.ranges || typeof scan.ranges.length !== "number") return "field 'ranges' is missing";
  if (!(scan.range_max > scan.range_min)) return `field 'range_max' (${scan.range_max}) is not above range_min (${scan.range_min})`;
  const n = scan.ranges.length;
  const expected = Math.round((scan.angle_max - scan.angle_min) / scan.angle_increment) + 1;
  if (Math.abs(n - expected) > 1) {
    return `field 'ranges' has ${n} entries but angle_min ${scan.angle_min}, angle_max ${scan.angle_max}, angle_increment ${scan.angle_increment} give ${expected}`;
  }
  if (scan.intensities && scan.intensities.length !== 0 && scan.intensities.length !== n) {
    return `field 'intensities' has ${scan.intensities.length} entries, ranges has ${n}`;
  }
  return undefined;
}
