#!/usr/bin/env node
/**
 * The `kestrel` command line. Each subcommand lives in its own file; this one only dispatches and
 * prints help. Errors are printed as one clear line (no stack) and exit non-zero.
 */
import { resolve as resolvePath } from "node:path";
import { nodesCommand, msgsListCommand, msgsShowCommand, paramsDumpCommand } from "./info";
import { launchCommand, parseLaunchArguments } from "./launch";
import { parseDurationS } from "./lifetime";
import { runCommand, splitRosArgs } from "./run";
import { EXPORT_SDF_HELP, exportSdfCommand } from "./sim";
import { EVAL_NAV_HELP, evalNavCommand } from "./eval/nav";
import { BAG_HELP, bagCommand } from "./bag";
import { POLICY_HELP, policyCommand } from "./policy";
import { TRAIN_HELP, trainCommand } from "./train";
import { EVAL_POLICY_HELP, evalPolicyCommand } from "./eval-policy";
import { EVAL_DETECTOR_HELP, evalDetectorCommand } from "./eval-detector";
import { VIEW_HELP, parsePort, viewCommand } from "./view";
import type { TransportKind } from "../ros/transport/transport";

const HELP: Record<string, string> = {
  kestrel: `Usage: kestrel <command> [options]

Commands:
  launch FILE [name:=value ...]   run a ROS 2 XML launch file's kestrel nodes in this process
  run NODE [--ros-args ...]       run one node (what 'ros2 run kestrel NODE' runs)
  nodes                           list node definitions and their parameters
  params dump NODE                print a node's default parameters as a ROS 2 parameter file
  msgs show TYPE                  print a message definition (like 'ros2 interface show')
  msgs list                       list every message type Kestrel knows
  sim export-sdf WORLD [-o FILE]  export a world (YAML or Moving AI .map) as an SDF world for gz sim
  eval nav [--world W] [--episodes N] [--seed S] [--record DIR] [--policy DIR]   navigation success, collisions, path vs optimal (--record: bags; --policy: policy mode)
  bag info|play|record ...        rosbag2 bags (MCAP and .db3): inspect, replay, record
  policy deploy|rollback|show     the learned driving policy store (atomic deploy, one-step rollback)
  train --algo bc|dagger|ppo ...  train a driving policy (expert data, bags, or the vectorised sim)
  eval policy [--policy DIR] ...  a policy package against the expert on seeded sim episodes
  eval detector [--model M] ...   mAP@0.5 of a detector on held-out sim frames of every world
  view [--bridge-url URL] [--port N]   serve the web view for a running Foxglove bridge

Run 'kestrel <command> --help' for a command's options.
`,
  launch: `Usage: kestrel launch FILE [name:=value ...] [--duration S] [--transport auto|local|rclnodejs] [--show-args]
                      [--bridge [--bridge-port N] [--bridge-address A]] [--view [--view-port N] [--view-address A]]

Evaluates FILE as 'ros2 launch' does and runs its kestrel nodes in one process (embedded bus
unless ROS 2 is sourced). Stops on Ctrl-C/SIGTERM, or after --duration seconds, then prints a summary.
--bridge serves the graph over the Foxglove WebSocket protocol (default ws://127.0.0.1:8765; port 0
picks a free one); --view also serves the web view (default http://127.0.0.1:8766/) and prints its URL.
`,
  run: `Usage: kestrel run NODE [--duration S] [--transport auto|local|rclnodejs] [--ros-args ...]

Runs one node. Under ROS 2, rcl reads the --ros-args; on the embedded bus Kestrel applies them.
`,
  nodes: `Usage: kestrel nodes\n\nLists every node definition with its parameters (type, range, default, description).\n`,
  params: `Usage: kestrel params dump NODE\n\nPrints NODE's default parameters as a ROS 2 YAML parameter file.\n`,
  msgs: `Usage: kestrel msgs show TYPE | kestrel msgs list\n\nTYPE is pkg/msg/Type (or pkg/Type).\n`,
  sim: EXPORT_SDF_HELP,
  eval: `${EVAL_NAV_HELP}\n${EVAL_POLICY_HELP}\n${EVAL_DETECTOR_HELP}`,
  view: VIEW_HELP,
  bag: BAG_HELP,
  policy: POLICY_HELP,
  train: TRAIN_HELP,
};

/** Pulls `--flag value` options out of argv; everything else stays positional. */
function takeOptions(argv: string[], valued: string[], flags: string[]): { opts: Record<string, string | true>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (valued.includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg}: expected a value`);
      opts[arg] = value;
    } else if (flags.includes(arg)) opts[arg] = true;
    else if (arg.startsWith("--") && arg !== "--") throw new Error(`unknown option '${arg}' (see --help)`);
    else rest.push(arg);
  }
  return { opts, rest };
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, found '${text}'`);
  return n;
}

