/**
 * The node API every Kestrel node is written against, modelled on rclnodejs so node code reads
 * like ROS 2 code: publishers, subscriptions as rxjs Observables, timers on the node's clock,
 * `now()` honouring `use_sim_time`, a ROS logger, and parameters declared from a JSON schema.
 * It is transport-agnostic: the same node runs on the embedded bus or on ROS 2 (NodeBackend).
 */
import { config as rxjsConfig, Observable } from "rxjs";
import type { MessageTypeMap } from "../msgs/generated/types";
import { Logger } from "./logger";
import { declareSchemaParameters, type NodeParameters, type ParameterSchema } from "./parameters/declare";
import { resolveQos, type QosSpec } from "./qos";
import { msToNs, type Time } from "./time";
import type { BackendPublisher, NodeBackend, TopicInfo } from "./transport/transport";

/** Every message type name the project knows (`geometry_msgs/msg/Twist`, ...). */
export type MessageTypeName = keyof MessageTypeMap & string;
export type MessageOf<K extends MessageTypeName> = MessageTypeMap[K];

export interface Publisher<T> {
  /** The fully resolved topic name. */
  readonly topic: string;
  publish(message: T): void;
  /** Matched subscriptions: useful to skip building costly messages nobody reads. */
  subscriptionCount(): number;
  destroy(): void;
}

export interface Timer {
  cancel(): void;
}

/**
 * rxjs reports an error thrown by a subscriber's `next` on a later macrotask and rethrows it
 * there, which would take the whole process (every node in the container) down. A throwing
 * subscription callback is a bug in one node: log it and keep the process running.
 */
let callbackErrorLogger = new Logger({ name: "kestrel" });
rxjsConfig.onUnhandledError = (error: unknown) => {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  callbackErrorLogger.error(`a subscription callback threw (the node keeps running): ${text}`);
};

/** Where errors thrown by subscription callbacks are logged (tests capture them). */
export function setCallbackErrorLogger(logger: Logger): void {
  callbackErrorLogger = logger;
}

export class RosNode {
  private readonly destroyHooks: Array<() => void> = [];
  private destroyed = false;

  constructor(readonly backend: NodeBackend) {}

  get name(): string {
    return this.backend.name;
  }

  get namespace(): string {
    return this.backend.namespace;
  }

  get fullyQualifiedName(): string {
    const ns = this.namespace;
    return ns === "" || ns === "/" ? `/${this.name}` : `${ns}/${this.name}`;
  }

  get logger(): Logger {
    return this.backend.logger;
  }

  /** `qos` is a QoS profile, a partial one over the default profile, or an rclnodejs profile string. */
  createPublisher<K extends MessageTypeName>(type: K, topic: string, qos?: QosSpec): Publisher<MessageOf<K>> {
    const handle: BackendPublisher<MessageOf<K>> = this.backend.createPublisher({ type, topic, qos: resolveQos(qos ?? "qos_profile_default") });
    return {
      topic: handle.topic,
      publish: (message) => handle.publish(message),
      subscriptionCount: () => handle.subscriptionCount(),
      destroy: () => handle.dispose(),
    };
  }

  /**
   * Messages on a topic as an Observable. Each subscriber of the Observable creates its own ROS
   * subscription (released on unsubscribe); use rxjs `share()` to fan one out.
   */
  subscribe<K extends MessageTypeName>(type: K, topic: string, qos?: QosSpec): Observable<MessageOf<K>> {
    const profile = resolveQos(qos ?? "qos_profile_default");
    return new Observable<MessageOf<K>>((subscriber) => {
      const handle = this.backend.createSubscription<MessageOf<K>>({ type, topic, qos: profile }, (message) =>
        subscriber.next(message),
      );
      const release = (): void => subscriber.complete();
      this.destroyHooks.push(release);
      return () => {
        handle.dispose();
        const i = this.destroyHooks.indexOf(release);
        if (i >= 0) this.destroyHooks.splice(i, 1);
      };
    });
  }

  /** A timer on the node's clock: it follows /clock when `use_sim_time` is true. */
  createTimer(periodMs: number, callback: () => void): Timer {
    if (!(periodMs > 0) || !Number.isFinite(periodMs)) {
      throw new Error(`node '${this.fullyQualifiedName}': timer period must be a positive number of ms, found ${periodMs}`);
    }
    const handle = this.backend.createTimer(msToNs(periodMs), callback);
    return { cancel: () => handle.dispose() };
  }

  /** The node clock's time (sim time when `use_sim_time` is true). */
  now(): Time {
    return this.backend.now();
  }

  /** Expands and remaps a topic name as this node's endpoints do. */
  resolveTopicName(topic: string): string {
    return this.backend.resolveTopicName(topic);
  }

  topicNamesAndTypes(): TopicInfo[] {
    return this.backend.topicNamesAndTypes();
  }

  /**
   * Declares one ROS parameter per schema property (type, description, range, read-only from
   * the schema), takes overrides from launch/parameter files, validates the whole set with ajv,
   * and keeps validating every later change (a failing change is refused, as ROS refuses it).
   */
  declareParameters<P extends Record<string, unknown>>(schema: ParameterSchema): NodeParameters<P> {
    return declareSchemaParameters<P>(this.backend.parameters, schema, { node: this.fullyQualifiedName, logger: this.logger });
  }

  /** Whether the node's clock follows /clock. */
  get usesSimTime(): boolean {
    return this.backend.parameters.get("use_sim_time")?.value === true;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const hook of this.destroyHooks.splice(0).reverse()) hook();
    this.backend.destroy();
  }
}
