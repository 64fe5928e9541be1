/**
 * The controller node's parameters: one JSON schema (defaults for a TurtleBot3-class base,
 * Nav2's names where Nav2 has the parameter), the typed values, their mapping onto the cores'
 * parameter objects, and warnings when one parameter contradicts another.
 */
import type { ParameterSchema } from "../../ros/parameters/declare";
import type { ModeContext } from "./mode";
import type { RecoveryStageParams } from "./recovery/stage";
import type { SafetyParams } from "./safety/supervisor";
import type { SmootherLimits } from "./smoother";
import type { LaserMount } from "./safety/scan";
import { stopZoneRadius } from "./safety/zones";

export interface ControllerParams extends Record<string, unknown> {
  mode: string;
  controller_frequency_hz: number;
  enable_stamped_cmd_vel: boolean;
  base_frame_id: string;
  status_publish_rate_hz: number;
  // Regulated Pure Pursuit
  desired_linear_vel: number;
  lookahead_time: number;
  min_lookahead_dist: number;
  max_lookahead_dist: number;
  max_robot_pose_search_dist: number;
  use_regulated_linear_velocity_scaling: boolean;
  regulated_linear_scaling_min_radius: number;
  regulated_linear_scaling_min_speed: number;
  use_proximity_regulated_linear_velocity_scaling: boolean;
  cost_scaling_dist: number;
  cost_scaling_gain: number;
  approach_velocity_scaling_dist: number;
  min_approach_linear_velocity: number;
  use_rotate_to_heading: boolean;
  rotate_to_heading_min_angle: number;
  rotate_to_heading_angular_vel: number;
  xy_goal_tolerance: number;
  yaw_goal_tolerance: number;
  // Velocity smoother
  max_linear_vel: number;
  min_linear_vel: number;
  max_angular_vel: number;
  max_linear_accel: number;
  max_linear_decel: number;
  max_angular_accel: number;
  max_angular_decel: number;
  deadband_linear: number;
  deadband_angular: number;
  // Safety
  footprint_radius: number;
  stop_zone_margin: number;
  slowdown_zone_margin: number;
  slowdown_scale: number;
  collision_horizon_s: number;
  collision_time_step_s: number;
  scan_timeout_s: number;
  odom_timeout_s: number;
  laser_mount_from_tf: boolean;
  laser_x: number;
  laser_y: number;
  laser_yaw: number;
  // Recovery (progress checker, back-up, spin)
  recovery_enabled: boolean;
  progress_radius_m: number;
  progress_timeout_s: number;
  backup_distance_m: number;
  backup_speed_mps: number;
  backup_timeout_s: number;
  spin_speed_radps: number;
  spin_angle_rad: number;
  spin_timeout_s: number;
  max_recovery_attempts: number;
  // Learned policy (modes policy and shadow)
  policy_dir: string;
  policy_reload: boolean;
  promote_on_deploy: boolean;
}

const num = (defaultValue: number, description: string, extra: Record<string, number> = {}) => ({
  type: "number" as const,
  default: defaultValue,
  description,
  ...extra,
});
const int = (defaultValue: number, description: string, extra: Record<string, number> = {}) => ({
  type: "integer" as const,
  default: defaultValue,
  description,
  ...extra,
});
const bool = (defaultValue: boolean, description: string) => ({ type: "boolean" as const, default: defaultValue, description });

