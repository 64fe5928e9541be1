/**
 * A node definition: name, parameter schema and a start function taking a RosNode. Registered
 * once, the same definition runs in the embedded container, in its own process, or as a ROS 2
 * executable (`ros2 run kestrel <name>`).
 */
import type { RosNode } from "./node";
import type { NodeParameters, ParameterSchema } from "./parameters/declare";

/** What a started node hands back to whoever runs it. */
export interface NodeInstance {
  /** Releases what `start` acquired beyond the RosNode (workers, files); the node is destroyed after. */
  stop?(): void | Promise<void>;
  /** One line for the container's closing summary (counts, rates, state). */
  summary?(): string;
}

export interface NodeDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  /** Executable name and default node name (`ros2 run kestrel <name>`). */
  name: string;
  /** One line for `kestrel nodes`. */
  description: string;
  /** The node's parameters (use_sim_time is declared by every node and need not appear). */
  parameters: ParameterSchema;
  start(node: RosNode, parameters: NodeParameters<P>): NodeInstance | Promise<NodeInstance>;
}

/** Identity, for type inference of `P` at the definition site. */
export function defineNode<P extends Record<string, unknown>>(definition: NodeDefinition<P>): NodeDefinition<P> {
  return definition;
}

/** Looks a definition up by executable name, with an error that lists what exists. */
export function findDefinition(
  registry: ReadonlyArray<NodeDefinition<any>>,
  exec: string,
): NodeDefinition<any> {
  const found = registry.find((d) => d.name === exec);
  if (!found) {
    const known = registry.map((d) => d.name).join(", ") || "(none)";
    throw new Error(`no node named '${exec}' in package kestrel (known: ${known})`);
  }
  return found;
}
