/**
 * A rosbag2 MCAP writer: what `ros2 bag record -s mcap` writes (Jazzy), from TypeScript.
 *
 * - File: Header (profile "ros2"), a "rosbag2" Metadata record at the start (empty bag info) and
 *   one at the end (the bag info at close), Schema records (encoding "ros2msg", the full
 *   dependency text) and Channel records (message encoding "cdr", metadata
 *   `offered_qos_profiles` as Jazzy's YAML and `topic_type_hash` when known), Messages in
 *   chunks (zstd, lz4 or none) each followed by its MessageIndex records, then DataEnd and the
 *   summary (Schemas, Channels, Statistics, ChunkIndexes, MetadataIndexes, SummaryOffsets, Footer).
 * - Crash safety: Schema and Channel records go to disk (outside chunks) the moment a topic is
 *   added, and every chunk is written (and fsync'ed, by default) as soon as it is full by size or
 *   by age (`chunkDurationMs`, checked on every write and by tick()). A process killed with
 *   SIGKILL leaves a file without summary whose completed chunks all read back (see reader.ts).
 * - Splitting by file size or by duration into `<bag>_0.mcap`, `<bag>_1.mcap`, ...; every file
 *   re-declares all topics. metadata.yaml (version 9) is written at open, at each split and at close.
 *
 * Writes are synchronous (fs.writeSync): a recorder callback returns with its message in the
 * chunk buffer, and a completed chunk is on disk before the next message is taken.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { McapChunkBuilder, McapConstants, McapRecordBuilder, type McapTypes } from "@mcap/core";
import type { QosProfile } from "../qos";
import { loadCompression, type ChunkCompression, type Compressor } from "./compression";
import { crc32, crc32Final, crc32Init, crc32Update } from "./crc32";
import { metadataYaml, METADATA_VERSION, NO_START_NS, serializedMetadata, type BagFileInfo, type BagMetadata } from "./metadata";
import { offeredQosYaml } from "./qos-yaml";

const { Opcode } = McapConstants;

/** Identifies this writer in the MCAP header's free-form `library` field. */
export const KESTREL_MCAP_LIBRARY = "kestrel rosbag2 mcap writer 0.1.0 (@mcap/core record builder)";

export interface BagTopic {
  /** Fully resolved topic name. */
  name: string;
  /** `pkg/msg/Type`. */
  type: string;
  /** "cdr" (the only format rosbag2 records by default). */
  serializationFormat?: string;
  /** The publishers' offered QoS profiles (one per publisher, as rosbag2 stores them). */
  offeredQos: QosProfile[];
  /** The `ros2msg` schema: the type's .msg text followed by its dependencies. */
  schemaText: string;
  /** RIHS01_... when known ("" otherwise, as rosbag2 writes for types without one). */
  typeDescriptionHash?: string;
}

export interface BagWriterOptions {
  /** The bag directory (created; refused when it exists and is not empty, as ros2 bag record does). */
  uri: string;
  compression?: ChunkCompression;
  /** A chunk is written once its uncompressed size reaches this (bytes). Default 1 MiB. */
  chunkSizeBytes?: number;
  /** A chunk is written once it has been open this long (wall clock, ms). Default 1000. 0 = no age bound. */
  chunkDurationMs?: number;
  /** Start a new file once the current one reaches this size (bytes). 0 = no split. */
  maxFileSizeBytes?: number;
  /** Start a new file once it spans this much log time (ns). 0 = no split. */
  maxFileDurationNs?: bigint;
  /** `ros_distro` of metadata.yaml (default "jazzy"). */
  rosDistro?: string;
  /** fsync every completed chunk (default true): survives power loss, not only a killed process. */
  fsync?: boolean;
  /** MCAP header library string. */
  library?: string;
  /** Wall clock for the chunk age bound (tests). */
  nowMs?: () => number;
}

interface TopicState {
  topic: BagTopic;
  /** Messages over the whole bag. */
  count: number;
}

interface FileStats {
  messageCount: number;
  startNs: bigint;
  endNs: bigint;
}