/** The schema, with `mode` limited to the modes the node was built with. */
export function controllerParameterSchema(modes: ReadonlyArray<string>): ParameterSchema {
  return {
    type: "object",
    properties: {
      mode: { type: "string", default: "pursuit", enum: [...modes], description: "Which controller drives: pursuit (Regulated Pure Pursuit), policy (the deployed ONNX policy, behind safety and smoother; pursuit while none loads), shadow (pursuit drives, the policy's command goes to /cmd_vel_shadow); others as the node was built" },
      controller_frequency_hz: num(20.0, "Control loop rate on the node clock (Hz)", { exclusiveMinimum: 0, maximum: 1000 }),
      enable_stamped_cmd_vel: bool(false, "Publish /cmd_vel as geometry_msgs/TwistStamped instead of Twist (as Nav2 Jazzy)"),
      base_frame_id: { type: "string", default: "base_link", description: "Robot base frame: the laser mount is looked up into it and stamped commands carry it" },
      status_publish_rate_hz: num(1.0, "Rate of /safety/status while the state holds (it is also published on every change) (Hz)", { exclusiveMinimum: 0 }),

      desired_linear_vel: num(0.2, "Pursuit cruise speed (m/s)", { minimum: 0 }),
      lookahead_time: num(1.5, "Lookahead distance = speed * this, clamped to [min_lookahead_dist, max_lookahead_dist] (s)", { minimum: 0 }),
      min_lookahead_dist: num(0.3, "Shortest lookahead distance (m)", { exclusiveMinimum: 0 }),
      max_lookahead_dist: num(0.9, "Longest lookahead distance (m)", { exclusiveMinimum: 0 }),
      max_robot_pose_search_dist: num(2.0, "How far along the path the closest pose is searched from the previous one (m)", { exclusiveMinimum: 0 }),
      use_regulated_linear_velocity_scaling: bool(true, "Slow down on turns tighter than regulated_linear_scaling_min_radius"),
      regulated_linear_scaling_min_radius: num(0.9, "Turn radius below which the speed is scaled by radius / this (m)", { minimum: 0 }),
      regulated_linear_scaling_min_speed: num(0.05, "Floor of the curvature- and proximity-regulated speed (m/s)", { minimum: 0 }),
      use_proximity_regulated_linear_velocity_scaling: bool(true, "Slow down near obstacles seen in the latest scan (Nav2's cost regulation)"),
      cost_scaling_dist: num(0.6, "Footprint-to-obstacle distance below which the speed is scaled by gain * distance / this (m)", { minimum: 0 }),
      cost_scaling_gain: num(1.0, "Gain of the proximity regulation (<= 1.0)", { minimum: 0 }),
      approach_velocity_scaling_dist: num(0.6, "Remaining path length below which the speed falls in proportion (m)", { minimum: 0 }),
      min_approach_linear_velocity: num(0.05, "Least speed while approaching the goal (m/s)", { minimum: 0 }),
      use_rotate_to_heading: bool(true, "Rotate in place toward the path at the start and to the goal heading at the goal"),
      rotate_to_heading_min_angle: num(0.785, "Heading error to the lookahead point above which the robot rotates in place (rad)", { minimum: 0 }),
      rotate_to_heading_angular_vel: num(1.8, "Yaw rate when rotating in place (rad/s)", { exclusiveMinimum: 0 }),
      xy_goal_tolerance: num(0.25, "Goal position tolerance (m)", { minimum: 0 }),
      yaw_goal_tolerance: num(0.25, "Goal heading tolerance (rad)", { minimum: 0 }),

      max_linear_vel: num(0.22, "Smoother: largest forward speed (m/s)", { minimum: 0 }),
      min_linear_vel: num(-0.1, "Smoother: smallest (most negative) forward speed; 0 forbids reversing, the recovery's back-up included (no mode reverses: pursuit and policies drive forward) (m/s)", { maximum: 0 }),
      max_angular_vel: num(2.84, "Smoother: largest yaw rate magnitude (rad/s)", { minimum: 0 }),
      max_linear_accel: num(2.5, "Smoother: linear acceleration limit (m/s^2)", { exclusiveMinimum: 0 }),
      max_linear_decel: num(2.5, "Smoother: linear deceleration limit, a magnitude (m/s^2)", { exclusiveMinimum: 0 }),
      max_angular_accel: num(3.2, "Smoother and rotate-to-heading: angular acceleration limit (rad/s^2)", { exclusiveMinimum: 0 }),
      max_angular_decel: num(3.2, "Smoother: angular deceleration limit, a magnitude (rad/s^2)", { exclusiveMinimum: 0 }),
      deadband_linear: num(0.0, "Smoother: forward speeds below this magnitude are sent as 0 (m/s)", { minimum: 0 }),
      deadband_angular: num(0.0, "Smoother: yaw rates below this magnitude are sent as 0 (rad/s)", { minimum: 0 }),

      footprint_radius: num(0.105, "Robot footprint radius around base_link (m)", { exclusiveMinimum: 0 }),
      stop_zone_margin: num(0.05, "Stop zone = footprint_radius + this: an obstacle inside stops the robot (m)", { minimum: 0 }),
      slowdown_zone_margin: num(0.25, "Slow-down zone = footprint_radius + this: an obstacle inside scales speed by slowdown_scale (m)", { minimum: 0 }),
      slowdown_scale: num(0.5, "Speed factor inside the slow-down zone", { minimum: 0, maximum: 1 }),
      collision_horizon_s: num(1.0, "The commanded twist is simulated this far ahead; a footprint hit stops the robot (s)", { minimum: 0 }),
      collision_time_step_s: num(0.05, "Simulation step of the collision prediction (s)", { exclusiveMinimum: 0 }),
      scan_timeout_s: num(1.0, "No /scan for this long stops the robot (s, node clock)", { exclusiveMinimum: 0 }),
      odom_timeout_s: num(0.5, "No /odom for this long stops the robot (s, node clock)", { exclusiveMinimum: 0 }),
      laser_mount_from_tf: bool(true, "Look the laser mount up in /tf_static (base_frame_id <- scan frame); laser_x/y/yaw are the fallback"),
      laser_x: num(-0.032, "Laser mount x on base_link when tf has none (m)"),
      laser_y: num(0.0, "Laser mount y on base_link when tf has none (m)"),
      laser_yaw: num(0.0, "Laser mount yaw on base_link when tf has none (rad)"),

      recovery_enabled: bool(true, "Recover when the robot makes no progress along its path: back up, spin toward the path, hand back to the mode (Nav2's progress checker + BackUp/Spin); when the back-up is vetoed with an obstacle still in the stop zone, turn away from it and drive on that heading instead (Nav2's DriveOnHeading); every command still goes through the safety layer"),
      progress_radius_m: num(0.2, "Progress checker: while it has a path to follow, the robot must move this far (straight line) within progress_timeout_s, else a recovery starts; radius / timeout must stay below the slowest speed pursuit creeps at, regulated_linear_scaling_min_speed * slowdown_scale (m; Nav2 required_movement_radius, 0.5 there)", { exclusiveMinimum: 0 }),
      progress_timeout_s: num(10.0, "Progress checker: the time the robot has to move progress_radius_m (s; Nav2 movement_time_allowance)", { exclusiveMinimum: 0 }),
      backup_distance_m: num(0.2, "Recovery back-up: distance straight back; also the distance driven away from an obstacle (m)", { exclusiveMinimum: 0, maximum: 1.0 }),
      backup_speed_mps: num(0.1, "Recovery back-up: speed, a magnitude (also of the drive away); the smoother still clamps it to -min_linear_vel (m/s)", { exclusiveMinimum: 0, maximum: 0.5 }),
      backup_timeout_s: num(5.0, "Recovery back-up: time budget of the back-up and of the drive away; each ends when it runs out (e.g. the safety layer vetoed it) (s)", { exclusiveMinimum: 0 }),
      spin_speed_radps: num(1.0, "Recovery spin: largest yaw rate (rad/s)", { exclusiveMinimum: 0 }),
      spin_angle_rad: num(0.0, "Recovery spin: 0 turns to face the path (min_lookahead_dist ahead on it); otherwise turn by this angle, positive left (rad)", { minimum: -2 * Math.PI, maximum: 2 * Math.PI }),
      spin_timeout_s: num(5.0, "Recovery spin: time budget; the spin ends when it runs out (s)", { exclusiveMinimum: 0 }),
      max_recovery_attempts: int(3, "Recoveries per goal; stuck again after the last one, the robot stays stopped (recovery_exhausted) until a new goal", { minimum: 0 }),

      policy_dir: { type: "string", default: "", description: "Policy store (kestrel policy deploy --store): its current.json names the policy that modes policy and shadow run; empty = 'policies' in the kestrel package share directory" },
      policy_reload: bool(false, "Setting this (to any value) reloads the policy store's current policy; /policy/info announcing a different sha256 does the same"),
      promote_on_deploy: bool(false, "In shadow mode, switch to mode policy as soon as a policy loads (one is deployed, e.g. by the learner); the safety layer still has the last word"),
    },
  };
}

