/**
 * ROS 2 parameter files (`--params-file`), read as rcl_yaml_param_parser reads them and applied
 * to a node as rclpy/rclcpp apply them (ROS 2 Jazzy).
 *
 * File structure: a mapping of node keys; nested mappings before `ros__parameters` are
 * namespace parts (`/ns: {talker: {ros__parameters: …}}` is node `/ns/talker`); a key without
 * a leading '/' gets one (`talker` is `/talker`, so it only matches a node in the root
 * namespace). Under `ros__parameters`, nested mappings become dotted names (`nested.inner.x`).
 *
 * Matching a node: every key is turned into a regular expression by replacing each `/*` with
 * `(/\w+)` — so `/**` is `(/\w+)*` (any namespace, any node), `/ns/*` is any node directly in
 * `/ns`, `/**\/talker` is `talker` anywhere — and must match the node's fully qualified name.
 * Matching entries are applied in the order their keys first appear (over all files, since rcl
 * merges every params file into one structure), later values overriding earlier ones. A key
 * seen again (in the same or a later file) keeps its first position; its parameters are
 * updated in place. This is what makes `talker: shared: 2` after `/**: shared: 1` win.
 */
import { Alias, isMap, isScalar, isSeq, LineCounter, Node as YamlNode, parseDocument, Scalar } from 'yaml';
import { NodeContext, fullyQualifiedNodeName } from '../names';
import { ParameterFileError, ParameterMap, ParameterValue } from './types';
import { formatTyped, rclTypeName, scalarToParameter, ScalarStyle, typeScalar, typeSequence, TypedScalar } from './yaml-value';

export const PARAMS_KEY = 'ros__parameters';

export type FileParameter =
  | { kind: 'set'; value: ParameterValue; file: string; line: number }
  /** `name: []` — rcl accepts it but leaves the parameter PARAMETER_NOT_SET. */
  | { kind: 'unset'; file: string; line: number; reason: 'empty array' };

export interface NodeEntry {
  /** Normalized key: leading '/', namespace parts joined (`/ns/talker`, `/**`). */
  key: string;
  /** The file the entry first appeared in, and the line of its `ros__parameters`. */
  file: string;
  line: number;
  parameters: Map<string, FileParameter>;
}

export interface ParameterFile {
  file: string;
  /** Node entries by normalized key, in order of first appearance. */
  nodes: Map<string, NodeEntry>;
}

export interface ParseOptions {
  /** The file name used in every error message. */
  file: string;
}

function styleOf(s: Scalar): ScalarStyle {
  switch (s.type) {
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE':
      return 'quoted';
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      return 'block';
    default:
      return 'plain';
  }
}

class Reader {
  private readonly lines = new LineCounter();
  readonly result: ParameterFile;
  constructor(private readonly text: string, private readonly file: string) {
    this.result = { file, nodes: new Map() };
  }

  lineOf(node: YamlNode | null | undefined, fallback = 1): number {
    if (!node || !node.range) return fallback;
    return this.lines.linePos(node.range[0]).line;
  }

  fail(line: number, problem: string, node?: string, parameter?: string): never {
    const where: { file: string; line: number; node?: string; parameter?: string } = { file: this.file, line };
    if (node !== undefined) where.node = node;
    if (parameter !== undefined) where.parameter = parameter;
    throw new ParameterFileError(where, problem);
  }

