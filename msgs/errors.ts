/**
 * Errors of the message layer. Each names the message type and where in the message or in the
 * bytes things went wrong, so a log line alone is enough to find the bad publisher or bag.
 */

/** Describes a JS value briefly for an error message: `string "abc"`, `array(3)`, `undefined`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined (missing)";
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name}(${length})`;
  }
  switch (typeof value) {
    case "string": {
      const text = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `string ${JSON.stringify(text)}`;
    }
    case "number":
      return `number ${value}`;
    case "bigint":
      return `bigint ${value}n`;
    case "boolean":
      return `boolean ${value}`;
    case "object":
      return "object";
    default:
      return typeof value;
  }
}

/** A message given to serialize() does not fit its type. */
export class MessageTypeError extends TypeError {
  override readonly name = "MessageTypeError";

  /**
   * @param type full type name, e.g. `geometry_msgs/msg/Twist`
   * @param path field path below the type, e.g. `linear.x` or `poses[2].pose` ('' for the root)
   * @param expected what the field must hold, e.g. `float64 (number)`
   * @param found the offending value
   */
  constructor(
    readonly type: string,
    readonly path: string,
    readonly expected: string,
    readonly found: unknown,
  ) {
    const where = path === "" ? type : `${type}.${path}`;
    super(`${where}: expected ${expected}, found ${describeValue(found)}`);
  }
}

/** Bytes given to deserialize() are not a valid CDR encoding of the type. */
export class MessageDecodeError extends Error {
  override readonly name = "MessageDecodeError";

  /**
   * @param type full type name
   * @param offset byte offset in the serialized message (encapsulation header included)
   * @param path field being read when decoding failed ('' when not known)
   * @param reason what was wrong
   */
  constructor(
    readonly type: string,
    readonly offset: number,
    readonly path: string,
    readonly reason: string,
  ) {
    const field = path === "" ? "" : ` (field ${path})`;
    super(`cannot decode ${type}: ${reason} at byte offset ${offset}${field}`);
  }
}

/** A type (or a nested type it refers to) is not in the registry. */
export class UnknownMessageTypeError extends Error {
  override readonly name = "UnknownMessageTypeError";

  constructor(
    readonly type: string,
    readonly referencedBy?: string,
  ) {
    const by = referencedBy === undefined ? "" : ` (referenced by ${referencedBy})`;
    super(`unknown message type '${type}'${by}`);
  }
}
