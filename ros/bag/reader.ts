/**
 * Reads rosbag2 bags: MCAP (indexed through the summary when the file has one, streamed record by
 * record otherwise — a recording cut short by a crash or SIGKILL reads up to its last complete
 * chunk and the truncation is reported) and sqlite3 `.db3` (Humble's default; topics/messages
 * tables, definitions from the `message_definitions` table of newer bags, else Kestrel's
 * registry, whose definitions are Jazzy's: wire-identical for the standard types Humble records).
 *
 * A channel that cannot be decoded — its schema does not parse (a service-event channel whose
 * schema is .srv text with `---`), or its type has no definition in the bag or the registry — is
 * reported once in `problems` (channel, type, why) and its messages are skipped; the rest reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { McapIndexedReader, McapStreamReader, type McapTypes } from "@mcap/core";
import { defaultRegistry } from "../../msgs/default-registry";
import { MessageCodec } from "../../msgs/cdr";
import { MessageRegistry } from "../../msgs/registry";
import type { QosProfile } from "../qos";
import { decompressHandlers } from "./compression";
import { parseMetadata, type BagMetadata } from "./metadata";
import { parseOfferedQos } from "./qos-yaml";

export interface BagMessage {
  topic: string;
  type: string;
  logTimeNs: bigint;
  /** MCAP publish_time (db3 bags have only the receive time: equal to logTimeNs). */
  publishTimeNs: bigint;
  /** The serialized message (CDR with its 4-byte encapsulation header). */
  data: Uint8Array;
  /** The message object, when the reader was opened with `decode: true`. */
  decoded?: unknown;
}

/** A channel that is skipped, and why. */
export interface BagProblem {
  topic: string;
  type: string;
  file: string;
  reason: string;
}

export interface BagTopicInfo {
  name: string;
  type: string;
  serializationFormat: string;
  messageCount: number;
  offeredQos: QosProfile[];
  typeDescriptionHash: string;
  /** Whether its messages are read (false: see problems). */
  readable: boolean;
}

export interface BagFileSummary {
  path: string;
  sizeBytes: number;
  messageCount: number;
  /** Set when an MCAP file has no summary and ends mid-record (a killed recorder). */
  truncated?: string;
}

export interface BagInfo {
  /** The bag directory (or the file's directory for a single file). */
  uri: string;
  storageIdentifier: "mcap" | "sqlite3";
  files: BagFileSummary[];
  sizeBytes: number;
  messageCount: number;
  /** ns since epoch of the first / last message (0 when empty). */
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  topics: BagTopicInfo[];
  rosDistro: string;
  /** metadata.yaml, when the bag has one. */
  metadata?: BagMetadata;
}

export interface OpenBagOptions {
  /** Decode every message (`decoded`); default false. */
  decode?: boolean;
  /** Where definitions come from when the bag carries none (default: Kestrel's registry). */
  registry?: MessageRegistry;
}

interface ChannelReading {
  topic: string;
  type: string;
  codec?: MessageCodec;
  problem?: string;
}

interface FileSource {
  summary: BagFileSummary;
  topics: Map<string, BagTopicInfo>;
  startNs: bigint;
  endNs: bigint;
  read(decode: boolean): AsyncGenerator<BagMessage>;
}

/** What definition problems look like in one line. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A codec for a channel from its schema (ros2msg) or the registry, or the reason there is none. */
function codecFor(type: string, schemaEncoding: string, schemaText: string, registry: MessageRegistry): { codec?: MessageCodec; problem?: string } {
  if (schemaEncoding === "ros2msg" && schemaText.trim() !== "") {
    if (/^---\s*$/m.test(schemaText)) {
      return { problem: `schema is service/action text ('---' separates request and response), not a message definition` };
    }
    try {
      return { codec: new MessageCodec(MessageRegistry.fromSchema(type, schemaText), type) };
    } catch (error) {
      return { problem: `schema cannot be parsed: ${describe(error)}` };
    }
  }
  if (schemaEncoding !== "" && schemaEncoding !== "ros2msg") {
    return { problem: `schema encoding '${schemaEncoding}' is not supported (expected ros2msg)` };
  }
  try {
    if (!registry.has(type)) return { problem: `no definition in the bag and none known to Kestrel for this type` };
    return { codec: new MessageCodec(registry, type) };
  } catch (error) {
    return { problem: `no usable definition: ${describe(error)}` };
  }
}

const fileReadable = (bytes: Uint8Array): McapTypes.IReadable => ({
  size: async () => BigInt(bytes.byteLength),
  read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
});

