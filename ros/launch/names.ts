/**
 * Node names and namespaces as launch_ros combines and rcl validates them.
 *
 * - `prefixNamespace` is launch_ros's `prefix_namespace`: a relative namespace nests under the pushed
 *   one, an absolute one replaces it, trailing slashes are stripped, the result is made absolute.
 * - `validateNodeName` / `validateNamespace` give rmw's reason (ros/names does the checking).
 */
import { NameError, validateNamespace as rclValidateNamespace, validateNodeName as rclValidateNodeName } from "../names";

/** launch_ros `prefix_namespace(base_ns, ns)` with `return_absolute_ns=True`. */
export function prefixNamespace(base: string | undefined, ns: string | undefined): string | undefined {
  if (base === undefined && ns === undefined) return undefined;
  let combined: string;
  if (ns === undefined) combined = base as string;
  else if (!base || ns.startsWith("/")) combined = ns;
  else combined = (base === "/" ? "" : base) + "/" + ns;
  if (combined !== "/") combined = combined.replace(/\/+$/, "");
  return combined.startsWith("/") ? combined : "/" + combined;
}

/** Why `name` is not a valid node name (rmw's reason, from ros/names), or undefined when it is. */
export function validateNodeName(name: string): string | undefined {
  return reasonOf(() => rclValidateNodeName(name));
}

/** Why `ns` is not a valid absolute namespace (rmw's reason, from ros/names), or undefined when it is. */
export function validateNamespace(ns: string): string | undefined {
  return reasonOf(() => rclValidateNamespace(ns));
}

function reasonOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof NameError) return error.reason;
    throw error;
  }
}

/**
 * Splits a command line as launch does for `args` / `ros_args` (shlex-like: whitespace separates,
 * quotes group, backslash escapes outside single quotes).
 */
export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inToken = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) cur += text[++i];
      else cur += ch;
    } else if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = "";
      inToken = false;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inToken = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      cur += text[++i];
      inToken = true;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in '${text}'`);
  if (inToken) out.push(cur);
  return out;
}
