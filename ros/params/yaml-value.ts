/**
 * Typing of YAML scalars and sequences exactly as rcl_yaml_param_parser's get_value() does it —
 * not as the YAML core schema does:
 *
 * - single- or double-quoted scalars are always strings (`'42'` is STRING);
 * - plain scalars: Y/y/yes/Yes/YES/true/True/TRUE/on/On/ON → true, the N/no/false/off family
 *   → false; then C `strtol(value, &end, 0)` (so `0x10` is 16 and `010` is 8, and a value
 *   outside int64 is not an integer); then C `strtod` (`1.0`, `1e-3`, `inf`, `nan`, `08`);
 *   anything else is a string;
 * - a sequence must hold one type ("Sequence should be of same type"): `[1, 2.5]` is an error,
 *   `[]` leaves the parameter unset (a node cannot declare it).
 *
 * Integers are read as bigint first, so no precision is lost, and narrowed to number when safe.
 */
import { isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import { INT64_MAX, INT64_MIN, Int64, narrowInt, ParameterValue } from './types';

export type ScalarStyle = 'plain' | 'quoted' | 'block';

export type TypedScalar =
  | { kind: 'bool'; value: boolean }
  | { kind: 'integer'; value: Int64 }
  | { kind: 'double'; value: number }
  | { kind: 'string'; value: string };

const TRUE_WORDS = new Set(['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** C strtol(s, &end, 0) consuming the whole string, within int64 (else null, as ERANGE). */
export function parseCInteger(s: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  v *= sign;
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** C strtod(s, &end) consuming the whole string without ERANGE (else null). */
export function parseCDouble(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan(\([0-9A-Za-z_]*\))?$/i.test(t)) return NaN;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(t);
  if (hex && (hex[2]! + (hex[3] ?? '')).length > 0) {
    const intPart = hex[2] ? parseInt(hex[2], 16) : 0;
    const frac = hex[3] ? [...hex[3]].reduce((acc, d, i) => acc + parseInt(d, 16) / 16 ** (i + 1), 0) : 0;
    const v = (intPart + frac) * 2 ** Number(hex[4] ?? 0);
    return hex[1] === '-' ? -v : v;
  }
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) return null;
  const v = Number(t);
  if (!Number.isFinite(v)) return null; // ERANGE overflow
  if (v === 0 && /[1-9]/.test(t.split(/[eE]/)[0]!)) return null; // ERANGE underflow
  return v;
}

/** rcl's get_value(): the type rcl gives a scalar with this text and style. */
export function typeScalar(text: string, style: ScalarStyle, explicitStringTag = false): TypedScalar {
  if (style === 'quoted' || explicitStringTag) return { kind: 'string', value: text };
  if (TRUE_WORDS.has(text)) return { kind: 'bool', value: true };
  if (FALSE_WORDS.has(text)) return { kind: 'bool', value: false };
  const i = parseCInteger(text);
  if (i !== null) return { kind: 'integer', value: narrowInt(i) };
  const d = parseCDouble(text);
  if (d !== null) return { kind: 'double', value: d };
  return { kind: 'string', value: text };
}

/** rcl's name for a value type in "Value type '…' do not belong". */
export function rclTypeName(kind: TypedScalar['kind']): string {
  switch (kind) {
    case 'bool': return 'bool';
    case 'integer': return 'integer';
    case 'double': return 'double';
    case 'string': return 'string';
  }
}

export function scalarToParameter(s: TypedScalar): ParameterValue {
  switch (s.kind) {
    case 'bool': return { type: 'BOOL', value: s.value };
    case 'integer': return { type: 'INTEGER', value: s.value };
    case 'double': return { type: 'DOUBLE', value: s.value };
    case 'string': return { type: 'STRING', value: s.value };
  }
}

export type SequenceResult =
  | { kind: 'ok'; value: ParameterValue }
  | { kind: 'empty' }
  | { kind: 'mixed'; index: number; first: TypedScalar['kind']; found: TypedScalar };

/** A homogeneous sequence → *_ARRAY; the first item fixes the type, as rcl does. */
export function typeSequence(items: TypedScalar[]): SequenceResult {
  if (items.length === 0) return { kind: 'empty' };
  const first = items[0]!.kind;
  for (let i = 1; i < items.length; i++) {
    if (items[i]!.kind !== first) return { kind: 'mixed', index: i, first, found: items[i]! };
  }
  switch (first) {
    case 'bool': return { kind: 'ok', value: { type: 'BOOL_ARRAY', value: items.map((x) => x.value as boolean) } };
    case 'integer': return { kind: 'ok', value: { type: 'INTEGER_ARRAY', value: items.map((x) => x.value as Int64) } };
    case 'double': return { kind: 'ok', value: { type: 'DOUBLE_ARRAY', value: items.map((x) => x.value as number) } };
    case 'string': return { kind: 'ok', value: { type: 'STRING_ARRAY', value: items.map((x) => x.value as string) } };
  }
}

/** A scalar as the user wrote it, for messages: strings quoted, numbers bare. */
export function formatTyped(s: TypedScalar): string {
  return s.kind === 'string' ? JSON.stringify(s.value) : String(s.value);
}

function styleOfScalar(s: Scalar): ScalarStyle {
  return s.type === 'QUOTE_SINGLE' || s.type === 'QUOTE_DOUBLE' ? 'quoted' : s.type === 'BLOCK_FOLDED' || s.type === 'BLOCK_LITERAL' ? 'block' : 'plain';
}

export type ValueTextResult =
  | { kind: 'ok'; value: ParameterValue }
  | { kind: 'error'; problem: string };

/**
 * rcl_parse_yaml_value: the `value` of `-p name:=value` read as one YAML scalar or flow
 * sequence with rcl's typing (`-p rate:=10` INTEGER, `-p gains:=[1.0, 2.0]` DOUBLE_ARRAY,
 * `-p name:="'42'"` STRING).
 */
export function parseValueText(text: string): ValueTextResult {
  if (text.length === 0) return { kind: 'error', problem: 'expected a value after ":=", found nothing' };
  const doc = parseDocument(text, { schema: 'failsafe', prettyErrors: false });
  if (doc.errors.length > 0) return { kind: 'error', problem: `value is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
  const node = doc.contents;
  if (isScalar(node)) {
    return { kind: 'ok', value: scalarToParameter(typeScalar(node.value === null ? '' : String(node.value), styleOfScalar(node), node.tag === 'tag:yaml.org,2002:str')) };
  }
  if (isSeq(node)) {
    const items: TypedScalar[] = [];
    for (const item of node.items) {
      if (!isScalar(item)) return { kind: 'error', problem: `arrays may only hold scalars, found ${isSeq(item) ? 'a nested sequence' : 'a mapping'} in ${text}` };
      items.push(typeScalar(String(item.value ?? ''), styleOfScalar(item), item.tag === 'tag:yaml.org,2002:str'));
    }
    const r = typeSequence(items);
    switch (r.kind) {
      case 'ok': return { kind: 'ok', value: r.value };
      case 'empty': return { kind: 'error', problem: 'an empty array [] has no element type (PARAMETER_NOT_SET); expected at least one element' };
      case 'mixed':
        return { kind: 'error', problem: `Sequence should be of same type: expected ${rclTypeName(r.first)} items like the first, but value type '${rclTypeName(r.found.kind)}' (${formatTyped(r.found)}) does not belong in ${text}` };
    }
  }
  return { kind: 'error', problem: `expected a scalar or a [flow, sequence], found a mapping: ${text}` };
}