function transportOf(value: string | true | undefined): TransportKind | "auto" {
  if (value === undefined) return "auto";
  if (value === "auto" || value === "local" || value === "rclnodejs") return value;
  throw new Error(`--transport: expected auto, local or rclnodejs, found '${String(value)}'`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(HELP.kestrel!);
    return command === undefined ? 1 : 0;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    const help = HELP[command];
    if (!help) throw new Error(`unknown command '${command}' (see kestrel --help)`);
    process.stdout.write(help);
    return 0;
  }
  switch (command) {
    case "launch": {
      const { opts, rest: positional } = takeOptions(
        rest,
        ["--duration", "--transport", "--bridge-port", "--bridge-address", "--view-port", "--view-address"],
        ["--show-args", "--bridge", "--view"],
      );
      const [file, ...args] = positional;
      if (!file) throw new Error("launch: expected a launch file (see kestrel launch --help)");
      const durationS = parseDurationS(opts["--duration"] as string | undefined);
      // --bridge / --view (cli/view.ts); any --bridge-* or --view-* option turns its server on.
      const bridgePort = parsePort("--bridge-port", opts["--bridge-port"] as string | undefined);
      const viewPort = parsePort("--view-port", opts["--view-port"] as string | undefined);
      const wantView = opts["--view"] === true || viewPort !== undefined || opts["--view-address"] !== undefined;
      const wantBridge = wantView || opts["--bridge"] === true || bridgePort !== undefined || opts["--bridge-address"] !== undefined;
      const liveView = wantBridge
        ? {
            bridge: { ...(bridgePort !== undefined ? { port: bridgePort } : {}), ...(opts["--bridge-address"] ? { address: opts["--bridge-address"] as string } : {}) },
            ...(wantView ? { view: { ...(viewPort !== undefined ? { port: viewPort } : {}), ...(opts["--view-address"] ? { address: opts["--view-address"] as string } : {}) } } : {}),
          }
        : undefined;
      return launchCommand({
        ...(liveView ? { liveView } : {}),
        file,
        args: parseLaunchArguments(args),
        transport: transportOf(opts["--transport"]),
        showArgs: opts["--show-args"] === true,
        ...(durationS === undefined ? {} : { durationS }),
      });
    }
    case "run": {
      const { own, rosArgs } = splitRosArgs(rest);
      const { opts, rest: positional } = takeOptions(own, ["--duration", "--transport"], []);
      const [exec] = positional;
      if (!exec) throw new Error("run: expected a node name (see kestrel nodes)");
      const durationS = parseDurationS(opts["--duration"] as string | undefined);
      return runCommand({ exec, rosArgs, transport: transportOf(opts["--transport"]), ...(durationS === undefined ? {} : { durationS }) });
    }
    case "nodes":
      process.stdout.write(nodesCommand());
      return 0;
    case "params": {
      const [verb, exec] = rest;
      if (verb !== "dump" || !exec) throw new Error("params: expected 'params dump NODE'");
      process.stdout.write(paramsDumpCommand(exec));
      return 0;
    }
    case "msgs": {
      const [verb, type] = rest;
      if (verb === "list") process.stdout.write(msgsListCommand());
      else if (verb === "show" && type) process.stdout.write(msgsShowCommand(type));
      else throw new Error("msgs: expected 'msgs show TYPE' or 'msgs list'");
      return 0;
    }
    case "sim": {
      const [verb, ...more] = rest;
      if (verb !== "export-sdf") throw new Error("sim: expected 'sim export-sdf WORLD [-o FILE]'");
      const { opts, rest: positional } = takeOptions(more.map((a) => (a === "-o" ? "--out" : a)), ["--out", "--robot", "--cell-size"], []);
      const [world] = positional;
      if (!world) throw new Error("sim export-sdf: expected a world file (YAML or Moving AI .map)");
      const robot = opts["--robot"] as string | undefined;
      if (robot !== undefined && robot !== "none" && robot !== "inline" && robot !== "include") {
        throw new Error(`--robot: expected none, inline or include, found '${robot}'`);
      }
      const cell = opts["--cell-size"] as string | undefined;
      process.stdout.write(
        exportSdfCommand(world, {
          ...(opts["--out"] ? { out: opts["--out"] as string } : {}),
          ...(robot ? { robot } : {}),
          ...(cell !== undefined ? { cellSize: Number(cell) } : {}),
        }),
      );
      return 0;
    }
    case "bag":
      return bagCommand(rest);
    case "policy":
      return policyCommand(rest);
    case "train":
      return trainCommand(rest);
    case "eval": {
      const [what, ...more] = rest;
      if (what === "policy") return evalPolicyCommand(more);
      if (what === "detector") return evalDetectorCommand(more);
      if (what !== "nav") throw new Error("eval: expected 'eval nav', 'eval policy' or 'eval detector' (see kestrel eval --help)");
      const worlds: string[] = [];
      const filtered: string[] = [];
      for (let i = 0; i < more.length; i++) {
        if (more[i] === "--world") worlds.push(more[++i] ?? "");
        else filtered.push(more[i]!);
      }
      const { opts, rest: extra } = takeOptions(filtered, ["--episodes", "--seed", "--record", "--policy"], []);
      if (extra.length > 0) throw new Error(`eval nav: unexpected '${extra[0]}'`);
      const recordDir = opts["--record"] as string | undefined;
      const policyDir = opts["--policy"] as string | undefined;
      const episodes = positiveInteger("--episodes", (opts["--episodes"] as string | undefined) ?? "20");
      const seed = Number((opts["--seed"] as string | undefined) ?? "0");
      if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, found '${String(opts["--seed"])}'`);
      await evalNavCommand({ worlds, episodes, seed, ...(recordDir ? { recordDir: resolvePath(recordDir) } : {}), ...(policyDir ? { policyDir: resolvePath(policyDir) } : {}), print: (line) => process.stdout.write(`${line}\n`) });
      return 0;
    }
    case "view": {
      const { opts } = takeOptions(rest, ["--bridge-url", "--port", "--address", "--duration"], []);
      const port = parsePort("--port", opts["--port"] as string | undefined);
      const durationS = parseDurationS(opts["--duration"] as string | undefined);
      return viewCommand({
        ...(opts["--bridge-url"] ? { bridgeUrl: opts["--bridge-url"] as string } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(opts["--address"] ? { address: opts["--address"] as string } : {}),
        ...(durationS !== undefined ? { durationS } : {}),
      });
    }
    default:
      throw new Error(`unknown command '${command}' (see kestrel --help)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`kestrel: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
