/**
 * Definition text of a type, for people (`kestrel msgs show`, like `ros2 interface show`) and
 * for bags (the `ros2msg` schema rosbag2 writes into MCAP: the root text, then each dependency
 * after a line of 80 `=` and `MSG: pkg/Type`).
 *
 * Types that came from .msg text print that text, comments included. Types of the standard set
 * come parsed (no comments), so their text is rebuilt from the fields.
 */
import type { MessageDefinitionField } from "@foxglove/message-definition";
import { TIME_PRIMITIVES, nestedTypeKey } from "./names";
import type { MessageRegistry, MessageSpec } from "./registry";

const SCHEMA_SEPARATOR = "=".repeat(80);

/** The .msg text of a type: its source, or one line per constant and field. */
export function definitionText(spec: MessageSpec): string {
  if (spec.source !== undefined) return spec.source.replace(/\n+$/, "");
  return spec.fields.map((field) => fieldLine(spec.pkg, field)).join("\n");
}

/** One .msg line: `int32 ARROW=0`, `float64[36] covariance`, `Vector3 linear`. */
function fieldLine(pkg: string, field: MessageDefinitionField): string {
  const type = `${displayType(pkg, field)}${arraySuffix(field)}`;
  if (field.isConstant === true) return `${type} ${field.name}=${field.valueText ?? String(field.value)}`;
  const fallback = field.defaultValue === undefined ? "" : ` ${formatDefault(field.defaultValue)}`;
  return `${type} ${field.name}${fallback}`;
}

/** The type as a .msg file writes it: short within the package, `pkg/Type` otherwise. */
function displayType(pkg: string, field: MessageDefinitionField): string {
  const time = TIME_PRIMITIVES[field.type];
  if (time !== undefined) return time;
  if (field.upperBound !== undefined) return `${field.type}<=${field.upperBound}`;
  if (field.isComplex !== true) return field.type;
  return field.type.startsWith(`${pkg}/`) ? field.type.slice(pkg.length + 1) : field.type;
}

function arraySuffix(field: MessageDefinitionField): string {
  if (field.isArray !== true) return "";
  if (field.arrayLength !== undefined) return `[${field.arrayLength}]`;
  if (field.arrayUpperBound !== undefined) return `[<=${field.arrayUpperBound}]`;
  return "[]";
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatDefault).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/**
 * The text `ros2 interface show TYPE` prints: the definition, each nested type's definition
 * expanded below the field that uses it, indented one tab per level; no trailing newline.
 */
export function interfaceShowText(registry: MessageRegistry, type: string): string {
  return expand(registry, registry.get(type), "").join("\n");
}

function expand(registry: MessageRegistry, spec: MessageSpec, indent: string): string[] {
  const fieldsByName = new Map(spec.fields.filter((f) => f.isConstant !== true).map((f) => [f.name, f]));
  const out: string[] = [];
  for (const line of definitionText(spec).split("\n")) {
    out.push(line === "" ? line : indent + line);
    const name = fieldNameOf(line);
    const field = name === undefined ? undefined : fieldsByName.get(name);
    const nested = field === undefined ? undefined : nestedTypeKey(field, true);
    if (nested !== undefined && registry.has(nested)) out.push(...expand(registry, registry.get(nested), `${indent}\t`));
  }
  return out;
}

/** The field name a .msg line declares (not constants, not comments). */
function fieldNameOf(line: string): string | undefined {
  const match = /^\s*[A-Za-z][\w/]*(?:<=\d+)?(?:\[[^\]]*\])?\s+([a-z][a-z0-9_]*)(?:\s|$)/.exec(line.replace(/#.*/, ""));
  return match?.[1];
}

/** The `ros2msg` schema of a type, as rosbag2 writes it into MCAP (dependencies included). */
export function schemaText(registry: MessageRegistry, type: string): string {
  const [root, ...deps] = registry.dependencies(type, { includeTime: true });
  const parts = [definitionText(root!)];
  for (const dep of deps) parts.push(`${SCHEMA_SEPARATOR}\nMSG: ${dep.key}\n${definitionText(dep)}`);
  return parts.join("\n") + "\n";
}
