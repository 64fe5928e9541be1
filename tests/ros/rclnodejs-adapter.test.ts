/**
 * The rclnodejs transport against a double of the rclnodejs 2.x API: bigint timer periods,
 * profile strings, raw CDR in both directions, parameters with bigint integers and overrides.
 */
import { firstValueFrom } from "rxjs";
import { serialize } from "../../msgs/cdr";
import { RosNode } from "../../ros/node";
import { QOS_DEFAULT, QOS_SENSOR_DATA } from "../../ros/qos";
import { loadRclnodejs, sourcedRos } from "../../ros/transport/rclnodejs/loader";
import { RclnodejsTransport, toRclQos } from "../../ros/transport/rclnodejs/transport";
import { createTransport } from "../../ros/transport/select";
import type { ParameterSchema } from "../../ros/parameters/declare";
import { RclnodejsDouble, type DoubleNode } from "../support/rclnodejs-double";

async function stack(): Promise<{ double: RclnodejsDouble; transport: RclnodejsTransport }> {
  const double = new RclnodejsDouble();
  const transport = await RclnodejsTransport.create(double.module, ["node", "kestrel", "--ros-args", "-r", "__ns:=/r1"]);
  return { double, transport };
}

const twist = { linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.25 } };

describe("RclnodejsTransport", () => {
  it("initialises rcl with the process arguments before creating nodes", async () => {
    const { double } = await stack();
    expect(double.initArgv).toEqual(["node", "kestrel", "--ros-args", "-r", "__ns:=/r1"]);
  });

  it("publishes CDR bytes identical to Kestrel's serializer, on the rcl-resolved topic", async () => {
    const { double, transport } = await stack();
    const node = new RosNode(transport.createNode({ name: "controller", namespace: "", rosArgs: ["-r", "cmd_vel:=/base/cmd_vel"] }));
    const pub = node.createPublisher("geometry_msgs/msg/Twist", "cmd_vel");
    pub.publish(twist);
    expect(pub.topic).toBe("/base/cmd_vel");
    expect(node.fullyQualifiedName).toBe("/r1/controller"); // __ns from the process's global --ros-args
    expect(double.published).toHaveLength(1);
    expect(double.published[0]!.topic).toBe("/base/cmd_vel");
    expect(new Uint8Array(double.published[0]!.bytes)).toEqual(serialize("geometry_msgs/msg/Twist", twist));
  });

  it("subscribes raw (isRaw) and decodes the null-terminated buffer rclnodejs hands over", async () => {
    const { double, transport } = await stack();
    const node = new RosNode(transport.createNode({ name: "listener", namespace: "", rosArgs: [] }));
    const got = firstValueFrom(node.subscribe("geometry_msgs/msg/Twist", "/cmd_vel", "qos_profile_sensor_data"));
    expect(double.subscriptions[0]!.isRaw).toBe(true);
    double.inject("/cmd_vel", "geometry_msgs/msg/Twist", serialize("geometry_msgs/msg/Twist", twist));
    expect(await got).toEqual(twist);
  });

  it("drops a malformed sample with an error naming type and topic, and keeps receiving", async () => {
    const { double, transport } = await stack();
    const backend = transport.createNode({ name: "listener", namespace: "", rosArgs: [] });
    const node = new RosNode(backend);
    const seen: unknown[] = [];
    node.subscribe("geometry_msgs/msg/Twist", "/cmd_vel").subscribe((m) => seen.push(m));
    double.inject("/cmd_vel", "geometry_msgs/msg/Twist", new Uint8Array([0, 1, 0, 0, 1, 2, 3]));
    double.inject("/cmd_vel", "geometry_msgs/msg/Twist", serialize("geometry_msgs/msg/Twist", twist));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([twist]);
    const rclNode = double.nodes[0] as DoubleNode;
    expect(rclNode.logs.find((l) => l.level === "ERROR")?.message).toMatch(/dropped a malformed geometry_msgs\/msg\/Twist on '\/cmd_vel'/);
  });

  it.each([
    [QOS_SENSOR_DATA, "qos_profile_sensor_data"],
    [QOS_DEFAULT, "qos_profile_default"],
  ])("passes preset profiles as rclnodejs profile strings (%#)", (qos, name) => {
    expect(toRclQos(new RclnodejsDouble().module, qos)).toBe(name);
  });

  it("builds a QoS object for a custom profile (transient-local /map)", () => {
    const qos = toRclQos(new RclnodejsDouble().module, { ...QOS_DEFAULT, durability: "transient_local", depth: 1 });
    expect(qos).toMatchObject({ history: 1, depth: 1, reliabilityPolicy: 1, durability: 1 });
  });

  it("reads publishers' offered QoS back from rmw's enum numbers", async () => {
    const { transport } = await stack();
    const node = new RosNode(transport.createNode({ name: "lidar", namespace: "", rosArgs: [] }));
    node.createPublisher("sensor_msgs/msg/LaserScan", "/scan", "qos_profile_sensor_data");
    expect(node.backend.publishersInfoByTopic("/scan")).toEqual([
      { node: "/r1/lidar", type: "sensor_msgs/msg/LaserScan", qos: expect.objectContaining({ reliability: "best_effort", durability: "volatile", depth: 5 }) },
    ]);
  });

  it("creates timers with a bigint period in nanoseconds", async () => {
    const { double, transport } = await stack();
    const node = new RosNode(transport.createNode({ name: "t", namespace: "", rosArgs: [] }));
    node.createTimer(50, () => undefined);
    expect((double.nodes[0] as DoubleNode).timers[0]!.period).toBe(50_000_000n);
    await transport.shutdown();
  });

  it("declares parameters as rclnodejs Parameters (bigint integers), applying -p overrides", async () => {
    const { transport } = await stack();
    const schema: ParameterSchema = {
      type: "object",
      properties: {
        depth: { type: "integer", default: 3, description: "depth", minimum: 1, maximum: 10 },
        gain: { type: "number", default: 0.5, description: "gain" },
      },
    };
    const node = new RosNode(transport.createNode({ name: "n", namespace: "", rosArgs: ["-p", "depth:=7"] }));
    const params = node.declareParameters<{ depth: number; gain: number }>(schema);
    expect(params.values).toEqual({ depth: 7, gain: 0.5 });
    expect(params.set({ depth: 11 })).toEqual({ successful: false, reason: "node '/r1/n': parameter 'depth': expected a value <= 10, found 11" });
    expect(params.set({ depth: 9 }).successful).toBe(true);
    expect(params.values.depth).toBe(9);
  });

  it("uses rclnodejs' own use_sim_time parameter", async () => {
    const { transport } = await stack();
    const node = new RosNode(transport.createNode({ name: "n", namespace: "", rosArgs: ["-p", "use_sim_time:=true"] }));
    expect(node.usesSimTime).toBe(true);
  });

  it("destroys nodes and shuts rcl down", async () => {
    const { double, transport } = await stack();
    transport.createNode({ name: "n", namespace: "", rosArgs: [] });
    await transport.shutdown();
    expect((double.nodes[0] as DoubleNode).destroyed).toBe(true);
    expect(double.shutdownCalled).toBe(true);
  });
});

