/**
 * ROS 2 through rclnodejs. Messages cross as CDR in both directions (raw publish of a Buffer,
 * `isRaw` subscriptions) encoded by Kestrel's own codec: node code sees the same plain shapes on
 * both transports, the bytes are the ones tested against ROS 2's, and rclnodejs' per-field JS
 * conversion (slow for images and scans) is skipped. Names, remaps, parameter files and
 * use_sim_time are left to rcl itself, which is what rcl is for.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecFor } from "../../../msgs/cdr";
import { Logger, nodeLoggerName, type LogLevel, type LogSink } from "../../logger";
import { QOS_PRESETS, resolveQos, type QosProfile } from "../../qos";
import type { Time } from "../../time";
import type {
  BackendPublisher,
  BackendSubscription,
  Disposable,
  EndpointInfo,
  EndpointSpec,
  NodeBackend,
  NodeBackendOptions,
  TopicInfo,
  Transport,
} from "../transport";
import type { RclLogger, RclnodejsModule, RclNode, RclQoS } from "./api";
import { describeError, OwnedHandles } from "../owned";
import { RclParameterBackend } from "./parameters";

/** rmw's enum numbers (rmw/types.h) back to a Kestrel profile. */
export function fromRmwQos(q: { history: number; depth: number; reliability: number; durability: number }): QosProfile {
  const history = (["system_default", "keep_last", "keep_all"] as const)[q.history] ?? "system_default";
  // RMW_QOS_POLICY_RELIABILITY_BEST_AVAILABLE (4) and UNKNOWN (3) are treated as best effort: the safe match.
  const reliability = q.reliability === 1 ? "reliable" : q.reliability === 0 ? "system_default" : "best_effort";
  const durability = q.durability === 1 ? "transient_local" : q.durability === 2 ? "volatile" : "system_default";
  return resolveQos({ history, depth: q.depth, reliability, durability });
}

/** The profile strings rclnodejs' QoS accepts (its QoS.profile* getters). */
const RCLNODEJS_PROFILES = [
  "qos_profile_sensor_data",
  "qos_profile_system_default",
  "qos_profile_default",
  "qos_profile_services_default",
  "qos_profile_parameters",
  "qos_profile_parameter_events",
] as const;

/** The rclnodejs profile string naming exactly this profile, if one does. */
export function presetName(qos: QosProfile): string | undefined {
  const same = (a: QosProfile, b: QosProfile): boolean => JSON.stringify(a) === JSON.stringify(b);
  return RCLNODEJS_PROFILES.find((name) => same(QOS_PRESETS[name], qos));
}

/** rclnodejs QoS for a Kestrel profile: the profile string when it is a preset, else a QoS object. */
export function toRclQos(rcl: RclnodejsModule, qos: QosProfile): string | RclQoS {
  const preset = presetName(qos);
  if (preset) return preset;
  // rclnodejs' enum keys are the rmw names: RMW_QOS_POLICY_<KIND>_<VALUE>.
  const code = (table: Record<string, number>, kind: string, value: string): number =>
    table[`RMW_QOS_POLICY_${kind}_${value.toUpperCase()}`]!;
  return new rcl.QoS(
    code(rcl.QoS.HistoryPolicy, "HISTORY", qos.history),
    qos.depth,
    code(rcl.QoS.ReliabilityPolicy, "RELIABILITY", qos.reliability),
    code(rcl.QoS.DurabilityPolicy, "DURABILITY", qos.durability),
  );
}

function rclSink(rclLogger: RclLogger): LogSink {
  return (record) => {
    const methods: Record<LogLevel, (m: string) => boolean> = {
      DEBUG: (m) => rclLogger.debug(m),
      INFO: (m) => rclLogger.info(m),
      WARN: (m) => rclLogger.warn(m),
      ERROR: (m) => rclLogger.error(m),
      FATAL: (m) => rclLogger.fatal(m),
    };
    methods[record.level](record.message);
  };
}

export class RclnodejsTransport implements Transport {
  readonly kind = "rclnodejs" as const;
  private readonly nodes = new Set<RclNodeBackend>();

  private constructor(private readonly rcl: RclnodejsModule) {}

  /** Initialises rcl with the process arguments (global `--ros-args` from `ros2 launch`/`ros2 run`). */
  static async create(rcl: RclnodejsModule, argv: string[] = process.argv): Promise<RclnodejsTransport> {
    await rcl.init(undefined, argv);
    return new RclnodejsTransport(rcl);
  }

  createNode(options: NodeBackendOptions): NodeBackend {
    const { args, cleanup } = materialiseParamFiles(options);
    const node = new this.rcl.Node(options.name, options.namespace, undefined, undefined, args, true);
    cleanup();
    const backend = new RclNodeBackend(this.rcl, node, () => this.nodes.delete(backend));
    this.nodes.add(backend);
    node.spin();
    return backend;
  }

