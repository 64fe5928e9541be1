/**
 * A test double of the rclnodejs 2.x surface Kestrel's adapter calls, behaving as rclnodejs does
 * where the adapter could get it wrong:
 * - `createTimer` takes a bigint period in nanoseconds and throws a TypeError otherwise;
 * - QoS is a profile string from the known set or a QoS object; anything else throws;
 * - `isRaw` subscriptions receive a null-terminated Buffer of CDR bytes; publish takes a Buffer;
 * - callbacks only run while the node spins (rclnodejs delivers from its executor);
 * - integer parameters are bigint (a number value for an INTEGER Parameter throws), declared
 *   parameters take `-p name:=value` overrides from the node's `--ros-args`, set callbacks may
 *   veto, post-set callbacks follow, read-only parameters refuse changes;
 * - `__node:=`, `__ns:=` and plain `from:=to` remaps from the node's args apply to names.
 * Everything is recorded on the double for assertions.
 */
import { parse as parseYaml } from "yaml";
import type {
  RclLogger,
  RclNode,
  RclnodejsModule,
  RclParameter,
  RclParameterDescriptor,
  RclPublisher,
  RclPubSubOptions,
  RclQoS,
  RclSetParametersResult,
  RclSubscription,
  RclTimer,
  RclTopicEndpointInfo,
} from "../../ros/transport/rclnodejs/api";
import { RclParameterType as T } from "../../ros/transport/rclnodejs/api";

const PROFILES = [
  "qos_profile_default",
  "qos_profile_system_default",
  "qos_profile_sensor_data",
  "qos_profile_services_default",
  "qos_profile_parameters",
  "qos_profile_parameter_events",
  "qos_profile_action_status_default",
];

class DoubleQoS implements RclQoS {
  constructor(
    public history = 0,
    public depth = 0,
    public reliabilityPolicy = 0,
    public durability = 0,
  ) {}
  static readonly profileDefault = "qos_profile_default";
  static readonly profileSystemDefault = "qos_profile_system_default";
  static readonly profileSensorData = "qos_profile_sensor_data";
  static readonly profileServicesDefault = "qos_profile_services_default";
  static readonly profileParameters = "qos_profile_parameters";
  static readonly profileParameterEvents = "qos_profile_parameter_events";
  static readonly HistoryPolicy = {
    RMW_QOS_POLICY_HISTORY_SYSTEM_DEFAULT: 0,
    RMW_QOS_POLICY_HISTORY_KEEP_LAST: 1,
    RMW_QOS_POLICY_HISTORY_KEEP_ALL: 2,
  };
  static readonly ReliabilityPolicy = {
    RMW_QOS_POLICY_RELIABILITY_SYSTEM_DEFAULT: 0,
    RMW_QOS_POLICY_RELIABILITY_RELIABLE: 1,
    RMW_QOS_POLICY_RELIABILITY_BEST_EFFORT: 2,
  };
  static readonly DurabilityPolicy = {
    RMW_QOS_POLICY_DURABILITY_SYSTEM_DEFAULT: 0,
    RMW_QOS_POLICY_DURABILITY_TRANSIENT_LOCAL: 1,
    RMW_QOS_POLICY_DURABILITY_VOLATILE: 2,
  };
}

class DoubleParameter implements RclParameter {
  value: unknown;
  constructor(
    readonly name: string,
    readonly type: number,
    value?: unknown,
  ) {
    this.value = value;
    // rclnodejs validates on construction: integers must be bigint.
    if (type === T.PARAMETER_INTEGER && typeof value !== "bigint") {
      throw new TypeError(`Parameter '${name}': PARAMETER_INTEGER value must be a bigint, found ${typeof value}`);
    }
    if (type === T.PARAMETER_INTEGER_ARRAY && !(value as unknown[]).every((v) => typeof v === "bigint")) {
      throw new TypeError(`Parameter '${name}': PARAMETER_INTEGER_ARRAY values must be bigint`);
    }
  }
}

class DoubleParameterDescriptor implements RclParameterDescriptor {
  constructor(
    readonly name: string,
    readonly type: number,
    readonly description = "",
    readonly readOnly = false,
    readonly range?: unknown,
  ) {}
}

class DoubleRange {
  constructor(
    readonly fromValue: number | bigint,
    readonly toValue: number | bigint,
    readonly step: number | bigint = 0,
  ) {}
}

export interface PublishedSample {
  topic: string;
  type: string;
  bytes: Buffer;
}

