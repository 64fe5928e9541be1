/**
 * The in-process bus: ROS 2 topic semantics without a middleware.
 *
 * - Matching follows rmw: same type and QoS-compatible (`checkQosCompatibility`, as rcl decides).
 *   An incompatible pair is not connected and both sides log what rclcpp logs for the
 *   incompatible-QoS event.
 * - Each subscription has its own keep-last queue of `depth` (keep-all: unbounded), filled on
 *   publish and drained on a microtask, so a burst faster than the subscriber drops the oldest
 *   samples exactly as a DDS history would, and a callback that publishes never re-enters.
 * - Transient-local publishers keep their last `depth` samples; a transient-local subscription
 *   that matches later receives them (late joiners get /map, /tf_static).
 * - Zero copy: every subscriber receives the very object the publisher passed (like rclcpp's
 *   intra-process `const` shared pointers). Subscribers must treat messages as read-only.
 */
import { checkQosCompatibility, resolveSystemDefaults, type QosProfile } from "../../qos";

export interface BusEndpointOwner {
  /** Fully qualified node name, for logs and graph queries. */
  node: string;
  /** Where this endpoint's node logs QoS and type mismatches. */
  warn(message: string): void;
}

interface Endpoint {
  readonly topic: string;
  readonly type: string;
  readonly qos: QosProfile;
  readonly owner: BusEndpointOwner;
}

export class BusPublisher implements Endpoint {
  readonly matched = new Set<BusSubscription>();
  /** Last `depth` samples, kept only for transient-local durability. */
  readonly history: unknown[] = [];
  readonly capacity: number;
  constructor(
    readonly topic: string,
    readonly type: string,
    readonly qos: QosProfile,
    readonly owner: BusEndpointOwner,
  ) {
    this.capacity = queueCapacity(qos, "publisher");
  }
}

export class BusSubscription implements Endpoint {
  readonly matched = new Set<BusPublisher>();
  readonly queue: unknown[] = [];
  /** Whether this subscription is already in the bus's ready list. */
  scheduled = false;
  closed = false;
  readonly capacity: number;
  constructor(
    readonly topic: string,
    readonly type: string,
    readonly qos: QosProfile,
    readonly owner: BusEndpointOwner,
    readonly callback: (message: unknown) => void,
    readonly onError: (error: unknown) => void,
  ) {
    this.capacity = queueCapacity(qos, "subscription");
  }
}

interface TopicEntry {
  publishers: Set<BusPublisher>;
  subscriptions: Set<BusSubscription>;
}

/** Deliveries in one microtask drain before the rest wait for a macrotask, so a publish loop between callbacks cannot starve timers and I/O. */
const MAX_DELIVERIES_PER_DRAIN = 10_000;

/** Samples kept per endpoint; `system_default` policies take the DDS defaults (keep last 1). */
function queueCapacity(qos: QosProfile, role: "publisher" | "subscription"): number {
  const concrete = resolveSystemDefaults(qos, role);
  return concrete.history === "keep_all" ? Number.POSITIVE_INFINITY : Math.max(1, concrete.depth);
}

export class LocalBus {
  private readonly topics = new Map<string, TopicEntry>();
  private readonly ready: BusSubscription[] = [];
  private drainScheduled = false;

  addPublisher(publisher: BusPublisher): void {
    const entry = this.entry(publisher.topic);
    entry.publishers.add(publisher);
    for (const sub of entry.subscriptions) this.tryMatch(publisher, sub);
  }

  addSubscription(subscription: BusSubscription): void {
    const entry = this.entry(subscription.topic);
    entry.subscriptions.add(subscription);
    for (const pub of entry.publishers) {
      if (this.tryMatch(pub, subscription) && subscription.qos.durability === "transient_local") {
        for (const sample of pub.history) this.enqueue(subscription, sample);
      }
    }
  }

  removePublisher(publisher: BusPublisher): void {
    for (const sub of publisher.matched) sub.matched.delete(publisher);
    publisher.matched.clear();
    this.topics.get(publisher.topic)?.publishers.delete(publisher);
    this.prune(publisher.topic);
  }

  removeSubscription(subscription: BusSubscription): void {
    subscription.closed = true;
    subscription.queue.length = 0;
    for (const pub of subscription.matched) pub.matched.delete(subscription);
    subscription.matched.clear();
    this.topics.get(subscription.topic)?.subscriptions.delete(subscription);
    this.prune(subscription.topic);
  }

