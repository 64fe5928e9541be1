/**
 * The recorder node: records topics into a rosbag2 MCAP bag (ros/bag's writer: what
 * `ros2 bag record -s mcap` writes), each with its publishers' QoS, and carries episode
 * boundaries as kestrel_msgs/msg/EpisodeEvent on /episode/events, recorded like any topic.
 *
 * - `topics` lists what to record; empty (or `all`) records every topic of the graph,
 *   discovered by polling it every `discovery_period_s`. /episode/events is always recorded.
 * - Subscriptions adapt to the publishers (ros/bag/../qos.ts): best effort where a publisher is
 *   best effort, transient local for latched topics.
 * - A message that fails to serialise is logged (topic, field, reason) and skipped; the bag keeps
 *   everything else. Chunks are written as they fill (size or age), so a killed recorder leaves a
 *   readable file; an episode END also writes the open chunk.
 */
import * as path from "node:path";
import type { Subscription } from "rxjs";
import { codecFor, defaultRegistry, kestrel_msgs, type MessageCodec } from "../../msgs";
import { BagWriter, parseChunkCompression, typeDescriptionHash } from "../../ros/bag";
import { defineNode, type NodeInstance } from "../../ros/definition";
import type { MessageTypeName, RosNode } from "../../ros/node";
import { timeToNs } from "../../ros/time";
import { publisherProfiles, recorderQos } from "./qos";

export const EPISODE_TOPIC = "/episode/events";
export const EPISODE_TYPE = "kestrel_msgs/msg/EpisodeEvent";

export interface RecorderParameters extends Record<string, unknown> {
  topics: string[];
  all: boolean;
  output_dir: string;
  bag_name: string;
  compression: string;
  max_bag_size_mb: number;
  max_bag_duration_s: number;
  chunk_size_kb: number;
  chunk_duration_s: number;
  discovery_period_s: number;
  latched_topics: string[];
  ros_distro: string;
}

export interface RecorderInstance extends NodeInstance {
  /** The bag directory. */
  readonly bagPath: string;
  /** Messages recorded per topic. */
  counts(): Record<string, number>;
  /** Messages skipped because they failed to serialise, per topic. */
  skipped(): Record<string, number>;
  /** Publishes an episode event on /episode/events (recorded like any message). */
  markEpisode(event: { event: "start" | "end"; episodeId: string; outcome?: string; returnValue?: number }): void;
  /** Subscribes to newly published topics now (discovery also runs on a timer). */
  discover(): void;
  /** Writes the open chunk now. */
  flush(): void;
  readonly writer: BagWriter;
}

function defaultBagName(): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, "0");
  return `rosbag2_${d.getFullYear()}_${two(d.getMonth() + 1)}_${two(d.getDate())}-${two(d.getHours())}_${two(d.getMinutes())}_${two(d.getSeconds())}`;
}