export function modeContextOf(v: Readonly<ControllerParams>): ModeContext {
  return {
    footprintRadius: v.footprint_radius,
    pursuit: {
      desiredLinearVel: v.desired_linear_vel,
      maxAngularVel: v.max_angular_vel,
      lookaheadTime: v.lookahead_time,
      minLookaheadDist: v.min_lookahead_dist,
      maxLookaheadDist: v.max_lookahead_dist,
      maxRobotPoseSearchDist: v.max_robot_pose_search_dist,
      useRegulatedLinearVelocityScaling: v.use_regulated_linear_velocity_scaling,
      regulatedLinearScalingMinRadius: v.regulated_linear_scaling_min_radius,
      regulatedLinearScalingMinSpeed: v.regulated_linear_scaling_min_speed,
      useProximityRegulation: v.use_proximity_regulated_linear_velocity_scaling,
      costScalingDist: v.cost_scaling_dist,
      costScalingGain: v.cost_scaling_gain,
      approachVelocityScalingDist: v.approach_velocity_scaling_dist,
      minApproachLinearVelocity: v.min_approach_linear_velocity,
      useRotateToHeading: v.use_rotate_to_heading,
      rotateToHeadingMinAngle: v.rotate_to_heading_min_angle,
      rotateToHeadingAngularVel: v.rotate_to_heading_angular_vel,
      maxAngularAccel: v.max_angular_accel,
      xyGoalTolerance: v.xy_goal_tolerance,
      yawGoalTolerance: v.yaw_goal_tolerance,
    },
  };
}

