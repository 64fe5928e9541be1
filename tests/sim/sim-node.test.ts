/**
 * The sim node's contract with the rest of the stack — the topics, frames and QoS the Gazebo
 * robot offers through ros_gz_bridge — checked on the embedded bus with the sim running as fast
 * as possible.
 */
import { firstValueFrom, filter, take, toArray } from "rxjs";
import { ComponentContainer } from "../../ros/container";
import { Logger, type LogRecord } from "../../ros/logger";
import { RosNode } from "../../ros/node";
import { yawFromQuaternion } from "../../ros/tf/math";
import { LocalTransport } from "../../ros/transport/local/backend";
import { simNode } from "../../sim/node/sim-node";

const SENSOR = "qos_profile_sensor_data";

async function startSim(extraArgs: string[] = []) {
  const logs: LogRecord[] = [];
  const transport = new LocalTransport({ logSink: (r) => logs.push(r) });
  const container = new ComponentContainer({ transport, registry: [simNode], logger: new Logger({ name: "c", sink: (r) => logs.push(r) }) });
  const probe = new RosNode(transport.createNode({ name: "probe", namespace: "", rosArgs: ["-p", "use_sim_time:=true"] }));
  // Subscribe before the sim starts publishing, so nothing is missed.
  const staticTf = firstValueFrom(probe.subscribe("tf2_msgs/msg/TFMessage", "/tf_static", { durability: "transient_local", depth: 1 }));
  const loaded = await container.load({ exec: "sim", rosArgs: ["-p", "real_time_factor:=0.0", "-p", "lidar_noise_std_dev:=0.0", ...extraArgs] });
  return { transport, container, probe, logs, staticTf, loaded };
}

