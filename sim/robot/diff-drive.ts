/**
 * Differential-drive robot dynamics over plain data: velocity and acceleration limits, exact arc
 * integration, optional wheel slip and odometry (encoder) noise from a seeded Rng, and collisions
 * of the footprint circle against a compiled Scene that never penetrate or tunnel.
 *
 * Model of one step of `dt` seconds:
 *   1. the command is clamped to ±maxLinear / ±maxAngular (NaN/Inf → 0), then the body velocity
 *      moves towards it by at most maxLinearAccel·dt / maxAngularAccel·dt, and is held constant
 *      over the step (as a physics engine's diff-drive plugin does per step);
 *   2. wheel rim speeds are v ∓ w·L/2; with slip, each wheel's ground speed is its rim speed
 *      times (1 - min(1, |N(0, wheelSlipStdDev)|)) — ground truth moves with those;
 *   3. ground truth moves along the exact arc (constant v, w) with conservative advancement:
 *      it never moves farther than the current clearance to the nearest surface, so the footprint
 *      circle cannot enter or cross any solid, however thin, at any speed or step length. When it
 *      touches a surface while heading into it, the robot stops (v = w = 0) and a ContactEvent is
 *      returned;
 *   4. odometry integrates what the wheel encoders measure — the rim speeds (slip is invisible to
 *      them) times (1 + N(0, odomWheelStdDev)) per wheel — over the time the robot actually
 *      moved, so it drifts from ground truth with slip and noise.
 * The odometry frame is the spawn pose: `odom` starts at (0, 0, 0) on reset, as on a real robot.
 */
import { makeSurfacePoint, nearestSurface, type SurfacePoint } from "../geometry/proximity";
import type { Scene } from "../geometry/scene";
import type { Rng } from "../random";
import type { Pose2D } from "../world/types";
import type { DiffDriveSpec } from "./spec";
import { normalizeAngle } from "../../ros/tf/math";

/** Optional imperfections; all zero means an ideal robot. */
export interface RobotNoise {
  /** Std dev of each wheel's per-step slip fraction (ground speed = rim speed · (1 - |N|)). */
  wheelSlipStdDev: number;
  /** Std dev of each wheel's per-step relative encoder error (odometry only). */
  odomWheelStdDev: number;
}

export const NO_ROBOT_NOISE: RobotNoise = { wheelSlipStdDev: 0, odomWheelStdDev: 0 };

export interface RobotState {
  /** Ground-truth pose in the world frame. */
  pose: Pose2D;
  /** Body velocity after limits (m/s, rad/s): what the motors are driving. */
  v: number;
  w: number;
  /** Odometry estimate in the odom frame (the spawn pose is its origin). */
  odom: Pose2D;
  /** Velocities the odometry measured over the last step (m/s, rad/s). */
  odomV: number;
  odomW: number;
  /** Simulated time since reset (s). */
  time: number;
}

/** A bumper hit: which solid, where, and which way the surface pushes back. */
export interface ContactEvent {
  /** Index into scene.owners, and its name. */
  owner: number;
  name: string;
  /** The contact point on the solid's surface (world frame, m). */
  x: number;
  y: number;
  /** Unit contact normal, from the surface towards the robot's centre. */
  nx: number;
  ny: number;
  /** Simulated time of the contact (s since reset). */
  time: number;
}

/** What stepRobot needs besides the state. */
export interface RobotWorld {
  scene: Scene;
  base: DiffDriveSpec;
  noise: RobotNoise;
  rng: Rng;
}

/** Ground truth stops when it is within this distance (m) of a surface it heads into. */
export const CONTACT_SKIN_M = 1e-3;
const MAX_ADVANCE_ITERATIONS = 100000;

export function createRobotState(spawn: Pose2D): RobotState {
  const state: RobotState = {
    pose: { x: 0, y: 0, yaw: 0 },
    v: 0,
    w: 0,
    odom: { x: 0, y: 0, yaw: 0 },
    odomV: 0,
    odomW: 0,
    time: 0,
  };
  resetRobotState(state, spawn);
  return state;
}

/** Puts the robot at rest at `spawn` with its odometry zeroed. */
export function resetRobotState(state: RobotState, spawn: Pose2D): void {
  state.pose.x = spawn.x;
  state.pose.y = spawn.y;
  state.pose.yaw = normalizeAngle(spawn.yaw);
  state.odom.x = 0;
  state.odom.y = 0;
  state.odom.yaw = 0;
  state.v = 0;
  state.w = 0;
  state.odomV = 0;
  state.odomW = 0;
  state.time = 0;
}

export { normalizeAngle };

/** Clamps to [-maxAbs, maxAbs]; a non-finite target becomes 0 (a safe stop). */
export function clampCommand(target: number, maxAbs: number): number {
  if (!Number.isFinite(target)) return 0;
  return target > maxAbs ? maxAbs : target < -maxAbs ? -maxAbs : target;
}

/** Moves `current` towards `target` by at most maxAccel·dt. */
export function rampTowards(current: number, target: number, maxAccel: number, dt: number): number {
  const dv = maxAccel * dt;
  if (target > current + dv) return current + dv;
  if (target < current - dv) return current - dv;
  return target;
}

/**
 * Exact pose after moving with constant body velocity (v, w) for t seconds along the arc
 * (straight line when w = 0); writes into `out` (which may be `pose`) and returns it.
 */
