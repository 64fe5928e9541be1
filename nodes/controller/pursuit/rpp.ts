/**
 * Regulated Pure Pursuit (Nav2's nav2_regulated_pure_pursuit_controller) over plain data: the
 * robot pose and speed (odom frame), a path (odom frame) and the distance from the footprint to
 * the nearest obstacle; out comes the desired velocity, before safety and smoothing.
 */
import { clamp, normalizeAngle, ZERO_VELOCITY, type Path2D, type Pose2D, type Velocity2D } from "../types";
import { closestPoseIndex, findLookaheadPoint, lookaheadDistance, remainingPathLength, toRobotFrame } from "./geometry";
import { GoalChecker } from "./goal";
import { pursuitCurvature, regulatedLinearVelocity, rotateToHeadingVelocity, type RegulationParams } from "./regulation";

export interface PursuitParams extends RegulationParams {
  /** Cruise speed (m/s). */
  desiredLinearVel: number;
  /** Yaw-rate bound (rad/s); a pursuit command over it is scaled down keeping its curvature. */
  maxAngularVel: number;
  lookaheadTime: number;
  minLookaheadDist: number;
  maxLookaheadDist: number;
  maxRobotPoseSearchDist: number;
  useRotateToHeading: boolean;
  rotateToHeadingMinAngle: number;
  rotateToHeadingAngularVel: number;
  maxAngularAccel: number;
  xyGoalTolerance: number;
  yawGoalTolerance: number;
}

export type PursuitState = "idle" | "rotating_to_path" | "tracking" | "rotating_to_goal" | "goal_reached";

export interface PursuitInput {
  pose: Pose2D;
  /** Current velocity (odom twist), used for the lookahead and the rotation acceleration bound. */
  velocity: Velocity2D;
  /** Distance from the footprint edge to the nearest obstacle (m); Infinity when none. */
  obstacleDistance: number;
  /** Control period (s). */
  dt: number;
}

export interface PursuitOutput {
  cmd: Velocity2D;
  state: PursuitState;
  /** The carrot in base_link, when tracking. */
  carrot?: { x: number; y: number };
  lookahead?: number;
  curvature?: number;
}

export class RegulatedPurePursuit {
  private path: Path2D | undefined;
  private closest = 0;
  private readonly goalChecker: GoalChecker;
  private reached = false;

  constructor(private params: PursuitParams) {
    this.goalChecker = new GoalChecker(params.xyGoalTolerance, params.yawGoalTolerance);
  }

  setParams(params: PursuitParams): void {
    this.params = params;
    this.goalChecker.xyTolerance = params.xyGoalTolerance;
    this.goalChecker.yawTolerance = params.yawGoalTolerance;
  }

  /** A new path (odom frame). An empty path clears it. */
  setPath(path: Path2D | undefined): void {
    this.path = path && path.length > 0 ? path : undefined;
    this.closest = 0;
    this.reached = false;
    this.goalChecker.reset();
  }

  hasPath(): boolean {
    return this.path !== undefined;
  }

  compute(input: PursuitInput): PursuitOutput {
    const path = this.path;
    if (!path) return { cmd: ZERO_VELOCITY, state: "idle" };
    const p = this.params;
    const { pose } = input;
    const goal: Pose2D = { x: path.xs[path.length - 1]!, y: path.ys[path.length - 1]!, theta: path.thetas[path.length - 1]! };
    if (this.reached || this.goalChecker.isReached(pose, goal)) {
      this.reached = true;
      return { cmd: ZERO_VELOCITY, state: "goal_reached" };
    }

    // Rotate to the goal heading once the position is within tolerance.
    if (this.goalChecker.positionReached(pose, goal)) {
      const error = normalizeAngle(goal.theta - pose.theta);
      if (!p.useRotateToHeading) return { cmd: ZERO_VELOCITY, state: "rotating_to_goal" };
      const w = rotateToHeadingVelocity(error, input.velocity.angular, p.rotateToHeadingAngularVel, p.maxAngularAccel, input.dt);
      return { cmd: { linear: 0, angular: w }, state: "rotating_to_goal" };
    }

    this.closest = closestPoseIndex(path, this.closest, pose.x, pose.y, p.maxRobotPoseSearchDist);
    const lookahead = lookaheadDistance(input.velocity.linear, p.lookaheadTime, p.minLookaheadDist, p.maxLookaheadDist);
    const point = findLookaheadPoint(path, this.closest, pose.x, pose.y, lookahead);
    const carrot = toRobotFrame(point.x, point.y, pose.x, pose.y, pose.theta);
    const curvature = pursuitCurvature(carrot.x, carrot.y);

    // Rotate to the path's heading first (at the start, or after a sharp change of path).
    const angleToPath = Math.atan2(carrot.y, carrot.x);
    if (p.useRotateToHeading && Math.abs(angleToPath) > p.rotateToHeadingMinAngle) {
      const w = rotateToHeadingVelocity(angleToPath, input.velocity.angular, p.rotateToHeadingAngularVel, p.maxAngularAccel, input.dt);
      return { cmd: { linear: 0, angular: w }, state: "rotating_to_path", carrot, lookahead, curvature };
    }

    const remaining = remainingPathLength(path, this.closest, pose.x, pose.y);
    let linear = regulatedLinearVelocity(p.desiredLinearVel, curvature, input.obstacleDistance, remaining, p);
    let angular = linear * curvature;
    if (Math.abs(angular) > p.maxAngularVel) {
      // Keep the arc, slow down along it.
      const k = p.maxAngularVel / Math.abs(angular);
      linear *= k;
      angular = clamp(angular * k, -p.maxAngularVel, p.maxAngularVel);
    }
    return { cmd: { linear, angular }, state: "tracking", carrot, lookahead, curvature };
  }
}
