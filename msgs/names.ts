import type { MessageDefinitionField } from "@foxglove/message-definition";

/**
 * ROS 2 interface type names.
 *
 * Users and tools write a message type either fully (`geometry_msgs/msg/Twist`, as `ros2 topic`
 * prints it) or short (`geometry_msgs/Twist`, as ROS 1, rosbag2 `MSG:` sections and
 * @foxglove/rosmsg-msgs-common write it). Internally every definition is keyed by the short form
 * because that is what @foxglove/rosmsg puts into nested field types; everything shown to a user
 * uses the full form.
 */

/** A type name split into its parts. */
export interface TypeNameParts {
  /** The ROS package, e.g. `geometry_msgs`. */
  pkg: string;
  /** The message name inside the package, e.g. `Twist`. */
  name: string;
}

const FULL_NAME = /^([A-Za-z][A-Za-z0-9_]*)\/msg\/([A-Za-z][A-Za-z0-9_]*)$/;
const SHORT_NAME = /^([A-Za-z][A-Za-z0-9_]*)\/([A-Za-z][A-Za-z0-9_]*)$/;

/** Splits `pkg/msg/Type` or `pkg/Type`; returns undefined for anything else (e.g. `pkg/srv/X`). */
export function splitTypeName(typeName: string): TypeNameParts | undefined {
  const match = FULL_NAME.exec(typeName) ?? SHORT_NAME.exec(typeName);
  if (match === null) return undefined;
  return { pkg: match[1]!, name: match[2]! };
}

/** Like splitTypeName, but throws a clear error for a malformed name. */
export function requireTypeName(typeName: string): TypeNameParts {
  const parts = splitTypeName(typeName);
  if (parts === undefined) {
    throw new Error(`invalid message type name '${typeName}': expected pkg/msg/Type or pkg/Type`);
  }
  return parts;
}

/** `geometry_msgs/msg/Twist` or `geometry_msgs/Twist` -> `geometry_msgs/Twist` (the registry key). */
export function typeKey(typeName: string): string {
  const { pkg, name } = requireTypeName(typeName);
  return `${pkg}/${name}`;
}

/** `geometry_msgs/Twist` or `geometry_msgs/msg/Twist` -> `geometry_msgs/msg/Twist` (for users). */
export function fullTypeName(typeName: string): string {
  const { pkg, name } = requireTypeName(typeName);
  return `${pkg}/msg/${name}`;
}

/** The builtin_interfaces types that @foxglove/rosmsg turns into the primitives `time`/`duration`. */
export const TIME_PRIMITIVES: Readonly<Record<string, string>> = {
  time: "builtin_interfaces/Time",
  duration: "builtin_interfaces/Duration",
};

/** The `pkg/Type` a field refers to, if it refers to a message type (time/duration only if asked). */
export function nestedTypeKey(field: MessageDefinitionField, includeTime: boolean): string | undefined {
  if (field.isComplex === true) return field.type;
  if (includeTime) return TIME_PRIMITIVES[field.type];
  return undefined;
}
