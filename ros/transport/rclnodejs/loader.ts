/**
 * Lazy loading of rclnodejs. Without a sourced ROS 2, `require('rclnodejs')` throws (its native
 * addon links against rcl), so it is only attempted when a ROS 2 environment is present, and
 * never at module load.
 */
import type { RclnodejsModule } from "./api";

export interface RosEnvironment {
  /** ROS_DISTRO, e.g. "jazzy" or "humble". */
  distro: string;
  /** AMENT_PREFIX_PATH, set by sourcing a ROS 2 setup file. */
  amentPrefixPath: string;
}

/** The sourced ROS 2 environment, or undefined when none is sourced. */
export function sourcedRos(env: NodeJS.ProcessEnv = process.env): RosEnvironment | undefined {
  const distro = env.ROS_DISTRO;
  const amentPrefixPath = env.AMENT_PREFIX_PATH;
  if (!distro || !amentPrefixPath || env.ROS_VERSION === "1") return undefined;
  return { distro, amentPrefixPath };
}

export type LoadResult = { ok: true; rclnodejs: RclnodejsModule } | { ok: false; reason: string };

/** Tries to load rclnodejs; `load` is injectable for tests (default: require). */
export function loadRclnodejs(
  env: NodeJS.ProcessEnv = process.env,
  load: () => unknown = () => require("rclnodejs"),
): LoadResult {
  if (!sourcedRos(env)) return { ok: false, reason: "no ROS 2 environment is sourced (ROS_DISTRO/AMENT_PREFIX_PATH unset)" };
  try {
    return { ok: true, rclnodejs: load() as RclnodejsModule };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, reason: `rclnodejs failed to load: ${detail}` };
  }
}
