/**
 * The part of the rclnodejs 2.x API Kestrel calls, declared here because rclnodejs cannot even
 * be imported without a sourced ROS 2 (its native addon links against rcl). The shapes follow
 * rclnodejs' own types/*.d.ts: bigint timer periods in nanoseconds, QoS profile strings,
 * `isRaw` subscriptions delivering CDR Buffers, Parameter values as bigint for integers.
 * tests/support/rclnodejs-double.ts implements this surface for the adapter's tests.
 */

import { rcl_interfaces } from "../../../msgs/generated/types";

/** rcl_interfaces/msg/ParameterType values: rclnodejs' ParameterType enum uses the same numbers. */
export const RclParameterType = rcl_interfaces.msg.ParameterType;

export interface RclParameter {
  readonly name: string;
  readonly type: number;
  value: unknown;
}

export interface RclParameterDescriptor {
  readonly name: string;
  readonly type: number;
  readonly description: string;
  readonly readOnly: boolean;
}

export interface RclSetParametersResult {
  successful: boolean;
  reason: string;
}

export interface RclQoS {
  history: number;
  depth: number;
  durability: number;
}

export interface RclPublisher {
  readonly topic: string;
  publish(message: unknown): void;
}

export interface RclSubscription {
  readonly topic: string;
  readonly isRaw: boolean;
}

export interface RclTimer {
  cancel(): void;
}

export interface RclTime {
  readonly secondsAndNanoseconds: { seconds: number; nanoseconds: number };
}

export interface RclLogger {
  debug(message: string): boolean;
  info(message: string): boolean;
  warn(message: string): boolean;
  error(message: string): boolean;
  fatal(message: string): boolean;
}

export interface RclTopicEndpointInfo {
  node_name: string;
  node_namespace: string;
  topic_type: string;
  qos: { history: number; depth: number; reliability: number; durability: number };
}

export interface RclPubSubOptions {
  qos?: string | RclQoS;
  isRaw?: boolean;
  enableTypedArray?: boolean;
}

export interface RclNode {
  name(): string;
  namespace(): string;
  getLogger(): RclLogger;
  createPublisher(typeClass: string, topic: string, options?: RclPubSubOptions): RclPublisher;
  createSubscription(
    typeClass: string,
    topic: string,
    options: RclPubSubOptions,
    callback: (message: unknown) => void,
  ): RclSubscription;
  createTimer(period: bigint, callback: () => void): RclTimer;
  destroyPublisher(publisher: RclPublisher): void;
  destroySubscription(subscription: RclSubscription): void;
  destroyTimer(timer: RclTimer): void;
  now(): RclTime;
  resolveTopicName(topic: string): string;
  countSubscribers(topic: string): number;
  countPublishers(topic: string): number;
  getTopicNamesAndTypes(): Array<{ name: string; types: string[] }>;
  /** rmw_topic_endpoint_info as rclnodejs converts it; `qos` holds rmw enum numbers. */
  getPublishersInfoByTopic(topic: string, noDemangle: boolean): RclTopicEndpointInfo[];
  declareParameter(parameter: RclParameter, descriptor?: RclParameterDescriptor): RclParameter;
  hasParameter(name: string): boolean;
  /** Overrides from `-p` and `--params-file` (rcl's), declared or not. */
  getParameterOverrides(): RclParameter[];
  getParameter(name: string): RclParameter;
  getParameterNames(): string[];
  getParameterDescriptor(name: string): RclParameterDescriptor | undefined;
  setParametersAtomically(parameters: RclParameter[]): RclSetParametersResult;
  addOnSetParametersCallback(callback: (parameters: RclParameter[]) => RclSetParametersResult): void;
  addPostSetParametersCallback(callback: (parameters: RclParameter[]) => void): void;
  spin(): void;
  destroy(): void;
}

export interface RclNodeOptionsInstance {
  parameterOverrides: RclParameter[];
}

/** The rclnodejs module object (`require('rclnodejs')`). */
export interface RclnodejsModule {
  init(context?: unknown, argv?: string[]): Promise<void>;
  shutdown(): void;
  isShutdown(): boolean;
  Node: new (
    nodeName: string,
    namespace?: string,
    context?: unknown,
    options?: unknown,
    args?: string[],
    useGlobalArguments?: boolean,
  ) => RclNode;
  QoS: {
    new (history?: number, depth?: number, reliability?: number, durability?: number): RclQoS;
    profileDefault: string;
    profileSystemDefault: string;
    profileSensorData: string;
    profileServicesDefault: string;
    profileParameters: string;
    profileParameterEvents: string;
    HistoryPolicy: Record<string, number>;
    ReliabilityPolicy: Record<string, number>;
    DurabilityPolicy: Record<string, number>;
  };
  Parameter: new (name: string, type: number, value?: unknown) => RclParameter;
  ParameterDescriptor: new (
    name: string,
    type: number,
    description?: string,
    readOnly?: boolean,
    range?: unknown,
  ) => RclParameterDescriptor;
  FloatingPointRange: new (from: number, to: number, step?: number) => unknown;
  IntegerRange: new (from: bigint, to: bigint, step?: bigint) => unknown;
}
