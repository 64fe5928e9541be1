/**
 * In-process transport benchmark: publish-to-callback latency (p50, p99) for a small message and
 * for a 640x480 rgb8 Image, whether the Image is copied, and messages per second.
 * Run: npm run bench:transport. Goal (issue 2): p50 under 20 µs for small messages, Image not copied.
 */
import type { sensor_msgs } from "../msgs/generated/types";
import { RosNode, type MessageOf, type MessageTypeName } from "../ros/node";
import { LocalTransport } from "../ros/transport/local/backend";
import { formatMicros, formatRate, quantile } from "./stats";

const WARMUP = 5_000;
const SAMPLES = 50_000;

function makeNodes(transport: LocalTransport): { pubNode: RosNode; subNode: RosNode } {
  const mk = (name: string): RosNode => new RosNode(transport.createNode({ name, namespace: "", rosArgs: [] }));
  return { pubNode: mk("bench_pub"), subNode: mk("bench_sub") };
}

/** Latency of one publish → callback at a time; also reports whether the callback saw the very object. */
async function latency<K extends MessageTypeName>(
  type: K,
  message: MessageOf<K>,
  samples: number,
): Promise<{ p50: number; p99: number; sameObject: boolean }> {
  const transport = new LocalTransport();
  const { pubNode, subNode } = makeNodes(transport);
  const pub = pubNode.createPublisher(type, "bench");
  let t0 = 0n;
  let resolve: (() => void) | undefined;
  let sameObject = true;
  const times = new Float64Array(samples);
  let i = -WARMUP;
  subNode.subscribe(type, "bench").subscribe((received) => {
    const dt = Number(process.hrtime.bigint() - t0);
    if (i >= 0) times[i] = dt;
    sameObject &&= received === message;
    resolve?.();
  });
  for (; i < samples; i++) {
    const delivered = new Promise<void>((r) => (resolve = r));
    t0 = process.hrtime.bigint();
    pub.publish(message);
    await delivered;
  }
  await transport.shutdown();
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), sameObject };
}

/** Sustained throughput: bursts of publishes drained by one subscriber (keep_all, nothing dropped). */
async function throughput(messages: number): Promise<number> {
  const transport = new LocalTransport();
  const { pubNode, subNode } = makeNodes(transport);
  const pub = pubNode.createPublisher("geometry_msgs/msg/Twist", "bench");
  let received = 0;
  subNode.subscribe("geometry_msgs/msg/Twist", "bench", { history: "keep_all" }).subscribe(() => received++);
  const twist = { linear: { x: 0.2, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.1 } };
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < messages; sent += 1000) {
    for (let k = 0; k < 1000; k++) pub.publish(twist);
    await transport.bus.flush();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await transport.shutdown();
  if (received !== messages) throw new Error(`throughput: expected ${messages} deliveries, counted ${received}`);
  return messages / seconds;
}

async function main(): Promise<void> {
  const twist = { linear: { x: 0.2, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.1 } };
  const image: sensor_msgs.msg.Image = {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "camera_optical_frame" },
    height: 480,
    width: 640,
    encoding: "rgb8",
    is_bigendian: 0,
    step: 640 * 3,
    data: new Uint8Array(640 * 480 * 3),
  };
  const small = await latency("geometry_msgs/msg/Twist", twist, SAMPLES);
  const big = await latency("sensor_msgs/msg/Image", image, SAMPLES / 5);
  const rate = await throughput(1_000_000);
  const goal = small.p50 < 20_000 ? "met" : "NOT met";
  process.stdout.write(
    [
      "bench/transport — embedded bus, publish → subscription callback, one process",
      `  Twist (small):       p50 ${formatMicros(small.p50)}  p99 ${formatMicros(small.p99)}  (goal p50 < 20 µs: ${goal})`,
      `  Image 640x480 rgb8:  p50 ${formatMicros(big.p50)}  p99 ${formatMicros(big.p99)}  copied: ${big.sameObject ? "no (subscriber got the publisher's buffer)" : "YES"}`,
      `  throughput (Twist, bursts of 1000, keep_all): ${formatRate(rate)} messages`,
      "  peer: none here (no ROS 2 on this machine); rclcpp intra-process is the reference on a robot.",
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/transport failed: ${String(error)}\n`);
  process.exit(1);
});