describe("sim node", () => {
  let stack: Awaited<ReturnType<typeof startSim>>;
  afterEach(async () => {
    await stack.container.shutdown();
  });

  it("publishes /clock, and nodes with use_sim_time follow it", async () => {
    stack = await startSim();
    const clocks = await firstValueFrom(stack.probe.subscribe("rosgraph_msgs/msg/Clock", "/clock", { depth: 100 }).pipe(take(5), toArray()));
    const ns = clocks.map((c) => c.clock.sec * 1e9 + c.clock.nanosec);
    expect(ns.every((t, i) => i === 0 || t > ns[i - 1]!)).toBe(true);
    expect(ns[1]! - ns[0]!).toBeCloseTo(1e7, -2); // 100 Hz steps
    const now = stack.probe.now();
    expect(now.sec * 1e9 + now.nanosec).toBeGreaterThanOrEqual(ns[4]!);
  });

  it("publishes the static frames (map->odom at the spawn, laser, camera_link, optical frame) transient-local", async () => {
    stack = await startSim();
    const tf = await stack.staticTf;
    expect(tf.transforms.map((t) => `${t.header.frame_id}->${t.child_frame_id}`)).toEqual([
      "map->odom",
      "base_link->laser",
      "base_link->camera_link",
      "camera_link->camera_optical_frame",
    ]);
    expect(tf.transforms[3]!.transform.rotation).toEqual({ x: -0.5, y: 0.5, z: -0.5, w: 0.5 });
    // A late joiner still gets them.
    const late = new RosNode(stack.transport.createNode({ name: "late", namespace: "", rosArgs: [] }));
    const again = await firstValueFrom(late.subscribe("tf2_msgs/msg/TFMessage", "/tf_static", { durability: "transient_local", depth: 1 }));
    expect(again.transforms).toHaveLength(4);
  });

  it("publishes /scan in the laser frame with 360 rays, consumable with SensorData QoS", async () => {
    stack = await startSim();
    const scan = await firstValueFrom(stack.probe.subscribe("sensor_msgs/msg/LaserScan", "/scan", SENSOR));
    expect(scan.header.frame_id).toBe("laser");
    expect(scan.ranges).toHaveLength(360);
    expect(scan.angle_min).toBe(0);
    expect(scan.angle_increment).toBeCloseTo((2 * Math.PI) / 360);
    const finite = Array.from(scan.ranges).filter(Number.isFinite);
    expect(finite.length).toBeGreaterThan(100);
    expect(Math.min(...finite)).toBeGreaterThanOrEqual(scan.range_min);
  });

  it("publishes /odom (odom -> base_link, with covariance) and the same transform on /tf", async () => {
    stack = await startSim();
    const [odom, tf] = await Promise.all([
      firstValueFrom(stack.probe.subscribe("nav_msgs/msg/Odometry", "/odom", SENSOR)),
      firstValueFrom(stack.probe.subscribe("tf2_msgs/msg/TFMessage", "/tf")),
    ]);
    expect([odom.header.frame_id, odom.child_frame_id]).toEqual(["odom", "base_link"]);
    expect(odom.pose.covariance).toHaveLength(36);
    expect(odom.pose.covariance[0]).toBeGreaterThan(0);
    expect(tf.transforms[0]).toMatchObject({ header: { frame_id: "odom" }, child_frame_id: "base_link" });
  });

  it("publishes a 320x240 rgb8 image in the optical frame with matching camera_info and ground truth", async () => {
    stack = await startSim();
    const [image, info, boxes] = await Promise.all([
      firstValueFrom(stack.probe.subscribe("sensor_msgs/msg/Image", "/camera/image_raw", SENSOR)),
      firstValueFrom(stack.probe.subscribe("sensor_msgs/msg/CameraInfo", "/camera/camera_info", SENSOR)),
      firstValueFrom(stack.probe.subscribe("kestrel_msgs/msg/GroundTruthBoxes", "/ground_truth/boxes", SENSOR)),
    ]);
    expect(image).toMatchObject({ width: 320, height: 240, encoding: "rgb8", step: 960, header: { frame_id: "camera_optical_frame" } });
    expect(image.data).toHaveLength(320 * 240 * 3);
    expect([info.width, info.height, info.header.frame_id]).toEqual([320, 240, "camera_optical_frame"]);
    expect(boxes.header.frame_id).toBe("camera_optical_frame");
  });

  it("drives the robot from /cmd_vel", async () => {
    stack = await startSim();
    const cmd = stack.probe.createPublisher("geometry_msgs/msg/Twist", "/cmd_vel");
    cmd.publish({ linear: { x: 0.2, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    const moved = await firstValueFrom(
      stack.probe.subscribe("nav_msgs/msg/Odometry", "/odom", SENSOR).pipe(filter((o) => o.pose.pose.position.x > 0.1)),
    );
    expect(Math.abs(yawFromQuaternion(moved.pose.pose.orientation))).toBeLessThan(1e-6);
    expect(moved.twist.twist.linear.x).toBeCloseTo(0.2, 3);
  });

  it("ignores a /cmd_vel with NaN, logs it naming the field, and keeps running", async () => {
    stack = await startSim();
    const cmd = stack.probe.createPublisher("geometry_msgs/msg/Twist", "/cmd_vel");
    cmd.publish({ linear: { x: Number.NaN, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    await firstValueFrom(stack.probe.subscribe("rosgraph_msgs/msg/Clock", "/clock").pipe(take(3), toArray()));
    expect(stack.logs.some((l) => l.level === "ERROR" && /\/cmd_vel: ignored a command \(field 'linear\.x' is NaN\)/.test(l.message))).toBe(true);
    expect(stack.container.running()).toHaveLength(1);
  });

  it("refuses to start with an unknown world, naming the shipped ones", async () => {
    stack = await startSim(["-p", "world:=atlantis"]);
    expect(stack.loaded).toMatchObject({ status: "failed", reason: expect.stringMatching(/world 'atlantis': no such shipped world \(shipped: cluttered, office, warehouse\)/) });
  });
});
