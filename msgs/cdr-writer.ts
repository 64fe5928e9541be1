/**
 * Validating CDR writer, compiled once per message type.
 *
 * Why not @foxglove/rosmsg2-serialization's MessageWriter: it sizes and writes strings by
 * JavaScript characters (UTF-16 units) where CDR counts UTF-8 bytes plus the NUL, so any
 * non-ASCII text is written wrongly, and it silently replaces values of the wrong type with
 * defaults. This writer walks the same parsed definitions over @foxglove/cdr's CdrWriter, in two
 * passes: `measure` validates the message and computes its exact size (so the buffer is
 * allocated once), `write` then emits the bytes, mirroring CdrWriter's alignment rules (offsets
 * relative to the end of the 4-byte header, 8-byte alignment for 64-bit values in CDR1, no
 * alignment for an empty sequence's elements).
 *
 * Missing fields (`undefined`), as rclnodejs does: a primitive, string or array field takes its
 * .msg default, else zero / "" / an empty (or zero-filled fixed-size) array. A nested message
 * (time and duration included) is required: omitting `header` or `linear` is nearly always a bug,
 * so it throws. `null` is never accepted. Extra keys are ignored (rclnodejs does the same).
 */
import { CdrWriter } from "@foxglove/cdr";
import type { MessageDefinitionField } from "@foxglove/message-definition";
import type { MessageRegistry } from "./registry";
import { SCALARS, type ScalarSpec } from "./cdr-scalars";

/** Thrown inside the walk; the caller turns it into a MessageTypeError. `path` grows as it unwinds. */
export class FieldError extends Error {
  path = "";
  constructor(
    readonly expected: string,
    readonly found: unknown,
  ) {
    super(expected);
  }
}

/** Measures (validating) and writes one value of one field type. */
interface ValuePlan {
  /** Returns the body offset after the value, starting at `offset`; throws FieldError. */
  measure(value: unknown, offset: number): number;
  /** Writes a value that `measure` accepted. */
  write(value: unknown, writer: CdrWriter): void;
}

/** Advances a body offset to the next multiple of `size`. */
export function align(offset: number, size: number): number {
  const rest = offset % size;
  return rest === 0 ? offset : offset + size - rest;
}

/** Prefixes the failing field's path segment while the error unwinds. */
function withSegment(err: unknown, segment: string): unknown {
  if (err instanceof FieldError) err.path = segment + err.path;
  return err;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** UTF-8 byte length; CDR's string length is this plus one for the NUL. */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function writeString(writer: CdrWriter, text: string): void {
  const bytes = utf8Length(text);
  if (bytes === text.length) {
    writer.string(text); // ASCII: CdrWriter's own length is right.
    return;
  }
  writer.uint32(bytes + 1);
  writer.uint8Array(Buffer.from(text, "utf8"));
  writer.uint8(0);
}

function stringPlan(field: MessageDefinitionField): ValuePlan {
  const bound = field.upperBound;
  const expected = bound === undefined ? "string" : `string<=${bound}`;
  return {
    measure(value, offset) {
      if (typeof value !== "string") throw new FieldError(expected, value);
      const bytes = utf8Length(value);
      if (bound !== undefined && bytes > bound) throw new FieldError(expected, value);
      return align(offset, 4) + 4 + bytes + 1;
    },
    write: (value, writer) => writeString(writer, value as string),
  };
}

function scalarPlan(spec: ScalarSpec): ValuePlan {
  return {
    measure(value, offset) {
      if (!spec.accepts(value)) throw new FieldError(spec.expected, value);
      return align(offset, spec.align) + spec.size;
    },
    write: (value, writer) => spec.write(writer, value),
  };
}

/** Compiles writers for every type reachable from a root, sharing one plan per type. */
export class WriterCompiler {
  readonly #plans = new Map<string, ValuePlan>();

  constructor(private readonly registry: MessageRegistry) {}

  /** The plan of a message type (a struct). */
  struct(key: string): ValuePlan {
    const existing = this.#plans.get(key);
    if (existing !== undefined) return existing;
    // Register a forwarding plan first so recursive types terminate.
    const forward: ValuePlan = { measure: (v, o) => real.measure(v, o), write: (v, w) => real.write(v, w) };
    this.#plans.set(key, forward);
    const real = this.#compileStruct(key);
    this.#plans.set(key, real);
    return real;
  }

  #compileStruct(key: string): ValuePlan {
    const spec = this.registry.get(key);
    const expected = `${spec.fullName} (object)`;
    const fields = spec.fields.filter((field) => field.isConstant !== true);
    if (fields.length === 0) return emptyStructPlan(expected);
    const names = fields.map((field) => field.name);
    const plans = fields.map((field) => this.#field(field));
    const count = fields.length;
    return {
      measure(value, offset) {
        if (!isRecord(value)) throw new FieldError(expected, value);
        let i = 0;
        try {
          for (; i < count; i++) offset = plans[i]!.measure(value[names[i]!], offset);
        } catch (err) {
          throw withSegment(err, `.${names[i]}`);
        }
        return offset;
      },
      write(value, writer) {
        const record = value as Record<string, unknown>;
        for (let i = 0; i < count; i++) plans[i]!.write(record[names[i]!], writer);
      },
    };
  }

