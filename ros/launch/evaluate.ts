/**
 * Evaluation of a parsed launch file into a LaunchPlan — the nodes to start, with resolved names,
 * namespaces, remaps and typed parameters — following ros2 launch (Jazzy) action by action:
 *
 * - The command line acts as an include of the top file: its `name:=value` pairs are checked against
 *   the file's required args, then set as launch configurations before the file runs.
 * - `<arg>` sets its default only when the configuration is not set yet (so a command line or include
 *   `<arg>` wins); `<let>` always sets (so a command line cannot override it).
 * - `<group>` copies the configurations and restores them afterwards (unless `scoped="false"`); the
 *   pushed namespace is the `ros_namespace` configuration, so it is scoped the same way.
 * - `<include>` is NOT scoped, as in ros2 launch: its `<arg>` children and the included file's args and
 *   lets stay set after it (ros2/launch#620, #801); wrap it in `<group>` to scope it. A required arg of
 *   the included file must be passed by an `<arg>` child, even if the configuration already exists.
 * - A node's namespace nests under the pushed one unless absolute; a `<param from>` file that does not
 *   exist is skipped with a warning (launch_ros does the same).
 */
import * as fs from "fs";
import * as path from "path";
import { LaunchError, SourceLocation, displayPath } from "./errors";
import { ActionEntity, ArgEntity, IncludeEntity, LaunchFileTree, NodeEntity, declaredArgs } from "./entities";
import { parseLaunchXml } from "./parse";
import { ParamType, ParamValue, parseParamValue } from "./param-values";
import { prefixNamespace, splitCommandLine, validateNamespace, validateNodeName } from "./names";
import { resolveTemplate, SubstitutionContext, SubstitutionError, Template, templateToString } from "./substitutions";

/** One `--params-file` for a node, in the order given. */
export type NodeParameterItem =
  | { kind: "file"; path: string; source: SourceLocation }
  | { kind: "inline"; name: string; value: ParamValue; type: ParamType; source: SourceLocation };

/** A node to start, fully resolved. */
export interface NodeLaunch {
  pkg: string;
  exec: string;
  /** `__node` remap; undefined when the launch file gives no name (the node's default applies). */
  name?: string;
  /** Absolute namespace (`__ns` remap); undefined when neither the node nor a group gives one. */
  namespace?: string;
  /** Extra command-line arguments (`args` attribute), before `--ros-args`. */
  args: string[];
  /** Extra ROS arguments (`ros_args` attribute), in their own `--ros-args` block. */
  rosArgs: string[];
  remaps: { from: string; to: string }[];
  parameters: NodeParameterItem[];
  /** `screen`, `log` (launch's default), `both`, ... */
  output: string;
  respawn: boolean;
  respawnDelaySec: number;
  source: SourceLocation;
}

/** A declared launch argument, for a `--show-args` listing. */
export interface DeclaredArg {
  name: string;
  /** The default as written (substitutions unresolved); undefined for a required argument. */
  default?: string;
  description: string;
  source: SourceLocation;
}

/** Something ros2 launch would only warn about. */
export interface LaunchWarning {
  source: SourceLocation;
  message: string;
}

export interface LaunchPlan {
  /** In launch order (document order, includes expanded in place). */
  nodes: NodeLaunch[];
  /** The arguments the top-level file declares (top level and in groups), in document order. */
  args: DeclaredArg[];
  warnings: LaunchWarning[];
}

