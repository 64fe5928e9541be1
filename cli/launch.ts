/**
 * `kestrel launch FILE [name:=value ...]`: evaluates a ROS 2 XML launch file exactly as
 * `ros2 launch` would (ros/launch) and runs its kestrel nodes in one process, each with the
 * `--ros-args` ros2 launch would give its process. Nodes of other packages (ros_gz_bridge, ...)
 * cannot run in-process and are listed as skipped.
 */
import { resolve } from "node:path";
import { ComponentContainer } from "../ros/container";
import { evaluateLaunchFile, toRosArgs } from "../ros/launch";
import { Logger } from "../ros/logger";
import { createTransport } from "../ros/transport/select";
import type { TransportKind } from "../ros/transport/transport";
import { NODE_DEFINITIONS } from "../nodes/registry";
import { waitForStop, type StopReason } from "./lifetime";
import { findPackageShare } from "./package-share";

export interface LaunchCommandOptions {
  file: string;
  /** `name:=value` launch arguments. */
  args: Record<string, string>;
  durationS?: number;
  transport?: TransportKind | "auto";
  /** Print the file's arguments and exit (ros2 launch --show-args). */
  showArgs?: boolean;
}

export function parseLaunchArguments(items: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf(":=");
    if (at <= 0) throw new Error(`launch argument '${item}': expected name:=value`);
    args[item.slice(0, at)] = item.slice(at + 2);
  }
  return args;
}

export async function launchCommand(options: LaunchCommandOptions): Promise<number> {
  const log = new Logger({ name: "kestrel.launch" });
  const file = resolve(options.file);
  const plan = evaluateLaunchFile(file, { args: options.args, env: process.env, findPackageShare: (p) => findPackageShare(p) });
  if (options.showArgs) {
    process.stdout.write("Arguments (pass arguments as '<name>:=<value>'):\n");
    for (const arg of plan.args) {
      const fallback = arg.default === undefined ? "(required)" : `(default: '${arg.default}')`;
      process.stdout.write(`\n    '${arg.name}':\n        ${arg.description ?? "no description given"}\n        ${fallback}\n`);
    }
    return 0;
  }
  const { transport, reason } = await createTransport({ kind: options.transport ?? "auto" });
  log.info(`transport: ${reason}`);
  const container = new ComponentContainer({ transport, registry: NODE_DEFINITIONS, logger: log });
  const skipped: string[] = [];
  for (const node of plan.nodes) {
    if (node.pkg !== "kestrel") {
      skipped.push(`${node.pkg}/${node.exec} (${node.source.file}:${node.source.line})`);
      continue;
    }
    const { argv, paramsFiles } = toRosArgs(node);
    await container.load({ exec: node.exec, rosArgs: argv, files: paramsFiles, source: `${node.source.file}:${node.source.line}` });
  }
  for (const s of skipped) log.warn(`not started in-process (not a kestrel node): ${s}`);
  const running = container.running().length;
  log.info(`${running} node(s) running${options.durationS ? ` for ${options.durationS} s` : ""}; Ctrl-C to stop`);
  const startedMs = Date.now();
  const why: StopReason = running === 0 && plan.nodes.length > 0 ? "duration" : await waitForStop(durationOf(options));
  await container.shutdown();
  printSummary(container, { why, elapsedS: (Date.now() - startedMs) / 1000, skipped: skipped.length });
  return container.loaded.some((l) => l.status === "failed") ? 1 : 0;
}

function durationOf(options: LaunchCommandOptions): { durationS?: number } {
  return options.durationS === undefined ? {} : { durationS: options.durationS };
}

function printSummary(
  container: ComponentContainer,
  run: { why: StopReason; elapsedS: number; skipped: number },
): void {
  const lines = container.summary();
  const failed = container.loaded.filter((l) => l.status === "failed").length;
  process.stdout.write(
    `\nkestrel: stopped (${run.why}) after ${run.elapsedS.toFixed(1)} s — ` +
      `${container.loaded.length - failed} node(s) ran, ${failed} failed, ${run.skipped} skipped\n`,
  );
  for (const line of lines) process.stdout.write(`  ${line}\n`);
}