  read(): ParameterFile {
    const doc = parseDocument(this.text, { schema: 'failsafe', lineCounter: this.lines, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line ?? this.lines.linePos(e.pos[0]).line;
      this.fail(line, `malformed YAML: ${e.message.split('\n')[0]}`);
    }
    const root = doc.contents;
    if (root === null || (isScalar(root) && (root.value === '' || root.value === null))) return this.result;
    if (!isMap(root)) {
      const found = isSeq(root) ? 'a sequence' : isScalar(root) ? `the value ${JSON.stringify(String(root.value))}` : 'an alias';
      this.fail(this.lineOf(root), `the file must be a mapping of node names to '${PARAMS_KEY}' (e.g. "talker: {${PARAMS_KEY}: {rate_hz: 10}}"), found ${found}`);
    }
    this.readNodeLevel(root, []);
    return this.result;
  }

  private keyText(key: unknown, line: number, path: string[]): string {
    if (!isScalar(key)) this.fail(line, `keys must be plain names, found ${isSeq(key) ? 'a sequence' : isMap(key) ? 'a mapping' : 'no key'}`, path.length ? path.join('/') : undefined);
    const k = String(key.value ?? '');
    if (k.length === 0) this.fail(line, 'No key: an empty key cannot name a node or parameter', path.length ? path.join('/') : undefined);
    return k;
  }

  private readNodeLevel(map: YamlNode, path: string[]): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const keyNode = pair.key as YamlNode | null;
      const line = this.lineOf(keyNode);
      const key = this.keyText(keyNode, line, path);
      const value = pair.value as YamlNode | null;
      if (value instanceof Alias) this.fail(this.lineOf(value), 'YAML aliases are not supported in parameter files', path.concat(key).join('/'));
      if (key === PARAMS_KEY) {
        if (path.length === 0) this.fail(line, `There are no node names before ${PARAMS_KEY}: expected "<node name>: {${PARAMS_KEY}: …}"`);
        const nodeKey = path.join('/');
        const entry = this.entry(nodeKey, line);
        if (value === null || (isScalar(value) && (value.value === '' || value.value === null) && styleOf(value) === 'plain')) continue;
        if (!isMap(value)) {
          this.fail(this.lineOf(value, line), `Cannot have a value before ${PARAMS_KEY}: expected '${PARAMS_KEY}' to be a mapping of parameter names to values, found ${isSeq(value) ? 'a sequence' : `the value ${JSON.stringify(String((value as Scalar).value))}`}`, nodeKey);
        }
        this.readParams(entry, nodeKey, value, '');
        continue;
      }
      const here = path.concat(key);
      if (value === null || isScalar(value)) {
        const shown = value === null || value.value === '' || value.value === null ? 'nothing' : `the value ${JSON.stringify(String(value.value))}`;
        const problem = `Cannot have a value before ${PARAMS_KEY}: found ${shown} for '${key}'`;
        if (path.length === 0) {
          this.fail(this.lineOf(value, line), `${problem} at the top level; expected node names mapping to '${PARAMS_KEY}' (e.g. "/**: {${PARAMS_KEY}: {${key}: …}}")`);
        }
        const nodeKey = path.join('/');
        this.fail(this.lineOf(value, line), `${problem}; expected the node's parameters inside '${PARAMS_KEY}' (e.g. "${nodeKey}: {${PARAMS_KEY}: {${key}: …}}")`, nodeKey, key);
      }
      if (isSeq(value)) {
        this.fail(this.lineOf(value, line), `Sequences can only be values and not keys in params: found a sequence under '${here.join('/')}' before '${PARAMS_KEY}'`, here.join('/'));
      }
      this.readNodeLevel(value, here);
    }
  }

  private entry(writtenKey: string, line: number): NodeEntry {
    const key = writtenKey.startsWith('/') ? writtenKey : `/${writtenKey}`;
    let e = this.result.nodes.get(key);
    if (!e) {
      e = { key, file: this.file, line, parameters: new Map() };
      this.result.nodes.set(key, e);
    }
    return e;
  }

  private scalar(node: Scalar): TypedScalar {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    return typeScalar(text, styleOf(node), node.tag === 'tag:yaml.org,2002:str');
  }

  private readParams(entry: NodeEntry, nodeKey: string, map: YamlNode, prefix: string): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const keyNode = pair.key as YamlNode | null;
      const line = this.lineOf(keyNode);
      const key = this.keyText(keyNode, line, [nodeKey]);
      const name = prefix ? `${prefix}.${key}` : key;
      const value = pair.value as YamlNode | null;
      if (value instanceof Alias) this.fail(this.lineOf(value), 'YAML aliases are not supported in parameter files', nodeKey, name);
      if (isMap(value)) {
        this.readParams(entry, nodeKey, value, name);
        continue;
      }
      if (value === null || (isScalar(value) && styleOf(value) === 'plain' && (value.value === '' || value.value === null))) {
        this.fail(this.lineOf(value, line), `No value: expected a value after '${key}:', found nothing`, nodeKey, name);
      }
      if (isSeq(value)) {
        const items: TypedScalar[] = [];
        for (const item of value.items) {
          if (!isScalar(item)) {
            const found = isSeq(item) ? 'a nested sequence' : isMap(item) ? 'a mapping' : 'an alias';
            this.fail(this.lineOf(item as YamlNode, line), `arrays may only hold scalars (bool, integer, double or string), found ${found}`, nodeKey, name);
          }
          items.push(this.scalar(item));
        }
        const typed = typeSequence(items);
        switch (typed.kind) {
          case 'ok':
            entry.parameters.set(name, { kind: 'set', value: typed.value, file: this.file, line });
            break;
          case 'empty':
            entry.parameters.set(name, { kind: 'unset', file: this.file, line, reason: 'empty array' });
            break;
          case 'mixed': {
            const bad = value.items[typed.index] as YamlNode;
            const shown = `[${items.map(formatTyped).join(', ')}]`;
            this.fail(
              this.lineOf(bad, line),
              `Sequence should be of same type: arrays must hold one type, expected ${rclTypeName(typed.first)} items like the first, ` +
                `but value type '${rclTypeName(typed.found.kind)}' (${formatTyped(typed.found)}) does not belong; found ${shown}`,
              nodeKey,
              name,
            );
          }
        }
        continue;
      }
      if (!isScalar(value)) this.fail(line, 'unsupported YAML value', nodeKey, name);
      entry.parameters.set(name, { kind: 'set', value: scalarToParameter(this.scalar(value)), file: this.file, line });
    }
  }
}

