/**
 * The Gazebo robot model, generated from the robot spec (sim/robot/spec.ts) so the SDF and the
 * embedded simulator cannot disagree. The checked-in sim/gazebo/kestrel_bot/model.sdf is this
 * generator's output (a test fails when it is stale; regenerate with sim/gazebo/generate.ts).
 *
 * Frames and geometry (REP-103/105): the model frame is `base_link`, on the floor between the
 * wheel contact points (x forward, z up), which is where the embedded simulator puts base_link
 * too. The two drive wheels sit at y = ±wheelSeparation/2 with their axles at z = wheelRadius;
 * a frictionless caster sphere at the rear carries the rest; the chassis is a cylinder of the
 * footprint radius that starts above the floor, and it is the collision the bumper (contact
 * sensor) watches. The lidar and camera links sit at the spec's mounts.
 *
 * SDF spec 1.9: the newest version SDFormat 12 (Debian's libsdformat) reads, and one Gazebo
 * Harmonic (SDFormat 14) upgrades on load.
 *
 * Sensor frame ids: gz-sensors stamps messages with the sensor's `<gz_frame_id>` (falling back to
 * the sensor's name). It is a Gazebo extension element, not part of the SDF spec: SDFormat keeps
 * unknown elements as children of their parent (so gz-sensors finds it with HasElement), and only
 * logs it under its default parser configuration. A namespaced `<gz:frame_id>` would be silent in
 * SDFormat but gz-sensors does not read it, so `<gz_frame_id>` it is (see tests/support/sdformat.ts
 * for how validation treats it).
 */
import type { Mount, RobotSpec } from "../robot/spec";
import { TURTLEBOT3_LIKE } from "../robot/spec";
import { gzTopics } from "./topics";
import { el, leaf, nums, renderDocument, XmlElement } from "./xml";

/** SDF spec version of every file Kestrel generates. */
export const SDF_VERSION = "1.9";

/** Physical details the spec does not fix (they do not change the kinematics). */
export const ROBOT_DETAILS = {
  /** Chassis cylinder: starts this far above the floor... */
  chassisBottom: 0.02,
  /** ...and is this tall (TurtleBot3 burger's lower plates are ~0.12 m). */
  chassisHeight: 0.12,
  wheelWidth: 0.018,
  wheelMass: 0.05,
  /** Caster sphere radius; its centre is at this height so it touches the floor. */
  casterRadius: 0.01,
  /** Caster distance behind base_link's origin (TurtleBot3 burger: 0.081 m). */
  casterBehind: 0.081,
  lidarMass: 0.05,
  lidarRadius: 0.035,
  lidarHeight: 0.03,
  cameraMass: 0.02,
  /** Camera near clip: beyond the chassis edge seen from the camera mount. */
  cameraNearClip: 0.06,
  cameraFarClip: 50,
  /** Joint-state and odometry rates (Hz). */
  odomRateHz: 30,
  contactRateHz: 50,
  lidarRangeResolution: 0.015,
} as const;

const LEFT_WHEEL_JOINT = "wheel_left_joint";
const RIGHT_WHEEL_JOINT = "wheel_right_joint";

function pose(x: number, y: number, z: number, roll = 0, pitch = 0, yaw = 0): XmlElement {
  return leaf("pose", nums(x, y, z, roll, pitch, yaw));
}

function inertial(mass: number, ixx: number, iyy: number, izz: number, at?: [number, number, number]): XmlElement {
  return el(
    "inertial",
    {},
    at ? pose(at[0], at[1], at[2]) : undefined,
    leaf("mass", mass),
    el("inertia", {}, leaf("ixx", ixx), leaf("ixy", 0), leaf("ixz", 0), leaf("iyy", iyy), leaf("iyz", 0), leaf("izz", izz)),
  );
}

/** Solid cylinder about its own z axis. */
function cylinderInertial(mass: number, r: number, h: number, at?: [number, number, number]): XmlElement {
  const side = (mass * (3 * r * r + h * h)) / 12;
  return inertial(mass, side, side, (mass * r * r) / 2, at);
}

function boxInertial(mass: number, x: number, y: number, z: number): XmlElement {
  return inertial(mass, (mass * (y * y + z * z)) / 12, (mass * (x * x + z * z)) / 12, (mass * (x * x + y * y)) / 12);
}

function material(r: number, g: number, b: number): XmlElement {
  return el("material", {}, leaf("ambient", nums(r, g, b, 1)), leaf("diffuse", nums(r, g, b, 1)), leaf("specular", nums(0.2, 0.2, 0.2, 1)));
}

function friction(mu: number): XmlElement {
  return el(
    "surface",
    {},
    el(
      "friction",
      {},
      el("ode", {}, leaf("mu", mu), leaf("mu2", mu)),
      el("bullet", {}, leaf("friction", mu), leaf("friction2", mu)),
    ),
  );
}

function cylinder(r: number, length: number): XmlElement {
  return el("geometry", {}, el("cylinder", {}, leaf("radius", r), leaf("length", length)));
}

function mountPose(m: Mount): XmlElement {
  return pose(m.x, m.y, m.z, 0, 0, m.yaw);
}

