/** The one place a planning failure becomes a kestrel_msgs/PlannerStatus code and message. */
import { kestrel_msgs } from "../../msgs/generated/types";
import type { PlanFailure } from "./search/types";

const S = kestrel_msgs.msg.PlannerStatus;

/** Cell → world point, for messages in metres. */
export type CellToWorld = (cx: number, cy: number) => { x: number; y: number };

const fmt = (p: { x: number; y: number }): string => `(${p.x.toFixed(2)}, ${p.y.toFixed(2)})`;

/** Status code and a message naming why, for a failure. Every failure is NO_PATH. */
export function describeFailure(failure: PlanFailure, toWorld: CellToWorld): { status: number; message: string } {
  switch (failure.kind) {
    case "StartOutOfMap":
      return { status: S.NO_PATH, message: `StartOutOfMap: robot at ${fmt(toWorld(failure.start.x, failure.start.y))} is outside the costmap` };
    case "GoalOutOfMap":
      return { status: S.NO_PATH, message: `GoalOutOfMap: goal ${fmt(toWorld(failure.goal.x, failure.goal.y))} is outside the costmap` };
    case "StartOccupied":
      return { status: S.NO_PATH, message: `StartOccupied: robot at ${fmt(toWorld(failure.start.x, failure.start.y))} is in an obstacle or its inflation (cost ${failure.cost})` };
    case "GoalOccupied":
      return { status: S.NO_PATH, message: `GoalOccupied: goal ${fmt(toWorld(failure.goal.x, failure.goal.y))} inside obstacle (cost ${failure.cost})` };
    case "NoPathFound":
      return { status: S.NO_PATH, message: `NoPathFound: goal unreachable (${failure.expanded} cells searched)` };
    case "PlannerTimedOut":
      return {
        status: S.NO_PATH,
        message: `PlannerTimedOut: gave up after ${failure.expanded} expansions and ${failure.elapsedMs.toFixed(1)} ms (${failure.limit} reached)`,
      };
  }
}