/** One MCAP file of the bag. */
class McapFile {
  private readonly fd: number;
  private position = 0n;
  private dataCrc = crc32Init();
  private readonly builder = new McapRecordBuilder();
  private readonly chunk = new McapChunkBuilder({ useMessageIndex: true });
  private chunkOpenedMs = 0;
  private readonly schemas = new Map<string, McapTypes.Schema>();
  private readonly channels = new Map<string, McapTypes.Channel>();
  private readonly chunkIndexes: McapTypes.ChunkIndex[] = [];
  private readonly metadataIndexes: McapTypes.MetadataIndex[] = [];
  private readonly channelCounts = new Map<number, bigint>();
  private metadataCount = 0;
  readonly stats: FileStats = { messageCount: 0, startNs: NO_START_NS, endNs: 0n };
  private closed = false;

  constructor(
    readonly file: string,
    private readonly compressor: Compressor,
    private readonly options: { fsync: boolean; library: string; nowMs: () => number; chunkSizeBytes: number; chunkDurationMs: number },
    startMetadata: string,
  ) {
    this.fd = fs.openSync(file, "wx");
    this.builder.writeMagic();
    this.builder.writeHeader({ profile: "ros2", library: options.library });
    this.emit(true);
    this.writeMetadata(startMetadata);
    this.sync();
  }

  get size(): bigint {
    return this.position + BigInt(this.chunk.byteLength);
  }

  /** Writes the builder's bytes to disk and resets it. */
  private emit(dataSection: boolean): void {
    const bytes = this.builder.buffer;
    if (dataSection) this.dataCrc = crc32Update(this.dataCrc, bytes);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
    this.position += BigInt(bytes.length);
    this.builder.reset();
  }

  private sync(): void {
    if (this.options.fsync) fs.fsyncSync(this.fd);
  }

  private writeMetadata(serialized: string): void {
    const offset = this.position;
    const length = this.builder.writeMetadata({ name: "rosbag2", metadata: new Map([["serialized_metadata", serialized]]) });
    this.emit(true);
    this.metadataIndexes.push({ offset, length, name: "rosbag2" });
    this.metadataCount++;
  }

  /** Declares a topic: Schema (once per type) and Channel records, on disk at once. */
  addTopic(topic: BagTopic): void {
    if (this.channels.has(topic.name)) return;
    let schema = this.schemas.get(topic.type);
    if (!schema) {
      schema = { id: this.schemas.size + 1, name: topic.type, encoding: "ros2msg", data: new TextEncoder().encode(topic.schemaText) };
      this.schemas.set(topic.type, schema);
      this.builder.writeSchema(schema);
    }
    const metadata = new Map<string, string>([["offered_qos_profiles", offeredQosYaml(topic.offeredQos)]]);
    if (topic.typeDescriptionHash) metadata.set("topic_type_hash", topic.typeDescriptionHash);
    const channel: McapTypes.Channel = {
      id: this.channels.size + 1,
      schemaId: schema.id,
      topic: topic.name,
      messageEncoding: topic.serializationFormat ?? "cdr",
      metadata,
    };
    this.channels.set(topic.name, channel);
    this.builder.writeChannel(channel);
    this.emit(true);
  }

  write(topic: string, data: Uint8Array, logTimeNs: bigint, publishTimeNs: bigint, sequence: number): void {
    const channel = this.channels.get(topic);
    if (!channel) throw new Error(`bag file ${this.file}: topic '${topic}' was not added`);
    if (this.chunk.numMessages === 0) this.chunkOpenedMs = this.options.nowMs();
    this.chunk.addMessage({ channelId: channel.id, sequence, logTime: logTimeNs, publishTime: publishTimeNs, data });
    this.channelCounts.set(channel.id, (this.channelCounts.get(channel.id) ?? 0n) + 1n);
    const s = this.stats;
    s.messageCount++;
    if (logTimeNs < s.startNs) s.startNs = logTimeNs;
    if (logTimeNs > s.endNs) s.endNs = logTimeNs;
    if (this.chunk.byteLength >= this.options.chunkSizeBytes) this.finishChunk();
    else this.tick();
  }