async function mcapSource(file: string, registry: MessageRegistry, problems: BagProblem[]): Promise<FileSource> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const handlers = await decompressHandlers();
  const summary: BagFileSummary = { path: file, sizeBytes: bytes.byteLength, messageCount: 0 };
  const topics = new Map<string, BagTopicInfo>();
  const channels = new Map<number, ChannelReading>();
  const reported = new Set<string>();
  const addChannel = (channel: McapTypes.Channel, schema: McapTypes.Schema | undefined): ChannelReading => {
    const type = schema?.name ?? "";
    const text = schema ? new TextDecoder().decode(schema.data) : "";
    const { codec, problem } = codecFor(type, schema?.encoding ?? "", text, registry);
    const reading: ChannelReading = { topic: channel.topic, type, ...(codec ? { codec } : {}), ...(problem ? { problem } : {}) };
    channels.set(channel.id, reading);
    if (problem && !reported.has(channel.topic)) {
      reported.add(channel.topic);
      problems.push({ topic: channel.topic, type, file, reason: problem });
    }
    if (!topics.has(channel.topic)) {
      topics.set(channel.topic, {
        name: channel.topic,
        type,
        serializationFormat: channel.messageEncoding,
        messageCount: 0,
        offeredQos: parseOfferedQos(channel.metadata.get("offered_qos_profiles") ?? ""),
        typeDescriptionHash: channel.metadata.get("topic_type_hash") ?? "",
        readable: problem === undefined,
      });
    }
    return reading;
  };
  const toMessage = (reading: ChannelReading, m: McapTypes.Message, decode: boolean): BagMessage => {
    const out: BagMessage = { topic: reading.topic, type: reading.type, logTimeNs: m.logTime, publishTimeNs: m.publishTime, data: m.data };
    if (decode && reading.codec) out.decoded = reading.codec.deserialize(m.data);
    return out;
  };

  let indexed: McapIndexedReader | undefined;
  try {
    indexed = await McapIndexedReader.Initialize({ readable: fileReadable(bytes), decompressHandlers: handlers });
  } catch {
    indexed = undefined;
  }
  if (indexed) {
    const reader = indexed;
    for (const channel of reader.channelsById.values()) addChannel(channel, reader.schemasById.get(channel.schemaId));
    const stats = reader.statistics;
    for (const [id, count] of stats?.channelMessageCounts ?? []) {
      const c = channels.get(id);
      if (c) topics.get(c.topic)!.messageCount += Number(count);
    }
    summary.messageCount = Number(stats?.messageCount ?? 0n);
    return {
      summary,
      topics,
      startNs: stats && stats.messageCount > 0n ? stats.messageStartTime : 0n,
      endNs: stats && stats.messageCount > 0n ? stats.messageEndTime : 0n,
      async *read(decode) {
        for await (const m of reader.readMessages()) {
          const reading = channels.get(m.channelId);
          if (!reading || reading.problem) continue;
          yield toMessage(reading, m, decode);
        }
      },
    };
  }

  // No summary: stream the records and stop cleanly where the file ends.
  const messages: Array<{ reading: ChannelReading; m: McapTypes.Message }> = [];
  const schemas = new Map<number, McapTypes.Schema>();
  const stream = new McapStreamReader({ decompressHandlers: handlers });
  stream.append(bytes);
  let startNs = 0n;
  let endNs = 0n;
  try {
    for (let record; (record = stream.nextRecord()); ) {
      if (record.type === "Schema") schemas.set(record.id, record);
      else if (record.type === "Channel") {
        if (!channels.has(record.id)) addChannel(record, schemas.get(record.schemaId));
      } else if (record.type === "Message") {
        const reading = channels.get(record.channelId);
        if (!reading) continue;
        const info = topics.get(reading.topic)!;
        info.messageCount++;
        summary.messageCount++;
        if (summary.messageCount === 1 || record.logTime < startNs) startNs = record.logTime;
        if (record.logTime > endNs) endNs = record.logTime;
        if (!reading.problem) messages.push({ reading, m: record });
      } else if (record.type === "DataEnd") break;
    }
    if (!stream.done()) {
      summary.truncated = `no summary or footer: the file ends ${stream.bytesRemaining()} byte(s) into an incomplete record (a recording that was cut short); read up to the last complete chunk`;
    }
  } catch (error) {
    summary.truncated = `stopped at a damaged record: ${describe(error)}; read what came before`;
  }
  return {
    summary,
    topics,
    startNs,
    endNs,
    async *read(decode) {
      for (const { reading, m } of messages) yield toMessage(reading, m, decode);
    },
  };
}

