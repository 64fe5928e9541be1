/**
 * RIHS01 type description hashes (REP-2011), as rosidl_generator_type_description computes them
 * and rosbag2 (Jazzy) stores them per topic (`type_description_hash`, MCAP channel metadata
 * `topic_type_hash`): sha256 of the JSON of the type's TypeDescription (fields with type id,
 * capacity, string capacity and nested type name; default values and constants excluded) plus
 * every referenced type description sorted by name, serialised with Python's json.dumps
 * separators (", ", ": ").
 */
import { createHash } from "node:crypto";
import type { MessageDefinitionField } from "@foxglove/message-definition";
import type { MessageRegistry } from "../../msgs/registry";
import { TIME_PRIMITIVES } from "../../msgs/names";

/** type_description_interfaces/msg/FieldType ids. */
const PRIMITIVE_IDS: Readonly<Record<string, number>> = {
  int8: 2,
  uint8: 3,
  int16: 4,
  uint16: 5,
  int32: 6,
  uint32: 7,
  int64: 8,
  uint64: 9,
  float32: 10,
  float64: 11,
  char: 3, // .msg char is IDL uint8
  bool: 15,
  byte: 16,
  string: 17,
  wstring: 18,
};
const NESTED_TYPE = 1;
const BOUNDED_STRING = 21;
const BOUNDED_WSTRING = 22;
const ARRAY_OFFSET = 48;
const BOUNDED_SEQUENCE_OFFSET = 96;
const UNBOUNDED_SEQUENCE_OFFSET = 144;

/** builtin_interfaces types the registry may hold only as the time/duration primitives. */
const BUILTIN_FIELDS: Readonly<Record<string, MessageDefinitionField[]>> = {
  "builtin_interfaces/Time": [
    { name: "sec", type: "int32" },
    { name: "nanosec", type: "uint32" },
  ],
  "builtin_interfaces/Duration": [
    { name: "sec", type: "int32" },
    { name: "nanosec", type: "uint32" },
  ],
};

interface FieldTypeJson {
  type_id: number;
  capacity: number;
  string_capacity: number;
  nested_type_name: string;
}

function fullName(key: string): string {
  const [pkg, name] = key.split("/");
  return `${pkg}/msg/${name}`;
}

function fieldType(field: MessageDefinitionField): { json: FieldTypeJson; nestedKey?: string } {
  let base: number;
  let stringCapacity = 0;
  let nestedKey: string | undefined;
  const time = TIME_PRIMITIVES[field.type];
  if (field.isComplex === true || time !== undefined) {
    base = NESTED_TYPE;
    nestedKey = time ?? field.type;
  } else {
    const id = PRIMITIVE_IDS[field.type];
    if (id === undefined) throw new Error(`no type id for field type '${field.type}'`);
    base = id;
    if (field.upperBound !== undefined && (field.type === "string" || field.type === "wstring")) {
      base = field.type === "string" ? BOUNDED_STRING : BOUNDED_WSTRING;
      stringCapacity = field.upperBound;
    }
  }
  let typeId = base;
  let capacity = 0;
  if (field.isArray === true) {
    if (field.arrayLength !== undefined) {
      typeId += ARRAY_OFFSET;
      capacity = field.arrayLength;
    } else if (field.arrayUpperBound !== undefined) {
      typeId += BOUNDED_SEQUENCE_OFFSET;
      capacity = field.arrayUpperBound;
    } else {
      typeId += UNBOUNDED_SEQUENCE_OFFSET;
    }
  }
  return {
    json: { type_id: typeId, capacity, string_capacity: stringCapacity, nested_type_name: nestedKey ? fullName(nestedKey) : "" },
    ...(nestedKey ? { nestedKey } : {}),
  };
}

/** Python json.dumps(obj, separators=(', ', ': ')) for the plain objects used here. */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The RIHS01 hash of a message type in `registry` (`pkg/msg/Type`), or undefined when a type it
 * uses is unknown or uses a feature the hash is not reproduced for.
 */
export function typeDescriptionHash(registry: MessageRegistry, type: string): string | undefined {
  try {
    const described = new Map<string, { type_name: string; fields: Array<{ name: string; type: FieldTypeJson }> }>();
    const visit = (key: string): void => {
      if (described.has(key)) return;
      const fields = BUILTIN_FIELDS[key] && !registry.has(key) ? BUILTIN_FIELDS[key]! : registry.get(key).fields;
      const entry = { type_name: fullName(key), fields: [] as Array<{ name: string; type: FieldTypeJson }> };
      described.set(key, entry);
      for (const field of fields) {
        if (field.isConstant === true) continue;
        const { json, nestedKey } = fieldType(field);
        entry.fields.push({ name: field.name, type: json });
        if (nestedKey) visit(nestedKey);
      }
      if (entry.fields.length === 0) {
        // rosidl gives an empty message one placeholder member.
        entry.fields.push({ name: "structure_needs_at_least_one_member", type: { type_id: 3, capacity: 0, string_capacity: 0, nested_type_name: "" } });
      }
    };
    const rootKey = registry.get(type).key;
    visit(rootKey);
    const root = described.get(rootKey)!;
    const referenced = [...described.entries()]
      .filter(([k]) => k !== rootKey)
      .map(([, v]) => v)
      .sort((a, b) => (a.type_name < b.type_name ? -1 : a.type_name > b.type_name ? 1 : 0));
    const text = pyJson({ type_description: root, referenced_type_descriptions: referenced });
    return `RIHS01_${createHash("sha256").update(text, "utf8").digest("hex")}`;
  } catch {
    return undefined;
  }
}