  /** Writes the open chunk if it is older than the age bound. */
  tick(): void {
    const limit = this.options.chunkDurationMs;
    if (limit > 0 && this.chunk.numMessages > 0 && this.options.nowMs() - this.chunkOpenedMs >= limit) this.finishChunk();
  }

  /** Compresses and writes the open chunk and its message indexes (no-op when empty). */
  finishChunk(): void {
    if (this.chunk.numMessages === 0) return;
    const records = this.chunk.buffer;
    const compressed = this.compressor.compress(records);
    const chunkStartOffset = this.position;
    const chunkLength = this.builder.writeChunk({
      messageStartTime: this.chunk.messageStartTime,
      messageEndTime: this.chunk.messageEndTime,
      uncompressedSize: BigInt(records.byteLength),
      uncompressedCrc: crc32(records),
      compression: this.compressor.name,
      records: compressed,
    });
    this.emit(true);
    const messageIndexOffsets = new Map<number, bigint>();
    const indexStart = this.position;
    let messageIndexLength = 0n;
    for (const index of this.chunk.indices) {
      if (index.records.length === 0) continue;
      messageIndexOffsets.set(index.channelId, indexStart + messageIndexLength);
      messageIndexLength += this.builder.writeMessageIndex(index);
    }
    this.emit(true);
    this.chunkIndexes.push({
      messageStartTime: this.chunk.messageStartTime,
      messageEndTime: this.chunk.messageEndTime,
      chunkStartOffset,
      chunkLength,
      messageIndexOffsets,
      messageIndexLength,
      compression: this.compressor.name,
      compressedSize: BigInt(compressed.byteLength),
      uncompressedSize: BigInt(records.byteLength),
    });
    this.chunk.reset();
    this.sync();
  }

  /** Final chunk, end "rosbag2" record, DataEnd, summary, footer. */
  close(endMetadata: string): void {
    if (this.closed) return;
    this.closed = true;
    this.finishChunk();
    this.writeMetadata(endMetadata);
    this.builder.writeDataEnd({ dataSectionCrc: crc32Final(this.dataCrc) });
    this.emit(false);

    const summaryStart = this.position;
    const offsets: McapTypes.SummaryOffset[] = [];
    const group = (opcode: number, write: () => void): void => {
      const start = this.position + BigInt(this.builder.length);
      const before = this.builder.length;
      write();
      const length = BigInt(this.builder.length - before);
      if (length > 0n) offsets.push({ groupOpcode: opcode, groupStart: start, groupLength: length });
    };
    group(Opcode.SCHEMA, () => {
      for (const s of this.schemas.values()) this.builder.writeSchema(s);
    });
    group(Opcode.CHANNEL, () => {
      for (const c of this.channels.values()) this.builder.writeChannel(c);
    });
    group(Opcode.STATISTICS, () => {
      this.builder.writeStatistics({
        messageCount: BigInt(this.stats.messageCount),
        schemaCount: this.schemas.size,
        channelCount: this.channels.size,
        attachmentCount: 0,
        metadataCount: this.metadataCount,
        chunkCount: this.chunkIndexes.length,
        messageStartTime: this.stats.messageCount > 0 ? this.stats.startNs : 0n,
        messageEndTime: this.stats.endNs,
        channelMessageCounts: this.channelCounts,
      });
    });
    group(Opcode.CHUNK_INDEX, () => {
      for (const ci of this.chunkIndexes) this.builder.writeChunkIndex(ci);
    });
    group(Opcode.METADATA_INDEX, () => {
      for (const mi of this.metadataIndexes) this.builder.writeMetadataIndex(mi);
    });
    const summaryOffsetStart = this.position + BigInt(this.builder.length);
    for (const o of offsets) this.builder.writeSummaryOffset(o);
    // The summary CRC covers the summary section and the footer up to (not including) the CRC.
    const footerAt = this.builder.length;
    this.builder.writeFooter({ summaryStart, summaryOffsetStart, summaryCrc: 0 });
    const bytes = this.builder.buffer;
    const summaryCrc = crc32(bytes.subarray(0, footerAt + 1 + 8 + 8 + 8));
    new DataView(bytes.buffer, bytes.byteOffset + footerAt + 25, 4).setUint32(0, summaryCrc, true);
    this.builder.writeMagic();
    this.emit(false);
    this.sync();
    fs.closeSync(this.fd);
  }

