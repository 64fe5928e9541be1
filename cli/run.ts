/**
 * `kestrel run NODE [--ros-args ...]`: one node in its own process — what each ROS 2 executable
 * in lib/kestrel/ runs, so `ros2 run kestrel NODE` and `ros2 launch` start it with rcl's own
 * `--ros-args` handling (rclnodejs when ROS 2 is sourced, the embedded bus otherwise).
 */
import { ComponentContainer } from "../ros/container";
import { Logger } from "../ros/logger";
import { createTransport } from "../ros/transport/select";
import type { TransportKind } from "../ros/transport/transport";
import { NODE_DEFINITIONS } from "../nodes/registry";
import { waitForStop } from "./lifetime";

export interface RunCommandOptions {
  exec: string;
  /** Everything after `--ros-args` (up to a lone `--`). */
  rosArgs: string[];
  durationS?: number;
  transport?: TransportKind | "auto";
}

/** Splits argv into the program's own arguments and the `--ros-args ... [--]` blocks. */
export function splitRosArgs(argv: string[]): { own: string[]; rosArgs: string[] } {
  const own: string[] = [];
  const rosArgs: string[] = [];
  let inRos = false;
  for (const arg of argv) {
    if (arg === "--ros-args") inRos = true;
    else if (arg === "--" && inRos) inRos = false;
    else (inRos ? rosArgs : own).push(arg);
  }
  return { own, rosArgs };
}

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const log = new Logger({ name: "kestrel.run" });
  const { transport, reason } = await createTransport({ kind: options.transport ?? "auto" });
  log.info(`transport: ${reason}`);
  const container = new ComponentContainer({ transport, registry: NODE_DEFINITIONS, logger: log });
  // Under rclnodejs the process's global --ros-args already reach rcl (rclnodejs.init(argv));
  // the embedded bus needs them handed to the node.
  const rosArgs = transport.kind === "local" ? options.rosArgs : [];
  const loaded = await container.load({ exec: options.exec, rosArgs });
  if (loaded.status === "failed") {
    await container.shutdown();
    return 1;
  }
  const why = await waitForStop(options.durationS === undefined ? {} : { durationS: options.durationS });
  await container.shutdown();
  process.stdout.write(`kestrel run: stopped (${why})\n${container.summary().map((l) => `  ${l}\n`).join("")}`);
  return 0;
}