  publish(publisher: BusPublisher, message: unknown): void {
    if (publisher.qos.durability === "transient_local") {
      publisher.history.push(message);
      if (publisher.history.length > publisher.capacity) publisher.history.shift();
    }
    for (const sub of publisher.matched) this.enqueue(sub, message);
  }

  /** Topic names with the types their endpoints use, sorted by name (as `ros2 topic list -t`). */
  topicNamesAndTypes(): { name: string; types: string[] }[] {
    return [...this.topics.entries()]
      .map(([name, e]) => {
        const types = new Set<string>();
        for (const p of e.publishers) types.add(p.type);
        for (const s of e.subscriptions) types.add(s.type);
        return { name, types: [...types].sort() };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The publishers of a topic: node, type and offered QoS. */
  publishersInfo(topic: string): Array<{ node: string; type: string; qos: QosProfile }> {
    return [...(this.topics.get(topic)?.publishers ?? [])].map((p) => ({ node: p.owner.node, type: p.type, qos: p.qos }));
  }

  publisherCount(topic: string): number {
    return this.topics.get(topic)?.publishers.size ?? 0;
  }

  subscriptionCount(topic: string): number {
    return this.topics.get(topic)?.subscriptions.size ?? 0;
  }

  /** Resolves once every queued message has been delivered (for tests and orderly shutdown). */
  async flush(): Promise<void> {
    while (this.ready.length > 0 || this.drainScheduled) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private entry(topic: string): TopicEntry {
    let e = this.topics.get(topic);
    if (!e) {
      e = { publishers: new Set(), subscriptions: new Set() };
      this.topics.set(topic, e);
    }
    return e;
  }

  private prune(topic: string): void {
    const e = this.topics.get(topic);
    if (e && e.publishers.size === 0 && e.subscriptions.size === 0) this.topics.delete(topic);
  }

  private tryMatch(pub: BusPublisher, sub: BusSubscription): boolean {
    if (pub.type !== sub.type) {
      const text =
        `topic '${pub.topic}': publisher of ${pub.owner.node} offers type '${pub.type}' but subscription of ` +
        `${sub.owner.node} expects '${sub.type}'; they are not connected`;
      pub.owner.warn(text);
      sub.owner.warn(text);
      return false;
    }
    const verdict = checkQosCompatibility(pub.qos, sub.qos);
    if (verdict.compatibility === "ERROR") {
      const policy = incompatiblePolicy(verdict.reason);
      pub.owner.warn(
        `New subscription discovered on topic '${pub.topic}', requesting incompatible QoS. ` +
          `No messages will be sent to it. Last incompatible policy: ${policy}`,
      );
      sub.owner.warn(
        `New publisher discovered on topic '${sub.topic}', offering incompatible QoS. ` +
          `No messages will be received from it. Last incompatible policy: ${policy}`,
      );
      return false;
    }
    pub.matched.add(sub);
    sub.matched.add(pub);
    return true;
  }

  private enqueue(sub: BusSubscription, message: unknown): void {
    sub.queue.push(message);
    if (sub.queue.length > sub.capacity) sub.queue.shift();
    if (!sub.scheduled) {
      sub.scheduled = true;
      this.ready.push(sub);
    }
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(this.drain);
    }
  }

  private readonly drain = (): void => {
    let delivered = 0;
    while (this.ready.length > 0) {
      if (delivered >= MAX_DELIVERIES_PER_DRAIN) {
        setImmediate(this.drain);
        return;
      }
      const sub = this.ready.shift()!;
      sub.scheduled = false;
      // Deliver what is queued now; messages published by these callbacks reschedule the sub.
      const batch = sub.queue.splice(0, sub.queue.length);
      for (const message of batch) {
        if (sub.closed) break;
        delivered++;
        try {
          sub.callback(message);
        } catch (error) {
          sub.onError(error);
        }
      }
    }
    this.drainScheduled = false;
  };
}

/** The policy name rclcpp prints for an incompatible-QoS event, from rcl's verdict text. */
function incompatiblePolicy(reason: string): string {
  for (const [word, policy] of [
    ["reliab", "RELIABILITY_QOS_POLICY"],
    ["durab", "DURABILITY_QOS_POLICY"],
    ["volatile", "DURABILITY_QOS_POLICY"],
    ["transient", "DURABILITY_QOS_POLICY"],
    ["deadline", "DEADLINE_QOS_POLICY"],
    ["lease", "LIVELINESS_QOS_POLICY"],
    ["liveliness", "LIVELINESS_QOS_POLICY"],
  ] as const) {
    if (reason.toLowerCase().includes(word)) return policy;
  }
  return "INVALID_QOS_POLICY";
}