  /** Closes the descriptor without a summary (used when a write failed). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already gone
    }
  }
}

/** A rosbag2 bag directory being written: MCAP files plus metadata.yaml. */
export class BagWriter {
  private readonly topics = new Map<string, TopicState>();
  private readonly finishedFiles: BagFileInfo[] = [];
  private current: McapFile;
  private fileIndex = 0;
  private sequence = 0;
  private closedMetadata: BagMetadata | undefined;
  readonly uri: string;
  private readonly base: string;

  /** Loads the compressor (WASM for zstd) and creates the bag directory and its first file. */
  static async open(options: BagWriterOptions): Promise<BagWriter> {
    const compressor = await loadCompression(options.compression ?? "zstd");
    return new BagWriter(options, compressor);
  }

  private constructor(
    private readonly options: BagWriterOptions,
    private readonly compressor: Compressor,
  ) {
    this.uri = path.resolve(options.uri);
    if (fs.existsSync(this.uri) && fs.readdirSync(this.uri).length > 0) {
      throw new Error(`bag '${this.uri}' already exists and is not empty (choose another output directory)`);
    }
    fs.mkdirSync(this.uri, { recursive: true });
    this.base = path.basename(this.uri);
    this.current = this.openFile();
    this.writeMetadataFile();
  }

  private fileName(i: number): string {
    return `${this.base}_${i}.mcap`;
  }

  private openFile(): McapFile {
    const name = this.fileName(this.fileIndex);
    const startInfo: BagMetadata = {
      ...this.emptyMetadata(),
      relativeFilePaths: [name],
      files: [{ path: name, startingTimeNs: NO_START_NS, durationNs: 0n, messageCount: 0 }],
    };
    const file = new McapFile(
      path.join(this.uri, name),
      this.compressor,
      {
        fsync: this.options.fsync ?? true,
        library: this.options.library ?? KESTREL_MCAP_LIBRARY,
        nowMs: this.options.nowMs ?? Date.now,
        chunkSizeBytes: this.options.chunkSizeBytes ?? 1024 * 1024,
        chunkDurationMs: this.options.chunkDurationMs ?? 1000,
      },
      serializedMetadata(startInfo),
    );
    for (const { topic } of this.topics.values()) file.addTopic(topic);
    return file;
  }

  private emptyMetadata(): BagMetadata {
    return {
      version: METADATA_VERSION,
      storageIdentifier: "mcap",
      durationNs: 0n,
      startingTimeNs: NO_START_NS,
      messageCount: 0,
      topics: [],
      compressionFormat: "",
      compressionMode: "",
      relativeFilePaths: [],
      files: [],
      customData: {},
      rosDistro: this.options.rosDistro ?? "jazzy",
    };
  }

  /** The bag's metadata as of now (what metadata.yaml will say if the bag is closed now). */
  metadata(): BagMetadata {
    if (this.closedMetadata) return this.closedMetadata;
    const files = [...this.finishedFiles, this.fileInfo(this.current, this.fileIndex)];
    let start = NO_START_NS;
    let end = 0n;
    let count = 0;
    for (const f of files) {
      if (f.messageCount === 0) continue;
      count += f.messageCount;
      if (f.startingTimeNs < start) start = f.startingTimeNs;
      if (f.startingTimeNs + f.durationNs > end) end = f.startingTimeNs + f.durationNs;
    }
    return {
      ...this.emptyMetadata(),
      durationNs: count > 0 ? end - start : 0n,
      startingTimeNs: start,
      messageCount: count,
      topics: [...this.topics.values()].map((t) => ({
        topic: {
          name: t.topic.name,
          type: t.topic.type,
          serializationFormat: t.topic.serializationFormat ?? "cdr",
          offeredQos: t.topic.offeredQos,
          typeDescriptionHash: t.topic.typeDescriptionHash ?? "",
        },
        messageCount: t.count,
      })),
      relativeFilePaths: files.map((f) => f.path),
      files,
    };
  }

