/**
 * Renders a NodeLaunch as the command line `ros2 launch` (launch_ros 0.26) gives the executable, so a
 * plan can be compared with what ros2 launch really runs:
 *
 *     [args...] [--ros-args ros_args...] --ros-args [-r __node:=NAME] [-r __ns:=NS]
 *       [--params-file F]... [-r from:=to]...
 *
 * Inline `<param>`s become one temp file each; since their real names are random, they are named
 * PARAMS_FILE_1..n in order (as the reference data does), with the exact YAML launch_ros writes.
 * `<param from>` files are passed by path, with their contents read for comparison.
 */
import * as fs from "fs";
import type { NodeLaunch, NodeParameterItem } from "./evaluate";
import { dumpInlineParamsFile } from "./params-file";

export interface RosArgsRendering {
  /** Everything after the executable. */
  argv: string[];
  /** Contents of every --params-file, keyed by its argv entry (PARAMS_FILE_n or the file path). */
  paramsFiles: Record<string, string>;
}

export interface ToRosArgsOptions {
  /**
   * Name for the n-th inline parameter's file (1-based); PARAMS_FILE_n by default, as the reference
   * data names launch_ros' temporary files. The embedded launcher names them after the <param>
   * element so an error about the value points at the launch file.
   */
  inlineFileName?: (param: Extract<NodeParameterItem, { kind: "inline" }>, n: number) => string;
  /** Reads a `<param from>` file; defaults to fs.readFileSync(..., 'utf8'). */
  readFile?: (file: string) => string;
}

/** The argv and params files ros2 launch would produce for this node. */
export function toRosArgs(node: NodeLaunch, options: ToRosArgsOptions = {}): RosArgsRendering {
  const readFile = options.readFile ?? ((f: string) => fs.readFileSync(f, "utf8"));
  const argv: string[] = [...node.args];
  if (node.rosArgs.length > 0) argv.push("--ros-args", ...node.rosArgs);
  argv.push("--ros-args");
  if (node.name !== undefined) argv.push("-r", `__node:=${node.name}`);
  if (node.namespace !== undefined) argv.push("-r", `__ns:=${node.namespace}`);
  const paramsFiles: Record<string, string> = {};
  let n = 0;
  for (const p of node.parameters) {
    if (p.kind === "inline") {
      n++;
      const key = options.inlineFileName?.(p, n) ?? `PARAMS_FILE_${n}`;
      paramsFiles[key] = dumpInlineParamsFile({
        name: p.name,
        value: p.value,
        isDouble: p.type === "double" || p.type === "double_array",
      });
      argv.push("--params-file", key);
    } else {
      paramsFiles[p.path] = readFile(p.path);
      argv.push("--params-file", p.path);
    }
  }
  for (const r of node.remaps) argv.push("-r", `${r.from}:=${r.to}`);
  return { argv, paramsFiles };
}