export function smootherLimitsOf(v: Readonly<ControllerParams>): SmootherLimits {
  return {
    maxLinear: v.max_linear_vel,
    minLinear: v.min_linear_vel,
    maxAngular: v.max_angular_vel,
    maxLinearAccel: v.max_linear_accel,
    maxLinearDecel: v.max_linear_decel,
    maxAngularAccel: v.max_angular_accel,
    maxAngularDecel: v.max_angular_decel,
    deadbandLinear: v.deadband_linear,
    deadbandAngular: v.deadband_angular,
  };
}

export function safetyParamsOf(v: Readonly<ControllerParams>): SafetyParams {
  return {
    footprintRadius: v.footprint_radius,
    stopMargin: v.stop_zone_margin,
    slowdownMargin: v.slowdown_zone_margin,
    slowdownScale: v.slowdown_scale,
    collisionHorizonS: v.collision_horizon_s,
    collisionTimeStepS: v.collision_time_step_s,
  };
}

export function recoveryParamsOf(v: Readonly<ControllerParams>): RecoveryStageParams {
  return {
    enabled: v.recovery_enabled,
    progress: { radiusM: v.progress_radius_m, timeoutS: v.progress_timeout_s },
    backupDistanceM: v.backup_distance_m,
    backupSpeedMps: v.backup_speed_mps,
    backupTimeoutS: v.backup_timeout_s,
    spinSpeedRadps: v.spin_speed_radps,
    spinAngleRad: v.spin_angle_rad,
    spinTimeoutS: v.spin_timeout_s,
    maxAttempts: v.max_recovery_attempts,
    pathLookaheadM: v.min_lookahead_dist,
    goalToleranceM: v.xy_goal_tolerance,
    stopRadiusM: stopZoneRadius(safetyParamsOf(v)),
  };
}

export function parameterLaserMount(v: Readonly<ControllerParams>): LaserMount {
  return { x: v.laser_x, y: v.laser_y, yaw: v.laser_yaw };
}

