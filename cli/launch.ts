/**
 * `kestrel launch FILE [name:=value ...]`: evaluates a ROS 2 XML launch file exactly as
 * `ros2 launch` would (ros/launch) and runs its kestrel nodes in one process, each with the
 * `--ros-args` ros2 launch would give its process. Nodes of other packages (ros_gz_bridge, ...)
 * cannot run in-process and are listed as skipped.
 */
import { resolve } from "node:path";
import { ComponentContainer } from "../ros/container";
import type { NodeDefinition } from "../ros/definition";
import { displayPath, evaluateLaunchFile, toRosArgs, type LaunchPlan } from "../ros/launch";
import { Logger } from "../ros/logger";
import { createTransport } from "../ros/transport/select";
import type { Transport, TransportKind } from "../ros/transport/transport";
import { NODE_DEFINITIONS } from "../nodes/registry";
import { waitForStop, type StopReason } from "./lifetime";
import { findPackageShare } from "../ros/package-share";
import { startLiveView, type LiveViewOptions } from "./view";

export interface LaunchCommandOptions {
  file: string;
  /** `name:=value` launch arguments. */
  args: Record<string, string>;
  durationS?: number;
  transport?: TransportKind | "auto";
  /** Print the file's arguments and exit (ros2 launch --show-args). */
  showArgs?: boolean;
  /** --bridge / --view: the Foxglove bridge and the web view (cli/view.ts). */
  liveView?: LiveViewOptions;
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

export interface StartedLaunch {
  plan: LaunchPlan;
  container: ComponentContainer;
  /** Nodes of other packages, with where they were declared. */
  skipped: string[];
}

/** Evaluates a launch file and loads its kestrel nodes into a container on `transport`. */
export async function startLaunch(options: {
  file: string;
  args: Record<string, string>;
  transport: Transport;
  registry?: ReadonlyArray<NodeDefinition<any>>;
  logger?: Logger;
}): Promise<StartedLaunch> {
  const logger = options.logger ?? new Logger({ name: "kestrel.launch" });
  const plan = evaluateLaunchFile(resolve(options.file), {
    args: options.args,
    env: process.env,
    findPackageShare: (p) => findPackageShare(p),
  });
  const container = new ComponentContainer({ transport: options.transport, registry: options.registry ?? NODE_DEFINITIONS, logger });
  const skipped: string[] = [];
  for (const node of plan.nodes) {
    const where = `${node.source.file}:${node.source.line}`;
    if (node.pkg !== "kestrel") {
      skipped.push(`${node.pkg}/${node.exec} (${where})`);
      logger.warn(`not started in-process (not a kestrel node): ${node.pkg}/${node.exec} (${where})`);
      continue;
    }
    const { argv, paramsFiles } = toRosArgs(node, {
      inlineFileName: (param) => `${displayPath(param.source.file)}:${param.source.line}: <param name="${param.name}">`,
    });
    await container.load({ exec: node.exec, rosArgs: argv, files: paramsFiles, source: where });
  }
  return { plan, container, skipped };
}

export async function launchCommand(options: LaunchCommandOptions): Promise<number> {
  const logger = new Logger({ name: "kestrel.launch" });
  if (options.showArgs) {
    const plan = evaluateLaunchFile(resolve(options.file), { args: options.args, env: process.env, findPackageShare: (p) => findPackageShare(p) });
    process.stdout.write(showArgsText(plan));
    return 0;
  }
  const { transport, reason } = await createTransport({ kind: options.transport ?? "auto" });
  logger.info(`transport: ${reason}`);
  // --bridge / --view (cli/view.ts): started before the nodes so a busy port fails fast.
  const liveContainer: { current?: ComponentContainer } = {};
  const live = options.liveView ? await startLiveView(transport, () => liveContainer.current, options.liveView) : undefined;
  const { plan, container, skipped } = await startLaunch({ file: options.file, args: options.args, transport, logger });
  liveContainer.current = container;
  if (live?.view) process.stdout.write(`kestrel: view at ${live.view.url} (bridge ${live.view.bridgeUrl})\n`);
  else if (live?.bridge) process.stdout.write(`kestrel: Foxglove bridge at ${live.bridge.url}\n`);
  const running = container.running().length;
  logger.info(`${running} node(s) running${options.durationS ? ` for ${options.durationS} s` : ""}; Ctrl-C to stop`);
  const startedMs = Date.now();
  // Nothing to wait for when every node failed to start.
  const why: StopReason =
    running === 0 && plan.nodes.length > 0
      ? "duration"
      : await waitForStop(options.durationS === undefined ? {} : { durationS: options.durationS });
  await live?.close(); // --bridge / --view
  await container.shutdown();
  process.stdout.write(summaryText(container, { why, elapsedS: (Date.now() - startedMs) / 1000, skipped: skipped.length }));
  return container.loaded.some((l) => l.status === "failed") ? 1 : 0;
}

/** What `ros2 launch --show-args` prints. */
export function showArgsText(plan: LaunchPlan): string {
  const lines = ["Arguments (pass arguments as '<name>:=<value>'):"];
  for (const arg of plan.args) {
    const fallback = arg.default === undefined ? "(required)" : `(default: '${arg.default}')`;
    lines.push("", `    '${arg.name}':`, `        ${arg.description ?? "no description given"}`, `        ${fallback}`);
  }
  return `${lines.join("\n")}\n`;
}

export function summaryText(container: ComponentContainer, run: { why: StopReason; elapsedS: number; skipped: number }): string {
  const failed = container.loaded.filter((l) => l.status === "failed").length;
  const head =
    `\nkestrel: stopped (${run.why}) after ${run.elapsedS.toFixed(1)} s — ` +
    `${container.loaded.length - failed} node(s) ran, ${failed} failed, ${run.skipped} skipped\n`;
  return head + container.summary().map((line) => `  ${line}\n`).join("");
}
