/**
 * The one-parameter YAML files launch_ros writes for each `<param name value>`, byte for byte:
 * launch_ros dumps `{'/**': {'ros__parameters': {name: value}}}` with PyYAML's
 * `yaml.dump(..., default_flow_style=False)`, which gives
 *
 *     /**:
 *       ros__parameters:
 *         names:
 *         - a
 *         - b
 *
 * This module reproduces PyYAML's emitter for that shape: plain scalars where PyYAML would write them
 * plain, 'single quotes' where a plain scalar would read back as another type (`'123'`, `'true'`, `''`)
 * or would be ambiguous, "double quotes" for control and non-ASCII characters, Python's float repr
 * (`0.5`, `1.0e+16`, `.inf`), block sequences not indented under their key, `[]` for an empty list,
 * and PyYAML's folding of long plain and single-quoted scalars at column 80.
 */
import { ParamScalar, ParamValue, resolvePlainScalar } from "./param-values";

/** PyYAML's default line width. */
const BEST_WIDTH = 80;

/** Python's `repr(float)` followed by PyYAML's represent_float tweaks. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return ".nan";
  if (x === Infinity) return ".inf";
  if (x === -Infinity) return "-.inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const e = Number(expStr);
  const sign = x < 0 ? "-" : "";
  let repr: string;
  if (e >= -4 && e < 16) {
    if (e >= 0) {
      const intPart = digits.slice(0, e + 1).padEnd(e + 1, "0");
      const frac = digits.slice(e + 1) || "0";
      repr = `${intPart}.${frac}`;
    } else {
      repr = `0.${"0".repeat(-e - 1)}${digits}`;
    }
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    repr = `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  repr = sign + repr;
  // PyYAML: if '.' not in value and 'e' in value: value = value.replace('e', '.0e', 1)
  if (!repr.includes(".") && repr.includes("e")) repr = repr.replace("e", ".0e");
  return repr;
}

type Style = "plain" | "single" | "double";

const SPACE_OR_END = (s: string, i: number): boolean => i >= s.length || " \t\r\n\x85\u2028\u2029".includes(s[i]);

/** PyYAML's analyze_scalar + choose_scalar_style for a block-context string. */
function chooseStyle(s: string): Style {
  if (s === "") return "single";
  let special = false;
  let blockIndicators = false;
  let lineBreaks = false;
  if (s.startsWith("---") || s.startsWith("...")) blockIndicators = true;
  let precededByWs = true;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const followedByWs = SPACE_OR_END(s, i + 1);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) blockIndicators = true;
      if ("?:".includes(ch) && followedByWs) blockIndicators = true;
      if (ch === "-" && followedByWs) blockIndicators = true;
    } else {
      if (ch === ":" && followedByWs) blockIndicators = true;
      if (ch === "#" && precededByWs) blockIndicators = true;
    }
    if (ch === "\n" || ch === "\x85" || ch === "\u2028" || ch === "\u2029") lineBreaks = true;
    else if (!(ch >= "\x20" && ch <= "\x7e")) special = true; // allow_unicode=False
    precededByWs = " \t\r\n\x85\u2028\u2029".includes(ch);
  }
  if (special || lineBreaks) return "double";
  const leadingOrTrailingSpace = s[0] === " " || s[s.length - 1] === " ";
  if (!blockIndicators && !leadingOrTrailingSpace && resolvePlainScalar(s).tag === "str") return "plain";
  return "single";
}

function doubleQuote(s: string): string {
  const esc: Record<string, string> = {
    "\0": "0", "\x07": "a", "\b": "b", "\t": "t", "\n": "n", "\x0b": "v", "\f": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
  };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (esc[ch] !== undefined) out += "\\" + esc[ch];
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xff) out += "\\x" + cp.toString(16).toUpperCase().padStart(2, "0");
    else if (cp <= 0xffff) out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    else out += "\\U" + cp.toString(16).toUpperCase().padStart(8, "0");
  }
  return out + '"';
}

/** Accumulates output, tracking the column as PyYAML's emitter does. */
class Writer {
  text = "";
  column = 0;
  write(s: string): void {
    this.text += s;
    const nl = s.lastIndexOf("\n");
    this.column = nl >= 0 ? s.length - nl - 1 : this.column + s.length;
  }
  indent(n: number): void {
    this.write("\n" + " ".repeat(n));
  }
}

/**
 * Writes a string scalar after a key or `-` (a separating space first). `indent` is where PyYAML
 * continues a folded scalar; `split` is false for simple keys.
 */
function writeString(w: Writer, s: string, indent: number, split: boolean): void {
  const style = chooseStyle(s);
  w.write(" ");
  if (style === "double") {
    w.write(doubleQuote(s));
    return;
  }
  const quoted = style === "single";
  if (quoted) w.write("'");
  // Break at a single space once past the width (never at the first or last character when quoted).
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === " ") {
      let j = i;
      while (j < s.length && s[j] === " ") j++;
      const single = j === i + 1;
      const edge = quoted && (i === 0 || j === s.length);
      if (single && split && w.column > BEST_WIDTH && !edge) w.indent(indent);
      else w.write(s.slice(i, j));
      i = j;
    } else {
      let j = i;
      while (j < s.length && s[j] !== " ") j++;
      const word = s.slice(i, j);
      w.write(quoted ? word.replace(/'/g, "''") : word);
      i = j;
    }
  }
  if (quoted) w.write("'");
}

function writeScalar(w: Writer, v: ParamScalar, indent: number): void {
  if (typeof v === "string") writeString(w, v, indent, true);
  else if (typeof v === "boolean") w.write(v ? " true" : " false");
  else if (typeof v === "bigint") w.write(" " + v.toString());
  else w.write(" " + (Number.isInteger(v) ? String(v) : pyFloatRepr(v)));
}

/** A value with its ROS type, so whole doubles (`1.0`) are written as floats. */
export interface DumpableParam {
  name: string;
  value: ParamValue;
  /** True when numbers are doubles (type double / double_array). */
  isDouble: boolean;
}

function writeValue(w: Writer, p: DumpableParam, keyIndent: number): void {
  const scalar = (v: ParamScalar, indent: number): void => {
    if (typeof v === "number" && p.isDouble) w.write(" " + pyFloatRepr(v));
    else writeScalar(w, v, indent);
  };
  if (Array.isArray(p.value)) {
    if (p.value.length === 0) {
      w.write(" []");
      return;
    }
    for (const item of p.value) {
      // Indentless block sequence under a mapping key: `- ` at the key's indent.
      w.indent(keyIndent);
      w.write("-");
      scalar(item, keyIndent + 2);
    }
    return;
  }
  scalar(p.value, keyIndent + 2);
}

/** Writes a mapping key (a simple key: never folded). */
function writeKey(w: Writer, key: string, indent: number): void {
  if (w.text !== "") w.indent(indent);
  else w.write(" ".repeat(indent));
  // The leading space writeString adds is not wanted at the start of a line.
  const before = w.text.length;
  writeString(w, key, indent, false);
  w.text = w.text.slice(0, before) + w.text.slice(before + 1);
  w.column -= 1;
  w.write(":");
}

/** The YAML launch_ros writes for one inline parameter. */
export function dumpInlineParamsFile(p: DumpableParam): string {
  const w = new Writer();
  writeKey(w, "/**", 0);
  writeKey(w, "ros__parameters", 2);
  writeKey(w, p.name, 4);
  writeValue(w, p, 4);
  return w.text + "\n";
}
