/**
 * The seam between Kestrel's node API and a middleware. `RosNode` (ros/node.ts) is written once
 * against `NodeBackend`; the embedded bus (transport/local) and ROS 2 through rclnodejs
 * (transport/rclnodejs) each implement it. Names given here are as the node code wrote them
 * (relative, private `~/`, or absolute): each backend resolves and remaps them as rcl does.
 */
import type { Logger } from "../logger";
import type { ParameterMap, ParameterValue } from "../params/types";
import type { QosProfile } from "../qos";
import type { Time } from "../time";

export type TransportKind = "local" | "rclnodejs";

/** What a publisher or subscription is: message type (`pkg/msg/Type`), topic as written, QoS. */
export interface EndpointSpec {
  type: string;
  topic: string;
  qos: QosProfile;
}

export interface Disposable {
  dispose(): void;
}

export interface BackendPublisher<T> extends Disposable {
  /** The fully resolved topic name (after namespace expansion and remapping). */
  readonly topic: string;
  publish(message: T): void;
  /** Matched subscriptions (QoS-compatible, same type). */
  subscriptionCount(): number;
}

export interface BackendSubscription extends Disposable {
  readonly topic: string;
  publisherCount(): number;
}

/** A parameter's static description, as rcl_interfaces/msg/ParameterDescriptor carries it. */
export interface ParameterDescriptor {
  type: ParameterValue["type"];
  description: string;
  readOnly: boolean;
  /** Inclusive numeric range, for INTEGER and DOUBLE parameters. */
  range?: { from: number; to: number };
  /** Free-text constraints shown by `ros2 param describe` (enum values, array item types). */
  additionalConstraints?: string;
}

export interface SetParameterResult {
  successful: boolean;
  reason: string;
}

/**
 * Validates a proposed change before it is applied; returning unsuccessful vetoes the whole
 * change (ROS's on-set-parameters callback). Sees changes from the node API and from outside
 * (`ros2 param set` on ROS 2).
 */
export type ParameterValidator = (changes: ReadonlyArray<{ name: string; value: ParameterValue }>) => SetParameterResult;

export interface ParameterBackend {
  /** Declares a parameter and returns its value: the override (file, launch, `-p`) if any, else the default. */
  declare(name: string, defaultValue: ParameterValue, descriptor: ParameterDescriptor): ParameterValue;
  get(name: string): ParameterValue | undefined;
  describe(name: string): ParameterDescriptor | undefined;
  names(): string[];
  /** Applies all changes or none. */
  set(changes: ReadonlyArray<{ name: string; value: ParameterValue }>): SetParameterResult;
  /** Registers the validator consulted before every change. */
  setValidator(validator: ParameterValidator): void;
  /** Where a parameter's override came from (a file path, `-p ...`), when the backend knows. */
  overrideSource(name: string): string | undefined;
  /** Overrides given to the node (files, `-p`) for parameters it has not declared. */
  undeclaredOverrides(): ParameterMap;
  /** Called after changes were applied (from the node API or from outside). */
  onChanged(listener: (changes: ReadonlyArray<{ name: string; value: ParameterValue }>) => void): Disposable;
}

export interface TopicInfo {
  name: string;
  types: string[];
}

/** One publisher or subscription of a topic, as `ros2 topic info -v` lists it. */
export interface EndpointInfo {
  /** Fully qualified node name. */
  node: string;
  type: string;
  qos: QosProfile;
}

/** A node as a middleware sees it. */
export interface NodeBackend {
  readonly name: string;
  readonly namespace: string;
  readonly logger: Logger;
  readonly parameters: ParameterBackend;
  /** Expands and remaps a topic name as this node's publishers and subscriptions will. */
  resolveTopicName(topic: string): string;
  createPublisher<T>(spec: EndpointSpec): BackendPublisher<T>;
  createSubscription<T>(spec: EndpointSpec, onMessage: (message: T) => void): BackendSubscription;
  /** A timer on the node's clock (sim time when `use_sim_time` is true). */
  createTimer(periodNs: bigint, callback: () => void): Disposable;
  /** The node's clock: /clock when `use_sim_time` is true, else system time. */
  now(): Time;
  topicNamesAndTypes(): TopicInfo[];
  /** The publishers of a topic with their offered QoS (so a recorder or bridge can match them). */
  publishersInfoByTopic(topic: string): EndpointInfo[];
  destroy(): void;
}

/**
 * Everything a backend needs to create a node. A node gets exactly what a ROS 2 process would
 * get from `ros2 launch`: its default name and the `--ros-args` list (`__node`/`__ns` remaps,
 * topic remaps, `--params-file`, `-p`, `--log-level`), so both transports see the same input.
 */
export interface NodeBackendOptions {
  /** The node's default name (the definition's), before `__node` remapping. */
  name: string;
  /** Namespace before `__ns` remapping ("" for the root). */
  namespace: string;
  /** The `--ros-args ...` part of argv (the leading `--ros-args` may be omitted). */
  rosArgs: string[];
  /**
   * Contents of `--params-file` paths held in memory: the embedded launcher's equivalent of the
   * temporary files launch_ros writes for each `<param name value>`. Other paths are read from disk.
   */
  files?: Readonly<Record<string, string>>;
}

export interface Transport {
  readonly kind: TransportKind;
  createNode(options: NodeBackendOptions): NodeBackend;
  /** Stops the middleware; nodes must have been destroyed. */
  shutdown(): Promise<void>;
}