  /** A field's plan, with the missing-value default applied. */
  #field(field: MessageDefinitionField): ValuePlan {
    const plan = field.isArray === true ? this.#array(field) : this.#single(field);
    const fallback = defaultFor(field);
    if (fallback === undefined) return plan; // nested message: required
    return {
      measure: (value, offset) => plan.measure(value === undefined ? fallback() : value, offset),
      write: (value, writer) => plan.write(value === undefined ? fallback() : value, writer),
    };
  }

  /** The plan of one (non-array) value of the field's type. */
  #single(field: MessageDefinitionField): ValuePlan {
    if (field.isComplex === true) return this.struct(field.type);
    if (field.type === "string") return stringPlan(field);
    if (field.type === "time" || field.type === "duration") return timePlan(field.type);
    const spec = SCALARS[field.type];
    if (spec === undefined) throw new Error(`unsupported field type ${field.type} (${field.name})`);
    return scalarPlan(spec);
  }

  #array(field: MessageDefinitionField): ValuePlan {
    const element = this.#single(field);
    const scalar = field.isComplex === true ? undefined : SCALARS[field.type];
    return arrayPlan(field, element, scalar);
  }
}

/** builtin_interfaces Time/Duration, which @foxglove/rosmsg turns into primitives: `{sec, nanosec}`. */
function timePlan(type: "time" | "duration"): ValuePlan {
  const expected = `builtin_interfaces/msg/${type === "time" ? "Time" : "Duration"} (object {sec, nanosec})`;
  const sec = scalarPlan(SCALARS.int32!);
  const nanosec = scalarPlan(SCALARS.uint32!);
  return {
    measure(value, offset) {
      if (!isRecord(value)) throw new FieldError(expected, value);
      let segment = ".sec";
      try {
        offset = sec.measure(value.sec ?? 0, offset);
        segment = ".nanosec";
        return nanosec.measure(value.nanosec ?? 0, offset);
      } catch (err) {
        throw withSegment(err, segment);
      }
    },
    write(value, writer) {
      const record = value as Record<string, unknown>;
      writer.int32((record.sec as number | undefined) ?? 0);
      writer.uint32((record.nanosec as number | undefined) ?? 0);
    },
  };
}

function emptyStructPlan(expected: string): ValuePlan {
  // ROS 2 gives an empty message one `uint8 structure_needs_at_least_one_member` (written 0).
  return {
    measure(value, offset) {
      if (value !== undefined && !isRecord(value)) throw new FieldError(expected, value);
      return offset + 1;
    },
    write: (_value, writer) => writer.uint8(0),
  };
}

/** Describes the array type for errors: `float64[36]`, `string[<=4]`, `geometry_msgs/Point[]`. */
function arrayTypeText(field: MessageDefinitionField): string {
  const base = field.isComplex === true ? field.type.replace("/", "/msg/") : field.type;
  if (field.arrayLength !== undefined) return `${base}[${field.arrayLength}]`;
  if (field.arrayUpperBound !== undefined) return `${base}[<=${field.arrayUpperBound}]`;
  return `${base}[]`;
}

function arrayPlan(field: MessageDefinitionField, element: ValuePlan, scalar: ScalarSpec | undefined): ValuePlan {
  const fixed = field.arrayLength;
  const bound = field.arrayUpperBound;
  const typeText = arrayTypeText(field);
  const typed = scalar?.TypedArray;
  const expected = typed === undefined ? `${typeText} (array)` : `${typeText} (${typed.name} or number array)`;
  const allowsTypedArrays = scalar !== undefined && scalar.align > 0 && field.type !== "bool";
  const checkContainer = (value: unknown): ArrayLike<unknown> => {
    const isList = Array.isArray(value) || (allowsTypedArrays && ArrayBuffer.isView(value) && !(value instanceof DataView));
    if (!isList) throw new FieldError(expected, value);
    const list = value as ArrayLike<unknown>;
    if ((fixed !== undefined && list.length !== fixed) || (bound !== undefined && list.length > bound)) {
      const count = fixed !== undefined ? `exactly ${fixed}` : `at most ${bound}`;
      throw new FieldError(`${typeText} (${count} elements)`, value);
    }
    return list;
  };
  return {
    measure(value, offset) {
      const list = checkContainer(value);
      if (fixed === undefined) offset = align(offset, 4) + 4;
      if (scalar !== undefined && typed !== undefined && value instanceof typed) {
        return list.length === 0 ? offset : align(offset, scalar.align) + scalar.size * list.length;
      }
      let i = 0;
      try {
        for (; i < list.length; i++) offset = element.measure(list[i], offset);
      } catch (err) {
        throw withSegment(err, `[${i}]`);
      }
      return offset;
    },
    write(value, writer) {
      const list = value as ArrayLike<unknown>;
      if (fixed === undefined) writer.sequenceLength(list.length);
      if (scalar?.writeArray !== undefined) {
        scalar.writeArray(writer, list);
        return;
      }
      for (let i = 0; i < list.length; i++) element.write(list[i], writer);
    },
  };
}

/** The value a missing field takes, or undefined when the field is required (nested message). */
function defaultFor(field: MessageDefinitionField): (() => unknown) | undefined {
  if (field.isComplex === true || field.type === "time" || field.type === "duration") return undefined;
  const given = field.defaultValue;
  if (field.isArray === true) {
    if (given !== undefined) return () => given;
    const length = field.arrayLength ?? 0;
    const spec = SCALARS[field.type];
    if (spec?.TypedArray !== undefined) return () => new spec.TypedArray!(length);
    const zero = field.type === "string" ? "" : spec?.zero;
    return () => new Array<unknown>(length).fill(zero);
  }
  if (given !== undefined) return () => given;
  const zero = field.type === "string" ? "" : SCALARS[field.type]?.zero;
  return () => zero;
}

/** Validates `message` and serializes it; the size is computed first so one buffer is allocated. */
export function writeMessage(plan: ValuePlan, message: unknown): Uint8Array {
  const size = 4 + plan.measure(message, 0);
  const writer = new CdrWriter({ size });
  plan.write(message, writer);
  return writer.data;
}
