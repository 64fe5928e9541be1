/**
 * The embedded bus honours QoS as ROS 2 does: keep-last depth, reliability and durability
 * compatibility (with rclcpp's incompatible-QoS log lines), transient-local late joiners, and
 * delivers the publisher's object itself (zero copy).
 */
import { firstValueFrom, take, toArray } from "rxjs";
import type { sensor_msgs, std_msgs } from "../../msgs/generated/types";
import { Logger } from "../../ros/logger";
import { setCallbackErrorLogger } from "../../ros/node";
import { localStack } from "../support/local-stack";

const text = (data: string): std_msgs.msg.String => ({ data });

describe("LocalBus QoS", () => {
  it("delivers in publish order to a compatible subscription", async () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter");
    const got = firstValueFrom(stack.node("listener").subscribe("std_msgs/msg/String", "chatter").pipe(take(3), toArray()));
    ["a", "b", "c"].forEach((d) => pub.publish(text(d)));
    expect((await got).map((m) => m.data)).toEqual(["a", "b", "c"]);
  });

  it("keeps only the last `depth` samples when the subscriber falls behind (keep_last)", async () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter", { depth: 10 });
    const seen: string[] = [];
    stack.node("listener").subscribe("std_msgs/msg/String", "chatter", { depth: 3 }).subscribe((m) => seen.push(m.data));
    for (let i = 0; i < 8; i++) pub.publish(text(String(i)));
    await stack.flush();
    expect(seen).toEqual(["5", "6", "7"]);
  });

  it("keeps every sample with keep_all", async () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter");
    const seen: string[] = [];
    stack.node("listener").subscribe("std_msgs/msg/String", "chatter", { history: "keep_all" }).subscribe((m) => seen.push(m.data));
    for (let i = 0; i < 50; i++) pub.publish(text(String(i)));
    await stack.flush();
    expect(seen).toHaveLength(50);
  });

  it("does not connect a reliable subscription to a best-effort publisher, and logs it as rclcpp does", async () => {
    const stack = localStack();
    const pub = stack.node("lidar").createPublisher("std_msgs/msg/String", "/scan_text", "qos_profile_sensor_data");
    const seen: string[] = [];
    stack.node("planner").subscribe("std_msgs/msg/String", "/scan_text", "qos_profile_default").subscribe((m) => seen.push(m.data));
    pub.publish(text("x"));
    await stack.flush();
    expect(seen).toEqual([]);
    expect(pub.subscriptionCount()).toBe(0);
    const messages = stack.logs.map((l) => `${l.level} ${l.logger}: ${l.message}`);
    expect(messages).toContain(
      "WARN planner: New publisher discovered on topic '/scan_text', offering incompatible QoS. No messages will be received from it. Last incompatible policy: RELIABILITY_QOS_POLICY",
    );
    expect(messages).toContain(
      "WARN lidar: New subscription discovered on topic '/scan_text', requesting incompatible QoS. No messages will be sent to it. Last incompatible policy: RELIABILITY_QOS_POLICY",
    );
  });

  it("connects a best-effort subscription to a reliable publisher (sensor data consumed with SensorData QoS)", async () => {
    const stack = localStack();
    const pub = stack.node("sim").createPublisher("std_msgs/msg/String", "/scan_text", "qos_profile_system_default");
    const got = firstValueFrom(stack.node("planner").subscribe("std_msgs/msg/String", "/scan_text", "qos_profile_sensor_data"));
    pub.publish(text("ok"));
    expect((await got).data).toBe("ok");
  });

  it("does not connect a transient-local subscription to a volatile publisher", async () => {
    const stack = localStack();
    const pub = stack.node("a").createPublisher("std_msgs/msg/String", "/map_text", { durability: "volatile" });
    stack.node("b").subscribe("std_msgs/msg/String", "/map_text", { durability: "transient_local" }).subscribe();
    expect(pub.subscriptionCount()).toBe(0);
    expect(stack.logs.some((l) => l.message.includes("Last incompatible policy: DURABILITY_QOS_POLICY"))).toBe(true);
  });

  it("gives a late-joining transient-local subscription the publisher's last `depth` samples", async () => {
    const stack = localStack();
    const latched = { durability: "transient_local", depth: 2 } as const;
    const pub = stack.node("map_server").createPublisher("std_msgs/msg/String", "/map_text", latched);
    ["m1", "m2", "m3"].forEach((d) => pub.publish(text(d)));
    const late = firstValueFrom(stack.node("planner").subscribe("std_msgs/msg/String", "/map_text", latched).pipe(take(2), toArray()));
    expect((await late).map((m) => m.data)).toEqual(["m2", "m3"]);
  });

  it("gives a late volatile subscription nothing from the past", async () => {
    const stack = localStack();
    const pub = stack.node("map_server").createPublisher("std_msgs/msg/String", "/map_text", { durability: "transient_local" });
    pub.publish(text("old"));
    const seen: string[] = [];
    stack.node("viewer").subscribe("std_msgs/msg/String", "/map_text").subscribe((m) => seen.push(m.data));
    await stack.flush();
    expect(seen).toEqual([]);
  });

  it("does not connect endpoints of different types and says so", async () => {
    const stack = localStack();
    const pub = stack.node("a").createPublisher("std_msgs/msg/String", "/t");
    stack.node("b").subscribe("geometry_msgs/msg/Twist", "/t").subscribe();
    expect(pub.subscriptionCount()).toBe(0);
    expect(stack.logs.some((l) => l.message.includes("offers type 'std_msgs/msg/String' but subscription"))).toBe(true);
  });

  it("delivers the publisher's own Image object, pixel buffer included (zero copy)", async () => {
    const stack = localStack();
    const pub = stack.node("camera").createPublisher("sensor_msgs/msg/Image", "image_raw");
    const image: sensor_msgs.msg.Image = {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: "camera_optical" },
      height: 480,
      width: 640,
      encoding: "rgb8",
      is_bigendian: 0,
      step: 640 * 3,
      data: new Uint8Array(640 * 480 * 3),
    };
    const got = firstValueFrom(stack.node("detector").subscribe("sensor_msgs/msg/Image", "image_raw"));
    pub.publish(image);
    const received = await got;
    expect(received).toBe(image);
    expect(received.data.buffer).toBe(image.data.buffer);
  });

  it("keeps delivering to others when one subscriber's callback throws, and logs the error", async () => {
    const stack = localStack();
    setCallbackErrorLogger(new Logger({ name: "kestrel", sink: (r) => stack.logs.push(r) }));
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter");
    stack.node("bad").subscribe("std_msgs/msg/String", "chatter").subscribe(() => {
      throw new Error("boom");
    });
    const good = firstValueFrom(stack.node("good").subscribe("std_msgs/msg/String", "chatter"));
    pub.publish(text("still here"));
    expect((await good).data).toBe("still here");
    await new Promise((resolve) => setTimeout(resolve, 5)); // rxjs reports on a later macrotask
    expect(stack.logs.some((l) => l.level === "ERROR" && l.message.includes("boom"))).toBe(true);
  });

  it("releases the ROS subscription when the Observable is unsubscribed", () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter");
    const sub = stack.node("listener").subscribe("std_msgs/msg/String", "chatter").subscribe();
    expect(pub.subscriptionCount()).toBe(1);
    sub.unsubscribe();
    expect(pub.subscriptionCount()).toBe(0);
  });

  it("does not starve the event loop when callbacks publish to each other forever", async () => {
    const stack = localStack();
    const a = stack.node("a");
    const b = stack.node("b");
    const ping = a.createPublisher("std_msgs/msg/String", "ping");
    const pong = b.createPublisher("std_msgs/msg/String", "pong");
    let exchanges = 0;
    b.subscribe("std_msgs/msg/String", "ping").subscribe(() => pong.publish(text("pong")));
    a.subscribe("std_msgs/msg/String", "pong").subscribe(() => {
      exchanges++;
      ping.publish(text("ping"));
    });
    ping.publish(text("ping"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exchanges).toBeGreaterThan(1000);
    a.destroy();
    b.destroy();
  });

  it("reports each publisher's node, type and offered QoS, as `ros2 topic info -v`", () => {
    const stack = localStack();
    stack.node("map_server").createPublisher("std_msgs/msg/String", "/map_text", { durability: "transient_local", depth: 1 });
    const [info] = stack.node("recorder").backend.publishersInfoByTopic("/map_text");
    expect(info).toMatchObject({ node: "/map_server", type: "std_msgs/msg/String", qos: { durability: "transient_local", depth: 1 } });
  });

  it("lists topics with their types, as `ros2 topic list -t`", () => {
    const stack = localStack();
    const n = stack.node("n");
    n.createPublisher("geometry_msgs/msg/Twist", "cmd_vel");
    n.subscribe("sensor_msgs/msg/LaserScan", "scan").subscribe();
    expect(n.topicNamesAndTypes()).toEqual([
      { name: "/cmd_vel", types: ["geometry_msgs/msg/Twist"] },
      { name: "/scan", types: ["sensor_msgs/msg/LaserScan"] },
    ]);
  });
});
