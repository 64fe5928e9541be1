/** `ros2 bag info`'s text (Jazzy layout) for a bag opened with BagReader. */
import * as path from "node:path";
import type { BagProblem, BagInfo } from "./reader";

const PAD = 19;

function field(name: string, value: string): string {
  return `${name}:`.padEnd(PAD) + value;
}

/** rosbag2's format_file_size: one decimal, binary units. */
export function formatFileSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value * 10) / 10} ${units[unit]}`;
}

function secondsText(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${sec}.${frac}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov 29 2026 22:25:09.271822844 (1795991109.271822844)" in local time, as ros2 bag info prints. */
function timeText(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const two = (n: number): string => String(n).padStart(2, "0");
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${frac} (${secondsText(ns)})`;
}

export function bagInfoText(info: BagInfo, problems: readonly BagProblem[] = []): string {
  const lines: string[] = [];
  const files = info.files.map((f) => path.basename(f.path));
  lines.push(field("Files", files[0] ?? ""));
  for (const f of files.slice(1)) lines.push(" ".repeat(PAD) + f);
  lines.push(field("Bag size", formatFileSize(info.sizeBytes)));
  lines.push(field("Storage id", info.storageIdentifier));
  lines.push(field("ROS Distro", info.rosDistro || "unknown"));
  lines.push(field("Duration", `${secondsText(info.durationNs)}s`));
  lines.push(field("Start", timeText(info.startNs)));
  lines.push(field("End", timeText(info.endNs)));
  lines.push(field("Messages", String(info.messageCount)));
  const topics = info.topics.filter((t) => !t.name.endsWith("/_service_event")).map(
    (t) => `Topic: ${t.name} | Type: ${t.type} | Count: ${t.messageCount} | Serialization Format: ${t.serializationFormat}`,
  );
  lines.push(field("Topic information", topics[0] ?? ""));
  for (const t of topics.slice(1)) lines.push(" ".repeat(PAD) + t);
  const services = info.topics.filter((t) => t.name.endsWith("/_service_event"));
  lines.push(field("Service", String(services.length)));
  lines.push(field("Service information", services.map((s) => `Service: ${s.name.replace(/\/_service_event$/, "")} | Type: ${s.type.replace(/_Event$/, "")} | Event Count: ${s.messageCount} | Serialization Format: ${s.serializationFormat}`)[0] ?? ""));
  for (const s of services.slice(1)) {
    lines.push(" ".repeat(PAD) + `Service: ${s.name.replace(/\/_service_event$/, "")} | Type: ${s.type.replace(/_Event$/, "")} | Event Count: ${s.messageCount} | Serialization Format: ${s.serializationFormat}`);
  }
  for (const f of info.files) if (f.truncated) lines.push(field("Truncated", `${path.basename(f.path)}: ${f.truncated}`));
  if (problems.length > 0) {
    lines.push(field("Not readable", `${problems[0]!.topic} (${problems[0]!.type}): ${problems[0]!.reason}`));
    for (const p of problems.slice(1)) lines.push(" ".repeat(PAD) + `${p.topic} (${p.type}): ${p.reason}`);
  }
  return lines.join("\n") + "\n";
}
