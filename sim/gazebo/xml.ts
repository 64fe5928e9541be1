/**
 * A tiny XML writer for the SDF generators: elements as plain data, rendered with two-space
 * indentation and one text value per line, so generated files are stable and diff well.
 */

export type XmlChild = XmlElement | string | number | boolean;

export interface XmlElement {
  tag: string;
  attrs: Record<string, string | number>;
  children: XmlChild[];
}

/** An element; `undefined`/`null` children are dropped so optional parts read naturally. */
export function el(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (XmlChild | XmlChild[] | undefined | null | false)[]
): XmlElement {
  const kids: XmlChild[] = [];
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) kids.push(...c);
    else kids.push(c);
  }
  return { tag, attrs, children: kids };
}

/** A leaf element holding one value: `<tag>value</tag>`. */
export function leaf(tag: string, value: string | number | boolean, attrs: Record<string, string | number> = {}): XmlElement {
  return { tag, attrs, children: [value] };
}

/**
 * A number as SDF text: at most 6 decimals (µm / µrad), no trailing zeros, never "-0" and never
 * exponent notation. Throws on NaN/Infinity, which SDF cannot express.
 */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} into SDF`);
  let s = n.toFixed(6).replace(/\.?0+$/, "");
  if (s === "-0") s = "0";
  return s;
}

/** Space-separated numbers (poses, vectors, colours). */
export function nums(...values: number[]): string {
  return values.map(num).join(" ");
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function valueText(v: string | number | boolean): string {
  if (typeof v === "number") return num(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return escapeXml(v);
}

function attrText(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${valueText(v)}"`)
    .join("");
}

/** Renders an element (and its subtree) at the given depth; lines end with "\n". */
export function render(x: XmlElement, depth = 0): string {
  const pad = "  ".repeat(depth);
  const open = `${pad}<${x.tag}${attrText(x.attrs)}`;
  if (x.children.length === 0) return `${open}/>\n`;
  if (x.children.length === 1 && typeof x.children[0] !== "object") {
    return `${open}>${valueText(x.children[0] as string | number | boolean)}</${x.tag}>\n`;
  }
  let out = `${open}>\n`;
  for (const c of x.children) {
    out += typeof c === "object" ? render(c, depth + 1) : `${pad}  ${valueText(c)}\n`;
  }
  return `${out}${pad}</${x.tag}>\n`;
}

/** A complete document: XML declaration, an optional comment, the root element. */
export function renderDocument(root: XmlElement, comment?: string): string {
  const head = '<?xml version="1.0"?>\n';
  const note = comment ? `<!-- ${comment.replace(/--/g, "- -")} -->\n` : "";
  return head + note + render(root);
}
