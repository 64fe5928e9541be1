import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { bridgeConfig, bridgeYaml } from "../../sim/gazebo/bridge";
import { robotSdf } from "../../sim/gazebo/robot-sdf";
import { at, kids, parseXml, textAt } from "./gazebo-fixture";

const ROOT = path.resolve(__dirname, "../..");
const FILE = path.join(ROOT, "sim/gazebo/bridge.yaml");

describe("sim/gazebo/bridge.yaml (ros_gz_bridge config)", () => {
  it("is checked in, identical to the generator's output", () => {
    if (fs.readFileSync(FILE, "utf8") !== bridgeYaml()) {
      throw new Error("sim/gazebo/bridge.yaml is stale: regenerate with `npm run build && node dist/sim/gazebo/generate.js`");
    }
  });

  it("is a YAML list of ros_topic_name / gz_topic_name / ros_type_name / gz_type_name / direction entries", () => {
    const entries = parse(fs.readFileSync(FILE, "utf8")) as Record<string, unknown>[];
    expect(Array.isArray(entries)).toBe(true);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(["direction", "gz_topic_name", "gz_type_name", "ros_topic_name", "ros_type_name"]);
      expect(["GZ_TO_ROS", "ROS_TO_GZ", "BIDIRECTIONAL"]).toContain(e.direction);
    }
    expect(entries).toEqual(bridgeConfig());
  });

  it("maps every topic of the contract with the right message types and directions", () => {
    const byRos = Object.fromEntries(bridgeConfig().map((e) => [e.ros_topic_name, [e.ros_type_name, e.gz_type_name, e.direction]]));
    expect(byRos).toEqual({
      "/clock": ["rosgraph_msgs/msg/Clock", "gz.msgs.Clock", "GZ_TO_ROS"],
      "/cmd_vel": ["geometry_msgs/msg/Twist", "gz.msgs.Twist", "ROS_TO_GZ"],
      "/odom": ["nav_msgs/msg/Odometry", "gz.msgs.Odometry", "GZ_TO_ROS"],
      "/tf": ["tf2_msgs/msg/TFMessage", "gz.msgs.Pose_V", "GZ_TO_ROS"],
      "/joint_states": ["sensor_msgs/msg/JointState", "gz.msgs.Model", "GZ_TO_ROS"],
      "/scan": ["sensor_msgs/msg/LaserScan", "gz.msgs.LaserScan", "GZ_TO_ROS"],
      "/camera/image_raw": ["sensor_msgs/msg/Image", "gz.msgs.Image", "GZ_TO_ROS"],
      "/camera/camera_info": ["sensor_msgs/msg/CameraInfo", "gz.msgs.CameraInfo", "GZ_TO_ROS"],
      "/bumper/contacts": ["ros_gz_interfaces/msg/Contacts", "gz.msgs.Contacts", "GZ_TO_ROS"],
    });
  });

  it("uses exactly the gz topics the robot SDF's plugins and sensors name explicitly", () => {
    const m = at(parseXml(robotSdf()), "model");
    const dd = kids(m, "plugin").find((p) => p.getAttribute("filename") === "gz-sim-diff-drive-system")!;
    const jsp = kids(m, "plugin").find((p) => p.getAttribute("filename") === "gz-sim-joint-state-publisher-system")!;
    const image = textAt(m, "link[camera_link]/sensor[camera]/topic");
    const fromSdf: Record<string, string> = {
      "/clock": "/clock", // gz-sim's world-independent clock topic
      "/cmd_vel": textAt(dd, "topic"),
      "/odom": textAt(dd, "odom_topic"),
      "/tf": textAt(dd, "tf_topic"),
      "/joint_states": textAt(jsp, "topic"),
      "/scan": textAt(m, "link[laser]/sensor[lidar]/topic"),
      "/camera/image_raw": image,
      "/camera/camera_info": image.slice(0, image.lastIndexOf("/")) + "/camera_info",
      "/bumper/contacts": textAt(m, "link[base_link]/sensor[bumper]/contact/topic"),
    };
    expect(Object.fromEntries(bridgeConfig().map((e) => [e.ros_topic_name, e.gz_topic_name]))).toEqual(fromSdf);
  });
});
