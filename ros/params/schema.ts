/**
 * A node's declared parameters as a JSON schema, validated with ajv.
 *
 * Schema shape: `{type: 'object', properties: {<name>: {type, items?, default?, description?,
 * minimum?, maximum?, exclusiveMinimum?, exclusiveMaximum?, enum?, minItems?, maxItems?,
 * pattern?, readOnly?}}, required?: [...]}`; dotted names (`nested.depth`) are plain property
 * names.
 *
 * Types follow ROS 2, which does not coerce: a parameter declared DOUBLE refuses an INTEGER
 * value ("Wrong parameter type, parameter {x} is of type {double}, setting it to {integer} is
 * not allowed"). Because `2` for a `number` property is the commonest slip in a parameter
 * file, that error says to write `2.0`. Parameters a node does not declare are ignored by ROS
 * (unless allow_undeclared_parameters) — here they come back as warnings naming them.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { describeType, formatDouble, formatValue, Int64, narrowInt, ParameterMap, ParameterType, ParameterValue } from './types';

export type SchemaScalarType = 'boolean' | 'integer' | 'number' | 'string';

export interface ParameterSchemaProperty {
  type: SchemaScalarType | 'array';
  items?: { type: SchemaScalarType; [k: string]: unknown };
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  readOnly?: boolean;
  [k: string]: unknown;
}

export interface ParameterSchema {
  type: 'object';
  properties: Record<string, ParameterSchemaProperty>;
  required?: string[];
  [k: string]: unknown;
}

export class ParameterSchemaError extends Error {
  override readonly name = 'ParameterSchemaError';
}

/** One problem with one parameter: where, what was expected, what was found. */
export interface ParameterIssue {
  node: string;
  parameter: string;
  expected: string;
  found: string;
  message: string;
}

export interface ParameterDescriptor {
  name: string;
  type: ParameterType;
  description: string;
  readOnly: boolean;
  default?: ParameterValue;
}

export type ValidationResult =
  | { ok: true; values: ParameterMap; warnings: ParameterIssue[] }
  | { ok: false; errors: ParameterIssue[]; warnings: ParameterIssue[] };

export interface ParameterValidator {
  (params: ParameterMap, options: { node: string }): ValidationResult;
  descriptors: ReadonlyMap<string, ParameterDescriptor>;
}

/** JSON-schema type → ROS parameter type. */
export function parameterTypeOf(prop: ParameterSchemaProperty): ParameterType {
  switch (prop.type) {
    case 'boolean': return 'BOOL';
    case 'integer': return 'INTEGER';
    case 'number': return 'DOUBLE';
    case 'string': return 'STRING';
    case 'array': {
      const t = prop.items?.type;
      switch (t) {
        case 'boolean': return 'BOOL_ARRAY';
        case 'integer': return 'INTEGER_ARRAY';
        case 'number': return 'DOUBLE_ARRAY';
        case 'string': return 'STRING_ARRAY';
        case undefined:
          throw new ParameterSchemaError(`an array parameter needs items.type (boolean, integer, number or string), found ${JSON.stringify(prop.items)}`);
      }
      throw new ParameterSchemaError(`array items.type must be boolean, integer, number or string, found '${String(t)}'`);
    }
  }
  throw new ParameterSchemaError(`parameter type must be boolean, integer, number, string or array, found '${String((prop as { type: unknown }).type)}'`);
}

export type CoerceResult = { ok: true; value: ParameterValue } | { ok: false; expected: string; found: string; problem: string };

/**
 * Accept `value` for a parameter declared `declared`, as ROS 2 does: only the same type. The
 * refusal names both types; integers offered for doubles get the "write 2.0" hint.
 */
export function coerce(value: ParameterValue, declared: ParameterType): CoerceResult {
  if (value.type === declared) return { ok: true, value };
  const found = `${describeType(value.type)} ${formatValue(value)}`;
  const expected = describeType(declared);
  let problem = `Wrong parameter type: the parameter is of type ${expected}, setting it to ${describeType(value.type)} is not allowed (found ${formatValue(value)})`;
  if (value.type === 'INTEGER' && declared === 'DOUBLE') {
    problem += `; write ${formatDouble(Number(value.value))} for a double`;
  } else if (value.type === 'INTEGER_ARRAY' && declared === 'DOUBLE_ARRAY') {
    problem += `; write [${value.value.map((v) => formatDouble(Number(v))).join(', ')}] for a double array`;
  }
  return { ok: false, expected, found, problem };
}

/** The JSON value ajv checks (bigint → number: range checks on |v| > 2^53 are approximate). */
function toJson(v: ParameterValue): unknown {
  const n = (x: Int64): number => (typeof x === 'bigint' ? Number(x) : x);
  switch (v.type) {
    case 'INTEGER': return n(v.value);
    case 'INTEGER_ARRAY': return v.value.map(n);
    case 'BOOL': case 'DOUBLE': case 'STRING': case 'BYTE_ARRAY': case 'BOOL_ARRAY': case 'DOUBLE_ARRAY': case 'STRING_ARRAY':
      return v.value;
  }
}

