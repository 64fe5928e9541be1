/**
 * The Gazebo side of Kestrel's topic contract: the gz-transport topic each plugin and sensor of
 * the robot model publishes or subscribes (set explicitly in the SDF, never left to Gazebo's
 * scoped defaults, so they do not depend on the world's name), and the ros_gz_bridge entry that
 * maps it onto the ROS 2 topic the embedded simulator also speaks. One table feeds the robot
 * SDF (sim/gazebo/robot-sdf.ts) and the bridge YAML (sim/gazebo/bridge.yaml), so they cannot drift.
 */

/** ros_gz_bridge directions, as its YAML spells them. */
export type BridgeDirection = "GZ_TO_ROS" | "ROS_TO_GZ" | "BIDIRECTIONAL";

/** One entry of a ros_gz_bridge YAML config (field names as ros_gz_bridge reads them). */
export interface BridgeEntry {
  ros_topic_name: string;
  gz_topic_name: string;
  ros_type_name: string;
  gz_type_name: string;
  direction: BridgeDirection;
}

/** gz-transport topics of a robot model named `model`. */
export function gzTopics(model: string) {
  const base = `/model/${model}`;
  return {
    /** gz-sim publishes simulation time here (world-independent alias of /world/<w>/clock). */
    clock: "/clock",
    /** DiffDrive subscribes gz.msgs.Twist. */
    cmdVel: `${base}/cmd_vel`,
    /** DiffDrive publishes gz.msgs.Odometry (frame odom, child base_link). */
    odom: `${base}/odometry`,
    /** DiffDrive publishes odom -> base_link as gz.msgs.Pose_V. */
    tf: `${base}/tf`,
    /** JointStatePublisher publishes gz.msgs.Model. */
    jointStates: `${base}/joint_state`,
    /** gpu_lidar publishes gz.msgs.LaserScan here (and gz.msgs.PointCloudPacked on .../points). */
    scan: `${base}/scan`,
    /** camera publishes gz.msgs.Image here... */
    image: `${base}/camera/image`,
    /** ...and gz.msgs.CameraInfo on the sibling topic `camera_info` (gz-sensors derives it). */
    cameraInfo: `${base}/camera/camera_info`,
    /** The Contact system publishes gz.msgs.Contacts for the chassis contact sensor. */
    contacts: `${base}/bumper`,
  } as const;
}

/**
 * ROS 2 topic names, the same as the embedded sim node publishes. The contact topic carries
 * ros_gz_interfaces/msg/Contacts (Gazebo's own report), so it is not the kestrel_msgs/Contact
 * topic of the embedded simulator: it has its own name to keep the types apart.
 */
export const ROS_TOPICS = {
  clock: "/clock",
  cmdVel: "/cmd_vel",
  odom: "/odom",
  tf: "/tf",
  jointStates: "/joint_states",
  scan: "/scan",
  image: "/camera/image_raw",
  cameraInfo: "/camera/camera_info",
  contacts: "/bumper/contacts",
} as const;

/** The bridge entries for a robot model named `model`, in a fixed order. */
export function bridgeEntries(model: string): BridgeEntry[] {
  const gz = gzTopics(model);
  const r = ROS_TOPICS;
  const e = (ros: string, gzt: string, rosType: string, gzType: string, direction: BridgeDirection): BridgeEntry => ({
    ros_topic_name: ros,
    gz_topic_name: gzt,
    ros_type_name: rosType,
    gz_type_name: gzType,
    direction,
  });
  return [
    e(r.clock, gz.clock, "rosgraph_msgs/msg/Clock", "gz.msgs.Clock", "GZ_TO_ROS"),
    e(r.cmdVel, gz.cmdVel, "geometry_msgs/msg/Twist", "gz.msgs.Twist", "ROS_TO_GZ"),
    e(r.odom, gz.odom, "nav_msgs/msg/Odometry", "gz.msgs.Odometry", "GZ_TO_ROS"),
    e(r.tf, gz.tf, "tf2_msgs/msg/TFMessage", "gz.msgs.Pose_V", "GZ_TO_ROS"),
    e(r.jointStates, gz.jointStates, "sensor_msgs/msg/JointState", "gz.msgs.Model", "GZ_TO_ROS"),
    e(r.scan, gz.scan, "sensor_msgs/msg/LaserScan", "gz.msgs.LaserScan", "GZ_TO_ROS"),
    e(r.image, gz.image, "sensor_msgs/msg/Image", "gz.msgs.Image", "GZ_TO_ROS"),
    e(r.cameraInfo, gz.cameraInfo, "sensor_msgs/msg/CameraInfo", "gz.msgs.CameraInfo", "GZ_TO_ROS"),
    e(r.contacts, gz.contacts, "ros_gz_interfaces/msg/Contacts", "gz.msgs.Contacts", "GZ_TO_ROS"),
  ];
}
