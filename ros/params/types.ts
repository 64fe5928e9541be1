/**
 * ROS 2 parameter values (rcl_interfaces/ParameterType) as plain TypeScript data.
 *
 * INTEGER is int64 in ROS: a JS number when it is a safe integer, a `bigint` when it is not
 * (9007199254740993 must survive a round trip exactly).
 */

export type ParameterType =
  | 'BOOL'
  | 'INTEGER'
  | 'DOUBLE'
  | 'STRING'
  | 'BYTE_ARRAY'
  | 'BOOL_ARRAY'
  | 'INTEGER_ARRAY'
  | 'DOUBLE_ARRAY'
  | 'STRING_ARRAY';

export type Int64 = number | bigint;

export type ParameterValue =
  | { type: 'BOOL'; value: boolean }
  | { type: 'INTEGER'; value: Int64 }
  | { type: 'DOUBLE'; value: number }
  | { type: 'STRING'; value: string }
  | { type: 'BYTE_ARRAY'; value: number[] }
  | { type: 'BOOL_ARRAY'; value: boolean[] }
  | { type: 'INTEGER_ARRAY'; value: Int64[] }
  | { type: 'DOUBLE_ARRAY'; value: number[] }
  | { type: 'STRING_ARRAY'; value: string[] };

/** A parameter map: parameter name (dotted for nested keys) → value, in file order. */
export type ParameterMap = Map<string, ParameterValue>;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** A bigint narrowed to a number when that loses nothing. */
export function narrowInt(v: bigint): Int64 {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * A double written so that rcl reads it back as a double (1 → "1.0", like Python's repr;
 * NaN/±Infinity as C strtod spells them, since rcl does not know YAML's `.nan`/`.inf`).
 */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A value as it would be written in a parameter file (for error messages and dumps). */
export function formatValue(p: ParameterValue): string {
  switch (p.type) {
    case 'BOOL': return String(p.value);
    case 'INTEGER': return String(p.value);
    case 'DOUBLE': return formatDouble(p.value);
    case 'STRING': return JSON.stringify(p.value);
    case 'BYTE_ARRAY': return `[${p.value.join(', ')}]`;
    case 'BOOL_ARRAY': return `[${p.value.join(', ')}]`;
    case 'INTEGER_ARRAY': return `[${p.value.map(String).join(', ')}]`;
    case 'DOUBLE_ARRAY': return `[${p.value.map(formatDouble).join(', ')}]`;
    case 'STRING_ARRAY': return `[${p.value.map((s) => JSON.stringify(s)).join(', ')}]`;
  }
}

/** Lowercase, rcl_interfaces style names for messages ("integer array"). */
export function describeType(t: ParameterType): string {
  switch (t) {
    case 'BOOL': return 'bool';
    case 'INTEGER': return 'integer';
    case 'DOUBLE': return 'double';
    case 'STRING': return 'string';
    case 'BYTE_ARRAY': return 'byte array';
    case 'BOOL_ARRAY': return 'bool array';
    case 'INTEGER_ARRAY': return 'integer array';
    case 'DOUBLE_ARRAY': return 'double array';
    case 'STRING_ARRAY': return 'string array';
  }
}

/** Where a parameter-file problem is: every field that is known is named in the message. */
export interface ParameterFileErrorLocation {
  file: string;
  line?: number;
  /** The node key as written in the file (`talker`, `/**`, `/ns/talker`). */
  node?: string;
  parameter?: string;
}

/**
 * A parameter file rcl would refuse (or a parameter a node could not declare).
 * Message: `<file>:<line>: node '<key>': parameter '<name>': <problem>`.
 */
export class ParameterFileError extends Error {
  override readonly name = 'ParameterFileError';
  readonly file: string;
  readonly line: number | undefined;
  readonly node: string | undefined;
  readonly parameter: string | undefined;
  /** The problem alone, without the location prefix. */
  readonly problem: string;
  constructor(where: ParameterFileErrorLocation, problem: string) {
    const parts = [where.line !== undefined ? `${where.file}:${where.line}` : where.file];
    if (where.node !== undefined) parts.push(`node '${where.node}'`);
    if (where.parameter !== undefined) parts.push(`parameter '${where.parameter}'`);
    super(`${parts.join(': ')}: ${problem}`);
    this.file = where.file;
    this.line = where.line;
    this.node = where.node;
    this.parameter = where.parameter;
    this.problem = problem;
  }
}