function wheel(spec: RobotSpec, side: "left" | "right"): XmlElement {
  const { wheelRadius: r, wheelSeparation } = spec.base;
  const y = side === "left" ? wheelSeparation / 2 : -wheelSeparation / 2;
  const w = ROBOT_DETAILS.wheelWidth;
  // Rolled -90° about x so the cylinder's axis (its z) points along the model's +y for both
  // wheels: a positive joint velocity then drives either wheel forward.
  return el(
    "link",
    { name: `wheel_${side}_link` },
    pose(0, y, r, -Math.PI / 2, 0, 0),
    cylinderInertial(ROBOT_DETAILS.wheelMass, r, w),
    el("collision", { name: "collision" }, cylinder(r, w), friction(1)),
    el("visual", { name: "visual" }, cylinder(r, w), material(0.1, 0.1, 0.1)),
  );
}

function wheelJoint(side: "left" | "right"): XmlElement {
  return el(
    "joint",
    { name: side === "left" ? LEFT_WHEEL_JOINT : RIGHT_WHEEL_JOINT, type: "revolute" },
    leaf("parent", "base_link"),
    leaf("child", `wheel_${side}_link`),
    // Expressed in the joint frame, which is the wheel link's frame: its z is the model's +y.
    el("axis", {}, leaf("xyz", nums(0, 0, 1)), el("limit", {}, leaf("lower", "-1e16"), leaf("upper", "1e16"))),
  );
}

function fixedJoint(name: string, child: string): XmlElement {
  return el("joint", { name, type: "fixed" }, leaf("parent", "base_link"), leaf("child", child));
}

function baseLink(spec: RobotSpec): XmlElement {
  const d = ROBOT_DETAILS;
  const R = spec.base.footprintRadius;
  const chassisZ = d.chassisBottom + d.chassisHeight / 2;
  const topics = gzTopics(spec.name);
  return el(
    "link",
    { name: "base_link" },
    cylinderInertial(spec.base.mass, R, d.chassisHeight, [0, 0, chassisZ]),
    el("collision", { name: "chassis_collision" }, pose(0, 0, chassisZ), cylinder(R, d.chassisHeight)),
    el("visual", { name: "chassis_visual" }, pose(0, 0, chassisZ), cylinder(R, d.chassisHeight), material(0.25, 0.25, 0.3)),
    el(
      "collision",
      { name: "caster_collision" },
      pose(-d.casterBehind, 0, d.casterRadius),
      el("geometry", {}, el("sphere", {}, leaf("radius", d.casterRadius))),
      friction(0),
    ),
    el(
      "visual",
      { name: "caster_visual" },
      pose(-d.casterBehind, 0, d.casterRadius),
      el("geometry", {}, el("sphere", {}, leaf("radius", d.casterRadius))),
      material(0.1, 0.1, 0.1),
    ),
    // The bumper: contacts of the chassis with anything (the wheels and caster touch only the floor).
    el(
      "sensor",
      { name: "bumper", type: "contact" },
      leaf("always_on", true),
      leaf("update_rate", d.contactRateHz),
      leaf("topic", topics.contacts),
      el("contact", {}, leaf("collision", "chassis_collision"), leaf("topic", topics.contacts)),
    ),
  );
}

function laserLink(spec: RobotSpec): XmlElement {
  const d = ROBOT_DETAILS;
  const l = spec.lidar;
  const n = l.rays;
  return el(
    "link",
    { name: l.mount.frameId },
    mountPose(l.mount),
    cylinderInertial(d.lidarMass, d.lidarRadius, d.lidarHeight),
    el("visual", { name: "visual" }, cylinder(d.lidarRadius, d.lidarHeight), material(0.05, 0.05, 0.05)),
    el(
      "sensor",
      { name: "lidar", type: "gpu_lidar" },
      leaf("always_on", true),
      leaf("visualize", false),
      leaf("update_rate", l.rateHz),
      leaf("topic", gzTopics(spec.name).scan),
      leaf("gz_frame_id", l.mount.frameId),
      el(
        "lidar",
        {},
        el(
          "scan",
          {},
          // n rays over the full circle from angle 0: the last ray is one increment short of 2π
          // (gz spaces samples (max - min) / (samples - 1) apart), so increment = 2π / n.
          el(
            "horizontal",
            {},
            leaf("samples", n),
            leaf("resolution", 1),
            leaf("min_angle", 0),
            leaf("max_angle", (2 * Math.PI * (n - 1)) / n),
          ),
          el("vertical", {}, leaf("samples", 1), leaf("resolution", 1), leaf("min_angle", 0), leaf("max_angle", 0)),
        ),
        el("range", {}, leaf("min", l.rangeMin), leaf("max", l.rangeMax), leaf("resolution", d.lidarRangeResolution)),
        l.noiseStdDev > 0
          ? el("noise", {}, leaf("type", "gaussian"), leaf("mean", 0), leaf("stddev", l.noiseStdDev))
          : undefined,
      ),
    ),
  );
}