/** A schema default as a typed parameter value (`2` for a number property is DOUBLE 2). */
function defaultValue(name: string, type: ParameterType, d: unknown): ParameterValue {
  const bad = (): never => {
    throw new ParameterSchemaError(`parameter '${name}': default must be of type ${describeType(type)}, found ${JSON.stringify(d)}`);
  };
  const int = (x: unknown): Int64 => (typeof x === 'bigint' ? narrowInt(x) : typeof x === 'number' && Number.isInteger(x) ? x : bad());
  const arr = (): unknown[] => (Array.isArray(d) ? d : bad());
  switch (type) {
    case 'BOOL': return typeof d === 'boolean' ? { type, value: d } : bad();
    case 'INTEGER': return { type, value: int(d) };
    case 'DOUBLE': return typeof d === 'number' ? { type, value: d } : bad();
    case 'STRING': return typeof d === 'string' ? { type, value: d } : bad();
    case 'BYTE_ARRAY': return { type, value: arr().map((x) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255 ? x : bad())) };
    case 'BOOL_ARRAY': return { type, value: arr().map((x) => (typeof x === 'boolean' ? x : bad())) };
    case 'INTEGER_ARRAY': return { type, value: arr().map(int) };
    case 'DOUBLE_ARRAY': return { type, value: arr().map((x) => (typeof x === 'number' ? x : bad())) };
    case 'STRING_ARRAY': return { type, value: arr().map((x) => (typeof x === 'string' ? x : bad())) };
  }
}

function expectedFrom(e: ErrorObject, prop: ParameterSchemaProperty): string {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath ? ` (item ${e.instancePath.slice(1)})` : '';
  switch (e.keyword) {
    case 'minimum': return `a value >= ${String(p.limit)}${at}`;
    case 'maximum': return `a value <= ${String(p.limit)}${at}`;
    case 'exclusiveMinimum': return `a value > ${String(p.limit)}${at}`;
    case 'exclusiveMaximum': return `a value < ${String(p.limit)}${at}`;
    case 'enum': return `one of ${JSON.stringify(prop.enum ?? p.allowedValues)}${at}`;
    case 'minItems': return `at least ${String(p.limit)} items`;
    case 'maxItems': return `at most ${String(p.limit)} items`;
    case 'minLength': return `at least ${String(p.limit)} characters`;
    case 'maxLength': return `at most ${String(p.limit)} characters`;
    case 'pattern': return `a string matching /${String(p.pattern)}/`;
    default: return `a value that ${e.message ?? 'matches the schema'}${at}`;
  }
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** Compile a node's parameter schema; throws ParameterSchemaError for a schema it cannot use. */
export function compileParameterSchema(schema: ParameterSchema): ParameterValidator {
  if (!schema || schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) {
    throw new ParameterSchemaError(`a parameter schema must be {type: 'object', properties: {...}}, found ${JSON.stringify(schema)}`);
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  try {
    ajv.compile(schema);
  } catch (e) {
    throw new ParameterSchemaError(`invalid parameter schema: ${(e as Error).message}`);
  }
  const descriptors = new Map<string, ParameterDescriptor>();
  const checks = new Map<string, ValidateFunction>();
  for (const [name, prop] of Object.entries(schema.properties)) {
    let type: ParameterType;
    try {
      type = parameterTypeOf(prop);
    } catch (e) {
      throw new ParameterSchemaError(`parameter '${name}': ${(e as Error).message}`);
    }
    const d: ParameterDescriptor = { name, type, description: prop.description ?? '', readOnly: prop.readOnly === true };
    if (prop.default !== undefined) d.default = defaultValue(name, type, prop.default);
    descriptors.set(name, d);
    checks.set(name, ajv.compile(prop));
  }
  const required = new Set(schema.required ?? []);

  const validator = ((params: ParameterMap, options: { node: string }): ValidationResult => {
    const node = options.node;
    const errors: ParameterIssue[] = [];
    const warnings: ParameterIssue[] = [];
    const values: ParameterMap = new Map();
    const issue = (parameter: string, expected: string, found: string, problem: string): ParameterIssue => ({
      node, parameter, expected, found, message: `node '${node}': parameter '${parameter}': ${problem}`,
    });
    for (const [name, value] of params) {
      const d = descriptors.get(name);
      if (!d) {
        const near = [...descriptors.keys()].filter((k) => distance(k, name) <= 2);
        warnings.push(issue(name, `one of the declared parameters`, `'${name}' = ${formatValue(value)}`,
          `not declared by this node, so ROS ignores it (unless allow_undeclared_parameters)` + (near.length ? `; did you mean '${near.join("' or '")}'?` : '')));
        continue;
      }
      const c = coerce(value, d.type);
      if (!c.ok) {
        errors.push(issue(name, c.expected, c.found, c.problem));
        continue;
      }
      const check = checks.get(name)!;
      if (!check(toJson(c.value))) {
        for (const e of check.errors ?? []) {
          const prop = schema.properties[name]!;
          const expected = expectedFrom(e, prop);
          const found = formatValue(c.value);
          errors.push(issue(name, expected, found, `expected ${expected}, found ${found}`));
        }
        continue;
      }
      values.set(name, c.value);
    }
    for (const [name, d] of descriptors) {
      if (values.has(name) || params.has(name)) continue;
      if (d.default !== undefined) values.set(name, d.default);
      else if (required.has(name)) {
        errors.push(issue(name, `a ${describeType(d.type)} (required, no default)`, 'nothing', `missing: expected a ${describeType(d.type)}, found nothing (the parameter is required and has no default)`));
      }
    }
    return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, values, warnings };
  }) as ParameterValidator;
  validator.descriptors = descriptors;
  return validator;
}
