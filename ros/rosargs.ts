/**
 * The `--ros-args … [--]` part of a command line, parsed as rcl_parse_arguments does it
 * (ROS 2 Jazzy), and remapping applied as rcl_remap_topic_name / rcl_remap_node_name /
 * rcl_remap_node_namespace do it.
 *
 * Remap semantics (rcl):
 * - rules are tried in order, the first matching one wins (pass node-local rules before
 *   process-global ones, as rcl does);
 * - a rule's `from` is expanded for the node exactly like the topic being resolved
 *   (`chatter:=talk` in `/ns` matches both `chatter` and `/ns/chatter`; `~/chatter` matches the
 *   node's private name), and its `to` is expanded for the node too (`chatter:=talk` gives
 *   `/ns/talk`);
 * - a node-scoped rule (`talker:chatter:=mine`) applies only to the node named `talker`;
 * - `__node:=` / `__name:=` renames the node, `__ns:=` moves it; topics are then resolved with
 *   the new name and namespace (`~/chatter` of a `__node:=renamed` talker is `/ns/renamed/chatter`).
 */
import {
  checkResolved, expandTopicNameUnchecked, NameError, NodeContext, validateNamespace, validateNodeName, validateTopicName,
} from './names';
import { ParameterValue } from './params/types';
import { parseValueText } from './params/yaml-value';

export type RemapScheme = 'any' | 'topic' | 'service';

export type RemapRule =
  | { type: 'name'; node?: string; scheme: RemapScheme; from: string; to: string; text: string }
  | { type: 'node_name'; node?: string; to: string; text: string }
  | { type: 'namespace'; node?: string; to: string; text: string };

export interface ParamRule {
  /** Only for this node (`-p talker:rate:=10`), else every node of the process. */
  node?: string;
  name: string;
  value: ParameterValue;
  text: string;
}

export type LogSeverity = 'unset' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogLevelRule {
  /** Absent: the default level for all loggers. */
  logger?: string;
  level: LogSeverity;
}

export interface RosArgs {
  remaps: RemapRule[];
  params: ParamRule[];
  /** `--params-file` paths, in order (later files override earlier ones). */
  paramsFiles: string[];
  logLevels: LogLevelRule[];
  enclave?: string;
  logConfigFile?: string;
  logFileName?: string;
  rosoutLogs?: boolean;
  stdoutLogs?: boolean;
  externalLibLogs?: boolean;
  /** Everything outside `--ros-args … --`, in order (argv[0] included if it was given). */
  nonRosArgs: string[];
}

export class RosArgsError extends Error {
  override readonly name = 'RosArgsError';
  constructor(message: string, readonly arg: string, readonly argIndex: number) {
    super(message);
  }
}

const LOG_SEVERITIES: readonly LogSeverity[] = ['unset', 'debug', 'info', 'warn', 'error', 'fatal'];
const KNOWN_FLAGS =
  '-r/--remap, -p/--param, --params-file, --log-level, --log-config-file, --log-file-name, -e/--enclave, ' +
  '--enable-/--disable-rosout-logs, --enable-/--disable-stdout-logs, --enable-/--disable-external-lib-logs';

function nameErrorText(e: unknown): string {
  return e instanceof NameError ? e.reason : e instanceof Error ? e.message : String(e);
}

const NODE_PREFIX = /^([A-Za-z_][A-Za-z0-9_]*):(?!\/\/)(.*)$/s;

