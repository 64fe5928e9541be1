/**
 * Typing of `<param name value>` strings exactly as launch_ros (Jazzy) types them: the substituted
 * string is loaded with PyYAML's `yaml.safe_load` (YAML 1.1 rules), and the result is kept when it is a
 * valid ROS parameter value (bool, int, float, str, or a list of one of those) — otherwise the original
 * string is kept. So `20` is an integer, `0.5` a double, `false` (and `yes`, `on`) a bool, `'123'` the
 * string 123, `[a, b]` a string array, while `{a: 1}`, `~`, `2024-01-01` or `[1, a]` stay strings.
 *
 * The `yaml` package parses the structure; plain scalars are then resolved with PyYAML's own implicit
 * resolvers (which differ from YAML 1.2: `1e3` is a string, `0o7` is a string, `010` is octal 8,
 * `1:30` is sexagesimal 90, `y` is a string).
 */
import * as YAML from "yaml";

/** ROS 2 parameter types a launch file can produce. */
export type ParamType =
  | "bool"
  | "integer"
  | "double"
  | "string"
  | "bool_array"
  | "integer_array"
  | "double_array"
  | "string_array";

export type ParamScalar = boolean | number | bigint | string;
/** A parameter value; integers beyond ±2^53 are bigint so int64 values survive. */
export type ParamValue = ParamScalar | ParamScalar[];

export interface TypedParamValue {
  type: ParamType;
  value: ParamValue;
}

/** What PyYAML's resolver makes of a plain (unquoted) scalar. */
export type PlainScalar =
  | { tag: "bool"; value: boolean }
  | { tag: "int"; value: number | bigint }
  | { tag: "float"; value: number }
  | { tag: "str"; value: string }
  | { tag: "null" | "timestamp" | "merge" | "value"; value: string };

// PyYAML (resolver.py) implicit resolvers for YAML 1.1.
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_RE =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_RE =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** Resolves a plain scalar the way PyYAML's SafeLoader does. */
export function resolvePlainScalar(src: string): PlainScalar {
  if (BOOL_RE.test(src)) return { tag: "bool", value: /^(?:yes|true|on)$/i.test(src) };
  if (INT_RE.test(src)) return { tag: "int", value: pyInt(src) };
  if (FLOAT_RE.test(src)) return { tag: "float", value: pyFloat(src) };
  if (NULL_RE.test(src)) return { tag: "null", value: src };
  if (TIMESTAMP_RE.test(src)) return { tag: "timestamp", value: src };
  if (src === "<<") return { tag: "merge", value: src };
  if (src === "=") return { tag: "value", value: src };
  return { tag: "str", value: src };
}

function sexagesimal(body: string): bigint {
  let v = 0n;
  for (const d of body.split(":")) v = v * 60n + BigInt(d);
  return v;
}

function pyInt(src: string): number | bigint {
  let s = src.replace(/_/g, "");
  let sign = 1n;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1n;
    s = s.slice(1);
  }
  let v: bigint;
  if (s === "0") v = 0n;
  else if (s.startsWith("0b")) v = BigInt(s);
  else if (s.startsWith("0x")) v = BigInt(s);
  else if (s.startsWith("0")) v = BigInt("0o" + s.slice(1));
  else if (s.includes(":")) v = sexagesimal(s);
  else v = BigInt(s);
  v *= sign;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function pyFloat(src: string): number {
  let s = src.replace(/_/g, "").toLowerCase();
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === ".inf") return sign * Infinity;
  if (s === ".nan") return NaN;
  if (s.includes(":")) {
    const parts = s.split(":");
    let v = 0;
    for (const p of parts) v = v * 60 + parseFloat(p);
    return sign * v;
  }
  return sign * parseFloat(s);
}

type Loaded = { ok: true; kind: "bool" | "int" | "float" | "str"; value: ParamScalar } | { ok: false };

function loadScalar(node: YAML.Scalar): Loaded {
  const tag = node.tag;
  if (tag === "tag:yaml.org,2002:str") return { ok: true, kind: "str", value: String(node.value) };
  if (tag !== undefined) {
    // PyYAML's safe_load only knows the standard tags; anything else fails the whole load.
    if (!/^tag:yaml\.org,2002:(int|float|bool)$/.test(tag)) return { ok: false };
    // Other explicit tags (!!int, !!float, !!bool): trust the yaml package's value.
    const v = node.value;
    if (typeof v === "boolean") return { ok: true, kind: "bool", value: v };
    if (typeof v === "bigint") return { ok: true, kind: "int", value: v };
    if (typeof v === "number") return { ok: true, kind: tag.endsWith(":float") ? "float" : "int", value: v };
    if (typeof v === "string") return { ok: true, kind: "str", value: v };
    return { ok: false };
  }
  if (node.type === "PLAIN") {
    const r = resolvePlainScalar(node.source ?? String(node.value));
    if (r.tag === "bool" || r.tag === "int" || r.tag === "float" || r.tag === "str") {
      return { ok: true, kind: r.tag, value: r.value };
    }
    return { ok: false };
  }
  return { ok: true, kind: "str", value: String(node.value) };
}

const SCALAR_TYPE = { bool: "bool", int: "integer", float: "double", str: "string" } as const;

/**
 * Types a substituted `<param value>` string as launch_ros does (yaml.safe_load, kept only when it is
 * a valid parameter value; else the string itself).
 */
export function parseParamValue(text: string): TypedParamValue {
  const asString: TypedParamValue = { type: "string", value: text };
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { version: "1.1", intAsBigInt: false });
  } catch {
    return asString;
  }
  if (doc.errors.length > 0) return asString;
  const c = doc.contents;
  if (YAML.isScalar(c)) {
    const r = loadScalar(c);
    return r.ok ? { type: SCALAR_TYPE[r.kind], value: r.value } : asString;
  }
  if (YAML.isSeq(c)) {
    const items: Loaded[] = c.items.map((it) => (YAML.isScalar(it) ? loadScalar(it) : { ok: false }));
    if (items.length === 0) return { type: "string_array", value: [] };
    const kinds = new Set(items.map((i) => (i.ok ? i.kind : "bad")));
    if (kinds.size !== 1 || kinds.has("bad")) return asString;
    const kind = (items[0] as Extract<Loaded, { ok: true }>).kind;
    return {
      type: `${SCALAR_TYPE[kind]}_array` as ParamType,
      value: items.map((i) => (i as Extract<Loaded, { ok: true }>).value),
    };
  }
  // null (empty / comment only), mappings, aliases: not a parameter value, keep the text.
  return asString;
}
