/**
 * An embedded stack for the bridge tests: sim + planner in a ComponentContainer on a
 * LocalTransport, the Foxglove bridge on an ephemeral loopback port, and a Foxglove protocol
 * client (@foxglove/ws-protocol's FoxgloveClient over `ws`) with helpers to wait for what it gets.
 */
import { join } from "node:path";
import WebSocket from "ws";
import { FoxgloveClient, type Channel, type MessageData, type StatusMessage, type ParameterValues } from "@foxglove/ws-protocol";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { ComponentContainer } from "../../ros/container";
import { Logger, type LogRecord } from "../../ros/logger";
import { LocalTransport } from "../../ros/transport/local/backend";
import { FoxgloveBridge, type BridgeOptions } from "../../ros/bridge/server";
import { containerParameterNodes } from "../../cli/view";
import { simNode } from "../../sim/node/sim-node";
import { plannerNode } from "../../nodes/planner/node";

export const NAV_YAML = join(__dirname, "..", "..", "config", "nav.yaml");

export interface BridgeStack {
  transport: LocalTransport;
  container: ComponentContainer;
  bridge: FoxgloveBridge;
  logs: LogRecord[];
  close(): Promise<void>;
}

export async function startBridgeStack(
  options: { realTimeFactor?: number; bridge?: Partial<Omit<BridgeOptions, "transport">> } = {},
): Promise<BridgeStack> {
  const logs: LogRecord[] = [];
  const transport = new LocalTransport({ logSink: (r) => logs.push(r) });
  const container = new ComponentContainer({
    transport,
    registry: [simNode, plannerNode],
    logger: new Logger({ name: "container", sink: (r) => logs.push(r) }),
  });
  const bridge = await FoxgloveBridge.start({
    transport,
    parameterNodes: () => containerParameterNodes(container),
    port: 0,
    topicPollMs: 100,
    logger: new Logger({ name: "bridge", sink: (r) => logs.push(r) }),
    ...options.bridge,
  });
  const rtf = (options.realTimeFactor ?? 0).toFixed(1);
  const sim = await container.load({ exec: "sim", rosArgs: ["-p", `real_time_factor:=${rtf}`, "-p", "lidar_noise_std_dev:=0.0"] });
  const planner = await container.load({ exec: "planner", rosArgs: ["--params-file", NAV_YAML, "-p", "use_sim_time:=true"] });
  if (sim.status !== "running" || planner.status !== "running") {
    await bridge.close();
    await container.shutdown();
    throw new Error(`stack failed to start: ${JSON.stringify([sim, planner].filter((l) => l.status === "failed"))}`);
  }
  return {
    transport,
    container,
    bridge,
    logs,
    close: async () => {
      await bridge.close();
      await container.shutdown();
    },
  };
}

/** A connected protocol client that records what the server sends. */
export class TestClient {
  readonly client: FoxgloveClient;
  readonly ws: WebSocket;
  readonly channels = new Map<number, Channel>();
  readonly statuses: StatusMessage[] = [];
  readonly parameterReplies: ParameterValues[] = [];
  readonly messages: MessageData[] = [];
  readonly times: bigint[] = [];
  capabilities: string[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(url: string) {
    this.ws = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
    this.client = new FoxgloveClient({ ws: this.ws as never });
    this.client.on("serverInfo", (info) => {
      this.capabilities = info.capabilities;
      this.poke();
    });
    this.client.on("advertise", (channels) => {
      for (const c of channels) this.channels.set(c.id, c);
      this.poke();
    });
    this.client.on("unadvertise", (ids) => ids.forEach((id) => this.channels.delete(id)));
    this.client.on("status", (s) => {
      this.statuses.push(s);
      this.poke();
    });
    this.client.on("parameterValues", (p) => {
      this.parameterReplies.push(p);
      this.poke();
    });
    this.client.on("message", (m) => {
      this.messages.push(m);
      if (this.messages.length > 2000) this.messages.splice(0, 1000);
      this.poke();
    });
    this.client.on("time", (t) => {
      this.times.push(t.timestamp);
      this.poke();
    });
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with cond()'s first truthy value (checked on every server message), else fails naming `what`. */
  waitFor<T>(what: string, cond: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        let value: T | undefined | false;
        try {
          value = cond();
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  channel(topic: string): Promise<Channel> {
    return this.waitFor(`an advertisement of ${topic}`, () => [...this.channels.values()].find((c) => c.topic === topic));
  }

  close(): void {
    this.client.close();
  }
}

/** An independent decoder for a channel: its advertised ros2msg schema through @foxglove/rosmsg + MessageReader. */
export function readerFor(channel: Channel): MessageReader {
  return new MessageReader(parse(channel.schema, { ros2: true }));
}