export interface EvaluateOptions {
  /** Command-line `name:=value` arguments, in command-line order. */
  args?: Record<string, string>;
  /** Environment for `$(env)`; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Share directory of a package (`kestrel` → the folder holding launch/ and config/). */
  findPackageShare: (pkg: string) => string | undefined;
  /** Reads a launch file; defaults to fs.readFileSync(..., 'utf8'). */
  readFile?: (file: string) => string;
  /** Whether a file exists (includes, `<param from>`); defaults to readFile succeeding / fs. */
  fileExists?: (file: string) => boolean;
  /** Executables of a package; when given, an unknown executable fails as in ros2 launch. */
  knownExecutables?: (pkg: string) => readonly string[] | undefined;
  /** The libexec directory named in the unknown-executable error; default `<share>/../../lib/<pkg>`. */
  libexecDir?: (pkg: string) => string;
  /** Base for relative file paths (ros2 launch uses its working directory); default process.cwd(). */
  cwd?: string;
}

const NO_DESCRIPTION = "no description given";
const MAX_INCLUDE_DEPTH = 40;

/** Parses and evaluates a launch file as `ros2 launch <pkg> <file> name:=value...` would. */
export function evaluateLaunchFile(file: string, options: EvaluateOptions): LaunchPlan {
  return new Evaluator(options).run(file);
}

class Evaluator {
  private configs = new Map<string, string>();
  private readonly nodes: NodeLaunch[] = [];
  private readonly warnings: LaunchWarning[] = [];
  private readonly readFile: (file: string) => string;
  private readonly fileExists: (file: string) => boolean;
  private readonly cwd: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private depth = 0;

  constructor(private readonly opts: EvaluateOptions) {
    this.readFile = opts.readFile ?? ((f) => fs.readFileSync(f, "utf8"));
    this.fileExists =
      opts.fileExists ??
      (opts.readFile
        ? (f) => {
            try {
              (opts.readFile as (f: string) => string)(f);
              return true;
            } catch {
              return false;
            }
          }
        : (f) => {
            try {
              return fs.statSync(f).isFile();
            } catch {
              return false;
            }
          });
    this.cwd = opts.cwd ?? process.cwd();
    this.env = opts.env ?? process.env;
  }

  run(file: string): LaunchPlan {
    const abs = path.resolve(this.cwd, file);
    if (!this.fileExists(abs)) throw new LaunchError({ file: abs, line: 0 }, undefined, "launch file not found");
    const tree = this.load(abs, { file: abs, line: 0 }, undefined);
    const given = Object.keys(this.opts.args ?? {});
    const missing = firstMissingRequired(tree, given);
    if (missing) {
      throw new LaunchError(
        missing.loc,
        "arg",
        `${requiredMessage(missing, given)}; pass it on the command line as ${missing.name}:=<value>`,
      );
    }
    for (const [k, v] of Object.entries(this.opts.args ?? {})) this.configs.set(k, v);
    this.runActions(tree.actions, abs);
    return {
      nodes: this.nodes,
      args: declaredArgs(tree.actions).map((a) => ({
        name: a.name,
        ...(a.default !== undefined ? { default: templateToString(a.default) } : {}),
        description: a.description ?? NO_DESCRIPTION,
        source: a.loc,
      })),
      warnings: this.warnings,
    };
  }

  private load(file: string, from: SourceLocation, tag: string | undefined): LaunchFileTree {
    let text: string;
    try {
      text = this.readFile(file);
    } catch (e) {
      throw new LaunchError(from, tag, `cannot read launch file '${displayPath(file)}': ${(e as Error).message}`);
    }
    return parseLaunchXml(text, file);
  }

  private ctx(file: string): SubstitutionContext {
    return {
      configurations: this.configs,
      env: this.env,
      findPackageShare: this.opts.findPackageShare,
      currentDir: path.dirname(file),
    };
  }

  /** Resolves an attribute, turning substitution failures into a LaunchError at the element. */
  private resolve(t: Template, loc: SourceLocation, tag: string, attr: string): string {
    try {
      return resolveTemplate(t, this.ctx(loc.file));
    } catch (e) {
      if (e instanceof SubstitutionError) throw new LaunchError(loc, tag, `attribute '${attr}': ${e.message}`);
      throw e;
    }
  }