/** One `-r` rule: `[node:]from:=to`, `[node:]__node:=name`, `[node:]__ns:=/ns`. */
export function parseRemapRule(text: string): RemapRule {
  const fail = (why: string): never => {
    throw new RosArgsError(`Failed to parse remap rule '${text}': ${why} (expected '[node:]from:=to', '__node:=name' or '__ns:=/namespace')`, text, -1);
  };
  const sep = text.indexOf(':=');
  if (sep < 0) fail("no ':=' found");
  let lhs = text.slice(0, sep);
  const to = text.slice(sep + 2);
  if (to.includes(':=')) fail("more than one ':='");
  let node: string | undefined;
  const m = NODE_PREFIX.exec(lhs);
  if (m && m[2] !== '' ) {
    node = m[1]!;
    lhs = m[2]!;
  }
  if (lhs === '') fail("nothing before ':='");
  if (to === '') fail("nothing after ':='");
  const scoped = node !== undefined ? { node } : {};
  if (lhs === '__node' || lhs === '__name') {
    try { validateNodeName(to); } catch (e) { fail(`the new node name '${to}' is invalid: ${nameErrorText(e)}`); }
    return { type: 'node_name', ...scoped, to, text };
  }
  if (lhs === '__ns') {
    try { validateNamespace(to); } catch (e) { fail(`the new namespace '${to}' is invalid: ${nameErrorText(e)}`); }
    return { type: 'namespace', ...scoped, to, text };
  }
  let scheme: RemapScheme = 'any';
  if (lhs.startsWith('rostopic://')) { scheme = 'topic'; lhs = lhs.slice('rostopic://'.length); }
  else if (lhs.startsWith('rosservice://')) { scheme = 'service'; lhs = lhs.slice('rosservice://'.length); }
  if (lhs.startsWith('__')) fail(`unknown special rule '${lhs}' (only __node, __name and __ns exist)`);
  try { validateTopicName(lhs); } catch (e) { fail(`the name to match '${lhs}' is invalid: ${nameErrorText(e)}`); }
  try { validateTopicName(to); } catch (e) { fail(`the replacement '${to}' is invalid: ${nameErrorText(e)}`); }
  return { type: 'name', ...scoped, scheme, from: lhs, to, text };
}

/** One `-p` rule: `[node:]name:=yaml_value`. */
export function parseParamRule(text: string): ParamRule {
  const fail = (why: string): never => {
    throw new RosArgsError(`Failed to parse parameter rule '${text}': ${why} (expected '[node:]name:=value')`, text, -1);
  };
  const sep = text.indexOf(':=');
  if (sep < 0) fail("no ':=' found");
  let lhs = text.slice(0, sep);
  const valueText = text.slice(sep + 2);
  let node: string | undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*):(.+)$/s.exec(lhs);
  if (m) { node = m[1]!; lhs = m[2]!; }
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(lhs)) {
    fail(`'${lhs}' is not a parameter name (letters, digits and '_' in dot-separated tokens, not starting with a digit)`);
  }
  const r = parseValueText(valueText);
  switch (r.kind) {
    case 'ok': return { ...(node !== undefined ? { node } : {}), name: lhs, value: r.value, text };
    case 'error': return fail(r.problem);
  }
}

/** `--log-level [logger:=]level`. */
export function parseLogLevel(text: string): LogLevelRule {
  const sep = text.indexOf(':=');
  const logger = sep >= 0 ? text.slice(0, sep) : undefined;
  const levelText = (sep >= 0 ? text.slice(sep + 2) : text).toLowerCase();
  const level = LOG_SEVERITIES.find((l) => l === levelText);
  if (!level || logger === '') {
    throw new RosArgsError(`Argument following --log-level is not a valid log level: '${text}' (expected [logger:=]level with level one of ${LOG_SEVERITIES.join(', ')})`, text, -1);
  }
  return logger !== undefined ? { logger, level } : { level };
}

/**
 * Parse argv as rcl_parse_arguments does: `--ros-args` opens a ROS section, `--` closes it,
 * several sections may appear. Unknown flags inside a section are rejected (rclpy raises
 * "Found unknown ROS arguments"); a flag without its value is rejected.
 */
