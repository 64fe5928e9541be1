/**
 * Regulated Pure Pursuit's regulation heuristics, as free functions (Nav2's
 * regulation_functions.hpp): curvature, proximity-to-obstacle (from the scan instead of a
 * costmap cost) and approach-to-goal scaling of the linear velocity; plus the pure pursuit
 * curvature and the acceleration-bounded rotate-to-heading command.
 */
import { clamp } from "../types";

/** Pure pursuit curvature to a carrot (x, y) in base_link: 2y / L² (1/m); 0 at the origin. */
export function pursuitCurvature(x: number, y: number): number {
  const d2 = x * x + y * y;
  return d2 > 1e-9 ? (2 * y) / d2 : 0;
}

/**
 * Curvature regulation: on a turn tighter than `minRadius` the speed falls in proportion,
 * v * radius / minRadius (Nav2: v * (1 - |r - r_min| / r_min)).
 */
export function curvatureConstraint(rawLinear: number, curvature: number, minRadius: number): number {
  const radius = Math.abs(1 / curvature);
  if (!(radius < minRadius) || minRadius <= 0) return rawLinear;
  return rawLinear * (1 - Math.abs(radius - minRadius) / minRadius);
}

/**
 * Proximity regulation: when the nearest obstacle is closer to the footprint than
 * `scalingDist`, the speed falls to v * gain * distance / scalingDist (never above v) — Nav2's
 * cost regulation with the obstacle distance measured from the latest scan.
 */
export function proximityConstraint(rawLinear: number, obstacleDistance: number, scalingDist: number, gain: number): number {
  if (!(obstacleDistance < scalingDist) || scalingDist <= 0) return rawLinear;
  const scaled = rawLinear * gain * Math.max(0, obstacleDistance) / scalingDist;
  return Math.min(rawLinear, scaled);
}

/** Approach scaling: remaining / approachDist within approachDist of the goal, else 1. */
export function approachVelocityScalingFactor(remaining: number, approachDist: number): number {
  if (!(approachDist > 0) || remaining >= approachDist) return 1;
  return Math.max(0, remaining) / approachDist;
}

/**
 * Nav2's approachVelocityConstraint: the approach-scaled speed, but never below
 * `minApproachVel` (so the robot still reaches the goal), and never above the input.
 */
export function approachVelocityConstraint(constrainedLinear: number, remaining: number, approachDist: number, minApproachVel: number): number {
  const scaled = constrainedLinear * approachVelocityScalingFactor(remaining, approachDist);
  return Math.min(constrainedLinear, Math.max(scaled, minApproachVel));
}

/**
 * Rotate in place toward a heading error (rad) at `rotateVel`, bounded by `maxAngularAccel`
 * over `dt` from the current yaw rate (Nav2's rotateToHeading).
 */
export function rotateToHeadingVelocity(angleError: number, currentAngular: number, rotateVel: number, maxAngularAccel: number, dt: number): number {
  const desired = Math.sign(angleError) * rotateVel;
  const dv = maxAngularAccel * dt;
  return clamp(desired, currentAngular - dv, currentAngular + dv);
}

export interface RegulationParams {
  useRegulatedLinearVelocityScaling: boolean;
  regulatedLinearScalingMinRadius: number;
  regulatedLinearScalingMinSpeed: number;
  useProximityRegulation: boolean;
  costScalingDist: number;
  costScalingGain: number;
  approachVelocityScalingDist: number;
  minApproachLinearVelocity: number;
}

/**
 * Nav2's applyConstraints: the lower of the curvature and proximity limits, floored at the
 * minimum regulated speed, then approach scaling, then bounded by the desired speed.
 */
export function regulatedLinearVelocity(
  desired: number,
  curvature: number,
  obstacleDistance: number,
  remaining: number,
  p: RegulationParams,
): number {
  let curvatureVel = desired;
  let proximityVel = desired;
  if (p.useRegulatedLinearVelocityScaling) curvatureVel = curvatureConstraint(desired, curvature, p.regulatedLinearScalingMinRadius);
  if (p.useProximityRegulation) proximityVel = proximityConstraint(desired, obstacleDistance, p.costScalingDist, p.costScalingGain);
  let v = Math.min(curvatureVel, proximityVel);
  if (p.useRegulatedLinearVelocityScaling || p.useProximityRegulation) v = Math.max(v, p.regulatedLinearScalingMinSpeed);
  v = approachVelocityConstraint(v, remaining, p.approachVelocityScalingDist, p.minApproachLinearVelocity);
  return clamp(v, 0, desired);
}