interface DoubleSub extends RclSubscription {
  readonly type: string;
  readonly node: DoubleNode;
  readonly callback: (message: unknown) => void;
}

/** The process-wide state of the double: graph, traffic, lifecycle. */
export class RclnodejsDouble {
  initArgv: string[] | undefined;
  shutdownCalled = false;
  readonly nodes: DoubleNode[] = [];
  readonly published: PublishedSample[] = [];
  readonly subscriptions: DoubleSub[] = [];
  readonly publishers: Array<RclPublisher & { type: string; options: RclPubSubOptions; node: DoubleNode }> = [];

  /** Publishes CDR bytes from "another process" (e.g. `ros2 topic pub`) to local raw subscriptions. */
  inject(topic: string, type: string, bytes: Uint8Array): void {
    for (const sub of this.subscriptions) {
      if (sub.topic === topic && sub.type === type) sub.node.deliver(sub, Buffer.from(bytes));
    }
  }

  readonly module: RclnodejsModule;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const double = this;
    this.module = {
      init: async (_context?: unknown, argv?: string[]) => {
        double.initArgv = argv;
      },
      shutdown: () => {
        double.shutdownCalled = true;
      },
      isShutdown: () => double.shutdownCalled,
      Node: class {
        constructor(
          name: string,
          namespace = "",
          _context?: unknown,
          _options?: unknown,
          args: string[] = [],
          useGlobalArguments = true,
        ) {
          if (!double.initArgv) throw new Error("rclnodejs.init() must be called before creating a node");
          // rcl consults the node's own --ros-args before the process's (global) ones.
          const hasGlobal = useGlobalArguments && double.initArgv.includes("--ros-args");
          const global = hasGlobal ? double.initArgv.slice(double.initArgv.indexOf("--ros-args") + 1) : [];
          const node = new DoubleNode(double, name, namespace, [...args, ...global]);
          double.nodes.push(node);
          return node;
        }
      } as unknown as RclnodejsModule["Node"],
      QoS: DoubleQoS as unknown as RclnodejsModule["QoS"],
      Parameter: DoubleParameter,
      ParameterDescriptor: DoubleParameterDescriptor,
      FloatingPointRange: DoubleRange as unknown as RclnodejsModule["FloatingPointRange"],
      IntegerRange: DoubleRange as unknown as RclnodejsModule["IntegerRange"],
    };
  }
}

function parseNodeArgs(args: string[]): { remaps: Map<string, string>; overrides: Map<string, unknown> } {
  // rcl takes the first matching rule; callers put the node's own args before the global ones.
  const remaps = new Map<string, string>();
  const overrides = new Map<string, unknown>();
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if ((flag === "-r" || flag === "-p") && value !== undefined) {
      const [from, to] = value.split(":=") as [string, string];
      if (flag === "-r" && !remaps.has(from)) remaps.set(from, to);
      if (flag === "-p" && !overrides.has(from)) overrides.set(from, parseYaml(to, { intAsBigInt: true }));
      i++;
    }
  }
  return { remaps, overrides };
}

/** The ParameterType rcl infers for an override value parsed from YAML. */
function typeCodeOf(value: unknown): number {
  if (typeof value === "boolean") return T.PARAMETER_BOOL;
  if (typeof value === "bigint") return T.PARAMETER_INTEGER;
  if (typeof value === "number") return T.PARAMETER_DOUBLE;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "bigint")) return T.PARAMETER_INTEGER_ARRAY;
    if (value.every((v) => typeof v === "number")) return T.PARAMETER_DOUBLE_ARRAY;
    if (value.every((v) => typeof v === "boolean")) return T.PARAMETER_BOOL_ARRAY;
    return T.PARAMETER_STRING_ARRAY;
  }
  return T.PARAMETER_STRING;
}

export class DoubleNode implements RclNode {
  spinning = false;
  destroyed = false;
  readonly logs: Array<{ level: string; message: string }> = [];
  readonly timers: Array<RclTimer & { period: bigint; cancelled: boolean }> = [];
  private readonly params = new Map<string, { parameter: RclParameter; descriptor: RclParameterDescriptor }>();
  private readonly setCallbacks: Array<(p: RclParameter[]) => RclSetParametersResult> = [];
  private readonly postSetCallbacks: Array<(p: RclParameter[]) => void> = [];
  private readonly remaps: Map<string, string>;
  private readonly overrides: Map<string, unknown>;
  private readonly nodeName: string;
  private readonly ns: string;