function cameraLink(spec: RobotSpec): XmlElement {
  const d = ROBOT_DETAILS;
  const c = spec.camera;
  const topics = gzTopics(spec.name);
  return el(
    "link",
    { name: c.mount.frameId },
    mountPose(c.mount),
    boxInertial(d.cameraMass, 0.015, 0.03, 0.015),
    el("visual", { name: "visual" }, el("geometry", {}, el("box", {}, leaf("size", nums(0.015, 0.03, 0.015)))), material(0.05, 0.05, 0.05)),
    el(
      "sensor",
      { name: "camera", type: "camera" },
      leaf("always_on", true),
      leaf("visualize", false),
      leaf("update_rate", c.rateHz),
      // camera_info goes to the sibling topic ".../camera_info" (gz-sensors derives it).
      leaf("topic", topics.image),
      // Images are stamped in the optical frame (z forward, x right, y down), as ROS expects;
      // the sensor itself looks along camera_link's +x, as every gz camera does.
      leaf("gz_frame_id", c.opticalFrameId),
      el(
        "camera",
        { name: "camera" },
        leaf("horizontal_fov", c.horizontalFov),
        el("image", {}, leaf("width", c.width), leaf("height", c.height), leaf("format", "R8G8B8")),
        el("clip", {}, leaf("near", d.cameraNearClip), leaf("far", d.cameraFarClip)),
      ),
    ),
  );
}

function diffDrivePlugin(spec: RobotSpec): XmlElement {
  const b = spec.base;
  const t = gzTopics(spec.name);
  return el(
    "plugin",
    { filename: "gz-sim-diff-drive-system", name: "gz::sim::systems::DiffDrive" },
    leaf("left_joint", LEFT_WHEEL_JOINT),
    leaf("right_joint", RIGHT_WHEEL_JOINT),
    leaf("wheel_separation", b.wheelSeparation),
    leaf("wheel_radius", b.wheelRadius),
    leaf("max_linear_velocity", b.maxLinear),
    leaf("min_linear_velocity", -b.maxLinear),
    leaf("max_angular_velocity", b.maxAngular),
    leaf("min_angular_velocity", -b.maxAngular),
    leaf("max_linear_acceleration", b.maxLinearAccel),
    leaf("min_linear_acceleration", -b.maxLinearAccel),
    leaf("max_angular_acceleration", b.maxAngularAccel),
    leaf("min_angular_acceleration", -b.maxAngularAccel),
    leaf("topic", t.cmdVel),
    leaf("odom_topic", t.odom),
    leaf("tf_topic", t.tf),
    leaf("frame_id", "odom"),
    leaf("child_frame_id", "base_link"),
    leaf("odom_publish_frequency", ROBOT_DETAILS.odomRateHz),
  );
}

function jointStatePlugin(spec: RobotSpec): XmlElement {
  return el(
    "plugin",
    { filename: "gz-sim-joint-state-publisher-system", name: "gz::sim::systems::JointStatePublisher" },
    leaf("topic", gzTopics(spec.name).jointStates),
    leaf("joint_name", LEFT_WHEEL_JOINT),
    leaf("joint_name", RIGHT_WHEEL_JOINT),
  );
}

/**
 * The robot's `<model>` element, optionally placed at a pose on the floor (for embedding it in
 * a world). The model's name is the spec's name.
 */
export function robotModelElement(spec: RobotSpec = TURTLEBOT3_LIKE, at?: { x: number; y: number; yaw: number }): XmlElement {
  return el(
    "model",
    { name: spec.name, canonical_link: "base_link" },
    at ? pose(at.x, at.y, 0, 0, 0, at.yaw) : undefined,
    baseLink(spec),
    wheel(spec, "left"),
    wheel(spec, "right"),
    wheelJoint("left"),
    wheelJoint("right"),
    laserLink(spec),
    fixedJoint("laser_joint", spec.lidar.mount.frameId),
    cameraLink(spec),
    fixedJoint("camera_joint", spec.camera.mount.frameId),
    diffDrivePlugin(spec),
    jointStatePlugin(spec),
  );
}

/** The robot as a complete SDF file (sim/gazebo/kestrel_bot/model.sdf). */
export function robotSdf(spec: RobotSpec = TURTLEBOT3_LIKE): string {
  return renderDocument(
    el("sdf", { version: SDF_VERSION }, robotModelElement(spec)),
    "Generated by sim/gazebo/robot-sdf.ts from sim/robot/spec.ts; do not edit (regenerate: node dist/sim/gazebo/generate.js).",
  );
}

/** The Gazebo model.config beside model.sdf (lets GZ_SIM_RESOURCE_PATH resolve model://kestrel_bot). */
export function robotModelConfig(spec: RobotSpec = TURTLEBOT3_LIKE): string {
  return renderDocument(
    el(
      "model",
      {},
      leaf("name", spec.name),
      leaf("version", "1.0"),
      leaf("sdf", "model.sdf", { version: SDF_VERSION }),
      el("author", {}, leaf("name", "Kestrel")),
      leaf(
        "description",
        "Kestrel's TurtleBot3-like differential-drive robot with a 360-ray gpu_lidar, an RGB camera and a bumper, generated from sim/robot/spec.ts.",
      ),
    ),
  );
}