type SqlJsStatic = Awaited<ReturnType<typeof import("sql.js")["default"]>>;
let sqlJs: Promise<SqlJsStatic> | undefined;

async function db3Source(file: string, registry: MessageRegistry, problems: BagProblem[]): Promise<FileSource & { distro: string }> {
  sqlJs ??= import("sql.js").then((m) => m.default());
  const SQL = await sqlJs;
  const db = new SQL.Database(fs.readFileSync(file));
  const rows = (sql: string): Array<Record<string, unknown>> => {
    const out: Array<Record<string, unknown>> = [];
    const stmt = db.prepare(sql);
    while (stmt.step()) out.push(stmt.getAsObject());
    stmt.free();
    return out;
  };
  const tables = new Set(rows("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r.name)));
  if (!tables.has("topics") || !tables.has("messages")) throw new Error(`${file}: not a rosbag2 sqlite3 bag (no topics/messages tables)`);
  const distro = tables.has("schema") ? String(rows("SELECT ros_distro FROM schema LIMIT 1")[0]?.ros_distro ?? "") : "";
  const definitions = new Map<string, { encoding: string; text: string }>();
  if (tables.has("message_definitions")) {
    for (const r of rows("SELECT topic_type, encoding, encoded_message_definition FROM message_definitions")) {
      definitions.set(String(r.topic_type), { encoding: String(r.encoding), text: String(r.encoded_message_definition) });
    }
  }
  const topicRows = rows("SELECT * FROM topics ORDER BY id");
  const counts = new Map(rows("SELECT topic_id, COUNT(*) AS n FROM messages GROUP BY topic_id").map((r) => [Number(r.topic_id), Number(r.n)]));
  const byId = new Map<number, ChannelReading>();
  const topics = new Map<string, BagTopicInfo>();
  for (const r of topicRows) {
    const name = String(r.name);
    const type = String(r.type);
    const def = definitions.get(type);
    const { codec, problem } = codecFor(type, def?.encoding ?? "", def?.text ?? "", registry);
    const reason = problem && !def ? `${problem} (the bag carries no definitions${distro ? `; recorded with ${distro}` : ""})` : problem;
    if (reason) problems.push({ topic: name, type, file, reason });
    byId.set(Number(r.id), { topic: name, type, ...(codec ? { codec } : {}), ...(reason ? { problem: reason } : {}) });
    topics.set(name, {
      name,
      type,
      serializationFormat: String(r.serialization_format),
      messageCount: counts.get(Number(r.id)) ?? 0,
      offeredQos: parseOfferedQos(String(r.offered_qos_profiles ?? "")),
      typeDescriptionHash: r.type_description_hash === undefined ? "" : String(r.type_description_hash),
      readable: reason === undefined,
    });
  }
  // Timestamps as text: they exceed 2^53 and sql.js would round them to doubles.
  const span = rows("SELECT CAST(MIN(timestamp) AS TEXT) AS a, CAST(MAX(timestamp) AS TEXT) AS b, COUNT(*) AS n FROM messages")[0] ?? {};
  const messageCount = Number(span.n ?? 0);
  return {
    distro,
    summary: { path: file, sizeBytes: fs.statSync(file).size, messageCount },
    topics,
    startNs: messageCount > 0 ? BigInt(String(span.a)) : 0n,
    endNs: messageCount > 0 ? BigInt(String(span.b)) : 0n,
    async *read(decode) {
      const stmt = db.prepare("SELECT topic_id, CAST(timestamp AS TEXT) AS t, data FROM messages ORDER BY timestamp, id");
      try {
        while (stmt.step()) {
          const [topicId, t, data] = stmt.get() as [number, string, Uint8Array];
          const reading = byId.get(Number(topicId));
          if (!reading || reading.problem) continue;
          const logTimeNs = BigInt(t);
          const out: BagMessage = { topic: reading.topic, type: reading.type, logTimeNs, publishTimeNs: logTimeNs, data };
          if (decode && reading.codec) out.decoded = reading.codec.deserialize(data);
          yield out;
        }
      } finally {
        stmt.free();
      }
    },
  };
}

/** Files of a bag: those metadata.yaml lists, else every .mcap/.db3 in the directory; or the one file given. */
function bagFiles(target: string): { uri: string; files: string[]; metadata?: BagMetadata } {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return { uri: path.dirname(target), files: [target] };
  const metaFile = path.join(target, "metadata.yaml");
  let metadata: BagMetadata | undefined;
  if (fs.existsSync(metaFile)) {
    try {
      metadata = parseMetadata(fs.readFileSync(metaFile, "utf8"));
    } catch (error) {
      throw new Error(`${metaFile}: not a rosbag2 metadata file: ${describe(error)}`);
    }
  }
  const listed = metadata?.relativeFilePaths.map((p) => path.join(target, p)).filter((p) => fs.existsSync(p)) ?? [];
  const files =
    listed.length > 0
      ? listed
      : fs
          .readdirSync(target)
          .filter((n) => n.endsWith(".mcap") || n.endsWith(".db3"))
          .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
          .map((n) => path.join(target, n));
  if (files.length === 0) throw new Error(`${target}: no .mcap or .db3 files (not a rosbag2 bag)`);
  return { uri: target, files, ...(metadata ? { metadata } : {}) };
}

export class BagReader {
  private constructor(
    readonly info: BagInfo,
    /** Channels that are skipped, each reported once. */
    readonly problems: BagProblem[],
    private readonly sources: FileSource[],
    private readonly decode: boolean,
  ) {}

  static async open(target: string, options: OpenBagOptions = {}): Promise<BagReader> {
    const { uri, files, metadata } = bagFiles(target);
    const registry = options.registry ?? defaultRegistry();
    const problems: BagProblem[] = [];
    const sources: FileSource[] = [];
    let distro = metadata?.rosDistro ?? "";
    const isDb3 = files.every((f) => f.endsWith(".db3"));
    for (const file of files) {
      if (file.endsWith(".db3")) {
        const source = await db3Source(file, registry, problems);
        distro ||= source.distro;
        sources.push(source);
      } else sources.push(await mcapSource(file, registry, problems));
    }
    // A topic skipped in one file is reported once for the bag.
    const seen = new Set<string>();
    const unique = problems.filter((p) => (seen.has(p.topic) ? false : (seen.add(p.topic), true)));
    const topics = new Map<string, BagTopicInfo>();
    for (const s of sources) {
      for (const t of s.topics.values()) {
        const known = topics.get(t.name);
        if (known) {
          known.messageCount += t.messageCount;
          known.readable &&= t.readable;
        } else topics.set(t.name, { ...t });
      }
    }
    // metadata.yaml carries QoS and hashes for db3 topics too; fill what the storage lacked.
    for (const entry of metadata?.topics ?? []) {
      const t = topics.get(entry.topic.name);
      if (!t) continue;
      if (t.offeredQos.length === 0) t.offeredQos = entry.topic.offeredQos;
      if (!t.typeDescriptionHash) t.typeDescriptionHash = entry.topic.typeDescriptionHash;
    }
    const withMessages = sources.filter((s) => s.summary.messageCount > 0);
    const startNs = withMessages.length ? withMessages.map((s) => s.startNs).reduce((a, b) => (a < b ? a : b)) : 0n;
    const endNs = withMessages.length ? withMessages.map((s) => s.endNs).reduce((a, b) => (a > b ? a : b)) : 0n;
    const info: BagInfo = {
      uri,
      storageIdentifier: isDb3 ? "sqlite3" : "mcap",
      files: sources.map((s) => s.summary),
      sizeBytes: sources.reduce((n, s) => n + s.summary.sizeBytes, 0),
      messageCount: sources.reduce((n, s) => n + s.summary.messageCount, 0),
      startNs,
      endNs,
      durationNs: endNs - startNs,
      topics: [...topics.values()],
      rosDistro: distro,
      ...(metadata ? { metadata } : {}),
    };
    return new BagReader(info, unique, sources, options.decode === true);
  }

  /** Messages of the readable channels, file after file (each file in log-time order when indexed). */
  async *messages(filter?: { topics?: readonly string[] }): AsyncGenerator<BagMessage> {
    const wanted = filter?.topics ? new Set(filter.topics) : undefined;
    for (const source of this.sources) {
      for await (const m of source.read(this.decode)) {
        if (!wanted || wanted.has(m.topic)) yield m;
      }
    }
  }

  /** Every message, in memory. */
  async readAll(filter?: { topics?: readonly string[] }): Promise<BagMessage[]> {
    const out: BagMessage[] = [];
    for await (const m of this.messages(filter)) out.push(m);
    return out;
  }
}

/** Opens a bag directory, an .mcap file or a .db3 file. */
export function openBag(target: string, options?: OpenBagOptions): Promise<BagReader> {
  return BagReader.open(target, options);
}
