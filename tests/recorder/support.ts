import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { McapIndexedReader } from "@mcap/core";
import { parse as parseRosmsg } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { decompress as zstdDecompress } from "fzstd";
import lz4 from "@foxglove/wasm-lz4";
import type { RecorderParameters } from "../../nodes/recorder";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kestrel-${prefix}-`));
}

export function recorderParams(over: Partial<RecorderParameters>): RecorderParameters {
  return {
    topics: [], all: false, output_dir: tempDir("bag"), bag_name: "test_bag", compression: "zstd",
    max_bag_size_mb: 0, max_bag_duration_s: 0, chunk_size_kb: 1024, chunk_duration_s: 1, discovery_period_s: 0.05,
    latched_topics: ["/map"], ros_distro: "jazzy", ...over,
  };
}

export interface IndependentMessage {
  topic: string;
  schemaName: string;
  logTime: bigint;
  sequence: number;
  decoded: unknown;
  channelMetadata: Map<string, string>;
  schemaEncoding: string;
  messageEncoding: string;
}

/** Reads an MCAP file with @mcap/core's indexed reader and decodes with rosmsg2-serialization on the file's own schemas. */
export async function readIndependently(file: string): Promise<{ profile: string; messages: IndependentMessage[]; compressions: Set<string> }> {
  await lz4.isLoaded;
  const bytes = fs.readFileSync(file);
  const reader = await McapIndexedReader.Initialize({
    readable: { size: async () => BigInt(bytes.byteLength), read: async (o, l) => bytes.subarray(Number(o), Number(o + l)) },
    decompressHandlers: {
      zstd: (d, s) => zstdDecompress(d, new Uint8Array(Number(s))),
      lz4: (d, s) => lz4(d, Number(s)),
    },
  });
  const readers = new Map<number, MessageReader>();
  const messages: IndependentMessage[] = [];
  for await (const m of reader.readMessages()) {
    const channel = reader.channelsById.get(m.channelId)!;
    const schema = reader.schemasById.get(channel.schemaId)!;
    if (!readers.has(schema.id)) readers.set(schema.id, new MessageReader(parseRosmsg(new TextDecoder().decode(schema.data), { ros2: true })));
    messages.push({
      topic: channel.topic,
      schemaName: schema.name,
      logTime: m.logTime,
      sequence: m.sequence,
      decoded: readers.get(schema.id)!.readMessage(m.data),
      channelMetadata: channel.metadata,
      schemaEncoding: schema.encoding,
      messageEncoding: channel.messageEncoding,
    });
  }
  return { profile: reader.header.profile, messages, compressions: new Set(reader.chunkIndexes.map((c) => c.compression)) };
}
