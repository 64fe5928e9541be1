/**
 * The embedded component container: runs many node definitions in one process (as a ROS 2
 * component container does), each given exactly the `--ros-args` ros2 launch would pass it.
 * A node that fails to start (bad parameters, a throwing start) is reported with the reason and
 * the others keep running; shutdown stops nodes in reverse start order.
 */
import { findDefinition, type NodeDefinition, type NodeInstance } from "./definition";
import { Logger } from "./logger";
import { RosNode } from "./node";
import type { Transport } from "./transport/transport";

/** One node to load: what ros2 launch would start as a process. */
export interface NodeLoad {
  /** Executable name in package kestrel (the definition's name). */
  exec: string;
  /** `--ros-args ...` for the node (`__node`, `__ns`, remaps, params files, `-p`). */
  rosArgs: string[];
  /** In-memory contents of params files named in rosArgs (launch's temporary files). */
  files?: Record<string, string>;
  /** Where the node came from (e.g. `launch/sim.launch.xml:12`), for error messages. */
  source?: string;
}

export type LoadedNode =
  | { status: "running"; exec: string; node: RosNode; instance: NodeInstance; startedAtMs: number }
  | { status: "failed"; exec: string; name: string; reason: string };

export interface ContainerOptions {
  transport: Transport;
  registry: ReadonlyArray<NodeDefinition<any>>;
  /** The container's own logger (load failures, shutdown). */
  logger?: Logger;
}

export class ComponentContainer {
  readonly loaded: LoadedNode[] = [];
  private readonly logger: Logger;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ContainerOptions) {
    this.logger = options.logger ?? new Logger({ name: "kestrel_container" });
  }

  get transport(): Transport {
    return this.options.transport;
  }

  /** Loads and starts one node; never throws for a node's own failure (it is recorded and logged). */
  async load(request: NodeLoad): Promise<LoadedNode> {
    const where = request.source ? `${request.source}: ` : "";
    let node: RosNode | undefined;
    try {
      const definition = findDefinition(this.options.registry, request.exec);
      node = new RosNode(
        this.options.transport.createNode({
          name: definition.name,
          namespace: "",
          rosArgs: request.rosArgs,
          ...(request.files ? { files: request.files } : {}),
        }),
      );
      const parameters = node.declareParameters(definition.parameters);
      const instance = await definition.start(node, parameters);
      const entry: LoadedNode = { status: "running", exec: request.exec, node, instance, startedAtMs: Date.now() };
      this.loaded.push(entry);
      return entry;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const name = node?.fullyQualifiedName ?? request.exec;
      node?.destroy();
      this.logger.error(`${where}node '${name}' (${request.exec}) failed to start: ${reason}`);
      const entry: LoadedNode = { status: "failed", exec: request.exec, name, reason };
      this.loaded.push(entry);
      return entry;
    }
  }

  running(): Array<Extract<LoadedNode, { status: "running" }>> {
    return this.loaded.filter((l): l is Extract<LoadedNode, { status: "running" }> => l.status === "running");
  }

  /** Stops every node in reverse start order, then the transport. Idempotent. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** One line per node: name, state, and what the node reports about itself. */
  summary(): string[] {
    return this.loaded.map((entry) => {
      switch (entry.status) {
        case "running": {
          const uptimeS = ((Date.now() - entry.startedAtMs) / 1000).toFixed(1);
          const own = entry.instance.summary?.();
          return `${entry.node.fullyQualifiedName} (${entry.exec}): ran ${uptimeS} s${own ? `; ${own}` : ""}`;
        }
        case "failed":
          return `${entry.name} (${entry.exec}): FAILED: ${entry.reason}`;
      }
    });
  }

  private async stopAll(): Promise<void> {
    for (const entry of [...this.running()].reverse()) {
      try {
        await entry.instance.stop?.();
      } catch (error) {
        this.logger.error(`node '${entry.node.fullyQualifiedName}' failed to stop cleanly: ${String(error)}`);
      }
      entry.node.destroy();
    }
    await this.options.transport.shutdown();
  }
}
