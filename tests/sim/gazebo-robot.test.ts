import * as fs from "fs";
import * as path from "path";
import { TURTLEBOT3_LIKE, RobotSpec } from "../../sim/robot/spec";
import { robotModelConfig, robotSdf, ROBOT_DETAILS, SDF_VERSION } from "../../sim/gazebo/robot-sdf";
import { gzTopics } from "../../sim/gazebo/topics";
import { at, kids, numbersAt, parseXml, textAt, Xml } from "./gazebo-fixture";

const ROOT = path.resolve(__dirname, "../..");
const spec = TURTLEBOT3_LIKE;
const model = (s: RobotSpec = spec): Xml => at(parseXml(robotSdf(s)), "model");
const plugin = (m: Xml, filename: string): Xml => {
  const p = kids(m, "plugin").find((k) => k.getAttribute("filename") === filename);
  if (!p) throw new Error(`no plugin ${filename}`);
  return p;
};
const close = (a: number[], b: number[]): void => {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
};

describe("robotSdf (sim/gazebo/kestrel_bot/model.sdf)", () => {
  it("is SDF 1.9 with one model named after the spec, canonical link base_link", () => {
    const root = parseXml(robotSdf());
    expect(root.tagName).toBe("sdf");
    expect(root.getAttribute("version")).toBe(SDF_VERSION);
    expect(SDF_VERSION).toBe("1.9");
    const m = model();
    expect(m.getAttribute("name")).toBe("kestrel_bot");
    expect(m.getAttribute("canonical_link")).toBe("base_link");
  });

  it("gives every link a positive mass and a positive-definite diagonal inertia", () => {
    const links = kids(model(), "link");
    expect(links.map((l) => l.getAttribute("name"))).toEqual(["base_link", "wheel_left_link", "wheel_right_link", "laser", "camera_link"]);
    for (const l of links) {
      expect(Number(textAt(l, "inertial/mass"))).toBeGreaterThan(0);
      for (const k of ["ixx", "iyy", "izz"]) expect(Number(textAt(l, `inertial/inertia/${k}`))).toBeGreaterThan(0);
    }
    expect(Number(textAt(at(model(), "link[base_link]"), "inertial/mass"))).toBe(spec.base.mass);
  });

  it("puts the wheels at ±wheelSeparation/2 with axles at wheelRadius, on revolute joints about the model's y", () => {
    const m = model();
    const r = spec.base.wheelRadius;
    close(numbersAt(m, "link[wheel_left_link]/pose"), [0, spec.base.wheelSeparation / 2, r, -Math.PI / 2, 0, 0]);
    close(numbersAt(m, "link[wheel_right_link]/pose"), [0, -spec.base.wheelSeparation / 2, r, -Math.PI / 2, 0, 0]);
    for (const side of ["left", "right"]) {
      expect(Number(textAt(m, `link[wheel_${side}_link]/collision/geometry/cylinder/radius`))).toBe(r);
      const j = at(m, `joint[wheel_${side}_joint]`);
      expect(j.getAttribute("type")).toBe("revolute");
      expect(textAt(j, "parent")).toBe("base_link");
      expect(textAt(j, "child")).toBe(`wheel_${side}_link`);
      // Axis z of the wheel frame, which the -90° roll turns onto the model's +y.
      expect(numbersAt(j, "axis/xyz")).toEqual([0, 0, 1]);
    }
  });

  it("rests on a low-friction caster sphere touching the floor behind the axle", () => {
    const base = at(model(), "link[base_link]");
    const caster = at(base, "collision[caster_collision]");
    const rc = Number(textAt(caster, "geometry/sphere/radius"));
    const p = numbersAt(caster, "pose");
    expect(p[0]).toBeLessThan(0);
    expect(p[2]).toBeCloseTo(rc, 9);
    expect(Number(textAt(caster, "surface/friction/ode/mu"))).toBeLessThanOrEqual(0.01);
    expect(Number(textAt(caster, "surface/friction/ode/mu2"))).toBeLessThanOrEqual(0.01);
  });

  it("makes the chassis a cylinder of the footprint radius that clears the floor", () => {
    const c = at(model(), "link[base_link]/collision[chassis_collision]");
    expect(Number(textAt(c, "geometry/cylinder/radius"))).toBe(spec.base.footprintRadius);
    const len = Number(textAt(c, "geometry/cylinder/length"));
    expect(numbersAt(c, "pose")[2] - len / 2).toBeCloseTo(ROBOT_DETAILS.chassisBottom, 9);
    expect(ROBOT_DETAILS.chassisBottom).toBeGreaterThan(0);
  });

  it("configures gz-sim-diff-drive-system from the spec: geometry, limits, odom -> base_link, explicit topics", () => {
    const p = plugin(model(), "gz-sim-diff-drive-system");
    const b = spec.base;
    const t = gzTopics("kestrel_bot");
    expect(p.getAttribute("name")).toBe("gz::sim::systems::DiffDrive");
    const v = (tag: string): string => textAt(p, tag);
    expect(v("left_joint")).toBe("wheel_left_joint");
    expect(v("right_joint")).toBe("wheel_right_joint");
    expect(Number(v("wheel_separation"))).toBe(b.wheelSeparation);
    expect(Number(v("wheel_radius"))).toBe(b.wheelRadius);
    expect(Number(v("max_linear_velocity"))).toBe(b.maxLinear);
    expect(Number(v("min_linear_velocity"))).toBe(-b.maxLinear);
    expect(Number(v("max_angular_velocity"))).toBe(b.maxAngular);
    expect(Number(v("max_linear_acceleration"))).toBe(b.maxLinearAccel);
    expect(Number(v("max_angular_acceleration"))).toBe(b.maxAngularAccel);
    expect(v("frame_id")).toBe("odom");
    expect(v("child_frame_id")).toBe("base_link");
    expect(v("topic")).toBe(t.cmdVel);
    expect(v("odom_topic")).toBe(t.odom);
    expect(v("tf_topic")).toBe(t.tf);
    expect(Number(v("odom_publish_frequency"))).toBeGreaterThan(0);
  });

  it("publishes both wheel joints with gz-sim-joint-state-publisher-system on an explicit topic", () => {
    const p = plugin(model(), "gz-sim-joint-state-publisher-system");
    expect(p.getAttribute("name")).toBe("gz::sim::systems::JointStatePublisher");
    expect(textAt(p, "topic")).toBe(gzTopics("kestrel_bot").jointStates);
    expect(kids(p, "joint_name").map((j) => j.textContent)).toEqual(["wheel_left_joint", "wheel_right_joint"]);
  });

  it("mounts a 360-sample gpu_lidar on the laser link with the spec's range, rate, noise and frame id", () => {
    const m = model();
    const l = spec.lidar;
    close(numbersAt(m, "link[laser]/pose"), [l.mount.x, l.mount.y, l.mount.z, 0, 0, l.mount.yaw]);
    expect(textAt(at(m, "joint[laser_joint]"), "child")).toBe("laser");
    const s = at(m, "link[laser]/sensor[lidar]");
    expect(s.getAttribute("type")).toBe("gpu_lidar");
    expect(textAt(s, "gz_frame_id")).toBe("laser");
    expect(textAt(s, "topic")).toBe(gzTopics("kestrel_bot").scan);
    expect(Number(textAt(s, "update_rate"))).toBe(l.rateHz);
    const h = at(s, "lidar/scan/horizontal");
    const n = Number(textAt(h, "samples"));
    expect(n).toBe(360);
    const min = Number(textAt(h, "min_angle"));
    const max = Number(textAt(h, "max_angle"));
    expect(min).toBe(0);
    // gz spaces samples (max - min)/(n - 1): the increment must be 2π/n, as in the embedded sim.
    expect((max - min) / (n - 1)).toBeCloseTo((2 * Math.PI) / n, 6);
    expect(Number(textAt(s, "lidar/range/min"))).toBe(l.rangeMin);
    expect(Number(textAt(s, "lidar/range/max"))).toBe(l.rangeMax);
    expect(Number(textAt(s, "lidar/noise/stddev"))).toBe(l.noiseStdDev);
  });

  it("leaves the lidar noise out when the spec disables it", () => {
    const quiet: RobotSpec = { ...spec, lidar: { ...spec.lidar, noiseStdDev: 0 } };
    expect(kids(at(model(quiet), "link[laser]/sensor[lidar]/lidar"), "noise")).toHaveLength(0);
  });

  it("mounts the camera on camera_link with the spec's size, FOV and rate, stamped in the optical frame", () => {
    const m = model();
    const c = spec.camera;
    close(numbersAt(m, "link[camera_link]/pose"), [c.mount.x, c.mount.y, c.mount.z, 0, 0, c.mount.yaw]);
    const s = at(m, "link[camera_link]/sensor[camera]");
    expect(s.getAttribute("type")).toBe("camera");
    expect(textAt(s, "gz_frame_id")).toBe(c.opticalFrameId);
    expect(textAt(s, "topic")).toBe(gzTopics("kestrel_bot").image);
    expect(Number(textAt(s, "update_rate"))).toBe(c.rateHz);
    expect(Number(textAt(s, "camera/horizontal_fov"))).toBeCloseTo(c.horizontalFov, 6);
    expect(Number(textAt(s, "camera/image/width"))).toBe(c.width);
    expect(Number(textAt(s, "camera/image/height"))).toBe(c.height);
    expect(textAt(s, "camera/image/format")).toBe("R8G8B8");
    // camera_info goes to the sibling topic gz-sensors derives from the image topic.
    const image = textAt(s, "topic");
    expect(image.slice(0, image.lastIndexOf("/")) + "/camera_info").toBe(gzTopics("kestrel_bot").cameraInfo);
  });

  it("reports chassis contacts with a contact sensor (the bumper)", () => {
    const s = at(model(), "link[base_link]/sensor[bumper]");
    expect(s.getAttribute("type")).toBe("contact");
    expect(textAt(s, "contact/collision")).toBe("chassis_collision");
    expect(textAt(s, "contact/topic")).toBe(gzTopics("kestrel_bot").contacts);
    expect(textAt(s, "topic")).toBe(gzTopics("kestrel_bot").contacts);
  });

  it("follows a change of the spec (it is generated, not hand-written)", () => {
    const wide: RobotSpec = { ...spec, base: { ...spec.base, wheelSeparation: 0.3 }, camera: { ...spec.camera, width: 640, height: 480 } };
    const m = model(wide);
    expect(Number(textAt(plugin(m, "gz-sim-diff-drive-system"), "wheel_separation"))).toBe(0.3);
    expect(numbersAt(m, "link[wheel_left_link]/pose")[1]).toBeCloseTo(0.15, 9);
    expect(Number(textAt(m, "link[camera_link]/sensor[camera]/camera/image/width"))).toBe(640);
  });

  it("is self-contained: no URIs at all (no meshes, no model:// or Fuel)", () => {
    expect(robotSdf()).not.toMatch(/<uri>|https?:\/\/|fuel/i);
  });

  it("is checked in as sim/gazebo/kestrel_bot/model.sdf + model.config, identical to the generator's output", () => {
    const stale = "is stale: regenerate with `npm run build && node dist/sim/gazebo/generate.js`";
    const sdf = fs.readFileSync(path.join(ROOT, "sim/gazebo/kestrel_bot/model.sdf"), "utf8");
    if (sdf !== robotSdf()) throw new Error(`sim/gazebo/kestrel_bot/model.sdf ${stale}`);
    const config = fs.readFileSync(path.join(ROOT, "sim/gazebo/kestrel_bot/model.config"), "utf8");
    if (config !== robotModelConfig()) throw new Error(`sim/gazebo/kestrel_bot/model.config ${stale}`);
    const c = parseXml(config);
    expect(textAt(c, "name")).toBe("kestrel_bot");
    expect(textAt(c, "sdf")).toBe("model.sdf");
    expect(at(c, "sdf").getAttribute("version")).toBe("1.9");
  });
});
