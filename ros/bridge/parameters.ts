/**
 * Parameters over the Foxglove protocol. The embedded graph has many nodes, the protocol one flat
 * list of names, so a parameter is named as ROS 2's foxglove_bridge names it: the node's fully
 * qualified name, a dot, the parameter name — `/planner.inflation_radius`, `/robot1/sim.seed`.
 *
 * Values map as foxglove_bridge maps them: BOOL → boolean, INTEGER → number, DOUBLE → number
 * with `type: "float64"`, STRING → string, BYTE_ARRAY → base64 string with `type: "byte_array"`,
 * arrays → JSON arrays (`type: "float64_array"` for DOUBLE_ARRAY). A set is converted to the
 * parameter's declared type and goes through the node's validator, which may refuse it.
 */
import type { Parameter } from "@foxglove/ws-protocol";
import type { ParameterValue } from "../params/types";
import type { ParameterBackend } from "../transport/transport";

/** A node whose parameters the bridge serves. */
export interface ParameterNode {
  /** Fully qualified node name (`/planner`). */
  readonly fullyQualifiedName: string;
  readonly parameters: ParameterBackend;
}

export const PARAMETER_SEPARATOR = ".";

export function parameterName(node: string, param: string): string {
  return `${node}${PARAMETER_SEPARATOR}${param}`;
}

/** `/planner.a.b` → node `/planner`, parameter `a.b` (node names never hold a dot). */
export function splitParameterName(name: string): { node: string; param: string } | undefined {
  const at = name.indexOf(PARAMETER_SEPARATOR);
  if (at <= 0 || at === name.length - 1) return undefined;
  return { node: name.slice(0, at), param: name.slice(at + 1) };
}

const toNumber = (v: number | bigint): number => (typeof v === "bigint" ? Number(v) : v);

export function toFoxgloveParameter(name: string, value: ParameterValue): Parameter {
  switch (value.type) {
    case "BOOL":
    case "STRING":
    case "BOOL_ARRAY":
    case "STRING_ARRAY":
      return { name, value: value.value };
    case "INTEGER":
      return { name, value: toNumber(value.value) };
    case "INTEGER_ARRAY":
      return { name, value: value.value.map(toNumber) };
    case "DOUBLE":
      return { name, value: value.value, type: "float64" };
    case "DOUBLE_ARRAY":
      return { name, value: value.value, type: "float64_array" };
    case "BYTE_ARRAY":
      return { name, value: Buffer.from(value.value).toString("base64"), type: "byte_array" };
  }
}

/** Converts a client's value to the declared type; returns a reason when it does not fit. */
export function fromFoxgloveValue(declared: ParameterValue["type"], parameter: Parameter): ParameterValue | string {
  const v = parameter.value;
  const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((e) => typeof e === "number" && Number.isFinite(e));
  const fail = (expected: string): string => `expected ${expected}, found ${JSON.stringify(v) ?? "undefined"}`;
  switch (declared) {
    case "BOOL":
      return typeof v === "boolean" ? { type: "BOOL", value: v } : fail("a boolean");
    case "INTEGER":
      return typeof v === "number" && Number.isInteger(v) ? { type: "INTEGER", value: v } : fail("an integer");
    case "DOUBLE":
      return typeof v === "number" ? { type: "DOUBLE", value: v } : fail("a number");
    case "STRING":
      return typeof v === "string" ? { type: "STRING", value: v } : fail("a string");
    case "BYTE_ARRAY":
      if (typeof v === "string") return { type: "BYTE_ARRAY", value: [...Buffer.from(v, "base64")] };
      return isNumberArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b < 256) ? { type: "BYTE_ARRAY", value: v } : fail("bytes (base64)");
    case "BOOL_ARRAY":
      return Array.isArray(v) && v.every((e) => typeof e === "boolean") ? { type: "BOOL_ARRAY", value: v as boolean[] } : fail("an array of booleans");
    case "INTEGER_ARRAY":
      return isNumberArray(v) && v.every(Number.isInteger) ? { type: "INTEGER_ARRAY", value: v } : fail("an array of integers");
    case "DOUBLE_ARRAY":
      return isNumberArray(v) ? { type: "DOUBLE_ARRAY", value: v } : fail("an array of numbers");
    case "STRING_ARRAY":
      return Array.isArray(v) && v.every((e) => typeof e === "string") ? { type: "STRING_ARRAY", value: v as string[] } : fail("an array of strings");
  }
}

/** Current values of the named parameters (all of them when `names` is empty); unknown names are listed apart. */
export function getParameters(nodes: Iterable<ParameterNode>, names: readonly string[]): { parameters: Parameter[]; unknown: string[] } {
  const byNode = new Map<string, ParameterNode>();
  for (const n of nodes) byNode.set(n.fullyQualifiedName, n);
  const parameters: Parameter[] = [];
  const unknown: string[] = [];
  if (names.length === 0) {
    for (const [fqn, node] of [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const param of node.parameters.names()) {
        const value = node.parameters.get(param);
        if (value) parameters.push(toFoxgloveParameter(parameterName(fqn, param), value));
      }
    }
    return { parameters, unknown };
  }
  for (const name of names) {
    const split = splitParameterName(name);
    const value = split ? byNode.get(split.node)?.parameters.get(split.param) : undefined;
    if (value) parameters.push(toFoxgloveParameter(name, value));
    else unknown.push(name);
  }
  return { parameters, unknown };
}

/**
 * Applies a client's set, node by node (each node's changes atomically, as one
 * `set_parameters_atomically`). Returns one error line per refused parameter or node.
 */
export function setParameters(nodes: Iterable<ParameterNode>, requested: readonly Parameter[]): string[] {
  const byNode = new Map<string, ParameterNode>();
  for (const n of nodes) byNode.set(n.fullyQualifiedName, n);
  const errors: string[] = [];
  const changes = new Map<ParameterNode, Array<{ name: string; value: ParameterValue }>>();
  for (const parameter of requested) {
    const split = splitParameterName(parameter.name);
    const node = split ? byNode.get(split.node) : undefined;
    if (!split || !node) {
      errors.push(`parameter '${parameter.name}': no such node (names are /<node>.<parameter>)`);
      continue;
    }
    const current = node.parameters.get(split.param);
    if (!current) {
      errors.push(`parameter '${parameter.name}': node '${split.node}' has no parameter '${split.param}'`);
      continue;
    }
    const value = fromFoxgloveValue(current.type, parameter);
    if (typeof value === "string") {
      errors.push(`parameter '${parameter.name}' (${current.type}): ${value}`);
      continue;
    }
    const list = changes.get(node) ?? [];
    list.push({ name: split.param, value });
    changes.set(node, list);
  }
  for (const [node, list] of changes) {
    const result = node.parameters.set(list);
    if (!result.successful) errors.push(`node '${node.fullyQualifiedName}' refused ${list.map((c) => c.name).join(", ")}: ${result.reason}`);
  }
  return errors;
}
