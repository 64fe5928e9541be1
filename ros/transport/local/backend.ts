/**
 * The embedded transport: every node in this process on one LocalBus. Names, remaps and
 * parameter overrides are resolved from the node's `--ros-args` exactly as rcl resolves them
 * (ros/names, ros/rosargs, ros/params), so a launch file means the same thing here as under
 * `ros2 launch`.
 */
import { readFileSync } from "node:fs";
import { Logger, nodeLoggerName, parseLogLevel, type LogLevel, type LogSink } from "../../logger";
import { NodeClock } from "../../clock";
import { ParameterStore, type ParameterOverride } from "../../parameters/store";
import { applyRemaps, parseRosArgs, resolveNode, type RosArgs } from "../../rosargs";
import { parametersForNode, parseParameterFile } from "../../params/file";
import { resolveQos, type QosProfile } from "../../qos";
import type { Time } from "../../time";
import type {
  BackendPublisher,
  BackendSubscription,
  Disposable,
  EndpointInfo,
  EndpointSpec,
  NodeBackend,
  NodeBackendOptions,
  ParameterDescriptor,
  TopicInfo,
  Transport,
} from "../transport";
import { describeError, OwnedHandles } from "../owned";
import { BusPublisher, BusSubscription, LocalBus, type BusEndpointOwner } from "./bus";

export interface LocalTransportOptions {
  /** Where node loggers write; the console by default. */
  logSink?: LogSink;
  /** Reads `--params-file` paths not held in memory; the file system by default. */
  readFile?: (path: string) => string;
}

const USE_SIM_TIME_DESCRIPTOR: ParameterDescriptor = {
  type: "BOOL",
  description: "Take time from /clock (simulation) instead of the system clock",
  readOnly: false,
};

/** rclcpp's ClockQoS: the latest sample is all that matters. */
const CLOCK_QOS: QosProfile = resolveQos({ reliability: "best_effort", depth: 1 });

export class LocalTransport implements Transport {
  readonly kind = "local" as const;
  readonly bus = new LocalBus();
  private readonly nodes = new Set<LocalNodeBackend>();

  constructor(private readonly options: LocalTransportOptions = {}) {}

  createNode(options: NodeBackendOptions): LocalNodeBackend {
    const node = new LocalNodeBackend(this.bus, options, this.options, () => this.nodes.delete(node));
    this.nodes.add(node);
    return node;
  }

  /** Fully qualified names of the live nodes (`ros2 node list`). */
  nodeNames(): string[] {
    return [...this.nodes].map((n) => n.fullyQualifiedName).sort();
  }

  async shutdown(): Promise<void> {
    for (const node of [...this.nodes].reverse()) node.destroy();
    await this.bus.flush();
  }
}

/** Node name, namespace and parameter overrides from a node's `--ros-args`, as rcl computes them. */
export function resolveNodeArguments(
  options: NodeBackendOptions,
  readFile: (path: string) => string,
): { name: string; namespace: string; args: RosArgs; overrides: Map<string, ParameterOverride> } {
  const argv = options.rosArgs[0] === "--ros-args" ? options.rosArgs : ["--ros-args", ...options.rosArgs];
  const args = parseRosArgs(argv);
  const { nodeName: name, namespace } = resolveNode({ nodeName: options.name, namespace: options.namespace, rules: args.remaps });
  const overrides = new Map<string, ParameterOverride>();
  // Files in order, later ones winning, then `-p` rules: rcl's precedence for overrides.
  for (const path of args.paramsFiles) {
    const text = options.files?.[path] ?? readFile(path);
    const file = parseParameterFile(text, { file: path });
    for (const [param, value] of parametersForNode([file], { nodeName: name, namespace })) {
      overrides.set(param, { value, source: path });
    }
  }
  for (const rule of args.params) {
    if (rule.node === undefined || rule.node === options.name) overrides.set(rule.name, { value: rule.value, source: `-p ${rule.text}` });
  }
  return { name, namespace, args, overrides };
}

class LocalNodeBackend implements NodeBackend {
  readonly name: string;
  readonly namespace: string;
  readonly logger: Logger;
  readonly parameters: ParameterStore;
  readonly clock: NodeClock;
  private readonly args: RosArgs;
  private readonly owner: BusEndpointOwner;
  private readonly owned = new OwnedHandles();
  private destroyed = false;
  private clockSubscription: BackendSubscription | undefined;

