/**
 * Node names and namespaces as launch_ros combines and rcl validates them.
 *
 * - `prefixNamespace` is launch_ros's `prefix_namespace`: a relative namespace nests under the pushed
 *   one, an absolute one replaces it, trailing slashes are stripped, the result is made absolute.
 * - `validateNodeName` / `validateNamespace` follow rmw's rules (alphanumerics and `_`, no leading
 *   digit in a token, namespaces absolute, no `//`, no trailing `/` except the root).
 */

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

/** Returns why `name` is not a valid node name, or undefined when it is. */
export function validateNodeName(name: string): string | undefined {
  if (name === "") return "node name must not be empty";
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return "node name must not contain characters other than alphanumerics or '_'";
  }
  if (/^[0-9]/.test(name)) return "node name must not start with a number";
  if (name.length > 255) return "node name must not be longer than 255 characters";
  return undefined;
}

/** Returns why `ns` is not a valid (absolute) namespace, or undefined when it is. */
export function validateNamespace(ns: string): string | undefined {
  if (ns === "") return "namespace must not be empty";
  if (!ns.startsWith("/")) return "namespace must be absolute (start with '/')";
  if (ns === "/") return undefined;
  if (ns.endsWith("/")) return "namespace must not end with a forward slash";
  if (ns.includes("//")) return "namespace must not contain repeated forward slashes";
  if (!/^[A-Za-z0-9_/]+$/.test(ns)) {
    return "namespace must not contain characters other than alphanumerics, '_', or '/'";
  }
  if (ns.split("/").some((token) => /^[0-9]/.test(token))) {
    return "namespace tokens must not start with a number";
  }
  if (ns.length > 255) return "namespace must not be longer than 255 characters";
  return undefined;
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
