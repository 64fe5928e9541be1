/**
 * The tour node: drives the robot through a list of goals by publishing each on /goal_pose (as
 * RViz's "2D Goal Pose" does) and moving on when /planner/status says it was reached, found
 * unreachable, or took too long. `npm start` uses it to show the stack driving.
 */
import { kestrel_msgs } from "../../msgs/generated/types";
import { defineNode } from "../../ros/definition";
import { quaternionFromYaw } from "../../ros/tf/math";
import { timeToSeconds } from "../../ros/time";
import { goalsFromFlat, GoalSequencer, type GoalOutcome, type TourGoal } from "./sequencer";

export interface TourParameters extends Record<string, unknown> {
  goals: number[];
  frame_id: string;
  loop: boolean;
  goal_timeout_s: number;
  start_delay_s: number;
}

export const tourNode = defineNode<TourParameters>({
  name: "tour",
  description: "Sends a sequence of goals on /goal_pose, advancing on /planner/status",
  parameters: {
    type: "object",
    properties: {
      goals: { type: "array", items: { type: "number" }, default: [], description: "Goals as x, y, yaw triples (m, m, rad) in frame_id", readOnly: true },
      frame_id: { type: "string", default: "map", description: "Frame of the goals", readOnly: true },
      loop: { type: "boolean", default: false, description: "Start over after the last goal", readOnly: true },
      goal_timeout_s: { type: "number", default: 120.0, description: "Give up on a goal after this long (s, node clock)", exclusiveMinimum: 0 },
      start_delay_s: { type: "number", default: 1.0, description: "Wait this long (s, node clock) before the first goal, so the planner has a costmap", minimum: 0 },
    },
  },
  start(node, params) {
    const p = params.values;
    const goals = goalsFromFlat(p.goals);
    const sequencer = new GoalSequencer({
      goals,
      loop: p.loop,
      goalTimeoutS: p.goal_timeout_s,
      codes: { reached: kestrel_msgs.msg.PlannerStatus.REACHED, noPath: kestrel_msgs.msg.PlannerStatus.NO_PATH },
    });
    const goalPub = node.createPublisher("geometry_msgs/msg/PoseStamped", "/goal_pose");
    const nowS = (): number => timeToSeconds(node.now());
    const send = (goal: TourGoal | undefined): void => {
      if (!goal) {
        const reached = sequencer.outcomes.filter((o) => o.result === "reached").length;
        node.logger.info(`tour complete: ${reached}/${sequencer.outcomes.length} goals reached`);
        return;
      }
      node.logger.info(`goal ${sequencer.outcomes.length + 1}/${goals.length}: (${goal.x.toFixed(2)}, ${goal.y.toFixed(2)}) in ${p.frame_id}`);
      goalPub.publish({
        header: { stamp: node.now(), frame_id: p.frame_id },
        pose: { position: { x: goal.x, y: goal.y, z: 0 }, orientation: quaternionFromYaw(goal.yaw) },
      });
    };
    const report = (outcome: GoalOutcome): void => {
      const text = `goal ${outcome.index + 1} ${outcome.result} after ${outcome.elapsedS.toFixed(1)} s${outcome.detail ? `: ${outcome.detail}` : ""}`;
      if (outcome.result === "reached") node.logger.info(text);
      else node.logger.warn(text);
      send(sequencer.next(nowS()));
    };
    const status = node.subscribe("kestrel_msgs/msg/PlannerStatus", "/planner/status", { depth: 10 }).subscribe((s) => {
      const outcome = sequencer.onStatus(s.status, s.message, timeToSeconds(s.header.stamp));
      if (outcome) report(outcome);
    });
    let started = false;
    const startS = nowS();
    const timer = node.createTimer(250, () => {
      if (!started) {
        // With use_sim_time the clock reads 0 until the first /clock arrives.
        if (nowS() - startS < p.start_delay_s || nowS() === 0) return;
        started = true;
        if (goals.length === 0) node.logger.warn("no goals given (parameter 'goals'); nothing to do");
        else send(sequencer.next(nowS()));
        return;
      }
      const outcome = sequencer.onTime(nowS());
      if (outcome) report(outcome);
    });
    return {
      stop: () => {
        timer.cancel();
        status.unsubscribe();
      },
      summary: () => {
        const reached = sequencer.outcomes.filter((o) => o.result === "reached").length;
        return `${reached}/${sequencer.outcomes.length} goals reached of ${goals.length}${p.loop ? " (looping)" : ""}`;
      },
    };
  },
});
