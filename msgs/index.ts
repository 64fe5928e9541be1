/**
 * The message layer: definitions (registry), ROS 2 CDR (de)serialization, definition text for
 * `kestrel msgs show` and bag schemas, and the generated TypeScript message types.
 */
export { MessageRegistry, parseMsgText, splitSchemaText, type MessageSpec } from "./registry";
export { defaultRegistry } from "./default-registry";
export { buildRegistry, loadMsgSources, STANDARD_PACKAGES, KESTREL_MSGS_PACKAGE, type MsgSources } from "./sources";
export { MessageCodec, codecFor, serialize, deserialize, type MessageOf } from "./cdr";
export { cdrLayout, type CdrLayout } from "./cdr-layout";
export { MessageTypeError, MessageDecodeError, UnknownMessageTypeError } from "./errors";
export { interfaceShowText, schemaText, definitionText } from "./interface-text";
export { fullTypeName, typeKey, splitTypeName } from "./names";
export * from "./generated/types";

import { defaultRegistry } from "./default-registry";

/** All known message types (`pkg/msg/Type`, sorted) of the default registry. */
export function listMessageTypes(): string[] {
  return defaultRegistry().types();
}

/** `ros2 interface show`-style text of a type in the default registry (for `kestrel msgs show`). */
export function showMessageType(type: string): string {
  return defaultRegistry().show(type);
}