/** Every pair of parameters that contradict each other, each warning naming both values. */
export function parameterWarnings(v: Readonly<ControllerParams>): string[] {
  const w: string[] = [];
  const periodS = 1 / v.controller_frequency_hz;
  if (v.min_lookahead_dist > v.max_lookahead_dist) {
    w.push(`min_lookahead_dist ${v.min_lookahead_dist} exceeds max_lookahead_dist ${v.max_lookahead_dist}: the lookahead stays at min_lookahead_dist`);
  }
  if (v.desired_linear_vel > v.max_linear_vel) {
    w.push(`desired_linear_vel ${v.desired_linear_vel} exceeds max_linear_vel ${v.max_linear_vel}: the smoother clamps pursuit to max_linear_vel`);
  }
  if (v.rotate_to_heading_angular_vel > v.max_angular_vel) {
    w.push(`rotate_to_heading_angular_vel ${v.rotate_to_heading_angular_vel} exceeds max_angular_vel ${v.max_angular_vel}: rotation is clamped to max_angular_vel`);
  }
  if (v.regulated_linear_scaling_min_speed > v.desired_linear_vel) {
    w.push(`regulated_linear_scaling_min_speed ${v.regulated_linear_scaling_min_speed} exceeds desired_linear_vel ${v.desired_linear_vel}: regulation cannot slow the robot`);
  }
  if (v.min_approach_linear_velocity > v.desired_linear_vel) {
    w.push(`min_approach_linear_velocity ${v.min_approach_linear_velocity} exceeds desired_linear_vel ${v.desired_linear_vel}: approach scaling has no effect`);
  }
  if (v.slowdown_zone_margin <= v.stop_zone_margin) {
    w.push(`slowdown_zone_margin ${v.slowdown_zone_margin} is not larger than stop_zone_margin ${v.stop_zone_margin}: the robot stops without slowing down first`);
  }
  const stoppingTimeS = v.max_linear_vel / v.max_linear_decel;
  if (v.collision_horizon_s < stoppingTimeS) {
    w.push(`collision_horizon_s ${v.collision_horizon_s} is shorter than the stopping time max_linear_vel / max_linear_decel = ${v.max_linear_vel} / ${v.max_linear_decel} = ${stoppingTimeS.toFixed(3)} s`);
  }
  if (v.collision_time_step_s > v.collision_horizon_s && v.collision_horizon_s > 0) {
    w.push(`collision_time_step_s ${v.collision_time_step_s} exceeds collision_horizon_s ${v.collision_horizon_s}: one prediction step only`);
  }
  if (v.scan_timeout_s < periodS) {
    w.push(`scan_timeout_s ${v.scan_timeout_s} is shorter than the control period 1 / controller_frequency_hz = ${periodS.toFixed(3)} s: the scan counts as stale between cycles`);
  }
  if (v.odom_timeout_s < periodS) {
    w.push(`odom_timeout_s ${v.odom_timeout_s} is shorter than the control period 1 / controller_frequency_hz = ${periodS.toFixed(3)} s: odometry counts as stale between cycles`);
  }
  if (v.xy_goal_tolerance > v.approach_velocity_scaling_dist && v.approach_velocity_scaling_dist > 0) {
    w.push(`xy_goal_tolerance ${v.xy_goal_tolerance} exceeds approach_velocity_scaling_dist ${v.approach_velocity_scaling_dist}: the goal is accepted before approach scaling starts`);
  }
  w.push(...recoveryWarnings(v));
  if (v.cost_scaling_gain > 1) {
    w.push(`cost_scaling_gain ${v.cost_scaling_gain} is above 1.0: proximity regulation only starts below cost_scaling_dist ${v.cost_scaling_dist} * 1 / gain`);
  }
  return w;
}

/** Recovery parameters that contradict others: each warning names both values and the consequence. */
function recoveryWarnings(v: Readonly<ControllerParams>): string[] {
  if (!v.recovery_enabled) return [];
  const w: string[] = [];
  if (v.backup_speed_mps > -v.min_linear_vel) {
    w.push(`backup_speed_mps ${v.backup_speed_mps} exceeds -min_linear_vel ${-v.min_linear_vel}: the smoother clamps the back-up to ${-v.min_linear_vel} m/s${v.min_linear_vel === 0 ? " (no back-up at all: the recovery only spins)" : ""}`);
  }
  const speed = Math.min(v.backup_speed_mps, -v.min_linear_vel);
  const backupS = v.backup_distance_m / speed;
  if (speed > 0 && v.backup_timeout_s < backupS) {
    w.push(`backup_timeout_s ${v.backup_timeout_s} is shorter than backup_distance_m / back-up speed = ${v.backup_distance_m} / ${speed} = ${backupS.toFixed(2)} s: every back-up ends on its budget, short of its distance`);
  }
  const creepMps = v.regulated_linear_scaling_min_speed * v.slowdown_scale;
  const progressMps = v.progress_radius_m / v.progress_timeout_s;
  if (progressMps >= creepMps) {
    w.push(
      `progress_radius_m / progress_timeout_s = ${v.progress_radius_m} / ${v.progress_timeout_s} = ${progressMps.toFixed(3)} m/s is not below the slowest speed pursuit creeps at in the slow-down zone, regulated_linear_scaling_min_speed * slowdown_scale = ${v.regulated_linear_scaling_min_speed} * ${v.slowdown_scale} = ${creepMps.toFixed(3)} m/s: slow progress along a wall counts as none`,
    );
  }
  if (v.spin_speed_radps > v.max_angular_vel) {
    w.push(`spin_speed_radps ${v.spin_speed_radps} exceeds max_angular_vel ${v.max_angular_vel}: the spin is clamped to max_angular_vel`);
  }
  return w;
}
