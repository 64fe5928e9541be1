/**
 * ROS 2 CDR (de)serialization of plain message objects shaped as rclnodejs shapes them.
 *
 * Reading goes through @foxglove/rosmsg2-serialization's MessageReader (correct for UTF-8: it
 * decodes the byte length it is given). Numeric arrays come back as typed arrays which may be
 * views into the input bytes (zero copy): copy them if the input buffer is reused. Writing goes
 * through the validating writer of cdr-writer.ts (see there why not MessageWriter).
 *
 * Hot paths hold a MessageCodec (`codecFor(type)`, cached per registry and type) instead of
 * looking the type up per message.
 */
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { MessageDecodeError, MessageTypeError } from "./errors";
import { FieldError, WriterCompiler, writeMessage } from "./cdr-writer";
import { cdrLayout, checkHeader, type CdrLayout } from "./cdr-layout";
import { defaultRegistry } from "./default-registry";
import type { MessageRegistry } from "./registry";
import type { MessageTypeMap } from "./generated/types";

/**
 * The message object type of a type name: the generated interface for a known literal name,
 * `unknown` for a name known only at run time (a bag's type, a `string` variable), which the
 * serializer validates anyway.
 */
export type MessageOf<T extends string> = T extends keyof MessageTypeMap ? MessageTypeMap[T] : unknown;

/** Serializer and deserializer of one message type, built once. */
export class MessageCodec<T = unknown> {
  /** `pkg/msg/Type`. */
  readonly type: string;
  readonly #registry: MessageRegistry;
  readonly #reader: MessageReader<T> | undefined;
  readonly #writer: ReturnType<WriterCompiler["struct"]>;

  constructor(registry: MessageRegistry, type: string) {
    const spec = registry.get(type);
    this.type = spec.fullName;
    this.#registry = registry;
    const definitions = registry.definitionsFor(type); // throws on unknown nested types
    // MessageReader cannot take a root without data fields (it would pick a dependency as root).
    const hasData = spec.fields.some((field) => field.isConstant !== true);
    this.#reader = hasData ? new MessageReader<T>(definitions) : undefined;
    this.#writer = new WriterCompiler(registry).struct(spec.key);
  }

  /**
   * Encodes a message (4-byte CDR_LE header + body). Throws MessageTypeError naming the field
   * path, the expected and the found value when the message does not fit the type.
   */
  serialize(message: T): Uint8Array {
    try {
      return writeMessage(this.#writer, message);
    } catch (err) {
      if (err instanceof FieldError) {
        throw new MessageTypeError(this.type, err.path.replace(/^\./, ""), err.expected, err.found);
      }
      throw err;
    }
  }

  /**
   * Decodes CDR bytes. Throws MessageDecodeError naming the type, the byte offset and the field
   * when the bytes are truncated or inconsistent; never returns a half-read message.
   */
  deserialize(bytes: Uint8Array): T {
    checkHeader(this.type, bytes);
    if (this.#reader === undefined) {
      this.layout(bytes);
      return {} as T;
    }
    let message: T;
    try {
      message = this.#reader.readMessage<T>(bytes);
    } catch (err) {
      throw this.#explain(bytes, err);
    }
    // CdrReader bounds-checks against the whole ArrayBuffer, not the view: a truncated message
    // inside a bigger buffer (a bag chunk) reads on into its neighbour. Catch that here.
    if (this.#reader.lastReadByteLength() > bytes.byteLength) throw this.#explain(bytes, undefined);
    return message;
  }

  /** Byte layout of an encoded message: its end and the alignment padding offsets. */
  layout(bytes: Uint8Array): CdrLayout {
    return cdrLayout(this.#registry, this.type, bytes);
  }

  /** Finds where the bytes go wrong by walking them; falls back to the reader's own message. */
  #explain(bytes: Uint8Array, cause: unknown): MessageDecodeError {
    try {
      this.layout(bytes);
    } catch (err) {
      if (err instanceof MessageDecodeError) return err;
      throw err;
    }
    const reason = cause instanceof Error ? cause.message : "message extends past the end of the bytes";
    return new MessageDecodeError(this.type, this.#reader?.lastReadByteLength() ?? 0, "", reason);
  }
}

const codecs = new WeakMap<MessageRegistry, Map<string, MessageCodec<unknown>>>();

/** The cached codec of a type (either name form) in a registry (default: the shared one). */
export function codecFor<T extends string>(type: T, registry: MessageRegistry = defaultRegistry()): MessageCodec<MessageOf<T>> {
  let perRegistry = codecs.get(registry);
  if (perRegistry === undefined) {
    perRegistry = new Map();
    codecs.set(registry, perRegistry);
  }
  let codec = perRegistry.get(type);
  if (codec === undefined) {
    codec = new MessageCodec<unknown>(registry, type);
    perRegistry.set(type, codec);
  }
  return codec as MessageCodec<MessageOf<T>>;
}

/** Encodes one message of `type` to ROS 2 CDR bytes. */
export function serialize<T extends string>(type: T, message: MessageOf<T>, registry?: MessageRegistry): Uint8Array {
  return codecFor(type, registry).serialize(message);
}

/** Decodes ROS 2 CDR bytes of `type`. */
export function deserialize<T extends string>(type: T, bytes: Uint8Array, registry?: MessageRegistry): MessageOf<T> {
  return codecFor(type, registry).deserialize(bytes);
}
