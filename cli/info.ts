/** `kestrel nodes`, `kestrel params dump NODE`, `kestrel msgs show TYPE`, `kestrel msgs list`. */
import { defaultRegistry } from "../msgs/default-registry";
import { findDefinition, type NodeDefinition } from "../ros/definition";
import { compileParameterSchema, parameterTypeOf } from "../ros/params/schema";
import type { ParameterMap } from "../ros/params/types";
import { dumpParameters } from "../ros/params/dump";
import { NODE_DEFINITIONS } from "../nodes/registry";

export function nodesCommand(registry: ReadonlyArray<NodeDefinition<any>> = NODE_DEFINITIONS): string {
  if (registry.length === 0) return "No nodes are registered yet.\n";
  const lines: string[] = [];
  for (const def of registry) {
    lines.push(`${def.name}: ${def.description}`);
    for (const [name, p] of Object.entries(def.parameters.properties)) {
      const range = p.minimum !== undefined || p.maximum !== undefined ? ` [${p.minimum ?? "-inf"}, ${p.maximum ?? "inf"}]` : "";
      const ro = p.readOnly ? " (read-only)" : "";
      lines.push(`  ${name} (${parameterTypeOf(p)}${range}${ro}) = ${JSON.stringify(p.default)}: ${p.description}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A node's defaults as a ROS 2 parameter file (nested keys re-nested, as `ros2 param dump` writes). */
export function paramsDumpCommand(exec: string, registry: ReadonlyArray<NodeDefinition<any>> = NODE_DEFINITIONS): string {
  const def = findDefinition(registry, exec);
  const params: ParameterMap = new Map([["use_sim_time", { type: "BOOL", value: false }]]);
  for (const [name, d] of compileParameterSchema(def.parameters).descriptors) if (d.default) params.set(name, d.default);
  return dumpParameters(def.name, params);
}

export function msgsShowCommand(type: string): string {
  return `${defaultRegistry().show(type)}\n`;
}

export function msgsListCommand(): string {
  return `${defaultRegistry().types().join("\n")}\n`;
}