  constructor(
    private readonly bus: LocalBus,
    options: NodeBackendOptions,
    transportOptions: LocalTransportOptions,
    private readonly onDestroy: () => void,
  ) {
    const resolved = resolveNodeArguments(options, transportOptions.readFile ?? ((p) => readFileSync(p, "utf8")));
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.args = resolved.args;
    this.logger = new Logger({
      name: nodeLoggerName(this.name, this.namespace),
      level: nodeLogLevel(resolved.args, nodeLoggerName(this.name, this.namespace)),
      ...(transportOptions.logSink ? { sink: transportOptions.logSink } : {}),
    });
    this.parameters = new ParameterStore(this.fullyQualifiedName, resolved.overrides);
    this.clock = new NodeClock((error) => this.logger.error(`timer callback threw: ${describeError(error)}`));
    this.owner = { node: this.fullyQualifiedName, warn: (m) => this.logger.warn(m) };
    // Every rcl node declares use_sim_time itself (rclcpp and rclnodejs alike).
    const useSimTime = this.parameters.declare("use_sim_time", { type: "BOOL", value: false }, USE_SIM_TIME_DESCRIPTOR);
    this.applyUseSimTime(useSimTime.value === true);
    this.parameters.onChanged((changes) => {
      for (const { name, value } of changes) if (name === "use_sim_time") this.applyUseSimTime(value.value === true);
    });
  }

  /** Switches the clock to /clock (subscribed as rclcpp's ClockQoS: best effort, depth 1) or back. */
  private applyUseSimTime(enabled: boolean): void {
    this.clock.setUseSimTime(enabled);
    if (enabled && !this.clockSubscription) {
      this.clockSubscription = this.createSubscription<{ clock: Time }>(
        { type: "rosgraph_msgs/msg/Clock", topic: "/clock", qos: CLOCK_QOS },
        (message) => this.clock.onClock(message.clock),
      );
    } else if (!enabled && this.clockSubscription) {
      this.clockSubscription.dispose();
      this.clockSubscription = undefined;
    }
  }

  get fullyQualifiedName(): string {
    return this.namespace === "/" || this.namespace === "" ? `/${this.name}` : `${this.namespace}/${this.name}`;
  }

  resolveTopicName(topic: string): string {
    return applyRemaps(topic, { rules: this.args.remaps, nodeName: this.name, namespace: this.namespace });
  }

  createPublisher<T>(spec: EndpointSpec): BackendPublisher<T> {
    this.assertAlive();
    const topic = this.resolveTopicName(spec.topic);
    const pub = new BusPublisher(topic, spec.type, spec.qos, this.owner);
    this.bus.addPublisher(pub);
    const bus = this.bus;
    return this.owned.track(
      { topic, publish: (message: T) => bus.publish(pub, message), subscriptionCount: () => pub.matched.size },
      () => bus.removePublisher(pub),
    );
  }

  createSubscription<T>(spec: EndpointSpec, onMessage: (message: T) => void): BackendSubscription {
    this.assertAlive();
    const topic = this.resolveTopicName(spec.topic);
    const sub = new BusSubscription(topic, spec.type, spec.qos, this.owner, onMessage as (m: unknown) => void, (error) =>
      this.logger.error(`subscription callback on '${topic}' threw: ${describeError(error)}`),
    );
    this.bus.addSubscription(sub);
    return this.owned.track({ topic, publisherCount: () => sub.matched.size }, () => this.bus.removeSubscription(sub));
  }

  createTimer(periodNs: bigint, callback: () => void): Disposable {
    this.assertAlive();
    const timer = this.clock.createTimer(periodNs, callback);
    return this.owned.track({}, () => timer.cancel());
  }

  now(): Time {
    return this.clock.now();
  }

  topicNamesAndTypes(): TopicInfo[] {
    return this.bus.topicNamesAndTypes();
  }

  publishersInfoByTopic(topic: string): EndpointInfo[] {
    return this.bus.publishersInfo(this.resolveTopicName(topic));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.owned.disposeAll();
    this.onDestroy();
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error(`node '${this.fullyQualifiedName}' has been destroyed`);
  }
}

/** The level `--log-level` sets for this node's logger (a logger-specific rule wins over the default). */
function nodeLogLevel(args: RosArgs, loggerName: string): LogLevel {
  const rule = args.logLevels.find((r) => r.logger === loggerName) ?? args.logLevels.find((r) => r.logger === undefined);
  return rule && rule.level !== "unset" ? parseLogLevel(rule.level) : "INFO";
}
