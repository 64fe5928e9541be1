/**
 * XML → typed launch entity tree, for the subset of the ROS 2 XML launch format Kestrel supports.
 *
 * Uses @xmldom/xmldom with its locator, so each entity records its line. Malformed XML, an unknown tag,
 * a tag in the wrong place, an unknown or missing attribute and a bad substitution are all rejected here,
 * before anything is evaluated — as ros2 launch rejects them when it loads the file — with a LaunchError
 * naming file, line and tag.
 */
import { DOMParser } from "@xmldom/xmldom";
import { LaunchError, SourceLocation } from "./errors";
import {
  ActionEntity,
  ArgEntity,
  GroupEntity,
  IncludeArg,
  IncludeEntity,
  LaunchFileTree,
  LetEntity,
  NodeEntity,
  ParamEntity,
  PushRosNamespaceEntity,
  RemapEntity,
  SUPPORTED_TAGS,
} from "./entities";
import { parseTemplate, SubstitutionError, Template } from "./substitutions";

/** Attributes each tag accepts (anything else is rejected, as ros2 launch rejects unparsed attributes). */
const ATTRIBUTES: Record<string, readonly string[]> = {
  launch: [],
  arg: ["name", "default", "description"],
  "include/arg": ["name", "value"],
  let: ["name", "value"],
  node: ["pkg", "exec", "name", "namespace", "output", "respawn", "respawn_delay", "args", "ros_args"],
  param: ["name", "value", "from"],
  remap: ["from", "to"],
  include: ["file"],
  group: ["scoped"],
  "push-ros-namespace": ["namespace"],
};

const ACTION_TAGS = ["arg", "let", "node", "include", "group", "push-ros-namespace"];

/** The DOM types we use, narrowed to what xmldom provides (the project compiles without the DOM lib). */
interface XmlNode {
  nodeType: number;
  nodeValue: string | null;
  childNodes: ArrayLike<XmlNode>;
}
interface XmlAttr {
  name: string;
  value: string;
}
interface XmlElement extends XmlNode {
  tagName: string;
  lineNumber?: number;
  attributes: ArrayLike<XmlAttr>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** Parses launch-file XML text. `file` is used in locations and error messages only. */
export function parseLaunchXml(text: string, file: string): LaunchFileTree {
  let first: { msg: string; line: number } | undefined;
  let doc: { documentElement: XmlElement | null };
  try {
    const parser = new DOMParser({
      locator: true,
      onError: (_level, msg, context: { locator?: { lineNumber?: number } } | undefined) => {
        // Warnings too: a missing quote or a duplicated attribute is a broken launch file.
        first ??= { msg, line: context?.locator?.lineNumber ?? 0 };
        throw new Error(msg);
      },
    });
    doc = parser.parseFromString(text, "text/xml") as unknown as { documentElement: XmlElement | null };
  } catch (e) {
    const why = first ?? { msg: (e as Error).message, line: 0 };
    throw new LaunchError({ file, line: why.line }, undefined, `malformed XML: ${why.msg}`);
  }
  const root = doc.documentElement;
  if (!root) throw new LaunchError({ file, line: 0 }, undefined, "malformed XML: missing root element");
  const loc = locOf(root, file);
  if (root.tagName !== "launch") {
    throw new LaunchError(loc, root.tagName, `the root element must be <launch>, not <${root.tagName}>`);
  }
  checkAttributes(root, "launch", file);
  return { file, actions: parseActions(root, file) };
}

function locOf(el: XmlElement, file: string): SourceLocation {
  return { file, line: el.lineNumber ?? 0 };
}

/** Child elements, rejecting stray text (comments and processing instructions are ignored). */
function childElements(el: XmlElement, file: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let i = 0; i < el.childNodes.length; i++) {
    const c = el.childNodes[i];
    if (c.nodeType === ELEMENT_NODE) out.push(c as XmlElement);
    else if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && (c.nodeValue ?? "").trim() !== "") {
      throw new LaunchError(locOf(el, file), el.tagName, `unexpected text '${(c.nodeValue ?? "").trim()}' inside <${el.tagName}>`);
    }
  }
  return out;
}

