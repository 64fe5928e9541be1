/**
 * The Foxglove bridge against a running embedded stack (sim at real_time_factor 0 + planner),
 * through a real WebSocket client speaking foxglove.websocket.v1 (@foxglove/ws-protocol's client),
 * decoding with an independent decoder (@foxglove/rosmsg + @foxglove/rosmsg2-serialization).
 */
import { parse } from "@foxglove/rosmsg";
import { MessageWriter } from "@foxglove/rosmsg2-serialization";
import { StatusLevel } from "@foxglove/ws-protocol";
import { defaultRegistry } from "../../msgs/default-registry";
import { startBridgeStack, readerFor, TestClient, type BridgeStack } from "./stack";

jest.setTimeout(60000);

describe("Foxglove bridge on the embedded stack", () => {
  let stack: BridgeStack;
  let client: TestClient;
  beforeAll(async () => {
    stack = await startBridgeStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    client = new TestClient(stack.bridge.url);
    await client.waitFor("serverInfo", () => client.capabilities.length > 0);
  });
  afterEach(() => client.close());

  it("listens on loopback and announces clientPublish, parameters and time", () => {
    expect(stack.bridge.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(client.capabilities).toEqual(expect.arrayContaining(["clientPublish", "parameters", "time"]));
  });

  it("advertises every published topic as cdr with the ros2msg schema rosbag2 would write", async () => {
    const registry = defaultRegistry();
    for (const [topic, type] of [
      ["/scan", "sensor_msgs/msg/LaserScan"],
      ["/camera/image_raw", "sensor_msgs/msg/Image"],
      ["/clock", "rosgraph_msgs/msg/Clock"],
      ["/costmap", "nav_msgs/msg/OccupancyGrid"],
      ["/tf_static", "tf2_msgs/msg/TFMessage"],
    ] as const) {
      const channel = await client.channel(topic);
      expect(channel).toMatchObject({ encoding: "cdr", schemaEncoding: "ros2msg", schemaName: type, schema: registry.schemaText(type) });
    }
  });

  it("streams /scan and /camera/image_raw as CDR that decodes with the advertised schema, stamped with sim time", async () => {
    const scanChannel = await client.channel("/scan");
    const imageChannel = await client.channel("/camera/image_raw");
    const scanSub = client.client.subscribe(scanChannel.id);
    const imageSub = client.client.subscribe(imageChannel.id);
    const scanMsg = await client.waitFor("a /scan message", () => client.messages.find((m) => m.subscriptionId === scanSub));
    const imageMsg = await client.waitFor("an image", () => client.messages.find((m) => m.subscriptionId === imageSub));
    const scan = readerFor(scanChannel).readMessage<{ header: { frame_id: string; stamp: { sec: number; nanosec: number } }; ranges: Float32Array }>(
      scanMsg.data,
    );
    expect(scan.header.frame_id).toBe("laser");
    expect(scan.ranges).toHaveLength(360);
    const image = readerFor(imageChannel).readMessage<{ width: number; height: number; encoding: string; data: Uint8Array }>(imageMsg.data);
    expect([image.width, image.height, image.encoding, image.data.length]).toEqual([320, 240, "rgb8", 320 * 240 * 3]);
    // Timestamps are sim time (/clock), close to the message's own stamp, not the wall clock.
    const stampNs = BigInt(scan.header.stamp.sec) * 1_000_000_000n + BigInt(scan.header.stamp.nanosec);
    expect(scanMsg.timestamp).toBeLessThan(10n ** 15n);
    expect(scanMsg.timestamp >= stampNs - 1_000_000_000n && scanMsg.timestamp <= stampNs + 1_000_000_000n).toBe(true);
    await client.waitFor("a time message", () => client.times.length > 0);
    expect(client.times[0]!).toBeLessThan(10n ** 15n);
    client.client.unsubscribe(scanSub);
    client.client.unsubscribe(imageSub);
  });

  it("subscribes on the bus only while a client subscribes", async () => {
    const channel = await client.channel("/camera/image_raw");
    const bus = stack.transport.bus;
    const before = bus.subscriptionCount("/camera/image_raw");
    const sub = client.client.subscribe(channel.id);
    await client.waitFor("an image", () => client.messages.some((m) => m.subscriptionId === sub));
    expect(bus.subscriptionCount("/camera/image_raw")).toBe(before + 1);
    client.client.unsubscribe(sub);
    for (let i = 0; i < 100 && bus.subscriptionCount("/camera/image_raw") !== before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(bus.subscriptionCount("/camera/image_raw")).toBe(before);
  });

  it("publishes a client's /goal_pose on the bus and the planner plans to it (a /plan arrives)", async () => {
    const planChannel = await client.channel("/plan");
    const planSub = client.client.subscribe(planChannel.id);
    const planReader = readerFor(planChannel);
    const schema = defaultRegistry().schemaText("geometry_msgs/msg/PoseStamped");
    const goalChannel = client.client.advertise({ topic: "/goal_pose", encoding: "cdr", schemaName: "geometry_msgs/msg/PoseStamped", schemaEncoding: "ros2msg", schema });
    const writer = new MessageWriter(parse(schema, { ros2: true }));
    // The office's first room, in map.
    const goal = { x: 2.0, y: 3.0 };
    await new Promise((r) => setTimeout(r, 200)); // the advertisement reaches the server first
    client.client.sendMessage(
      goalChannel,
      writer.writeMessage({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "map" }, pose: { position: { ...goal, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }),
    );
    const plan = await client.waitFor("a /plan to the goal", () => {
      for (const m of client.messages) {
        if (m.subscriptionId !== planSub) continue;
        const p = planReader.readMessage<{ header: { frame_id: string }; poses: Array<{ pose: { position: { x: number; y: number } } }> }>(m.data);
        if (p.poses.length > 1) return p;
      }
      return undefined;
    }, 30000);
    // config/nav.yaml plans in `map` (the sim latches map -> odom), so the plan ends at the goal itself.
    expect(plan.header.frame_id).toBe("map");
    const end = plan.poses[plan.poses.length - 1]!.pose.position;
    expect(Math.hypot(end.x - goal.x, end.y - goal.y)).toBeLessThan(0.5);
    client.client.unadvertise(goalChannel);
  });

  it("refuses client publishing on any other topic with an error status", async () => {
    const publishersBefore = stack.transport.bus.publisherCount("/scan");
    const channel = client.client.advertise({ topic: "/scan", encoding: "cdr", schemaName: "sensor_msgs/msg/LaserScan" });
    const refusal = await client.waitFor("a refusal", () => client.statuses.find((s) => /refused/.test(s.message)));
    expect(refusal.level).toBe(StatusLevel.ERROR);
    expect(refusal.message).toMatch(/'\/scan' refused: publishing is allowed only on \/goal_pose, \/cmd_vel/);
    client.client.sendMessage(channel, new Uint8Array([0, 1, 0, 0]));
    await client.waitFor("a refusal of the message", () => client.statuses.find((s) => /message on client channel .* refused/.test(s.message)));
    expect(stack.transport.bus.publisherCount("/scan")).toBe(publishersBefore);
  });

  it("gets and sets the nodes' parameters as /<node>.<parameter>, refusing bad values", async () => {
    client.client.getParameters(["/planner.goal_tolerance_m", "/sim.real_time_factor"], "get1");
    const got = await client.waitFor("parameterValues", () => client.parameterReplies.find((r) => r.id === "get1"));
    expect(got.parameters).toEqual([
      { name: "/planner.goal_tolerance_m", value: 0.25, type: "float64" },
      { name: "/sim.real_time_factor", value: 0, type: "float64" },
    ]);
    client.client.getParameters([], "all");
    const all = await client.waitFor("all parameters", () => client.parameterReplies.find((r) => r.id === "all"));
    expect(all.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["/planner.use_sim_time", "/sim.world"]));

    client.client.setParameters([{ name: "/planner.goal_tolerance_m", value: 0.3, type: "float64" }], "set1");
    const set = await client.waitFor("the set's reply", () => client.parameterReplies.find((r) => r.id === "set1"));
    expect(set.parameters).toEqual([{ name: "/planner.goal_tolerance_m", value: 0.3, type: "float64" }]);
    const planner = stack.container.running().find((e) => e.exec === "planner")!;
    expect(planner.node.backend.parameters.get("goal_tolerance_m")).toEqual({ type: "DOUBLE", value: 0.3 });

    client.client.setParameters([{ name: "/planner.goal_tolerance_m", value: "far" }], "set2");
    const refused = await client.waitFor("an error status", () => client.statuses.find((s) => /goal_tolerance_m/.test(s.message)));
    expect(refused.level).toBe(StatusLevel.ERROR);
    expect(refused.message).toMatch(/expected a number, found "far"/);
    client.client.setParameters([{ name: "/nobody.x", value: 1 }], "set3");
    await client.waitFor("an unknown-node status", () => client.statuses.find((s) => /\/nobody\.x/.test(s.message)));
    expect(planner.node.backend.parameters.get("goal_tolerance_m")).toEqual({ type: "DOUBLE", value: 0.3 });
  });
});
