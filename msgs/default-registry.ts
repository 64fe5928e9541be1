/**
 * The registry every node uses unless told otherwise: the standard Jazzy set plus the .msg
 * texts embedded by `npm run gen:msgs` (kestrel_msgs, vision_msgs). Built once, on first use.
 */
import { MSG_SOURCES } from "./generated/msg-sources";
import { MessageRegistry } from "./registry";
import { buildRegistry } from "./sources";

let cached: MessageRegistry | undefined;

/** The shared default registry. Callers may add types (e.g. from a bag schema) to it. */
export function defaultRegistry(): MessageRegistry {
  cached ??= buildRegistry(MSG_SOURCES);
  return cached;
}