describe("rclnodejs loading", () => {
  const ros = { ROS_DISTRO: "jazzy", AMENT_PREFIX_PATH: "/opt/ros/jazzy" };

  it("does not even try without a sourced ROS 2", () => {
    const load = jest.fn();
    expect(loadRclnodejs({}, load)).toEqual({ ok: false, reason: expect.stringMatching(/no ROS 2 environment is sourced/) });
    expect(load).not.toHaveBeenCalled();
    expect(sourcedRos({ ROS_DISTRO: "noetic", ROS_VERSION: "1", AMENT_PREFIX_PATH: "/x" })).toBeUndefined();
  });

  it("reports the import failure rclnodejs gives without rcl", () => {
    const result = loadRclnodejs(ros, () => {
      throw new Error("librcl.so: cannot open shared object file\nstack...");
    });
    expect(result).toEqual({ ok: false, reason: "rclnodejs failed to load: librcl.so: cannot open shared object file" });
  });

  it("falls back to the embedded bus when rclnodejs is unavailable, and says why", async () => {
    const chosen = await createTransport({ env: {} });
    expect(chosen.transport.kind).toBe("local");
    expect(chosen.reason).toMatch(/embedded bus \(no ROS 2 environment is sourced/);
  });

  it("refuses an explicit rclnodejs request it cannot honour", async () => {
    await expect(createTransport({ kind: "rclnodejs", env: {} })).rejects.toThrow(/transport rclnodejs requested but unavailable/);
  });

  it("rejects an unknown KESTREL_TRANSPORT", async () => {
    await expect(createTransport({ env: { KESTREL_TRANSPORT: "dds" } })).rejects.toThrow(/expected 'local' or 'rclnodejs', found 'dds'/);
  });
});
