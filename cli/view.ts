/**
 * The Foxglove bridge and the built-in web view from the command line.
 *
 * - `kestrel launch FILE --bridge [--bridge-port N] [--bridge-address A]` serves the embedded graph
 *   over the Foxglove WebSocket protocol (ws://127.0.0.1:8765 by default) for Foxglove/Lichtblick;
 *   `--view [--view-port N]` adds the web page (http://127.0.0.1:8766/ by default; it implies
 *   --bridge) and prints its address.
 * - `kestrel view [--bridge-url URL] [--port N] [--address A] [--duration S]` serves the page alone,
 *   pointed at a bridge that is already running: one started by `kestrel launch --bridge`, or
 *   ROS 2's foxglove_bridge (same protocol, same default port), so the page also shows a robot
 *   running under ROS 2.
 */
import { FoxgloveBridge, DEFAULT_BRIDGE_ADDRESS, DEFAULT_BRIDGE_PORT } from "../ros/bridge/server";
import { ViewServer, DEFAULT_VIEW_PORT } from "../ros/bridge/view-server";
import type { ParameterNode } from "../ros/bridge/parameters";
import type { ComponentContainer } from "../ros/container";
import { Logger } from "../ros/logger";
import type { LocalBus } from "../ros/transport/local/bus";
import type { Transport } from "../ros/transport/transport";
import { waitForStop } from "./lifetime";

export interface BridgeCliOptions {
  port?: number;
  address?: string;
}

export interface LiveViewOptions {
  bridge?: BridgeCliOptions;
  /** Also serve the web view (implies the bridge). */
  view?: BridgeCliOptions;
}

export const VIEW_HELP = `Usage: kestrel view [--bridge-url URL] [--port N] [--address A] [--duration S]

Serves Kestrel's web view (a single page drawing the costmap, robot, scan, plan, goal, camera
with detections, safety status and learning curve; click the map to send a goal) on loopback,
connected to a running Foxglove WebSocket bridge: 'kestrel launch FILE --bridge' or ROS 2's
foxglove_bridge. Defaults: --bridge-url ws://127.0.0.1:${DEFAULT_BRIDGE_PORT}, --port ${DEFAULT_VIEW_PORT}, --address 127.0.0.1.
'kestrel launch FILE --view' starts bridge and view together.
`;

/** The container's running nodes as the bridge serves their parameters. */
export function containerParameterNodes(container: ComponentContainer | undefined): ParameterNode[] {
  return (container?.running() ?? []).map((entry) => ({ fullyQualifiedName: entry.node.fullyQualifiedName, parameters: entry.node.backend.parameters }));
}

export interface LiveView {
  bridge: FoxgloveBridge | undefined;
  view: ViewServer | undefined;
  close(): Promise<void>;
}

/**
 * Starts the bridge (and the view) for `kestrel launch`, before its nodes load so a busy port
 * fails fast. `container()` is read lazily for parameters.
 */
export async function startLiveView(
  transport: Transport,
  container: () => ComponentContainer | undefined,
  options: LiveViewOptions,
  logger: Logger = new Logger({ name: "kestrel.bridge" }),
): Promise<LiveView> {
  const bus = (transport as Transport & { bus?: LocalBus }).bus;
  let bridge: FoxgloveBridge | undefined;
  let bridgeUrl = `ws://${options.bridge?.address ?? DEFAULT_BRIDGE_ADDRESS}:${options.bridge?.port ?? DEFAULT_BRIDGE_PORT}`;
  if (transport.kind === "local" && bus) {
    bridge = await FoxgloveBridge.start({
      transport: transport as Transport & { bus: LocalBus },
      parameterNodes: () => containerParameterNodes(container()),
      ...(options.bridge?.port !== undefined ? { port: options.bridge.port } : {}),
      ...(options.bridge?.address !== undefined ? { address: options.bridge.address } : {}),
      logger,
    });
    bridgeUrl = bridge.url;
    logger.info(`Foxglove bridge on ${bridge.url} (foxglove.websocket.v1)`);
  } else {
    logger.warn(`no embedded bridge on the ${transport.kind} transport: run ROS 2's foxglove_bridge (the view expects ${bridgeUrl})`);
  }
  let view: ViewServer | undefined;
  if (options.view) {
    try {
      view = await ViewServer.start({
        bridgeUrl,
        ...(options.view.port !== undefined ? { port: options.view.port } : {}),
        ...(options.view.address !== undefined ? { address: options.view.address } : {}),
      });
    } catch (error) {
      await bridge?.close();
      throw error;
    }
  }
  return {
    bridge,
    view,
    close: async () => {
      await view?.close();
      await bridge?.close();
    },
  };
}

/** `kestrel view`: the page alone, pointed at a running bridge. */
export async function viewCommand(options: { bridgeUrl?: string; port?: number; address?: string; durationS?: number }): Promise<number> {
  const view = await ViewServer.start({
    bridgeUrl: options.bridgeUrl ?? `ws://${DEFAULT_BRIDGE_ADDRESS}:${DEFAULT_BRIDGE_PORT}`,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.address !== undefined ? { address: options.address } : {}),
  });
  process.stdout.write(`kestrel: view at ${view.url} (bridge ${view.bridgeUrl}); Ctrl-C to stop\n`);
  await waitForStop(options.durationS === undefined ? {} : { durationS: options.durationS });
  await view.close();
  return 0;
}

/** Parses a port option: an integer 0..65535 (0 picks a free port). */
export function parsePort(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${flag}: expected a port number 0..65535, found '${text}'`);
  return value;
}