export function integrateArc(pose: Pose2D, v: number, w: number, t: number, out: Pose2D): Pose2D {
  const yaw0 = pose.yaw;
  const dYaw = w * t;
  let x: number;
  let y: number;
  if (Math.abs(dYaw) < 1e-9) {
    // Limit of the arc formula (error O(dYaw²·v·t), below 1e-18 m here).
    const mid = yaw0 + dYaw / 2;
    x = pose.x + v * t * Math.cos(mid);
    y = pose.y + v * t * Math.sin(mid);
  } else {
    const r = v / w;
    x = pose.x + r * (Math.sin(yaw0 + dYaw) - Math.sin(yaw0));
    y = pose.y - r * (Math.cos(yaw0 + dYaw) - Math.cos(yaw0));
  }
  out.x = x;
  out.y = y;
  out.yaw = normalizeAngle(yaw0 + dYaw);
  return out;
}

const surface: SurfacePoint = makeSurfacePoint();
const trial: Pose2D = { x: 0, y: 0, yaw: 0 };

function contactFrom(world: RobotWorld, sp: SurfacePoint, time: number): ContactEvent {
  return {
    owner: sp.owner,
    name: world.scene.owners[sp.owner].name,
    x: sp.px,
    y: sp.py,
    nx: sp.nx,
    ny: sp.ny,
    time,
  };
}

/**
 * Moves the ground-truth pose with body velocity (v, w) for up to dt seconds by conservative
 * advancement. Returns the time actually moved; sets `contactOut[0]` when it stopped on contact.
 */
function advanceWithCollisions(
  state: RobotState,
  v: number,
  w: number,
  dt: number,
  world: RobotWorld,
  contactOut: Array<ContactEvent | null>,
): number {
  const pose = state.pose;
  contactOut[0] = null;
  if (v === 0) {
    integrateArc(pose, 0, w, dt, pose); // turning in place sweeps nothing: the footprint is a circle
    return dt;
  }
  const r = world.base.footprintRadius;
  const speed = Math.abs(v);
  const sign = v > 0 ? 1 : -1;
  let remaining = dt;
  for (let iter = 0; iter < MAX_ADVANCE_ITERATIONS && remaining > 0; iter++) {
    const travel = speed * remaining;
    const found = nearestSurface(world.scene, pose.x, pose.y, r + travel + CONTACT_SKIN_M, surface);
    const clearance = found ? surface.distance - r : Infinity;
    if (clearance <= CONTACT_SKIN_M) {
      const approaching = sign * (Math.cos(pose.yaw) * surface.nx + Math.sin(pose.yaw) * surface.ny) < 0;
      if (approaching) {
        contactOut[0] = contactFrom(world, surface, state.time + dt - remaining);
        return dt - remaining;
      }
    }
    // A path no longer than the clearance (less half the skin) cannot reach any surface. Below
    // the skin, step one skin length and verify the end pose instead: a step that short cannot
    // jump over anything, since the footprint is far wider than the skin.
    let path = clearance - CONTACT_SKIN_M / 2;
    const verify = path < CONTACT_SKIN_M;
    if (verify) path = CONTACT_SKIN_M;
    const tau = Math.min(remaining, path / speed);
    integrateArc(pose, v, w, tau, trial);
    if (verify && nearestSurface(world.scene, trial.x, trial.y, r, surface) && surface.distance < r) {
      nearestSurface(world.scene, pose.x, pose.y, r + CONTACT_SKIN_M * 2, surface);
      contactOut[0] = contactFrom(world, surface, state.time + dt - remaining);
      return dt - remaining;
    }
    pose.x = trial.x;
    pose.y = trial.y;
    pose.yaw = trial.yaw;
    remaining -= tau;
  }
  return dt - Math.max(0, remaining);
}

const contactSlot: Array<ContactEvent | null> = [null];

/** Wheel ground-speed factor under slip: 1 - min(1, |N(0, σ)|). */
function slipFactor(rng: Rng, stdDev: number): number {
  if (stdDev <= 0) return 1;
  return 1 - Math.min(1, Math.abs(rng.gaussian(0, stdDev)));
}

/**
 * Advances the robot by dt seconds under the command (cmdV m/s, cmdW rad/s). Returns the
 * contact event when the robot hit something during the step (it is then stopped), else null.
 */
export function stepRobot(
  state: RobotState,
  cmdV: number,
  cmdW: number,
  dt: number,
  world: RobotWorld,
): ContactEvent | null {
  const base = world.base;
  const v = rampTowards(state.v, clampCommand(cmdV, base.maxLinear), base.maxLinearAccel, dt);
  const w = rampTowards(state.w, clampCommand(cmdW, base.maxAngular), base.maxAngularAccel, dt);
  const halfL = base.wheelSeparation / 2;
  const rimLeft = v - w * halfL;
  const rimRight = v + w * halfL;
  const slip = world.noise.wheelSlipStdDev;
  const groundLeft = rimLeft * slipFactor(world.rng, slip);
  const groundRight = rimRight * slipFactor(world.rng, slip);
  const trueV = (groundLeft + groundRight) / 2;
  const trueW = (groundRight - groundLeft) / base.wheelSeparation;
  const moved = advanceWithCollisions(state, trueV, trueW, dt, world, contactSlot);
  const contact = contactSlot[0];
  contactSlot[0] = null;

  const odomNoise = world.noise.odomWheelStdDev;
  const measLeft = odomNoise > 0 ? rimLeft * (1 + world.rng.gaussian(0, odomNoise)) : rimLeft;
  const measRight = odomNoise > 0 ? rimRight * (1 + world.rng.gaussian(0, odomNoise)) : rimRight;
  const odomV = (measLeft + measRight) / 2;
  const odomW = (measRight - measLeft) / base.wheelSeparation;
  integrateArc(state.odom, odomV, odomW, moved, state.odom);
  state.odomV = contact ? 0 : odomV;
  state.odomW = contact ? 0 : odomW;
  state.v = contact ? 0 : v;
  state.w = contact ? 0 : w;
  state.time += dt;
  return contact;
}