function unknownTag(el: XmlElement, file: string, parent: string, allowed: readonly string[]): LaunchError {
  const known = (SUPPORTED_TAGS as readonly string[]).includes(el.tagName);
  const detail = known
    ? `<${el.tagName}> is not allowed inside <${parent}> (allowed there: ${allowed.join(", ") || "nothing"})`
    : `unknown tag (supported: ${SUPPORTED_TAGS.join(", ")})`;
  // ros2 launch: "Caught multiple exceptions when trying to load file of format [xml]: ...
  // Unrecognized entity of the type: nodee"
  return new LaunchError(
    locOf(el, file),
    el.tagName,
    `${detail}; ros2 launch: Caught multiple exceptions when trying to load file of format [xml]:` +
      ` Unrecognized entity of the type: ${el.tagName}`,
  );
}

function parseActions(parent: XmlElement, file: string): ActionEntity[] {
  return childElements(parent, file).map((el) => parseAction(el, file, parent.tagName));
}

function parseAction(el: XmlElement, file: string, parentTag: string): ActionEntity {
  switch (el.tagName) {
    case "arg":
      return parseArg(el, file);
    case "let":
      return parseLet(el, file);
    case "node":
      return parseNode(el, file);
    case "include":
      return parseInclude(el, file);
    case "group":
      return parseGroup(el, file);
    case "push-ros-namespace":
      return parsePushRosNamespace(el, file);
    default:
      throw unknownTag(el, file, parentTag, ACTION_TAGS);
  }
}

/** Rejects attributes the tag does not take; returns the attributes as a map. */
function checkAttributes(el: XmlElement, key: string, file: string): Map<string, string> {
  const allowed = ATTRIBUTES[key];
  const attrs = new Map<string, string>();
  const unknown: string[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i];
    if (!allowed.includes(a.name)) unknown.push(a.name);
    attrs.set(a.name, a.value);
  }
  if (unknown.length > 0) {
    throw new LaunchError(
      locOf(el, file),
      el.tagName,
      `unknown attribute${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `'${u}'`).join(", ")}` +
        ` (supported on <${el.tagName}>: ${allowed.join(", ") || "none"});` +
        ` ros2 launch: Unexpected attribute(s) found in \`${el.tagName}\`: {${unknown.map((u) => `'${u}'`).join(", ")}}`,
    );
  }
  return attrs;
}

function required(el: XmlElement, attrs: Map<string, string>, name: string, file: string): string {
  const v = attrs.get(name);
  if (v === undefined) {
    throw new LaunchError(locOf(el, file), el.tagName, `missing required attribute '${name}'`);
  }
  return v;
}

function template(el: XmlElement, file: string, attr: string, value: string): Template {
  try {
    return parseTemplate(value);
  } catch (e) {
    if (e instanceof SubstitutionError) {
      throw new LaunchError(locOf(el, file), el.tagName, `attribute '${attr}': ${e.message}`);
    }
    throw e;
  }
}

function optionalTemplate(el: XmlElement, attrs: Map<string, string>, attr: string, file: string): Template | undefined {
  const v = attrs.get(attr);
  return v === undefined ? undefined : template(el, file, attr, v);
}

function noChildren(el: XmlElement, file: string): void {
  const kids = childElements(el, file);
  if (kids.length > 0) throw unknownTag(kids[0], file, el.tagName, []);
}

function parseArg(el: XmlElement, file: string): ArgEntity {
  const attrs = checkAttributes(el, "arg", file);
  noChildren(el, file);
  const name = required(el, attrs, "name", file);
  const def = optionalTemplate(el, attrs, "default", file);
  const description = attrs.get("description");
  return {
    kind: "arg",
    name,
    ...(def !== undefined ? { default: def } : {}),
    ...(description !== undefined ? { description } : {}),
    loc: locOf(el, file),
  };
}

function parseLet(el: XmlElement, file: string): LetEntity {
  const attrs = checkAttributes(el, "let", file);
  noChildren(el, file);
  return {
    kind: "let",
    name: template(el, file, "name", required(el, attrs, "name", file)),
    value: template(el, file, "value", required(el, attrs, "value", file)),
    loc: locOf(el, file),
  };
}

