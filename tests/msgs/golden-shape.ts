/**
 * Turns a golden vector's `message` (JSON from rclpy's message_to_ordereddict) into the shape our
 * codec uses: typed arrays for numeric arrays, real NaN/Infinity, float32 scalars rounded to
 * float32 (the JSON holds the value before it went through a float32).
 */
import type { MessageDefinitionField } from "@foxglove/message-definition";
import type { MessageRegistry } from "../../msgs/registry";

const TYPED: Record<string, (values: number[]) => ArrayLike<unknown>> = {
  int8: (v) => Int8Array.from(v), uint8: (v) => Uint8Array.from(v), int16: (v) => Int16Array.from(v),
  uint16: (v) => Uint16Array.from(v), int32: (v) => Int32Array.from(v), uint32: (v) => Uint32Array.from(v),
  int64: (v) => BigInt64Array.from(v.map(BigInt)), uint64: (v) => BigUint64Array.from(v.map(BigInt)),
  float32: (v) => Float32Array.from(v), float64: (v) => Float64Array.from(v),
};

function number(value: unknown): number {
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return value as number;
}

function scalar(field: MessageDefinitionField, value: unknown): unknown {
  if (field.type === "float32") return Math.fround(number(value));
  if (field.type === "float64") return number(value);
  if (field.type === "int64" || field.type === "uint64") return BigInt(value as number);
  return value;
}

/** The message of `type` from golden JSON, shaped as deserialize() returns it. */
export function shapeGolden(registry: MessageRegistry, type: string, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of registry.get(type).fields) {
    if (field.isConstant === true) continue;
    const value = json[field.name];
    if (field.isComplex === true) {
      out[field.name] = field.isArray === true
        ? (value as Record<string, unknown>[]).map((item) => shapeGolden(registry, field.type, item))
        : shapeGolden(registry, field.type, value as Record<string, unknown>);
    } else if (field.isArray === true) {
      const make = TYPED[field.type];
      out[field.name] = make !== undefined ? make((value as unknown[]).map(number)) : value;
    } else {
      out[field.name] = scalar(field, value);
    }
  }
  return out;
}