/** Starts recording on `node` (the node definition's start, usable directly in tests). */
export async function startRecorder(node: RosNode, p: Readonly<RecorderParameters>): Promise<RecorderInstance> {
  const bagPath = path.resolve(p.output_dir, p.bag_name || defaultBagName());
  const writer = await BagWriter.open({
    uri: bagPath,
    compression: parseChunkCompression(p.compression),
    chunkSizeBytes: Math.max(1, Math.round(p.chunk_size_kb * 1024)),
    chunkDurationMs: p.chunk_duration_s * 1000,
    maxFileSizeBytes: Math.round(p.max_bag_size_mb * 1024 * 1024),
    maxFileDurationNs: BigInt(Math.round(p.max_bag_duration_s * 1e9)),
    rosDistro: p.ros_distro,
  });
  const registry = defaultRegistry();
  const subscriptions = new Map<string, Subscription>();
  const counts = new Map<string, number>();
  const skipped = new Map<string, number>();
  const refused = new Set<string>();
  const explicit = p.all || p.topics.length === 0 ? undefined : new Set([...p.topics.map((t) => node.resolveTopicName(t)), EPISODE_TOPIC]);
  let stopped = false;

  const record = (topic: string, type: string): void => {
    if (subscriptions.has(topic) || stopped) return;
    let codec: MessageCodec;
    let schemaText: string;
    try {
      codec = codecFor(type, registry);
      schemaText = registry.schemaText(type);
    } catch (error) {
      if (!refused.has(topic)) {
        refused.add(topic);
        node.logger.warn(`not recording '${topic}': type ${type} has no known definition (${error instanceof Error ? error.message : String(error)})`);
      }
      return;
    }
    const offered = publisherProfiles(node, topic);
    const qos = recorderQos(offered, topic, p.latched_topics);
    writer.addTopic({
      name: topic,
      type,
      offeredQos: offered && offered.length > 0 ? offered : [qos],
      schemaText,
      typeDescriptionHash: typeDescriptionHash(registry, type) ?? "",
    });
    counts.set(topic, 0);
    const subscription = node.subscribe(type as MessageTypeName, topic, qos).subscribe((message) => {
      if (stopped) return;
      let data: Uint8Array;
      try {
        data = codec.serialize(message);
      } catch (error) {
        skipped.set(topic, (skipped.get(topic) ?? 0) + 1);
        node.logger.error(`skipped a message on '${topic}' that cannot be serialised as ${type}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      try {
        writer.write(topic, data, timeToNs(node.now()));
        counts.set(topic, (counts.get(topic) ?? 0) + 1);
      } catch (error) {
        node.logger.error(`could not write a message of '${topic}' to ${bagPath}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (type === EPISODE_TYPE && (message as { event?: number }).event === kestrel_msgs.msg.EpisodeEvent.END) writer.flushChunk();
    });
    subscriptions.set(topic, subscription);
    node.logger.info(`recording '${topic}' (${type}, ${qos.reliability}, ${qos.durability})`);
  };

  const discover = (): void => {
    for (const { name, types } of node.topicNamesAndTypes()) {
      if (explicit && !explicit.has(name)) continue;
      if (types.length !== 1) {
        if (!refused.has(name) && types.length > 1) {
          refused.add(name);
          node.logger.warn(`not recording '${name}': more than one type on the topic (${types.join(", ")})`);
        }
        continue;
      }
      record(name, types[0]!);
    }
  };

  // The episode topic is always recorded, even before anyone publishes on it.
  const episodes = node.createPublisher(EPISODE_TYPE, EPISODE_TOPIC);
  discover();
  const discovery = node.createTimer(p.discovery_period_s * 1000, discover);
  // Chunk age is wall-clock: bounded loss even when sim time stalls.
  const ticker = setInterval(() => writer.tick(), Math.max(50, Math.min(1000, (p.chunk_duration_s * 1000) / 4)));
  ticker.unref();
  node.logger.info(`recording to ${bagPath} (${p.compression} chunks)${explicit ? `: ${[...explicit].join(", ")}` : ": all topics"}`);

  const perTopic = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    bagPath,
    writer,
    counts: () => perTopic(counts),
    skipped: () => perTopic(skipped),
    discover,
    flush: () => writer.flushChunk(),
    markEpisode({ event, episodeId, outcome, returnValue }) {
      episodes.publish({
        header: { stamp: node.now(), frame_id: "" },
        event: event === "start" ? kestrel_msgs.msg.EpisodeEvent.START : kestrel_msgs.msg.EpisodeEvent.END,
        episode_id: episodeId,
        outcome: outcome ?? "",
        return_value: returnValue ?? 0,
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      discovery.cancel();
      clearInterval(ticker);
      for (const s of subscriptions.values()) s.unsubscribe();
      writer.close();
      node.logger.info(`bag closed: ${bagPath}`);
    },
    summary() {
      const meta = writer.metadata();
      const files = writer.files.map((f) => path.relative(process.cwd(), f) || f).join(", ");
      const topics = Object.entries(perTopic(counts)).map(([t, n]) => `${t} ${n}`).join(", ");
      const bad = [...skipped.values()].reduce((a, b) => a + b, 0);
      return `bag ${files}: ${meta.messageCount} messages (${topics || "none"})${bad > 0 ? `, ${bad} skipped (not serialisable)` : ""}`;
    },
  };
}

export const recorderNode = defineNode<RecorderParameters>({
  name: "recorder",
  description: "Records topics (and /episode/events) into a rosbag2 MCAP bag, as ros2 bag record does",
  parameters: {
    type: "object",
    properties: {
      topics: { type: "array", items: { type: "string" }, default: [], description: "Topics to record; empty records every topic (discovered as they appear)", readOnly: true },
      all: { type: "boolean", default: false, description: "Record every topic of the graph (as ros2 bag record --all)", readOnly: true },
      output_dir: { type: "string", default: "bags", description: "Directory the bag directory is created in", readOnly: true },
      bag_name: { type: "string", default: "", description: "Bag directory name; empty: rosbag2_YYYY_MM_DD-HH_MM_SS", readOnly: true },
      compression: { type: "string", enum: ["zstd", "lz4", "none"], default: "zstd", description: "MCAP chunk compression", readOnly: true },
      max_bag_size_mb: { type: "number", default: 0, minimum: 0, description: "Split into a new file at this size (MiB); 0: no split", readOnly: true },
      max_bag_duration_s: { type: "number", default: 0, minimum: 0, description: "Split into a new file after this much recorded time (s); 0: no split", readOnly: true },
      chunk_size_kb: { type: "number", default: 1024, exclusiveMinimum: 0, description: "Write a chunk once it holds this much data (KiB, uncompressed)", readOnly: true },
      chunk_duration_s: { type: "number", default: 1.0, minimum: 0, description: "Write a chunk once it is this old (s, wall clock): bounds what a crash can lose; 0: size only", readOnly: true },
      discovery_period_s: { type: "number", default: 0.5, exclusiveMinimum: 0, description: "How often the graph is polled for new topics (s)", readOnly: true },
      latched_topics: { type: "array", items: { type: "string" }, default: ["/map", "/tf_static", "/robot_description"], description: "Topics subscribed transient-local when the transport cannot report publisher QoS", readOnly: true },
      ros_distro: { type: "string", default: "jazzy", description: "ros_distro written to metadata.yaml", readOnly: true },
    },
  },
  start: (node, params) => startRecorder(node, params.values),
});
