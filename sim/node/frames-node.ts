/**
 * The robot's fixed frames for a robot (or Gazebo) that Kestrel's embedded sim is not driving:
 * base_link -> laser, base_link -> camera_link -> camera_optical_frame from the robot spec
 * (what the sim node latches itself), and optionally map -> odom for a robot whose odometry
 * starts at a known pose and has no localiser (Gazebo's spawn pose).
 */
import { defineNode } from "../../ros/definition";
import { TURTLEBOT3_LIKE } from "../robot/spec";
import { mapToOdomMessage, staticTfMessage } from "./messages";

export interface FramesParameters extends Record<string, unknown> {
  map_to_odom: number[];
}

export const robotFramesNode = defineNode<FramesParameters>({
  name: "robot_frames",
  description: "Latches the robot's sensor frames (and optionally map -> odom) on /tf_static",
  parameters: {
    type: "object",
    properties: {
      map_to_odom: {
        type: "array",
        items: { type: "number" },
        default: [],
        description: "Pose [x, y, yaw] (m, m, rad) of odom in map, e.g. the Gazebo spawn pose; empty publishes no map -> odom",
        readOnly: true,
      },
    },
  },
  start(node, params) {
    const pose = params.values.map_to_odom;
    if (pose.length !== 0 && pose.length !== 3) throw new Error(`map_to_odom: expected [x, y, yaw] or [], found ${pose.length} numbers`);
    const zero = { sec: 0, nanosec: 0 };
    const transforms = [
      ...(pose.length === 3 ? mapToOdomMessage(zero, { x: pose[0]!, y: pose[1]!, yaw: pose[2]! }).transforms : []),
      ...staticTfMessage(zero, TURTLEBOT3_LIKE).transforms,
    ];
    node.createPublisher("tf2_msgs/msg/TFMessage", "/tf_static", { depth: 1, durability: "transient_local" }).publish({ transforms });
    return { summary: () => `latched ${transforms.length} static transforms` };
  },
});