  private fileInfo(file: McapFile, index: number): BagFileInfo {
    const s = file.stats;
    return {
      path: this.fileName(index),
      startingTimeNs: s.startNs,
      durationNs: s.messageCount > 0 ? s.endNs - s.startNs : 0n,
      messageCount: s.messageCount,
    };
  }

  private writeMetadataFile(): void {
    const file = path.join(this.uri, "metadata.yaml");
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, metadataYaml(this.metadata()));
    fs.renameSync(tmp, file);
  }

  /** Files written so far (absolute paths), the current one last. */
  get files(): string[] {
    const names = [...this.finishedFiles.map((f) => f.path), this.fileName(this.fileIndex)];
    return names.map((n) => path.join(this.uri, n));
  }

  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  /** Declares a topic (idempotent by name; a second call with a different type throws). */
  addTopic(topic: BagTopic): void {
    this.assertOpen();
    const known = this.topics.get(topic.name);
    if (known) {
      if (known.topic.type !== topic.type) {
        throw new Error(`topic '${topic.name}' is already recorded as ${known.topic.type}, not ${topic.type}`);
      }
      return;
    }
    this.topics.set(topic.name, { topic, count: 0 });
    this.current.addTopic(topic);
  }

  /** Appends one serialized message. `sequence` defaults to a bag-wide counter (rosbag2 writes the publisher's). */
  write(topic: string, data: Uint8Array, logTimeNs: bigint, publishTimeNs: bigint = logTimeNs, sequence?: number): void {
    this.assertOpen();
    const state = this.topics.get(topic);
    if (!state) throw new Error(`topic '${topic}' was not added to bag '${this.uri}'`);
    this.maybeSplit(logTimeNs);
    this.current.write(topic, data, logTimeNs, publishTimeNs, sequence ?? this.sequence++ >>> 0);
    state.count++;
  }

  private maybeSplit(logTimeNs: bigint): void {
    const s = this.current.stats;
    if (s.messageCount === 0) return;
    const bySize = (this.options.maxFileSizeBytes ?? 0) > 0 && this.current.size >= BigInt(this.options.maxFileSizeBytes!);
    const maxDur = this.options.maxFileDurationNs ?? 0n;
    const byDuration = maxDur > 0n && logTimeNs - s.startNs >= maxDur;
    if (bySize || byDuration) this.split();
  }

  /** Closes the current file and starts the next one. */
  split(): void {
    this.assertOpen();
    const info = this.fileInfo(this.current, this.fileIndex);
    this.current.close(serializedMetadata(this.metadata()));
    this.finishedFiles.push(info);
    this.fileIndex++;
    this.current = this.openFile();
    this.writeMetadataFile();
  }

  /** Writes the open chunk now (e.g. at an episode boundary). */
  flushChunk(): void {
    if (!this.closedMetadata) this.current.finishChunk();
  }

  /** Writes the open chunk if it has reached the age bound (call from a timer). */
  tick(): void {
    if (!this.closedMetadata) this.current.tick();
  }

  /** Finishes the last file and writes metadata.yaml; returns the bag's metadata. Idempotent. */
  close(): BagMetadata {
    if (this.closedMetadata) return this.closedMetadata;
    const metadata = this.metadata();
    this.current.close(serializedMetadata(metadata));
    this.closedMetadata = metadata;
    const file = path.join(this.uri, "metadata.yaml");
    fs.writeFileSync(`${file}.tmp`, metadataYaml(metadata));
    fs.renameSync(`${file}.tmp`, file);
    return metadata;
  }

  get closed(): boolean {
    return this.closedMetadata !== undefined;
  }

  private assertOpen(): void {
    if (this.closedMetadata) throw new Error(`bag '${this.uri}' is closed`);
  }
}
