/**
 * Where definitions come from: the ROS 2 Jazzy standard set shipped by
 * @foxglove/rosmsg-msgs-common, and .msg files in this folder (kestrel_msgs in msg/, vendored
 * packages such as vision_msgs, which that set lacks, in vendor/<pkg>/msg/).
 *
 * The .msg files are read from disk only by the generator and the tests; at run time the texts
 * come embedded in generated/msg-sources.ts, so dist/ needs no .msg files beside it.
 */
import * as fs from "fs";
import * as path from "path";
import { ros2jazzy } from "@foxglove/rosmsg-msgs-common";
import type { MessageDefinition } from "@foxglove/message-definition";
import { MessageRegistry } from "./registry";

/** The name of Kestrel's own interface package (msgs/msg/*.msg). */
export const KESTREL_MSGS_PACKAGE = "kestrel_msgs";

/** The standard packages Kestrel uses; the rest of the Jazzy set is left out. */
export const STANDARD_PACKAGES: readonly string[] = [
  "builtin_interfaces", "std_msgs", "geometry_msgs", "sensor_msgs", "nav_msgs", "tf2_msgs",
  "rosgraph_msgs", "visualization_msgs", "rcl_interfaces", "diagnostic_msgs",
];

/** .msg texts by full type name (`pkg/msg/Type`). */
export type MsgSources = Record<string, string>;

/** Adds the standard Jazzy definitions of STANDARD_PACKAGES to a registry. */
export function addStandardDefinitions(registry: MessageRegistry): void {
  const definitions = ros2jazzy as unknown as Record<string, MessageDefinition>;
  for (const [key, definition] of Object.entries(definitions)) {
    const pkg = key.split("/")[0]!;
    if (STANDARD_PACKAGES.includes(pkg)) registry.add(key, definition.definitions);
  }
}

/** Builds a registry of the standard set plus the given .msg texts (which win on a clash). */
export function buildRegistry(sources: MsgSources): MessageRegistry {
  const registry = new MessageRegistry();
  addStandardDefinitions(registry);
  for (const typeName of Object.keys(sources).sort()) registry.addMsgText(typeName, sources[typeName]!);
  // Fail at build time, not at first publish, if a .msg refers to a type nobody defines.
  for (const typeName of registry.types()) registry.dependencies(typeName);
  return registry;
}

/** The msgs/ folder of the source tree (this file lives in it; dist/msgs has no .msg files). */
export function msgsSourceRoot(): string {
  const here = __dirname;
  const candidates = [here, path.resolve(here, "../../msgs")];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "package.xml")));
  if (found === undefined) throw new Error(`cannot find the msgs/ source folder from ${here}`);
  return found;
}

/** Reads msg/*.msg (kestrel_msgs) and vendor/<pkg>/msg/*.msg below `msgsRoot`. */
export function loadMsgSources(msgsRoot: string = msgsSourceRoot()): MsgSources {
  const sources: MsgSources = {};
  readMsgDir(path.join(msgsRoot, "msg"), KESTREL_MSGS_PACKAGE, sources);
  const vendor = path.join(msgsRoot, "vendor");
  if (fs.existsSync(vendor)) {
    for (const pkg of fs.readdirSync(vendor).sort()) readMsgDir(path.join(vendor, pkg, "msg"), pkg, sources);
  }
  return sources;
}

function readMsgDir(dir: string, pkg: string, into: MsgSources): void {
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith(".msg")) continue;
    // Normalise line endings so a Windows checkout generates the same embedded text.
    into[`${pkg}/msg/${file.slice(0, -4)}`] = fs.readFileSync(path.join(dir, file), "utf8").replace(/\r\n/g, "\n");
  }
}
