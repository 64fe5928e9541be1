/**
 * A Foxglove WebSocket bridge (protocol `foxglove.websocket.v1`, the one Foxglove, Lichtblick and
 * foxglove_bridge speak) on Kestrel's embedded graph, so the in-process stack can be watched and
 * driven without ROS 2.
 *
 * - Channels: every topic with at least one publisher on the bus, polled from the graph, one
 *   channel per (topic, type) with encoding `cdr`, schemaEncoding `ros2msg` and the schema text
 *   rosbag2 would write (msgs/ registry). Types the registry does not know are not advertised.
 * - Subscriptions: the bridge node subscribes on the bus only while some client subscribes to the
 *   channel (best effort; transient-local when every publisher is transient-local, so latched
 *   topics such as /costmap and /tf_static reach late clients, which also get the latched samples
 *   the bridge already holds). Each message is serialized once (ROS 2 CDR) and sent as binary
 *   message data stamped with the latest /clock time (the system clock before any /clock).
 * - Slow clients: every client has a bounded send queue (send-queue.ts) that drops the oldest
 *   frames of a topic instead of growing.
 * - clientPublish: only the topics in `clientPublishTopics` (/goal_pose and /cmd_vel by default);
 *   an advertisement on any other topic is refused with an error status message. Client CDR is
 *   decoded with the advertised type's codec and published on the bus.
 * - parameters: get/set over the nodes given by `parameterNodes` (parameters.ts for names).
 * - time: /clock, broadcast at most every `timeIntervalMs` of wall time.
 *
 * The protocol is implemented here (its types come from @foxglove/ws-protocol) rather than with
 * the package's FoxgloveServer, because that server writes straight to every socket and leaves
 * no place for a per-client bounded queue.
 */
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import {
  BinaryOpcode,
  ClientBinaryOpcode,
  ServerCapability,
  StatusLevel,
  type Channel,
  type ClientChannel,
  type ClientMessage,
  type ServerMessage,
} from "@foxglove/ws-protocol";
import { codecFor, type MessageCodec } from "../../msgs/cdr";
import { defaultRegistry } from "../../msgs/default-registry";
import type { MessageRegistry } from "../../msgs/registry";
import { Logger } from "../logger";
import { RosNode } from "../node";
import { resolveQos, resolveSystemDefaults } from "../qos";
import type { LocalBus } from "../transport/local/bus";
import type { BackendPublisher, Disposable, Transport } from "../transport/transport";
import { getParameters, setParameters, type ParameterNode } from "./parameters";
import { ClientSendQueue, type SendQueueLimits, type SendQueueStats } from "./send-queue";

export const FOXGLOVE_SUBPROTOCOL = "foxglove.websocket.v1";
export const DEFAULT_BRIDGE_PORT = 8765;
export const DEFAULT_BRIDGE_ADDRESS = "127.0.0.1";
export const DEFAULT_CLIENT_PUBLISH_TOPICS: readonly string[] = ["/goal_pose", "/cmd_vel"];

export interface BridgeOptions {
  /** The embedded graph: a transport whose nodes share a LocalBus. */
  transport: Transport & { readonly bus: LocalBus };
  /** Nodes whose parameters clients may get and set (e.g. the container's running nodes). */
  parameterNodes?: () => Iterable<ParameterNode>;
  /** TCP port; 0 picks a free one (default 8765). */
  port?: number;
  /** Address to bind (default 127.0.0.1: loopback only). */
  address?: string;
  registry?: MessageRegistry;
  /** How often the graph is polled for new and vanished topics (default 500 ms). */
  topicPollMs?: number;
  /** Topics clients may publish on (default /goal_pose, /cmd_vel). */
  clientPublishTopics?: readonly string[];
  /** Per-client send queue limits. */
  sendQueue?: Partial<SendQueueLimits>;
  /** Least wall time between two time broadcasts (default 50 ms). */
  timeIntervalMs?: number;
  /** Name of the bridge's node on the bus (default foxglove_bridge). */
  nodeName?: string;
  logger?: Logger;
}

export interface BridgeClientStats extends SendQueueStats {
  id: number;
  remote: string;
  subscriptions: number;
  /** ws's bufferedAmount now. */
  bufferedBytes: number;
}

interface ChannelState {
  channel: Channel;
  type: string;
  codec: MessageCodec;
  latched: boolean;
  /** Client subscriptions: client → its subscription id. */
  subscribers: Map<ClientState, number>;
  busSubscription: Disposable | undefined;
  /** Last serialized samples of a transient-local channel, for clients subscribing later. */
  latchedSamples: Array<{ timestamp: bigint; payload: Uint8Array }>;
}