function parseNode(el: XmlElement, file: string): NodeEntity {
  const attrs = checkAttributes(el, "node", file);
  const node: NodeEntity = {
    kind: "node",
    pkg: template(el, file, "pkg", required(el, attrs, "pkg", file)),
    exec: template(el, file, "exec", required(el, attrs, "exec", file)),
    params: [],
    remaps: [],
    loc: locOf(el, file),
  };
  const optional: [keyof NodeEntity, string][] = [
    ["name", "name"],
    ["namespace", "namespace"],
    ["output", "output"],
    ["respawn", "respawn"],
    ["respawnDelay", "respawn_delay"],
    ["args", "args"],
    ["rosArgs", "ros_args"],
  ];
  for (const [field, attr] of optional) {
    const t = optionalTemplate(el, attrs, attr, file);
    if (t !== undefined) (node as unknown as Record<string, Template>)[field] = t;
  }
  for (const child of childElements(el, file)) {
    if (child.tagName === "param") node.params.push(parseParam(child, file));
    else if (child.tagName === "remap") node.remaps.push(parseRemap(child, file));
    else throw unknownTag(child, file, "node", ["param", "remap"]);
  }
  return node;
}

function parseParam(el: XmlElement, file: string): ParamEntity {
  const attrs = checkAttributes(el, "param", file);
  noChildren(el, file);
  const loc = locOf(el, file);
  const from = attrs.get("from");
  const name = attrs.get("name");
  if (from !== undefined && name !== undefined) {
    throw new LaunchError(loc, "param", "name and from attributes are mutually exclusive");
  }
  if (from !== undefined) {
    if (attrs.has("value")) throw new LaunchError(loc, "param", "value and from attributes are mutually exclusive");
    return { kind: "param", source: "file", from: template(el, file, "from", from), loc };
  }
  if (name === undefined) throw new LaunchError(loc, "param", "param Entity should have name or from attribute");
  const value = attrs.get("value");
  if (value === undefined) throw new LaunchError(loc, "param", `param '${name}' needs a value attribute`);
  return {
    kind: "param",
    source: "inline",
    name: template(el, file, "name", name),
    value: template(el, file, "value", value),
    loc,
  };
}

function parseRemap(el: XmlElement, file: string): RemapEntity {
  const attrs = checkAttributes(el, "remap", file);
  noChildren(el, file);
  return {
    kind: "remap",
    from: template(el, file, "from", required(el, attrs, "from", file)),
    to: template(el, file, "to", required(el, attrs, "to", file)),
    loc: locOf(el, file),
  };
}

function parseInclude(el: XmlElement, file: string): IncludeEntity {
  const attrs = checkAttributes(el, "include", file);
  const args: IncludeArg[] = [];
  for (const child of childElements(el, file)) {
    if (child.tagName !== "arg") throw unknownTag(child, file, "include", ["arg"]);
    const a = checkAttributes(child, "include/arg", file);
    noChildren(child, file);
    args.push({
      name: template(child, file, "name", required(child, a, "name", file)),
      value: template(child, file, "value", required(child, a, "value", file)),
      loc: locOf(child, file),
    });
  }
  return { kind: "include", file: template(el, file, "file", required(el, attrs, "file", file)), args, loc: locOf(el, file) };
}

function parseGroup(el: XmlElement, file: string): GroupEntity {
  const attrs = checkAttributes(el, "group", file);
  let scoped = true;
  const s = attrs.get("scoped");
  if (s !== undefined) {
    if (/^true$/i.test(s)) scoped = true;
    else if (/^false$/i.test(s)) scoped = false;
    else throw new LaunchError(locOf(el, file), "group", `attribute 'scoped' must be true or false, got '${s}'`);
  }
  return { kind: "group", scoped, children: parseActions(el, file), loc: locOf(el, file) };
}

function parsePushRosNamespace(el: XmlElement, file: string): PushRosNamespaceEntity {
  const attrs = checkAttributes(el, "push-ros-namespace", file);
  noChildren(el, file);
  return {
    kind: "push-ros-namespace",
    namespace: template(el, file, "namespace", required(el, attrs, "namespace", file)),
    loc: locOf(el, file),
  };
}