  private runActions(actions: readonly ActionEntity[], file: string): void {
    for (const a of actions) this.runAction(a, file);
  }

  private runAction(a: ActionEntity, file: string): void {
    switch (a.kind) {
      case "arg":
        if (!this.configs.has(a.name)) {
          if (a.default === undefined) {
            throw new LaunchError(
              a.loc,
              "arg",
              `Required launch argument '${a.name}' (description: '${a.description ?? NO_DESCRIPTION}') was not provided`,
            );
          }
          this.configs.set(a.name, this.resolve(a.default, a.loc, "arg", "default"));
        }
        return;
      case "let": {
        const name = this.resolve(a.name, a.loc, "let", "name");
        this.configs.set(name, this.resolve(a.value, a.loc, "let", "value"));
        return;
      }
      case "push-ros-namespace": {
        const pushed = this.resolve(a.namespace, a.loc, "push-ros-namespace", "namespace");
        const ns = pushed.startsWith("/") ? pushed : (prefixNamespace(this.configs.get("ros_namespace"), pushed) as string);
        const why = validateNamespace(ns);
        if (why) throw new LaunchError(a.loc, "push-ros-namespace", `invalid namespace '${ns}': ${why}`);
        this.configs.set("ros_namespace", ns);
        return;
      }
      case "group": {
        if (!a.scoped) {
          this.runActions(a.children, file);
          return;
        }
        const saved = new Map(this.configs);
        try {
          this.runActions(a.children, file);
        } finally {
          this.configs = saved;
        }
        return;
      }
      case "include":
        this.include(a);
        return;
      case "node":
        this.nodes.push(this.node(a));
        return;
    }
  }

  private include(inc: IncludeEntity): void {
    const where = `${displayPath(inc.loc.file)}:${inc.loc.line}`;
    const target = path.resolve(this.cwd, this.resolve(inc.file, inc.loc, "include", "file"));
    if (/\.py$/.test(target)) {
      throw new LaunchError(inc.loc, "include", `'${displayPath(target)}': only XML launch files are supported`);
    }
    if (!this.fileExists(target)) {
      throw new LaunchError(inc.loc, "include", `included launch file '${target}' not found (included from ${where})`);
    }
    if (this.depth >= MAX_INCLUDE_DEPTH) {
      throw new LaunchError(inc.loc, "include", `includes nested deeper than ${MAX_INCLUDE_DEPTH}: is '${displayPath(target)}' including itself?`);
    }
    const tree = this.load(target, inc.loc, "include");
    const given = inc.args.map((a) => this.resolve(a.name, a.loc, "arg", "name"));
    const missing = firstMissingRequired(tree, given);
    if (missing) {
      throw new LaunchError(
        inc.loc,
        "include",
        `${requiredMessage(missing, given)}; declared at ${displayPath(missing.loc.file)}:${missing.loc.line},` +
          ` pass it with <arg name="${missing.name}" value="..."/> inside this <include>`,
      );
    }
    inc.args.forEach((a, i) => this.configs.set(given[i], this.resolve(a.value, a.loc, "arg", "value")));
    this.depth++;
    try {
      this.runActions(tree.actions, target);
    } finally {
      this.depth--;
    }
  }

