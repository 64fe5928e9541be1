/**
 * rosbag2's bag metadata (`rosbag2_bagfile_information`, metadata.yaml): the structure, the text
 * exactly as Jazzy's rosbag2 (metadata version 9, yaml-cpp) emits it — beside the files as
 * metadata.yaml, and without the root key inside MCAP "rosbag2" metadata records — and a parser
 * for every version (4 .. 9: offered_qos_profiles as a YAML string or as a nested list).
 */
import { parse as parseYaml } from "yaml";
import type { QosProfile } from "../qos";
import { offeredQosYamlLines, parseOfferedQos } from "./qos-yaml";

export const METADATA_VERSION = 9;
/** rosbag2's "no message yet" starting time (INT64_MAX). */
export const NO_START_NS = 9223372036854775807n;

export interface TopicMetadata {
  name: string;
  type: string;
  serializationFormat: string;
  offeredQos: QosProfile[];
  /** RIHS01_... or "" when not known. */
  typeDescriptionHash: string;
}

export interface BagFileInfo {
  path: string;
  startingTimeNs: bigint;
  durationNs: bigint;
  messageCount: number;
}

export interface BagMetadata {
  version: number;
  storageIdentifier: string;
  durationNs: bigint;
  startingTimeNs: bigint;
  messageCount: number;
  topics: Array<{ topic: TopicMetadata; messageCount: number }>;
  compressionFormat: string;
  compressionMode: string;
  relativeFilePaths: string[];
  files: BagFileInfo[];
  customData: Record<string, string>;
  rosDistro: string;
}

/** yaml-cpp's scalar emission for the strings rosbag2 writes: "" quoted, plain otherwise when safe. */
function scalar(text: string): string {
  if (text === "") return '""';
  if (/^[A-Za-z0-9_/.\-]+$/.test(text) && !/^(~|null|true|false|yes|no|on|off|[-+]?[0-9.]+)$/i.test(text)) return text;
  return JSON.stringify(text);
}

/** The metadata body lines at indentation 0 (what the MCAP "rosbag2" record holds). */
function bodyLines(m: BagMetadata): string[] {
  const lines = [
    `version: ${m.version}`,
    `storage_identifier: ${scalar(m.storageIdentifier)}`,
    "duration:",
    `  nanoseconds: ${m.durationNs}`,
    "starting_time:",
    `  nanoseconds_since_epoch: ${m.startingTimeNs}`,
    `message_count: ${m.messageCount}`,
    "topics_with_message_count:",
  ];
  if (m.topics.length === 0) lines.push("  []");
  for (const { topic, messageCount } of m.topics) {
    lines.push(
      "  - topic_metadata:",
      `      name: ${scalar(topic.name)}`,
      `      type: ${scalar(topic.type)}`,
      `      serialization_format: ${scalar(topic.serializationFormat)}`,
      "      offered_qos_profiles:",
      ...offeredQosYamlLines(topic.offeredQos, 8),
      `      type_description_hash: ${scalar(topic.typeDescriptionHash)}`,
      `    message_count: ${messageCount}`,
    );
  }
  lines.push(`compression_format: ${scalar(m.compressionFormat)}`, `compression_mode: ${scalar(m.compressionMode)}`, "relative_file_paths:");
  if (m.relativeFilePaths.length === 0) lines.push("  []");
  for (const p of m.relativeFilePaths) lines.push(`  - ${scalar(p)}`);
  lines.push("files:");
  if (m.files.length === 0) lines.push("  []");
  for (const f of m.files) {
    lines.push(
      `  - path: ${scalar(f.path)}`,
      "    starting_time:",
      `      nanoseconds_since_epoch: ${f.startingTimeNs}`,
      "    duration:",
      `      nanoseconds: ${f.durationNs}`,
      `    message_count: ${f.messageCount}`,
    );
  }
  const custom = Object.entries(m.customData);
  if (custom.length === 0) lines.push("custom_data: ~");
  else {
    lines.push("custom_data:");
    for (const [k, v] of custom) lines.push(`  ${scalar(k)}: ${scalar(v)}`);
  }
  lines.push(`ros_distro: ${scalar(m.rosDistro)}`);
  return lines;
}

/** The MCAP "rosbag2" metadata record's `serialized_metadata` value. */
export function serializedMetadata(m: BagMetadata): string {
  return bodyLines(m).join("\n");
}

/** metadata.yaml text (no trailing newline, as rosbag2 writes it). */
export function metadataYaml(m: BagMetadata): string {
  return ["rosbag2_bagfile_information:", ...bodyLines(m).map((l) => `  ${l}`)].join("\n");
}

function big(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" || typeof v === "string") return BigInt(v);
  return 0n;
}

function num(v: unknown): number {
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : typeof v === "string" ? Number(v) : 0;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

/** Parses metadata.yaml (with the root key) or a record body (without). Throws on non-YAML. */
export function parseMetadata(text: string): BagMetadata {
  const doc = parseYaml(text, { intAsBigInt: true }) as Record<string, unknown> | null;
  const root = ((doc && (doc.rosbag2_bagfile_information as Record<string, unknown>)) ?? doc ?? {}) as Record<string, unknown>;
  const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return {
    version: num(root.version),
    storageIdentifier: str(root.storage_identifier),
    durationNs: big(obj(root.duration).nanoseconds),
    startingTimeNs: big(obj(root.starting_time).nanoseconds_since_epoch),
    messageCount: num(root.message_count),
    topics: list(root.topics_with_message_count).map((entry) => {
      const t = obj(obj(entry).topic_metadata);
      return {
        topic: {
          name: str(t.name),
          type: str(t.type),
          serializationFormat: str(t.serialization_format),
          offeredQos: parseOfferedQos(bigToNumber(t.offered_qos_profiles)),
          typeDescriptionHash: str(t.type_description_hash),
        },
        messageCount: num(obj(entry).message_count),
      };
    }),
    compressionFormat: str(root.compression_format),
    compressionMode: str(root.compression_mode),
    relativeFilePaths: list(root.relative_file_paths).map(str),
    files: list(root.files).map((f) => ({
      path: str(obj(f).path),
      startingTimeNs: big(obj(obj(f).starting_time).nanoseconds_since_epoch),
      durationNs: big(obj(obj(f).duration).nanoseconds),
      messageCount: num(obj(f).message_count),
    })),
    customData: Object.fromEntries(Object.entries(obj(root.custom_data)).map(([k, v]) => [k, str(v)])),
    rosDistro: str(root.ros_distro),
  };
}

/** Numbers parsed as bigint (intAsBigInt) back to numbers, deeply, for the QoS parser. */
function bigToNumber(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(bigToNumber);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigToNumber(x)]));
  return v;
}
