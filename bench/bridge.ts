/**
 * Foxglove bridge throughput: messages/s and bytes/s delivered over loopback WebSockets for /scan
 * and /camera/image_raw to one and to four clients, against the embedded sim running as fast as
 * it can (real_time_factor 0). Alongside: how many the sim published on the bus in the same
 * window, and how many frames the bridge dropped for clients that could not keep up.
 * Run: npm run bench:bridge
 */
import WebSocket from "ws";
import { ComponentContainer } from "../ros/container";
import { Logger } from "../ros/logger";
import { RosNode } from "../ros/node";
import { LocalTransport } from "../ros/transport/local/backend";
import { FoxgloveBridge, FOXGLOVE_SUBPROTOCOL } from "../ros/bridge/server";
import { simNode } from "../sim/node/sim-node";
import { formatRate } from "./stats";

const TOPICS = ["/scan", "/camera/image_raw"] as const;
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 5);

interface Counts {
  messages: number;
  bytes: number;
}

async function connect(url: string): Promise<{ ws: WebSocket; counts: Map<string, Counts> }> {
  const ws = new WebSocket(url, [FOXGLOVE_SUBPROTOCOL]);
  const counts = new Map<string, Counts>(TOPICS.map((t) => [t, { messages: 0, bytes: 0 }]));
  const subTopic = new Map<number, string>();
  await new Promise<void>((resolve, reject) => {
    const ids = new Map<string, number>();
    ws.on("error", reject);
    ws.on("message", (data, isBinary) => {
      const bytes = data as Buffer;
      if (isBinary) {
        if (bytes[0] !== 1) return;
        const topic = subTopic.get(bytes.readUInt32LE(1));
        const c = topic ? counts.get(topic) : undefined;
        if (c) {
          c.messages++;
          c.bytes += bytes.byteLength - 13;
        }
        return;
      }
      const msg = JSON.parse(bytes.toString()) as { op: string; channels?: Array<{ id: number; topic: string }> };
      if (msg.op !== "advertise") return;
      for (const c of msg.channels!) ids.set(c.topic, c.id);
      if (TOPICS.every((t) => ids.has(t)) && subTopic.size === 0) {
        const subscriptions = TOPICS.map((t, i) => ({ id: i + 1, channelId: ids.get(t)! }));
        TOPICS.forEach((t, i) => subTopic.set(i + 1, t));
        ws.send(JSON.stringify({ op: "subscribe", subscriptions }));
        resolve();
      }
    });
  });
  return { ws, counts };
}

async function run(clients: number): Promise<void> {
  const transport = new LocalTransport({ logSink: () => undefined });
  const container = new ComponentContainer({ transport, registry: [simNode], logger: new Logger({ name: "bench", sink: () => undefined }) });
  const bridge = await FoxgloveBridge.start({ transport, port: 0, topicPollMs: 100, logger: new Logger({ name: "bridge", sink: () => undefined }) });
  const probe = new RosNode(transport.createNode({ name: "probe", namespace: "", rosArgs: [] }));
  const published = new Map<string, number>(TOPICS.map((t) => [t, 0]));
  const probeSubs = [
    probe.subscribe("sensor_msgs/msg/LaserScan", "/scan", "qos_profile_sensor_data").subscribe(() => published.set("/scan", published.get("/scan")! + 1)),
    probe.subscribe("sensor_msgs/msg/Image", "/camera/image_raw", "qos_profile_sensor_data").subscribe(() =>
      published.set("/camera/image_raw", published.get("/camera/image_raw")! + 1),
    ),
  ];
  await container.load({ exec: "sim", rosArgs: ["-p", "real_time_factor:=0.0"] });
  const conns = await Promise.all(Array.from({ length: clients }, () => connect(bridge.url)));
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  for (const c of conns) for (const v of c.counts.values()) (v.messages = 0), (v.bytes = 0);
  for (const t of TOPICS) published.set(t, 0);
  const droppedBefore = bridge.clientStats().reduce((a, s) => a + s.droppedMessages, 0);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const dropped = bridge.clientStats().reduce((a, s) => a + s.droppedMessages, 0) - droppedBefore;
  for (const topic of TOPICS) {
    let messages = 0;
    let bytes = 0;
    for (const c of conns) {
      messages += c.counts.get(topic)!.messages;
      bytes += c.counts.get(topic)!.bytes;
    }
    console.log(
      `  ${topic.padEnd(18)} ${clients} client(s): messages ${formatRate(messages / seconds).padStart(9)} delivered in total ` +
        `(${formatRate(messages / seconds / clients)} per client), ${(bytes / seconds / 1e6).toFixed(1).padStart(6)} MB/s; ` +
        `sim published ${formatRate(published.get(topic)! / seconds)}`,
    );
  }
  console.log(`  frames dropped for slow clients: ${dropped}`);
  for (const c of conns) c.ws.terminate();
  for (const s of probeSubs) s.unsubscribe();
  await bridge.close();
  await container.shutdown();
}

async function main(): Promise<void> {
  console.log(`Foxglove bridge throughput, loopback WebSockets, embedded sim at real_time_factor 0, ${WINDOW_S} s windows`);
  await run(1);
  await run(4);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