  private node(n: NodeEntity): NodeLaunch {
    const r = (t: Template, attr: string): string => this.resolve(t, n.loc, "node", attr);
    const pkg = r(n.pkg, "pkg");
    const exec = r(n.exec, "exec");
    const out: NodeLaunch = {
      pkg,
      exec,
      args: [],
      rosArgs: [],
      remaps: [],
      parameters: [],
      output: "log",
      respawn: false,
      respawnDelaySec: 0,
      source: n.loc,
    };
    if (n.name !== undefined) {
      const name = r(n.name, "name");
      const why = validateNodeName(name);
      if (why) throw new LaunchError(n.loc, "node", `invalid node name '${name}': ${why}`);
      out.name = name;
    }
    const ns = prefixNamespace(this.configs.get("ros_namespace"), n.namespace !== undefined ? r(n.namespace, "namespace") : undefined);
    if (ns !== undefined) {
      const why = validateNamespace(ns);
      if (why) throw new LaunchError(n.loc, "node", `invalid namespace '${ns}': ${why}`);
      out.namespace = ns;
    }
    for (const p of n.params) {
      if (p.source === "file") {
        const file = this.resolve(p.from, p.loc, "param", "from");
        if (!this.fileExists(path.resolve(this.cwd, file))) {
          // launch_ros: "Parameter file path is not a file: ..." and the file is skipped.
          this.warnings.push({ source: p.loc, message: `Parameter file path is not a file: ${file} (skipped)` });
          continue;
        }
        out.parameters.push({ kind: "file", path: file, source: p.loc });
      } else {
        const name = this.resolve(p.name, p.loc, "param", "name");
        const typed = parseParamValue(this.resolve(p.value, p.loc, "param", "value"));
        out.parameters.push({ kind: "inline", name, value: typed.value, type: typed.type, source: p.loc });
      }
    }
    for (const m of n.remaps) {
      out.remaps.push({ from: this.resolve(m.from, m.loc, "remap", "from"), to: this.resolve(m.to, m.loc, "remap", "to") });
    }
    if (n.output !== undefined) out.output = r(n.output, "output");
    if (n.respawn !== undefined) {
      const v = r(n.respawn, "respawn");
      if (/^(true|1)$/i.test(v)) out.respawn = true;
      else if (/^(false|0)$/i.test(v)) out.respawn = false;
      else throw new LaunchError(n.loc, "node", `attribute 'respawn': expected true or false, got '${v}'`);
    }
    if (n.respawnDelay !== undefined) {
      const v = r(n.respawnDelay, "respawn_delay");
      const d = Number(v);
      if (v.trim() === "" || !Number.isFinite(d) || d < 0) {
        throw new LaunchError(n.loc, "node", `attribute 'respawn_delay': expected seconds (a number >= 0), got '${v}'`);
      }
      out.respawnDelaySec = d;
    }
    for (const [field, attr, t] of [["args", "args", n.args], ["rosArgs", "ros_args", n.rosArgs]] as const) {
      if (t === undefined) continue;
      try {
        out[field] = splitCommandLine(r(t, attr));
      } catch (e) {
        throw new LaunchError(n.loc, "node", `attribute '${attr}': ${(e as Error).message}`);
      }
    }
    this.checkExecutable(out);
    return out;
  }

  private checkExecutable(node: NodeLaunch): void {
    const known = this.opts.knownExecutables;
    if (!known) return;
    const list = known(node.pkg);
    if (list === undefined) throw new LaunchError(node.source, "node", `package '${node.pkg}' not found`);
    if (!list.includes(node.exec)) {
      const dir = this.opts.libexecDir
        ? this.opts.libexecDir(node.pkg)
        : path.join(this.opts.findPackageShare(node.pkg) ?? "<unknown>", "..", "..", "lib", node.pkg);
      throw new LaunchError(
        node.source,
        "node",
        `executable '${node.exec}' not found on the libexec directory '${dir}'` +
          ` (${node.pkg} has: ${list.length ? list.join(", ") : "none"})`,
      );
    }
  }
}

/** ros2 launch's best-effort check: an unconditional declared arg with no default must be given. */
function firstMissingRequired(tree: LaunchFileTree, given: readonly string[]): ArgEntity | undefined {
  return declaredArgs(tree.actions).find((a) => a.default === undefined && !given.includes(a.name));
}

function requiredMessage(a: ArgEntity, given: readonly string[]): string {
  return (
    `Included launch description missing required argument '${a.name}'` +
    ` (description: '${a.description ?? NO_DESCRIPTION}'), given: [${given.join(", ")}]`
  );
}
