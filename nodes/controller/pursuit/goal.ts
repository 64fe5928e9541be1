/**
 * Goal tolerances, as Nav2's SimpleGoalChecker: position within xy_goal_tolerance and heading
 * within yaw_goal_tolerance. Stateful like Nav2's default (stateful: true): once the position
 * is within tolerance it stays accepted while the robot rotates to the goal heading.
 */
import { normalizeAngle, type Pose2D } from "../types";

export function withinXyTolerance(pose: Pose2D, goal: Pose2D, xyTolerance: number): boolean {
  return Math.hypot(goal.x - pose.x, goal.y - pose.y) <= xyTolerance;
}

export function withinYawTolerance(pose: Pose2D, goal: Pose2D, yawTolerance: number): boolean {
  return Math.abs(normalizeAngle(goal.theta - pose.theta)) <= yawTolerance;
}

export class GoalChecker {
  private xyLatched = false;

  constructor(
    public xyTolerance: number,
    public yawTolerance: number,
  ) {}

  reset(): void {
    this.xyLatched = false;
  }

  /** Whether the position is (or was, once latched) within tolerance. */
  positionReached(pose: Pose2D, goal: Pose2D): boolean {
    if (!this.xyLatched && withinXyTolerance(pose, goal, this.xyTolerance)) this.xyLatched = true;
    return this.xyLatched;
  }

  isReached(pose: Pose2D, goal: Pose2D): boolean {
    return this.positionReached(pose, goal) && withinYawTolerance(pose, goal, this.yawTolerance);
  }
}