  constructor(
    private readonly double: RclnodejsDouble,
    name: string,
    namespace: string,
    args: string[],
  ) {
    const parsed = parseNodeArgs(args);
    this.remaps = parsed.remaps;
    this.overrides = parsed.overrides;
    this.nodeName = this.remaps.get("__node") ?? name;
    const ns = this.remaps.get("__ns") ?? namespace;
    this.ns = ns === "" ? "/" : ns.startsWith("/") ? ns : `/${ns}`;
    // rclnodejs' Node declares use_sim_time itself.
    this.declareParameter(new DoubleParameter("use_sim_time", T.PARAMETER_BOOL, false));
  }

  name(): string {
    return this.nodeName;
  }
  namespace(): string {
    return this.ns;
  }
  getLogger(): RclLogger {
    const log = (level: string) => (message: string) => {
      this.logs.push({ level, message });
      return true;
    };
    return { debug: log("DEBUG"), info: log("INFO"), warn: log("WARN"), error: log("ERROR"), fatal: log("FATAL") };
  }

  resolveTopicName(topic: string): string {
    const base = this.ns === "/" ? "" : this.ns;
    const expanded = topic.startsWith("/")
      ? topic
      : topic.startsWith("~")
        ? `${base}/${this.nodeName}${topic.slice(1)}`
        : `${base}/${topic}`;
    for (const [from, to] of this.remaps) {
      if (from.startsWith("__")) continue;
      const fromExpanded = from.startsWith("/") ? from : `${base}/${from}`;
      if (fromExpanded === expanded) return to.startsWith("/") ? to : `${base}/${to}`;
    }
    return expanded;
  }

  private checkQos(options: RclPubSubOptions): void {
    const qos = options.qos;
    if (qos === undefined || qos instanceof DoubleQoS) return;
    if (typeof qos !== "string" || !PROFILES.includes(qos)) {
      throw new TypeError(`Invalid QoS: expected a QoS object or one of ${PROFILES.join(", ")}, found ${String(qos)}`);
    }
  }

  createPublisher(type: string, topic: string, options: RclPubSubOptions = {}): RclPublisher {
    this.checkQos(options);
    const resolved = this.resolveTopicName(topic);
    const double = this.double;
    const publisher = {
      topic: resolved,
      type,
      options,
      node: this,
      publish(message: unknown): void {
        if (!(message instanceof Buffer)) throw new TypeError("double: the adapter must publish raw CDR Buffers");
        double.published.push({ topic: resolved, type, bytes: message });
        double.inject(resolved, type, message);
      },
    };
    this.double.publishers.push(publisher);
    return publisher;
  }

  createSubscription(
    type: string,
    topic: string,
    options: RclPubSubOptions,
    callback: (message: unknown) => void,
  ): RclSubscription {
    this.checkQos(options);
    const sub: DoubleSub = { topic: this.resolveTopicName(topic), isRaw: options.isRaw ?? false, type, node: this, callback };
    this.double.subscriptions.push(sub);
    return sub;
  }

  /** rclnodejs hands a raw subscription a null-terminated Buffer, from its executor. */
  deliver(sub: DoubleSub, bytes: Buffer): void {
    if (!sub.isRaw) throw new Error("double: only raw subscriptions are supported");
    setImmediate(() => {
      if (this.spinning && !this.destroyed && this.double.subscriptions.includes(sub)) {
        sub.callback(Buffer.concat([bytes, Buffer.from([0])]));
      }
    });
  }

  createTimer(period: bigint, callback: () => void): RclTimer {
    if (typeof period !== "bigint") throw new TypeError(`Invalid argument period: expected bigint, found ${typeof period}`);
    const handle = setInterval(() => {
      if (this.spinning && !timer.cancelled) callback();
    }, Number(period / 1_000_000n));
    const timer = {
      period,
      cancelled: false,
      cancel: () => {
        timer.cancelled = true;
        clearInterval(handle);
      },
    };
    this.timers.push(timer);
    return timer;
  }

  destroyPublisher(publisher: RclPublisher): void {
    const i = this.double.publishers.indexOf(publisher as never);
    if (i >= 0) this.double.publishers.splice(i, 1);
  }
  destroySubscription(subscription: RclSubscription): void {
    const i = this.double.subscriptions.indexOf(subscription as DoubleSub);
    if (i >= 0) this.double.subscriptions.splice(i, 1);
  }
  destroyTimer(timer: RclTimer): void {
    timer.cancel();
  }