  async shutdown(): Promise<void> {
    for (const node of [...this.nodes].reverse()) node.destroy();
    if (!this.rcl.isShutdown()) this.rcl.shutdown();
  }
}

/**
 * rcl reads `--params-file` from disk, so parameter files the embedded launcher holds in memory
 * are written to a temporary folder for the node's construction (rcl parses them then), as
 * launch_ros does with its temporary files.
 */
function materialiseParamFiles(options: NodeBackendOptions): { args: string[]; cleanup: () => void } {
  const args = options.rosArgs[0] === "--ros-args" ? [...options.rosArgs] : ["--ros-args", ...options.rosArgs];
  const files = options.files ?? {};
  if (Object.keys(files).length === 0) return { args, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "kestrel-params-"));
  let n = 0;
  const mapped = args.map((arg, i) => {
    if (args[i - 1] !== "--params-file" || files[arg] === undefined) return arg;
    const path = join(dir, `params_${++n}.yaml`);
    writeFileSync(path, files[arg]!);
    return path;
  });
  return { args: mapped, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

class RclNodeBackend implements NodeBackend {
  readonly logger: Logger;
  readonly parameters: RclParameterBackend;
  private readonly owned = new OwnedHandles();
  private destroyed = false;

  constructor(
    private readonly rcl: RclnodejsModule,
    private readonly node: RclNode,
    private readonly onDestroy: () => void,
  ) {
    this.logger = new Logger({ name: nodeLoggerName(node.name(), node.namespace()), sink: rclSink(node.getLogger()) });
    this.parameters = new RclParameterBackend(rcl, node);
  }

  get name(): string {
    return this.node.name();
  }

  get namespace(): string {
    return this.node.namespace();
  }

  resolveTopicName(topic: string): string {
    return this.node.resolveTopicName(topic);
  }

  createPublisher<T>(spec: EndpointSpec): BackendPublisher<T> {
    const codec = codecFor(spec.type);
    const publisher = this.node.createPublisher(spec.type, spec.topic, { qos: toRclQos(this.rcl, spec.qos) });
    const topic = this.node.resolveTopicName(spec.topic);
    return this.owned.track(
      {
        topic,
        publish: (message: T) => {
          const bytes = codec.serialize(message as Record<string, unknown>);
          publisher.publish(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        },
        subscriptionCount: () => this.node.countSubscribers(topic),
      },
      () => this.node.destroyPublisher(publisher),
    );
  }

  createSubscription<T>(spec: EndpointSpec, onMessage: (message: T) => void): BackendSubscription {
    const codec = codecFor(spec.type);
    const topic = this.node.resolveTopicName(spec.topic);
    const subscription = this.node.createSubscription(
      spec.type,
      spec.topic,
      { qos: toRclQos(this.rcl, spec.qos), isRaw: true },
      (raw) => {
        let message: T;
        try {
          message = codec.deserialize(raw as Uint8Array) as T;
        } catch (error) {
          // A malformed sample is reported and dropped; the node keeps running.
          this.logger.error(`dropped a malformed ${spec.type} on '${topic}': ${describeError(error)}`);
          return;
        }
        try {
          onMessage(message);
        } catch (error) {
          this.logger.error(`subscription callback on '${topic}' threw: ${describeError(error)}`);
        }
      },
    );
    return this.owned.track({ topic, publisherCount: () => this.node.countPublishers(topic) }, () =>
      this.node.destroySubscription(subscription),
    );
  }

  createTimer(periodNs: bigint, callback: () => void): Disposable {
    const timer = this.node.createTimer(periodNs, () => {
      try {
        callback();
      } catch (error) {
        this.logger.error(`timer callback threw: ${describeError(error)}`);
      }
    });
    return this.owned.track({}, () => this.node.destroyTimer(timer));
  }

  now(): Time {
    const { seconds, nanoseconds } = this.node.now().secondsAndNanoseconds;
    return { sec: seconds, nanosec: nanoseconds };
  }

  topicNamesAndTypes(): TopicInfo[] {
    return this.node.getTopicNamesAndTypes();
  }

  publishersInfoByTopic(topic: string): EndpointInfo[] {
    return this.node.getPublishersInfoByTopic(this.node.resolveTopicName(topic), false).map((e) => ({
      node: e.node_namespace === "/" ? `/${e.node_name}` : `${e.node_namespace}/${e.node_name}`,
      type: e.topic_type,
      qos: fromRmwQos(e.qos),
    }));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.owned.disposeAll();
    this.node.destroy();
    this.onDestroy();
  }
}