export function parseRosArgs(argv: readonly string[]): RosArgs {
  const out: RosArgs = { remaps: [], params: [], paramsFiles: [], logLevels: [], nonRosArgs: [] };
  let inRos = false;
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!inRos) {
      if (arg === '--ros-args') inRos = true;
      else out.nonRosArgs.push(arg);
      continue;
    }
    if (arg === '--') { inRos = false; continue; }
    if (arg === '--ros-args') continue;
    const takeValue = (what: string): string => {
      const v = argv[i + 1];
      if (v === undefined || v === '--' || v === '--ros-args') {
        throw new RosArgsError(`Couldn't parse trailing ${arg} flag: expected ${what} after it, found ${v === undefined ? 'the end of the arguments' : `'${v}'`}`, arg, i);
      }
      i++;
      return v;
    };
    const withIndex = <T>(f: () => T): T => {
      try { return f(); } catch (e) {
        if (e instanceof RosArgsError) throw new RosArgsError(`${e.message} (argument ${i})`, e.arg, i);
        throw e;
      }
    };
    switch (arg) {
      case '-r': case '--remap': { const v = takeValue("a remap rule 'from:=to'"); out.remaps.push(withIndex(() => parseRemapRule(v))); break; }
      case '-p': case '--param': { const v = takeValue("a parameter rule 'name:=value'"); out.params.push(withIndex(() => parseParamRule(v))); break; }
      case '--params-file': out.paramsFiles.push(takeValue('a parameter file path')); break;
      case '--log-level': { const v = takeValue("a log level '[logger:=]level'"); out.logLevels.push(withIndex(() => parseLogLevel(v))); break; }
      case '--log-config-file': out.logConfigFile = takeValue('a log config file path'); break;
      case '--log-file-name': out.logFileName = takeValue('a log file name'); break;
      case '-e': case '--enclave': out.enclave = takeValue('an enclave name'); break;
      case '--enable-rosout-logs': out.rosoutLogs = true; break;
      case '--disable-rosout-logs': out.rosoutLogs = false; break;
      case '--enable-stdout-logs': out.stdoutLogs = true; break;
      case '--disable-stdout-logs': out.stdoutLogs = false; break;
      case '--enable-external-lib-logs': out.externalLibLogs = true; break;
      case '--disable-external-lib-logs': out.externalLibLogs = false; break;
      default: unknown.push(arg);
    }
  }
  if (unknown.length > 0) {
    throw new RosArgsError(
      `Found unknown ROS arguments: [${unknown.map((a) => `'${a}'`).join(', ')}]; inside --ros-args only ${KNOWN_FLAGS} are understood (end the ROS section with '--')`,
      unknown[0]!, argv.indexOf(unknown[0]!),
    );
  }
  return out;
}

function appliesTo(rule: { node?: string }, nodeName: string): boolean {
  return rule.node === undefined || rule.node === nodeName;
}

/** rcl_remap_node_name: the first `__node:=`/`__name:=` rule for this node, else the name. */
export function remapNodeName(nodeName: string, rules: readonly RemapRule[]): string {
  for (const r of rules) if (r.type === 'node_name' && appliesTo(r, nodeName)) return r.to;
  return nodeName;
}

/** rcl_remap_node_namespace: the first `__ns:=` rule for this node (by its original name). */
export function remapNamespace(namespace: string, nodeName: string, rules: readonly RemapRule[]): string {
  for (const r of rules) if (r.type === 'namespace' && appliesTo(r, nodeName)) return r.to;
  return namespace;
}

export interface ResolvedNode {
  nodeName: string;
  /** Absolute; "/" for the root. */
  namespace: string;
  fullyQualifiedName: string;
}

/** The node's name and namespace after `__node`/`__ns` remaps, as rcl_node_init computes them. */
export function resolveNode(opts: { nodeName: string; namespace: string; rules: readonly RemapRule[] }): ResolvedNode {
  validateNodeName(opts.nodeName);
  const nodeName = remapNodeName(opts.nodeName, opts.rules);
  let namespace = remapNamespace(opts.namespace, opts.nodeName, opts.rules);
  namespace = namespace === '' ? '/' : namespace.startsWith('/') ? namespace : `/${namespace}`;
  validateNamespace(namespace);
  return { nodeName, namespace, fullyQualifiedName: namespace === '/' ? `/${nodeName}` : `${namespace}/${nodeName}` };
}

export interface RemapOptions extends NodeContext {
  rules: readonly RemapRule[];
  /** Topic (default) or service; `rostopic://` / `rosservice://` rules only apply to their kind. */
  kind?: 'topic' | 'service';
}

/**
 * rcl_resolve_name with remapping: expand `name` for the node (whose name/namespace must
 * already be the remapped ones — see resolveNode), apply the first matching name rule, and
 * check the result is a valid fully qualified name. Throws NameError like expandTopicName.
 */
export function applyRemaps(name: string, opts: RemapOptions): string {
  const ctx: NodeContext = { nodeName: opts.nodeName, namespace: opts.namespace };
  const expanded = expandTopicNameUnchecked(name, ctx);
  const kind = opts.kind ?? 'topic';
  let result = expanded;
  for (const rule of opts.rules) {
    if (rule.type !== 'name' || !appliesTo(rule, opts.nodeName)) continue;
    if (rule.scheme !== 'any' && rule.scheme !== kind) continue;
    if (expandTopicNameUnchecked(rule.from, ctx) !== expanded) continue;
    result = expandTopicNameUnchecked(rule.to, ctx);
    break;
  }
  checkResolved(name, result, ctx);
  return result;
}