  now() {
    const ns = process.hrtime.bigint();
    return { secondsAndNanoseconds: { seconds: Number(ns / 1_000_000_000n), nanoseconds: Number(ns % 1_000_000_000n) } };
  }

  countSubscribers(topic: string): number {
    return this.double.subscriptions.filter((s) => s.topic === this.resolveTopicName(topic)).length;
  }
  countPublishers(topic: string): number {
    return this.double.publishers.filter((p) => p.topic === this.resolveTopicName(topic)).length;
  }
  getPublishersInfoByTopic(topic: string): RclTopicEndpointInfo[] {
    // QoS as rmw enum numbers; profile strings as rmw defines those profiles.
    const profiles: Record<string, RclTopicEndpointInfo["qos"]> = {
      qos_profile_sensor_data: { history: 1, depth: 5, reliability: 2, durability: 2 },
      qos_profile_system_default: { history: 0, depth: 0, reliability: 0, durability: 0 },
    };
    return this.double.publishers
      .filter((p) => p.topic === topic)
      .map((p) => {
        const q = p.options.qos;
        const qos =
          q instanceof DoubleQoS
            ? { history: q.history, depth: q.depth, reliability: q.reliabilityPolicy, durability: q.durability }
            : (profiles[typeof q === "string" ? q : ""] ?? { history: 1, depth: 10, reliability: 1, durability: 2 });
        return { node_name: p.node.name(), node_namespace: p.node.namespace(), topic_type: p.type, qos };
      });
  }

  getTopicNamesAndTypes(): Array<{ name: string; types: string[] }> {
    const map = new Map<string, Set<string>>();
    for (const e of [...this.double.publishers, ...this.double.subscriptions]) {
      if (!map.has(e.topic)) map.set(e.topic, new Set());
      map.get(e.topic)!.add(e.type);
    }
    return [...map].map(([name, types]) => ({ name, types: [...types] }));
  }

  declareParameter(parameter: RclParameter, descriptor?: RclParameterDescriptor): RclParameter {
    if (this.params.has(parameter.name)) throw new Error(`Parameter ${parameter.name} already declared`);
    let value = parameter.value;
    if (this.overrides.has(parameter.name)) value = this.overrides.get(parameter.name);
    const declared = new DoubleParameter(parameter.name, parameter.type, value);
    this.params.set(parameter.name, {
      parameter: declared,
      descriptor: descriptor ?? new DoubleParameterDescriptor(parameter.name, parameter.type),
    });
    return declared;
  }
  getParameterOverrides(): RclParameter[] {
    return [...this.overrides].map(([name, value]) => new DoubleParameter(name, typeCodeOf(value), value));
  }
  hasParameter(name: string): boolean {
    return this.params.has(name);
  }
  getParameter(name: string): RclParameter {
    return this.params.get(name)?.parameter ?? new DoubleParameter(name, T.PARAMETER_NOT_SET);
  }
  getParameterNames(): string[] {
    return [...this.params.keys()];
  }
  getParameterDescriptor(name: string): RclParameterDescriptor | undefined {
    return this.params.get(name)?.descriptor;
  }
  setParametersAtomically(parameters: RclParameter[]): RclSetParametersResult {
    for (const p of parameters) {
      const entry = this.params.get(p.name);
      if (!entry) return { successful: false, reason: `Parameter ${p.name} has not been declared` };
      if (entry.descriptor.readOnly) return { successful: false, reason: `Parameter ${p.name} is readonly` };
      if (entry.parameter.type !== p.type) return { successful: false, reason: `Parameter ${p.name} type mismatch` };
    }
    for (const callback of this.setCallbacks) {
      const result = callback(parameters);
      if (!result.successful) return result;
    }
    for (const p of parameters) this.params.get(p.name)!.parameter = p;
    for (const callback of this.postSetCallbacks) callback(parameters);
    return { successful: true, reason: "" };
  }
  addOnSetParametersCallback(callback: (p: RclParameter[]) => RclSetParametersResult): void {
    this.setCallbacks.unshift(callback);
  }
  addPostSetParametersCallback(callback: (p: RclParameter[]) => void): void {
    this.postSetCallbacks.unshift(callback);
  }

  spin(): void {
    this.spinning = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.spinning = false;
    for (const t of this.timers) t.cancel();
    this.double.subscriptions.splice(0, this.double.subscriptions.length, ...this.double.subscriptions.filter((s) => s.node !== this));
  }
}
