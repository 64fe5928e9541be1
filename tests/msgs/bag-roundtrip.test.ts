import * as fs from "fs";
import { McapIndexedReader, type McapTypes } from "@mcap/core";
import { decompress } from "fzstd";
import { MessageCodec, MessageRegistry } from "../../msgs";
import { sharedData } from "../support/shared-data";

interface BagMessage {
  topic: string;
  schemaName: string;
  schemaText: string;
  data: Uint8Array;
}

/** Reads every message of an MCAP file with its channel's ros2msg schema (zstd chunks via fzstd). */
async function readMcap(file: string): Promise<BagMessage[]> {
  const bytes = fs.readFileSync(file);
  const reader = await McapIndexedReader.Initialize({
    readable: {
      size: async () => BigInt(bytes.byteLength),
      read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
    },
    decompressHandlers: { zstd: (data, size) => decompress(data, new Uint8Array(Number(size))) },
  });
  const messages: BagMessage[] = [];
  for await (const message of reader.readMessages()) {
    const channel = reader.channelsById.get(message.channelId)!;
    const schema = reader.schemasById.get(channel.schemaId) as McapTypes.Schema;
    messages.push({
      topic: channel.topic,
      schemaName: schema.name,
      schemaText: new TextDecoder().decode(schema.data),
      data: message.data,
    });
  }
  return messages;
}

/** Copy of `bytes` with the given offsets zeroed, so uninitialised padding does not count. */
function masked(bytes: Uint8Array, offsets: number[]): string {
  const copy = Uint8Array.from(bytes);
  for (const offset of offsets) copy[offset] = 0;
  return Buffer.from(copy).toString("hex");
}

describe("CDR against a rosbag2 MCAP recording (talker)", () => {
  let messages: BagMessage[] = [];
  const codecs = new Map<string, MessageCodec>();
  const codec = (m: BagMessage): MessageCodec => {
    // The bag's own schema, not our shipped definitions: bags carry types we may not ship.
    if (!codecs.has(m.schemaName)) {
      codecs.set(m.schemaName, new MessageCodec(MessageRegistry.fromSchema(m.schemaName, m.schemaText), m.schemaName));
    }
    return codecs.get(m.schemaName)!;
  };

  beforeAll(async () => {
    messages = await readMcap(sharedData("bags", "rosbag2_talker_mcap", "talker.mcap"));
  });

  it("reads the 20 messages", () => {
    expect(messages).toHaveLength(20);
    expect(messages.filter((m) => m.topic === "/topic")).toHaveLength(10);
    expect(messages.filter((m) => m.topic === "/rosout")).toHaveLength(10);
  });

  it("decodes /topic to the talker's strings", () => {
    const texts = messages.filter((m) => m.topic === "/topic").map((m) => (codec(m).deserialize(m.data) as { data: string }).data);
    expect(texts).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
  });

  it("decodes /rosout Log messages", () => {
    const log = messages.find((m) => m.topic === "/rosout")!;
    const decoded = codec(log).deserialize(log.data) as { level: number; name: string; stamp: { sec: number } };
    expect(decoded.level).toBe(20);
    expect(decoded.name).toBe("minimal_publisher");
    expect(typeof decoded.stamp.sec).toBe("number");
  });

  it("re-encodes every message to the recorded bytes, padding aside", () => {
    let withDirtyPadding = 0;
    for (const message of messages) {
      const c = codec(message);
      const reencoded = c.serialize(c.deserialize(message.data));
      const { end, padding } = c.layout(message.data);
      expect(end).toBe(message.data.byteLength);
      expect(reencoded.byteLength).toBe(message.data.byteLength);
      expect(c.layout(reencoded).padding).toEqual(padding);
      expect(masked(reencoded, padding)).toBe(masked(message.data, padding));
      // We always write zero padding.
      expect(padding.every((offset) => reencoded[offset] === 0)).toBe(true);
      if (padding.some((offset) => message.data[offset] !== 0)) withDirtyPadding++;
    }
    // ROS leaves padding uninitialised: the mask matters for exactly these two messages.
    expect(withDirtyPadding).toBe(2);
  });
});
