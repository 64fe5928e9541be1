/**
 * The registry of message definitions: every type a node, the recorder or the CLI can name.
 *
 * Definitions come either already parsed (the ROS 2 Jazzy set of @foxglove/rosmsg-msgs-common) or
 * as .msg text (kestrel_msgs, the vendored vision_msgs, or the `ros2msg` schema stored in a bag,
 * which carries its dependencies after `====` lines). Text is kept next to the parsed form so that
 * `kestrel msgs show` can print it with comments, as `ros2 interface show` does.
 */
import { parse } from "@foxglove/rosmsg";
import type { MessageDefinition, MessageDefinitionField } from "@foxglove/message-definition";
import { UnknownMessageTypeError } from "./errors";
import { fullTypeName, nestedTypeKey, requireTypeName, typeKey } from "./names";
import { interfaceShowText, schemaText } from "./interface-text";

/** One message type. */
export interface MessageSpec {
  /** `pkg/msg/Type`. */
  readonly fullName: string;
  /** `pkg/Type`, the form used in nested field types. */
  readonly key: string;
  /** The package, e.g. `geometry_msgs`. */
  readonly pkg: string;
  /** The bare type name, e.g. `Twist`. */
  readonly name: string;
  /** Constants and fields in .msg order; nested types are `pkg/Type` keys. */
  readonly fields: readonly MessageDefinitionField[];
  /** The .msg text with comments, when the type came from text. */
  readonly source?: string;
}

/** The line rosbag2 puts between the definitions of a `ros2msg` schema. */
const SCHEMA_SEPARATOR = /^={10,}\s*$/m;

/**
 * Parses one .msg text of type `typeName`. Nested types are resolved to `pkg/Type` keys: a bare
 * name (`Point2D`) refers to the type's own package, `pkg/msg/Type` is shortened.
 */
export function parseMsgText(typeName: string, text: string): MessageDefinitionField[] {
  const { pkg } = requireTypeName(typeName);
  let parsed: MessageDefinition[];
  try {
    parsed = parse(text, { ros2: true, skipTypeFixup: true });
  } catch (err) {
    throw new Error(`cannot parse definition of ${fullTypeName(typeName)}: ${(err as Error).message}`);
  }
  const fields = parsed[0]?.definitions ?? [];
  return fields.map((field) => resolveFieldType(field, pkg));
}

function resolveFieldType(field: MessageDefinitionField, pkg: string): MessageDefinitionField {
  if (field.isComplex !== true) return field;
  const type = field.type.includes("/") ? typeKey(field.type) : `${pkg}/${field.type}`;
  return { ...field, type };
}

/** Splits a `ros2msg` schema (root text, then `====` + `MSG: pkg/Type` sections) into texts by type. */
export function splitSchemaText(rootType: string, schema: string): Map<string, string> {
  const sections = schema.split(SCHEMA_SEPARATOR);
  const texts = new Map<string, string>([[typeKey(rootType), stripTrailingNewline(sections[0] ?? "")]]);
  for (const section of sections.slice(1)) {
    const body = section.replace(/^\r?\n/, "");
    const match = /^MSG: *(\S+)[^\n]*\n?/.exec(body);
    if (match === null) throw new Error(`schema of ${fullTypeName(rootType)}: section without 'MSG: pkg/Type' line`);
    const key = typeKey(match[1]!);
    // rosbag2 repeats a dependency once per referencing type; the first copy wins.
    if (!texts.has(key)) texts.set(key, stripTrailingNewline(body.slice(match[0].length)));
  }
  return texts;
}

function stripTrailingNewline(text: string): string {
  return text.replace(/\n$/, "");
}

/** Keyed set of message definitions with nested-type resolution. */
export class MessageRegistry {
  readonly #specs = new Map<string, MessageSpec>();

  /** A registry holding exactly the types of one `ros2msg` schema (e.g. a bag channel's). */
  static fromSchema(rootType: string, schema: string): MessageRegistry {
    const registry = new MessageRegistry();
    registry.addSchema(rootType, schema);
    return registry;
  }

  /** Adds (or replaces) a parsed definition. */
  add(typeName: string, fields: readonly MessageDefinitionField[], source?: string): MessageSpec {
    const { pkg, name } = requireTypeName(typeName);
    const key = `${pkg}/${name}`;
    const spec: MessageSpec = { fullName: `${pkg}/msg/${name}`, key, pkg, name, fields, ...(source !== undefined ? { source } : {}) };
    this.#specs.set(key, spec);
    return spec;
  }

  /** Parses and adds the .msg text of one type. */
  addMsgText(typeName: string, text: string): MessageSpec {
    return this.add(typeName, parseMsgText(typeName, text), text);
  }

  /**
   * Adds every type of a `ros2msg` schema. Types already present are kept unless `override`,
   * so a bag cannot silently change the definitions the project ships.
   */
  addSchema(rootType: string, schema: string, options: { override?: boolean } = {}): void {
    for (const [key, text] of splitSchemaText(rootType, schema)) {
      if (options.override === true || !this.#specs.has(key)) this.addMsgText(key, text);
    }
  }

  /** Whether the type is known (either name form). */
  has(typeName: string): boolean {
    try {
      return this.#specs.has(typeKey(typeName));
    } catch {
      return false;
    }
  }

  /** The spec of a type; throws UnknownMessageTypeError when absent. */
  get(typeName: string): MessageSpec {
    const spec = this.#specs.get(typeKey(typeName));
    if (spec === undefined) throw new UnknownMessageTypeError(typeName);
    return spec;
  }

  /** All known types as sorted `pkg/msg/Type` names. */
  types(): string[] {
    return [...this.#specs.values()].map((spec) => spec.fullName).sort();
  }

  /**
   * The type and every type it uses, root first then depth-first in field order, each once.
   * With `includeTime`, `time`/`duration` fields count as uses of builtin_interfaces types
   * (a schema text needs them; a codec does not). Throws when a nested type is unknown.
   */
  dependencies(typeName: string, options: { includeTime?: boolean } = {}): MessageSpec[] {
    const seen = new Map<string, MessageSpec>();
    const visit = (key: string, referencedBy?: string): void => {
      if (seen.has(key)) return;
      const spec = this.#specs.get(key);
      if (spec === undefined) throw new UnknownMessageTypeError(fullTypeName(key), referencedBy);
      seen.set(key, spec);
      for (const field of spec.fields) {
        if (field.isConstant === true) continue;
        const nested = nestedTypeKey(field, options.includeTime === true);
        if (nested !== undefined) visit(nested, `${spec.fullName}.${field.name}`);
      }
    };
    visit(typeKey(typeName));
    return [...seen.values()];
  }

  /** `ros2 interface show`-style text of a type (for `kestrel msgs show`), no trailing newline. */
  show(typeName: string): string {
    return interfaceShowText(this, typeName);
  }

  /** The `ros2msg` schema text of a type, as rosbag2 stores it in MCAP. */
  schemaText(typeName: string): string {
    return schemaText(this, typeName);
  }

  /** Definitions in the shape @foxglove/rosmsg2-serialization expects: root first, named deps after. */
  definitionsFor(typeName: string): MessageDefinition[] {
    return this.dependencies(typeName).map((spec) => ({ name: spec.key, definitions: [...spec.fields] }));
  }
}
