/**
 * The subscription QoS a recorder uses for a topic, adapted to its publishers as rosbag2's
 * recorder does: reliable only when every publisher is reliable (a best-effort publisher would
 * not match a reliable subscription), transient-local only when every publisher is (so latched
 * /map and /tf_static are received on joining), keep-last with a deep queue so bursts are kept.
 */
import type { RosNode } from "../../ros/node";
import { QOS_DEFAULT, type QosProfile } from "../../ros/qos";

/** Depth of the recorder's subscription queues (rosbag2 keeps everything it can). */
export const RECORDER_DEPTH = 1000;

/** The QoS profiles offered by a topic's publishers (empty when it has none yet). */
export function publisherProfiles(node: RosNode, topic: string): QosProfile[] {
  return node.backend.publishersInfoByTopic(topic).map((p) => p.qos);
}

/** Subscription profile compatible with every offered profile (fallback: latched names, else best effort). */
export function recorderQos(offered: readonly QosProfile[] | undefined, topic: string, latchedTopics: readonly string[]): QosProfile {
  const base: QosProfile = { ...QOS_DEFAULT, history: "keep_last", depth: RECORDER_DEPTH };
  if (!offered || offered.length === 0) {
    const latched = latchedTopics.includes(topic);
    return { ...base, reliability: latched ? "reliable" : "best_effort", durability: latched ? "transient_local" : "volatile" };
  }
  const allReliable = offered.every((p) => p.reliability === "reliable");
  const allLatched = offered.every((p) => p.durability === "transient_local");
  return { ...base, reliability: allReliable ? "reliable" : "best_effort", durability: allLatched ? "transient_local" : "volatile" };
}
