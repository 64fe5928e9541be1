/**
 * Walks the CDR bytes of a message without building it, to say *where* bytes are wrong (the
 * byte offset and field path a decode error names) and which bytes are alignment padding (ROS
 * leaves padding uninitialised, so comparing our bytes with a recording must mask them).
 *
 * It follows the same rules as @foxglove/cdr's CdrReader: alignment relative to the end of the
 * 4-byte encapsulation header, 64-bit values aligned to 8 (CDR1), no alignment before the
 * elements of an empty primitive sequence.
 */
import type { MessageDefinitionField } from "@foxglove/message-definition";
import { MessageDecodeError } from "./errors";
import type { MessageRegistry } from "./registry";
import { SCALARS } from "./cdr-scalars";

/** What the walk found. */
export interface CdrLayout {
  /** Byte offset just past the message (header included); bytes beyond are trailing. */
  end: number;
  /** Offsets (header included) of every alignment padding byte. */
  padding: number[];
}

const HEADER_SIZE = 4;

class Cursor {
  offset = HEADER_SIZE;
  readonly padding: number[] = [];
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly fail: (offset: number, path: string, reason: string) => never,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  align(size: number, path: string): void {
    const rest = (this.offset - HEADER_SIZE) % size;
    if (rest === 0) return;
    const pad = size - rest;
    this.need(pad, path, "padding");
    for (let i = 0; i < pad; i++) this.padding.push(this.offset + i);
    this.offset += pad;
  }

  need(count: number, path: string, what: string): void {
    const left = this.bytes.byteLength - this.offset;
    if (count > left) this.fail(this.offset, path, `truncated: ${what} needs ${count} bytes, ${Math.max(left, 0)} left`);
  }

  skip(count: number, path: string, what: string): void {
    this.need(count, path, what);
    this.offset += count;
  }

  uint32(path: string, what: string): number {
    this.align(4, path);
    this.need(4, path, what);
    const value = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }
}

/**
 * Walks `bytes` as a `type` message. Throws MessageDecodeError (type, byte offset, field path)
 * at the first inconsistency; returns the layout otherwise.
 */
export function cdrLayout(registry: MessageRegistry, type: string, bytes: Uint8Array): CdrLayout {
  const fullName = registry.get(type).fullName;
  const fail = (offset: number, path: string, reason: string): never => {
    throw new MessageDecodeError(fullName, offset, path, reason);
  };
  checkHeader(fullName, bytes);
  const cursor = new Cursor(bytes, bytes[1] === 1, fail);
  walkStruct(registry, type, cursor, "");
  return { end: cursor.offset, padding: cursor.padding };
}

/** Checks the 4-byte encapsulation header: ROS 2 messages are plain CDR, little or big endian. */
export function checkHeader(fullName: string, bytes: Uint8Array): void {
  if (bytes.byteLength < HEADER_SIZE) {
    throw new MessageDecodeError(fullName, 0, "", `truncated: ${bytes.byteLength} bytes, shorter than the 4-byte CDR header`);
  }
  if (bytes[0] !== 0 || (bytes[1] !== 0 && bytes[1] !== 1)) {
    const header = Buffer.from(bytes.subarray(0, 2)).toString("hex");
    throw new MessageDecodeError(fullName, 0, "", `unsupported encapsulation 0x${header} (expected 0x0001 CDR_LE or 0x0000 CDR_BE)`);
  }
}

function walkStruct(registry: MessageRegistry, type: string, cursor: Cursor, path: string): void {
  const fields = registry.get(type).fields.filter((field) => field.isConstant !== true);
  if (fields.length === 0) {
    cursor.skip(1, path, "empty message placeholder");
    return;
  }
  for (const field of fields) {
    const fieldPath = path === "" ? field.name : `${path}.${field.name}`;
    if (field.isArray === true) walkArray(registry, field, cursor, fieldPath);
    else walkValue(registry, field, cursor, fieldPath);
  }
}

function walkArray(registry: MessageRegistry, field: MessageDefinitionField, cursor: Cursor, path: string): void {
  const count = field.arrayLength ?? cursor.uint32(path, "sequence length");
  // Every element takes at least one byte: a larger count cannot be real (and must not allocate).
  const left = cursor.bytes.byteLength - cursor.offset;
  if (count > left) cursor.fail(cursor.offset, path, `sequence length ${count} exceeds the ${left} bytes left`);
  const scalar = field.isComplex === true ? undefined : SCALARS[field.type];
  if (scalar !== undefined) {
    if (count > 0) cursor.align(scalar.align, path);
    cursor.skip(count * scalar.size, path, `${field.type}[${count}]`);
    return;
  }
  for (let i = 0; i < count; i++) walkValue(registry, field, cursor, `${path}[${i}]`);
}

function walkValue(registry: MessageRegistry, field: MessageDefinitionField, cursor: Cursor, path: string): void {
  if (field.isComplex === true) {
    walkStruct(registry, field.type, cursor, path);
    return;
  }
  if (field.type === "string") {
    const length = cursor.uint32(path, "string length");
    cursor.skip(length, path, `string of ${length} bytes`);
    return;
  }
  if (field.type === "time" || field.type === "duration") {
    cursor.align(4, path);
    cursor.skip(8, path, field.type);
    return;
  }
  const scalar = SCALARS[field.type];
  if (scalar === undefined) cursor.fail(cursor.offset, path, `unsupported field type ${field.type}`);
  cursor.align(scalar!.align, path);
  cursor.skip(scalar!.size, path, field.type);
}
