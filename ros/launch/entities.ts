/**
 * The typed tree of launch entities that a ROS 2 XML launch file parses into — the subset Kestrel
 * supports: arg, let, node (with param and remap children), include (with arg children), group and
 * push-ros-namespace. Attribute values are kept as unresolved templates; they are resolved when the
 * tree is evaluated, because their value depends on the launch configurations in scope there.
 */
import type { SourceLocation } from "./errors";
import type { Template } from "./substitutions";

/** `<arg name="world" default="office" description="..."/>`: declares a launch argument. */
export interface ArgEntity {
  kind: "arg";
  /** Plain text: ros2 launch does not substitute argument names. */
  name: string;
  /** Undefined for a required argument. */
  default?: Template;
  /** Plain text; ros2 launch shows 'no description given' when absent. */
  description?: string;
  loc: SourceLocation;
}

/** `<let name="rate" value="20"/>`: sets a launch configuration (a command line cannot override it). */
export interface LetEntity {
  kind: "let";
  name: Template;
  value: Template;
  loc: SourceLocation;
}

/** `<param name="rate_hz" value="20"/>` or `<param from="$(find-pkg-share kestrel)/config/nav.yaml"/>`. */
export type ParamEntity =
  | { kind: "param"; source: "inline"; name: Template; value: Template; loc: SourceLocation }
  | { kind: "param"; source: "file"; from: Template; loc: SourceLocation };

/** `<remap from="scan" to="/robot/scan"/>` inside a node. */
export interface RemapEntity {
  kind: "remap";
  from: Template;
  to: Template;
  loc: SourceLocation;
}

/** `<node pkg exec name? namespace? output? respawn? respawn_delay? args? ros_args?>` with params and remaps. */
export interface NodeEntity {
  kind: "node";
  pkg: Template;
  exec: Template;
  name?: Template;
  namespace?: Template;
  output?: Template;
  respawn?: Template;
  respawnDelay?: Template;
  /** Extra command-line arguments, passed before `--ros-args`. */
  args?: Template;
  /** Extra ROS arguments, passed in their own `--ros-args` block before launch_ros's own. */
  rosArgs?: Template;
  /** Params in document order (the order their --params-file flags are passed). */
  params: ParamEntity[];
  /** Remaps in document order. */
  remaps: RemapEntity[];
  loc: SourceLocation;
}

/** An `<arg name value/>` child of `<include>`: sets a launch configuration for the included file. */
export interface IncludeArg {
  name: Template;
  value: Template;
  loc: SourceLocation;
}

/** `<include file="..."><arg name value/>...</include>`. */
export interface IncludeEntity {
  kind: "include";
  file: Template;
  args: IncludeArg[];
  loc: SourceLocation;
}

/** `<group scoped="true|false">...</group>`: scopes launch configurations (and so namespaces). */
export interface GroupEntity {
  kind: "group";
  /** Default true: lets, args and pushed namespaces inside do not leak out. */
  scoped: boolean;
  children: ActionEntity[];
  loc: SourceLocation;
}

/** `<push-ros-namespace namespace="robot1"/>`: prefixes the namespace of the nodes after it in scope. */
export interface PushRosNamespaceEntity {
  kind: "push-ros-namespace";
  namespace: Template;
  loc: SourceLocation;
}

/** Anything that can appear directly under `<launch>` or `<group>`. */
export type ActionEntity = ArgEntity | LetEntity | NodeEntity | IncludeEntity | GroupEntity | PushRosNamespaceEntity;

/** Every entity kind, including those that only appear as children of a node. */
export type LaunchEntity = ActionEntity | ParamEntity | RemapEntity;

/** A parsed launch file. */
export interface LaunchFileTree {
  file: string;
  actions: ActionEntity[];
}

/** The tags Kestrel accepts, for error messages. */
export const SUPPORTED_TAGS = ["arg", "let", "node", "param", "remap", "include", "group", "push-ros-namespace"] as const;

/**
 * The arguments a file declares where ros2 launch looks for them (top level and inside groups,
 * not inside included files), in document order.
 */
export function declaredArgs(actions: readonly ActionEntity[]): ArgEntity[] {
  const out: ArgEntity[] = [];
  const walk = (list: readonly ActionEntity[]): void => {
    for (const a of list) {
      if (a.kind === "arg") out.push(a);
      else if (a.kind === "group") walk(a.children);
    }
  };
  walk(actions);
  return out;
}