/** Parse a ROS 2 parameter file. Throws ParameterFileError (file, line, node, parameter). */
export function parseParameterFile(text: string, options: ParseOptions): ParameterFile {
  return new Reader(text, options.file).read();
}

/** rclpy/rclcpp's wildcard rule: each `/*` becomes `(/\w+)`; the whole FQN must match. */
export function nodeKeyMatches(key: string, fullyQualifiedName: string): boolean {
  const pattern = key.split('/*').join('(/\\w+)');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return false;
  }
  return re.test(fullyQualifiedName);
}

/** rcl's merge of several `--params-file`s into one structure (first appearance keeps order). */
export function mergeParameterFiles(files: ParameterFile[]): NodeEntry[] {
  const merged = new Map<string, NodeEntry>();
  for (const f of files) {
    for (const [key, entry] of f.nodes) {
      let target = merged.get(key);
      if (!target) {
        target = { key, file: entry.file, line: entry.line, parameters: new Map() };
        merged.set(key, target);
      }
      for (const [name, p] of entry.parameters) target.parameters.set(name, p);
    }
  }
  return [...merged.values()];
}

/** Which entries apply to a node, in application order (for diagnostics). */
export function matchingEntries(files: ParameterFile | ParameterFile[], node: NodeContext): NodeEntry[] {
  const fq = fullyQualifiedNodeName(node.namespace, node.nodeName);
  return mergeParameterFiles(Array.isArray(files) ? files : [files]).filter((e) => nodeKeyMatches(e.key, fq));
}

/**
 * The parameters a node ends up with from its parameter files (as rclpy declares them from
 * overrides). Only file parameters: node defaults such as `use_sim_time` are the node's
 * business. An empty array matched to the node cannot be declared (rclpy: "Cannot declare a
 * statically typed parameter with default value of type PARAMETER_NOT_SET") → ParameterFileError.
 */
export function parametersForNode(files: ParameterFile | ParameterFile[], node: NodeContext): ParameterMap {
  const found = new Map<string, { param: FileParameter; entry: NodeEntry }>();
  for (const entry of matchingEntries(files, node)) {
    for (const [name, param] of entry.parameters) found.set(name, { param, entry });
  }
  const out: ParameterMap = new Map();
  for (const [name, { param, entry }] of found) {
    switch (param.kind) {
      case 'set':
        out.set(name, param.value);
        break;
      case 'unset':
        throw new ParameterFileError(
          { file: param.file, line: param.line, node: entry.key, parameter: name },
          'Cannot declare a statically typed parameter with default value of type PARAMETER_NOT_SET: ' +
            'an empty array [] has no element type; expected a non-empty array (e.g. [1.0, 2.0]) or no entry at all, found []',
        );
    }
  }
  return out;
}