interface ClientAdvertisement {
  topic: string;
  type: string;
  codec: MessageCodec;
}

interface ClientState {
  id: number;
  remote: string;
  socket: WebSocket;
  queue: ClientSendQueue;
  subscriptions: Map<number, ChannelState>;
  advertisements: Map<number, ClientAdvertisement>;
}

interface SharedPublisher {
  publisher: BackendPublisher<unknown>;
  type: string;
  users: number;
}

const LATCHED_SAMPLES = 10;
const BUS_DEPTH = 10;

/** `pkg/Type` or `pkg/msg/Type` → `pkg/msg/Type`. */
function normalizeType(name: string): string {
  const parts = name.split("/");
  return parts.length === 2 ? `${parts[0]}/msg/${parts[1]}` : name;
}

function toNs(time: { sec: number; nanosec: number }): bigint {
  return BigInt(time.sec) * 1_000_000_000n + BigInt(time.nanosec);
}

export class FoxgloveBridge {
  /** `ws://address:port`. */
  readonly url: string;
  readonly port: number;
  readonly address: string;
  private readonly channels = new Map<string, ChannelState>();
  private readonly channelsById = new Map<number, ChannelState>();
  private readonly clients = new Set<ClientState>();
  private readonly publishers = new Map<string, SharedPublisher>();
  private readonly unknownTypes = new Set<string>();
  private readonly pollTimer: NodeJS.Timeout;
  private readonly clockSubscription: Disposable;
  private nextChannelId = 1;
  private nextClientId = 1;
  private clockNs: bigint | undefined;
  private lastTimeBroadcastMs = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: BridgeOptions,
    private readonly server: WebSocketServer,
    private readonly node: RosNode,
    private readonly registry: MessageRegistry,
    private readonly logger: Logger,
  ) {
    const info = server.address() as AddressInfo;
    this.port = info.port;
    this.address = info.address;
    this.url = `ws://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`;
    server.on("connection", (socket, request) => this.onConnection(socket, `${request.socket.remoteAddress}:${request.socket.remotePort}`));
    this.clockSubscription = node.backend.createSubscription<{ clock: { sec: number; nanosec: number } }>(
      { type: "rosgraph_msgs/msg/Clock", topic: "/clock", qos: resolveQos({ reliability: "best_effort", depth: 1 }) },
      (message) => this.onClock(toNs(message.clock)),
    );
    this.pollTimer = setInterval(() => this.pollGraph(), options.topicPollMs ?? 500);
    this.pollTimer.unref();
    this.pollGraph();
  }

  /** Binds the WebSocket server and attaches the bridge node to the graph. */
  static async start(options: BridgeOptions): Promise<FoxgloveBridge> {
    const logger = options.logger ?? new Logger({ name: "kestrel.bridge" });
    const address = options.address ?? DEFAULT_BRIDGE_ADDRESS;
    const port = options.port ?? DEFAULT_BRIDGE_PORT;
    const server = await new Promise<WebSocketServer>((resolve, reject) => {
      const wss = new WebSocketServer({
        host: address,
        port,
        perMessageDeflate: false,
        handleProtocols: (protocols) => (protocols.has(FOXGLOVE_SUBPROTOCOL) ? FOXGLOVE_SUBPROTOCOL : false),
      });
      wss.once("listening", () => resolve(wss));
      wss.once("error", (error: NodeJS.ErrnoException) => {
        wss.close();
        reject(
          new Error(
            error.code === "EADDRINUSE"
              ? `bridge: ${address}:${port} is already in use (choose another port; 0 picks a free one)`
              : `bridge: cannot listen on ${address}:${port}: ${error.message}`,
          ),
        );
      });
    });
    const node = new RosNode(options.transport.createNode({ name: options.nodeName ?? "foxglove_bridge", namespace: "", rosArgs: [] }));
    return new FoxgloveBridge(options, server, node, options.registry ?? defaultRegistry(), logger);
  }

  /** Channels now advertised. */
  advertisedChannels(): Channel[] {
    return [...this.channelsById.values()].map((c) => c.channel);
  }

  clientStats(): BridgeClientStats[] {
    return [...this.clients].map((c) => ({
      ...c.queue.snapshot(),
      id: c.id,
      remote: c.remote,
      subscriptions: c.subscriptions.size,
      bufferedBytes: c.socket.bufferedAmount,
    }));
  }

  /** Re-reads the graph now (also done every topicPollMs). */
  pollGraph(): void {
    if (this.closing) return;
    const bus = this.options.transport.bus;
    const seen = new Set<string>();
    const added: Channel[] = [];
    for (const { name, types } of bus.topicNamesAndTypes()) {
      if (bus.publisherCount(name) === 0) continue;
      for (const type of types) {
        const key = `${name}\u0000${type}`;
        seen.add(key);
        if (this.channels.has(key)) continue;
        const state = this.createChannel(name, type);
        if (state) added.push(state.channel);
      }
    }
    const removed: number[] = [];
    for (const [key, state] of this.channels) {
      if (seen.has(key)) continue;
      this.channels.delete(key);
      this.channelsById.delete(state.channel.id);
      state.busSubscription?.dispose();
      for (const [client, subId] of state.subscribers) {
        client.subscriptions.delete(subId);
        client.queue.purge(subId);
      }
      removed.push(state.channel.id);
    }
    if (added.length > 0) this.broadcast({ op: "advertise", channels: added });
    if (removed.length > 0) this.broadcast({ op: "unadvertise", channelIds: removed });
  }

  /** Disconnects every client, stops listening and leaves the graph. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.pollTimer);
      for (const client of this.clients) {
        client.queue.close();
        client.socket.terminate();
      }
      this.clients.clear();
      for (const state of this.channels.values()) state.busSubscription?.dispose();
      this.channels.clear();
      this.channelsById.clear();
      for (const shared of this.publishers.values()) shared.publisher.dispose();
      this.publishers.clear();
      this.clockSubscription.dispose();
      this.node.destroy();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    })();
    return this.closing;
  }

  private createChannel(topic: string, type: string): ChannelState | undefined {
    if (!this.registry.has(type)) {
      if (!this.unknownTypes.has(type)) {
        this.unknownTypes.add(type);
        this.logger.warn(`topic '${topic}': type '${type}' is not in the message registry; not advertised`);
      }
      return undefined;
    }
    let codec: MessageCodec;
    let schema: string;
    try {
      codec = codecFor(type, this.registry);
      schema = this.registry.schemaText(type);
    } catch (error) {
      this.logger.warn(`topic '${topic}': cannot advertise ${type}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const id = this.nextChannelId++;
    const channel: Channel = { id, topic, encoding: "cdr", schemaName: type, schema, schemaEncoding: "ros2msg" };
    const state: ChannelState = {
      channel,
      type,
      codec,
      latched: this.allPublishersTransientLocal(topic),
      subscribers: new Map(),
      busSubscription: undefined,
      latchedSamples: [],
    };
    this.channels.set(`${topic}\u0000${type}`, state);
    this.channelsById.set(id, state);
    return state;
  }

  /**
   * Whether every publisher of the topic is transient-local (then the bridge subscribes
   * transient-local, as foxglove_bridge does).
   */
  private allPublishersTransientLocal(topic: string): boolean {
    const publishers = this.options.transport.bus.publishersInfo(topic);
    if (publishers.length === 0) return false;
    return publishers.every((p) => resolveSystemDefaults(p.qos, "publisher").durability === "transient_local");
  }

  private onClock(ns: bigint): void {
    this.clockNs = ns;
    const now = Date.now();
    if (now - this.lastTimeBroadcastMs < (this.options.timeIntervalMs ?? 50) || this.clients.size === 0) return;
    this.lastTimeBroadcastMs = now;
    const frame = Buffer.allocUnsafe(9);
    frame.writeUInt8(BinaryOpcode.TIME, 0);
    frame.writeBigUInt64LE(ns, 1);
    for (const client of this.clients) client.queue.push("time", -1, frame);
  }

  private timestamp(): bigint {
    return this.clockNs ?? BigInt(Date.now()) * 1_000_000n;
  }

  private onConnection(socket: WebSocket, remote: string): void {
    if (this.closing) {
      socket.terminate();
      return;
    }
    if (socket.protocol !== FOXGLOVE_SUBPROTOCOL) {
      socket.close(1002, `expected subprotocol ${FOXGLOVE_SUBPROTOCOL}`);
      return;
    }
    const client: ClientState = {
      id: this.nextClientId++,
      remote,
      socket,
      queue: new ClientSendQueue(socket, this.options.sendQueue),
      subscriptions: new Map(),
      advertisements: new Map(),
    };
    this.clients.add(client);
    this.logger.debug(`client ${client.id} connected from ${remote}`);
    this.sendJson(client, {
      op: "serverInfo",
      name: "kestrel",
      capabilities: [ServerCapability.clientPublish, ServerCapability.parameters, ServerCapability.time],
      supportedEncodings: ["cdr"],
      metadata: { ROS_DISTRO: "kestrel-embedded", clientPublishTopics: (this.options.clientPublishTopics ?? DEFAULT_CLIENT_PUBLISH_TOPICS).join(",") },
      sessionId: `${process.pid}-${Date.now()}`,
    });
    const channels = this.advertisedChannels();
    if (channels.length > 0) this.sendJson(client, { op: "advertise", channels });
    socket.on("message", (data, isBinary) => {
      try {
        if (isBinary) this.onBinary(client, toBytes(data));
        else this.onJson(client, JSON.parse(toBytes(data).toString()) as ClientMessage);
      } catch (error) {
        this.status(client, StatusLevel.ERROR, `bad request: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    socket.on("close", () => this.dropClient(client));
    socket.on("error", (error) => this.logger.debug(`client ${client.id}: ${error.message}`));
  }

  private dropClient(client: ClientState): void {
    if (!this.clients.delete(client)) return;
    client.queue.close();
    for (const state of client.subscriptions.values()) this.removeSubscriber(state, client);
    client.subscriptions.clear();
    for (const ad of client.advertisements.values()) this.releasePublisher(ad.topic);
    client.advertisements.clear();
  }

  private onJson(client: ClientState, message: ClientMessage): void {
    switch (message.op) {
      case "subscribe":
        for (const { id, channelId } of message.subscriptions) this.subscribe(client, id, channelId);
        return;
      case "unsubscribe":
        for (const id of message.subscriptionIds) {
          const state = client.subscriptions.get(id);
          if (!state) continue;
          client.subscriptions.delete(id);
          client.queue.purge(id);
          this.removeSubscriber(state, client);
        }
        return;
      case "advertise":
        for (const channel of message.channels) this.clientAdvertise(client, channel);
        return;
      case "unadvertise":
        for (const id of message.channelIds) {
          const ad = client.advertisements.get(id);
          if (!ad) continue;
          client.advertisements.delete(id);
          this.releasePublisher(ad.topic);
        }
        return;
      case "getParameters": {
        const { parameters, unknown } = getParameters(this.parameterNodes(), message.parameterNames);
        if (unknown.length > 0) this.status(client, StatusLevel.WARNING, `unknown parameter(s): ${unknown.join(", ")}`);
        this.sendJson(client, { op: "parameterValues", parameters, ...(message.id !== undefined ? { id: message.id } : {}) });
        return;
      }
      case "setParameters": {
        const errors = setParameters(this.parameterNodes(), message.parameters);
        for (const error of errors) this.status(client, StatusLevel.ERROR, error);
        const names = message.parameters.map((p) => p.name);
        const { parameters } = getParameters(this.parameterNodes(), names);
        this.sendJson(client, { op: "parameterValues", parameters, ...(message.id !== undefined ? { id: message.id } : {}) });
        return;
      }
      default:
        this.status(client, StatusLevel.ERROR, `operation '${(message as { op: string }).op}' is not supported by this bridge`);
    }
  }

  private parameterNodes(): Iterable<ParameterNode> {
    return this.options.parameterNodes?.() ?? [];
  }

  private subscribe(client: ClientState, subscriptionId: number, channelId: number): void {
    const state = this.channelsById.get(channelId);
    if (!state) {
      this.status(client, StatusLevel.ERROR, `subscribe: no channel ${channelId}`);
      return;
    }
    if (client.subscriptions.has(subscriptionId)) {
      this.status(client, StatusLevel.ERROR, `subscribe: subscription id ${subscriptionId} is already in use`);
      return;
    }
    client.subscriptions.set(subscriptionId, state);
    const alreadyLive = state.busSubscription !== undefined;
    state.subscribers.set(client, subscriptionId);
    if (!alreadyLive) {
      const qos = resolveQos({
        reliability: "best_effort",
        durability: state.latched ? "transient_local" : "volatile",
        depth: BUS_DEPTH,
      });
      state.busSubscription = this.node.backend.createSubscription<unknown>({ type: state.type, topic: state.channel.topic, qos }, (message) =>
        this.onBusMessage(state, message),
      );
    } else {
      for (const sample of state.latchedSamples) this.sendData(client, state, subscriptionId, sample.timestamp, sample.payload);
    }
  }

  private removeSubscriber(state: ChannelState, client: ClientState): void {
    state.subscribers.delete(client);
    if (state.subscribers.size === 0 && state.busSubscription) {
      state.busSubscription.dispose();
      state.busSubscription = undefined;
      state.latchedSamples.length = 0;
    }
  }

  private onBusMessage(state: ChannelState, message: unknown): void {
    if (state.subscribers.size === 0) return;
    let payload: Uint8Array;
    try {
      payload = state.codec.serialize(message);
    } catch (error) {
      this.logger.error(`topic '${state.channel.topic}': cannot serialize a ${state.type}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const timestamp = this.timestamp();
    if (state.latched) {
      state.latchedSamples.push({ timestamp, payload });
      if (state.latchedSamples.length > LATCHED_SAMPLES) state.latchedSamples.shift();
    }
    for (const [client, subscriptionId] of state.subscribers) this.sendData(client, state, subscriptionId, timestamp, payload);
  }

  private sendData(client: ClientState, state: ChannelState, subscriptionId: number, timestamp: bigint, payload: Uint8Array): void {
    const frame = Buffer.allocUnsafe(13 + payload.byteLength);
    frame.writeUInt8(BinaryOpcode.MESSAGE_DATA, 0);
    frame.writeUInt32LE(subscriptionId, 1);
    frame.writeBigUInt64LE(timestamp, 5);
    frame.set(payload, 13);
    client.queue.push(`c${state.channel.id}`, subscriptionId, frame);
  }

  private clientAdvertise(client: ClientState, channel: ClientChannel): void {
    const allowed = this.options.clientPublishTopics ?? DEFAULT_CLIENT_PUBLISH_TOPICS;
    const refuse = (why: string): void => this.status(client, StatusLevel.ERROR, `client channel ${channel.id} on '${channel.topic}' refused: ${why}`);
    if (!allowed.includes(channel.topic)) return refuse(`publishing is allowed only on ${allowed.join(", ")}`);
    if (channel.encoding !== "cdr") return refuse(`encoding '${channel.encoding}' is not supported (use cdr)`);
    const type = normalizeType(channel.schemaName);
    if (!this.registry.has(type)) return refuse(`unknown message type '${channel.schemaName}'`);
    const onBus = this.options.transport.bus.topicNamesAndTypes().find((t) => t.name === channel.topic);
    if (onBus && onBus.types.length > 0 && !onBus.types.includes(type)) {
      return refuse(`the graph uses ${onBus.types.join(", ")} on this topic, not ${type}`);
    }
    const shared = this.publishers.get(channel.topic);
    if (shared && shared.type !== type) return refuse(`another client publishes ${shared.type} on this topic`);
    if (client.advertisements.has(channel.id)) return refuse("the channel id is already advertised");
    const codec = codecFor(type, this.registry);
    if (shared) shared.users++;
    else {
      const publisher = this.node.backend.createPublisher<unknown>({ type, topic: channel.topic, qos: resolveQos({ reliability: "reliable", depth: 10 }) });
      this.publishers.set(channel.topic, { publisher, type, users: 1 });
    }
    client.advertisements.set(channel.id, { topic: channel.topic, type, codec });
    this.pollGraph();
  }

  private releasePublisher(topic: string): void {
    const shared = this.publishers.get(topic);
    if (!shared) return;
    if (--shared.users <= 0) {
      shared.publisher.dispose();
      this.publishers.delete(topic);
    }
  }

  private onBinary(client: ClientState, bytes: Buffer): void {
    if (bytes.byteLength < 5) throw new Error("binary message shorter than 5 bytes");
    const op = bytes.readUInt8(0);
    if (op !== ClientBinaryOpcode.MESSAGE_DATA) {
      this.status(client, StatusLevel.ERROR, `binary operation ${op} is not supported by this bridge`);
      return;
    }
    const channelId = bytes.readUInt32LE(1);
    const ad = client.advertisements.get(channelId);
    if (!ad) {
      this.status(client, StatusLevel.ERROR, `message on client channel ${channelId} refused: the channel is not advertised (or was refused)`);
      return;
    }
    let message: unknown;
    try {
      message = ad.codec.deserialize(bytes.subarray(5));
    } catch (error) {
      this.status(client, StatusLevel.ERROR, `message on '${ad.topic}' refused: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // Decoded arrays may be views into the socket's buffer: the bus hands the object on as is.
    this.publishers.get(ad.topic)?.publisher.publish(message);
  }

  private status(client: ClientState, level: StatusLevel, message: string): void {
    if (level >= StatusLevel.WARNING) this.logger.warn(`client ${client.id}: ${message}`);
    this.sendJson(client, { op: "status", level, message });
  }

  private sendJson(client: ClientState, message: ServerMessage): void {
    if (client.socket.readyState === WebSocket.OPEN) client.socket.send(JSON.stringify(message));
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.clients) if (client.socket.readyState === WebSocket.OPEN) client.socket.send(text);
  }
}

function toBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
