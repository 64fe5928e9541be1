/**
 * `offered_qos_profiles` as rosbag2 writes it: a YAML list of profiles. Jazzy (metadata version 9)
 * writes policy names (`keep_last`, `best_effort`, ...) and, for unset durations, the infinite
 * duration the middleware reports (sec 9223372036, nsec 854775807). Humble/Iron bags (versions
 * 4-8) wrote the rmw enum numbers (history 1 keep_last, 2 keep_all, 3 unknown; reliability
 * 1 reliable, 2 best_effort; durability 1 transient_local, 2 volatile; liveliness 1 automatic,
 * 3 manual_by_topic) inside a YAML string. parseOfferedQos reads both.
 */
import { DURATION_INFINITE, QOS_DEFAULT, resolveSystemDefaults, type Duration, type QosProfile } from "../qos";
import { parse as parseYaml } from "yaml";

function isUnset(d: Duration): boolean {
  return d.sec === 0 && d.nanosec === 0;
}

/** What the graph reports for a publisher's profile: system defaults resolved, unset durations infinite. */
export function reportedQos(profile: QosProfile): QosProfile {
  const p = resolveSystemDefaults(profile, "publisher");
  const inf = (d: Duration): Duration => (isUnset(d) ? DURATION_INFINITE : d);
  return { ...p, deadline: inf(p.deadline), lifespan: inf(p.lifespan), livelinessLeaseDuration: inf(p.livelinessLeaseDuration) };
}

/** One profile's YAML lines (Jazzy format), unindented, first line starting with "- ". */
function profileLines(profile: QosProfile): string[] {
  const p = reportedQos(profile);
  const dur = (name: string, d: Duration): string[] => [`${name}:`, `  sec: ${d.sec}`, `  nsec: ${d.nanosec}`];
  const body = [
    `history: ${p.history}`,
    `depth: ${p.depth}`,
    `reliability: ${p.reliability}`,
    `durability: ${p.durability}`,
    ...dur("deadline", p.deadline),
    ...dur("lifespan", p.lifespan),
    `liveliness: ${p.liveliness}`,
    ...dur("liveliness_lease_duration", p.livelinessLeaseDuration),
    `avoid_ros_namespace_conventions: ${p.avoidRosNamespaceConventions ? "true" : "false"}`,
  ];
  return body.map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`));
}

/** The channel-metadata string (MCAP `offered_qos_profiles`), exactly as Jazzy's rosbag2 writes it. */
export function offeredQosYaml(profiles: readonly QosProfile[]): string {
  if (profiles.length === 0) return "[]";
  return profiles.flatMap(profileLines).join("\n");
}

/** The same list as metadata.yaml v9 nests it, indented by `indent` spaces. */
export function offeredQosYamlLines(profiles: readonly QosProfile[], indent: number): string[] {
  const pad = " ".repeat(indent);
  if (profiles.length === 0) return [`${pad}[]`];
  return profiles.flatMap(profileLines).map((l) => pad + l);
}

const HISTORY_NUM: Record<number, QosProfile["history"]> = { 0: "system_default", 1: "keep_last", 2: "keep_all", 3: "system_default" };
const RELIABILITY_NUM: Record<number, QosProfile["reliability"]> = { 0: "system_default", 1: "reliable", 2: "best_effort", 3: "system_default" };
const DURABILITY_NUM: Record<number, QosProfile["durability"]> = { 0: "system_default", 1: "transient_local", 2: "volatile", 3: "system_default" };
const LIVELINESS_NUM: Record<number, QosProfile["liveliness"]> = { 0: "system_default", 1: "automatic", 3: "manual_by_topic", 4: "system_default" };

/**
 * Profiles from `offered_qos_profiles` (a YAML string, or the parsed list metadata.yaml v9 holds),
 * either format. Unparseable input gives [] (the profiles are informative only).
 */
export function parseOfferedQos(value: unknown): QosProfile[] {
  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = parseYaml(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  const out: QosProfile[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const o = item as Record<string, unknown>;
    const pick = <T extends string>(v: unknown, table: Record<number, T>): T | undefined =>
      typeof v === "number" ? table[v] : typeof v === "string" ? (v as T) : undefined;
    const dur = (v: unknown): Duration | undefined => {
      if (typeof v !== "object" || v === null) return undefined;
      const d = v as { sec?: unknown; nsec?: unknown };
      return typeof d.sec === "number" && typeof d.nsec === "number" ? { sec: d.sec, nanosec: d.nsec } : undefined;
    };
    const spec: Partial<QosProfile> = {};
    const history = pick(o.history, HISTORY_NUM);
    if (history) spec.history = history;
    if (typeof o.depth === "number") spec.depth = o.depth;
    const reliability = pick(o.reliability, RELIABILITY_NUM);
    if (reliability) spec.reliability = reliability;
    const durability = pick(o.durability, DURABILITY_NUM);
    if (durability) spec.durability = durability;
    const liveliness = pick(o.liveliness, LIVELINESS_NUM);
    if (liveliness) spec.liveliness = liveliness;
    const deadline = dur(o.deadline);
    if (deadline) spec.deadline = deadline;
    const lifespan = dur(o.lifespan);
    if (lifespan) spec.lifespan = lifespan;
    const lease = dur(o.liveliness_lease_duration);
    if (lease) spec.livelinessLeaseDuration = lease;
    if (typeof o.avoid_ros_namespace_conventions === "boolean") spec.avoidRosNamespaceConventions = o.avoid_ros_namespace_conventions;
    // Not validated: durations from real bags may lie outside rmw's range (e.g. nsec 4294967295).
    out.push({ ...QOS_DEFAULT, ...spec });
  }
  return out;
}
