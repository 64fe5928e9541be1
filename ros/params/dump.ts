/**
 * `ros2 param dump` style output: `<node>:\n  ros__parameters:\n    …` with dotted names
 * re-nested, keys sorted, sequences in block style, and every scalar written so that rcl's
 * parameter parser reads it back with the same type (doubles always carry a '.' or exponent,
 * strings that would read as bool/number are quoted). parseParameterFile(dumpParameters(k, p))
 * gives `p` back, with two exceptions rcl's file format cannot express: a BYTE_ARRAY reads back as
 * INTEGER_ARRAY, and an empty array reads back as unset.
 */
import { PARAMS_KEY } from './file';
import { formatDouble, ParameterMap, ParameterValue } from './types';
import { typeScalar } from './yaml-value';

type Tree = Map<string, Tree | ParameterValue>;

function isTree(x: Tree | ParameterValue): x is Tree {
  return x instanceof Map;
}

function buildTree(params: ParameterMap): Tree {
  const root: Tree = new Map();
  for (const [name, value] of params) {
    const parts = name.split('.');
    let node = root;
    let ok = true;
    for (let i = 0; i < parts.length - 1 && ok; i++) {
      const next = node.get(parts[i]!);
      if (next === undefined) {
        const t: Tree = new Map();
        node.set(parts[i]!, t);
        node = t;
      } else if (isTree(next)) {
        node = next;
      } else {
        ok = false;
      }
    }
    const leaf = parts[parts.length - 1]!;
    // A name that is both a value and a namespace ("a" and "a.b"): keep the dotted key as is.
    if (!ok || (node.get(leaf) !== undefined && isTree(node.get(leaf)!))) root.set(name, value);
    else node.set(leaf, value);
  }
  return root;
}

const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_ ./-]*$/;

/** A string rcl will read back as that same string. */
export function yamlString(s: string): string {
  if (PLAIN_SAFE.test(s) && !s.endsWith(' ') && typeScalar(s, 'plain').kind === 'string') return s;
  if (/[\n\r\t\\"\u0000-\u001f]/.test(s)) return JSON.stringify(s);
  return `'${s.replace(/'/g, "''")}'`;
}

function scalarText(v: boolean | number | bigint | string, kind: 'bool' | 'int' | 'double' | 'string'): string {
  switch (kind) {
    case 'bool': return v ? 'true' : 'false';
    case 'int': return String(v);
    case 'double': return formatDouble(v as number);
    case 'string': return yamlString(v as string);
  }
}

function valueLines(value: ParameterValue, indent: string): { inline: string } | { block: string[] } {
  const seq = (items: readonly (boolean | number | bigint | string)[], kind: 'bool' | 'int' | 'double' | 'string') =>
    items.length === 0 ? { inline: '[]' } : { block: items.map((x) => `${indent}- ${scalarText(x, kind)}`) };
  switch (value.type) {
    case 'BOOL': return { inline: scalarText(value.value, 'bool') };
    case 'INTEGER': return { inline: scalarText(value.value, 'int') };
    case 'DOUBLE': return { inline: scalarText(value.value, 'double') };
    case 'STRING': return { inline: scalarText(value.value, 'string') };
    case 'BYTE_ARRAY': return seq(value.value, 'int');
    case 'BOOL_ARRAY': return seq(value.value, 'bool');
    case 'INTEGER_ARRAY': return seq(value.value, 'int');
    case 'DOUBLE_ARRAY': return seq(value.value, 'double');
    case 'STRING_ARRAY': return seq(value.value, 'string');
  }
}

function emit(tree: Tree, indent: string, out: string[]): void {
  for (const key of [...tree.keys()].sort()) {
    const v = tree.get(key)!;
    if (isTree(v)) {
      out.push(`${indent}${yamlString(key)}:`);
      emit(v, `${indent}  `, out);
      continue;
    }
    const r = valueLines(v, indent);
    if ('inline' in r) out.push(`${indent}${yamlString(key)}: ${r.inline}`);
    else out.push(`${indent}${yamlString(key)}:`, ...r.block);
  }
}

/** The YAML `ros2 param dump` would write for one node (`nodeKey` e.g. `/talker` or `/**`). */
export function dumpParameters(nodeKey: string, params: ParameterMap): string {
  const out = [`${nodeKey}:`, `  ${PARAMS_KEY}:`];
  if (params.size === 0) out[1] += ' {}';
  emit(buildTree(params), '    ', out);
  return `${out.join('\n')}\n`;
}
