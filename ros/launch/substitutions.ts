/**
 * Substitutions in ROS 2 XML launch attributes: `$(var name)`, `$(env NAME [default])`,
 * `$(find-pkg-share pkg)` and `$(dirname)`, nested to any depth (`$(var $(env WHICH))`).
 *
 * Parsing follows the launch frontend grammar: outside `$(`...`)` everything is literal text; inside,
 * the substitution name is followed by whitespace-separated arguments, each a concatenation of
 * unquoted text, 'single' or "double" quoted text and nested substitutions. Attributes are parsed
 * when the file is loaded (so an unknown substitution is rejected with its line before anything
 * runs) and resolved when the element is evaluated, against the launch configurations in scope.
 */

/** One piece of an attribute value. */
export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "subst"; name: SubstitutionName; args: Template[] };

/** An attribute value: literal text and substitutions, concatenated. */
export type Template = TemplatePart[];

export const SUPPORTED_SUBSTITUTIONS = ["var", "env", "find-pkg-share", "dirname"] as const;
export type SubstitutionName = (typeof SUPPORTED_SUBSTITUTIONS)[number];

/** How many arguments each substitution takes: [min, max]. */
const ARITY: Record<SubstitutionName, [number, number]> = {
  var: [1, 1],
  env: [1, 2],
  "find-pkg-share": [1, 1],
  dirname: [0, 0],
};

/** Thrown by the parser/resolver; the caller adds file, line and tag (see LaunchError). */
export class SubstitutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubstitutionError";
  }
}

/** A literal template (no substitutions). */
export function literal(text: string): Template {
  return text === "" ? [] : [{ kind: "text", text }];
}

/** Parses an attribute value into a template, rejecting unknown substitutions and wrong arities. */
export function parseTemplate(source: string): Template {
  const p = new TemplateParser(source);
  const out = p.parseTop();
  return out;
}

class TemplateParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseTop(): Template {
    const parts: Template = [];
    let text = "";
    while (this.pos < this.src.length) {
      if (this.startsSubst()) {
        if (text) parts.push({ kind: "text", text });
        text = "";
        parts.push(this.parseSubst());
      } else {
        text += this.src[this.pos++];
      }
    }
    if (text) parts.push({ kind: "text", text });
    return parts;
  }

  private startsSubst(): boolean {
    return this.src.startsWith("$(", this.pos);
  }

  private parseSubst(): TemplatePart {
    const start = this.pos;
    this.pos += 2;
    this.skipWs();
    const m = /^[A-Za-z0-9_-]+/.exec(this.src.slice(this.pos));
    if (!m) throw new SubstitutionError(`expected a substitution name after '$(' in '${this.src}'`);
    const name = m[0];
    this.pos += name.length;
    if (!(SUPPORTED_SUBSTITUTIONS as readonly string[]).includes(name)) {
      throw new SubstitutionError(
        `unknown substitution '$(${name} ...)' (supported: ${SUPPORTED_SUBSTITUTIONS.join(", ")})`,
      );
    }
    const args: Template[] = [];
    for (;;) {
      const hadWs = this.skipWs();
      if (this.pos >= this.src.length) {
        throw new SubstitutionError(`unterminated substitution '${this.src.slice(start)}': missing ')'`);
      }
      if (this.src[this.pos] === ")") {
        this.pos++;
        break;
      }
      if (!hadWs) throw new SubstitutionError(`expected whitespace between arguments in '${this.src.slice(start)}'`);
      args.push(this.parseArg());
    }
    const [min, max] = ARITY[name as SubstitutionName];
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : `${min} or ${max}`;
      throw new SubstitutionError(
        `$(${name}) takes ${want} argument${max === 1 ? "" : "s"}, got ${args.length} in '${this.src.slice(start, this.pos)}'`,
      );
    }
    return { kind: "subst", name: name as SubstitutionName, args };
  }

  /** One argument: unquoted text, quoted text and nested substitutions, up to whitespace or ')'. */
  private parseArg(): Template {
    const parts: Template = [];
    let text = "";
    const flush = (): void => {
      if (text) parts.push({ kind: "text", text });
      text = "";
    };
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (/\s/.test(ch) || ch === ")") break;
      if (this.startsSubst()) {
        flush();
        parts.push(this.parseSubst());
      } else if (ch === "'" || ch === '"') {
        this.pos++;
        // Quoted text may itself hold substitutions.
        for (;;) {
          if (this.pos >= this.src.length) throw new SubstitutionError(`unterminated quote in '${this.src}'`);
          if (this.src[this.pos] === ch) {
            this.pos++;
            break;
          }
          if (this.startsSubst()) {
            flush();
            parts.push(this.parseSubst());
          } else {
            text += this.src[this.pos++];
          }
        }
      } else if (ch === "\\" && this.pos + 1 < this.src.length) {
        text += this.src[this.pos + 1];
        this.pos += 2;
      } else {
        text += ch;
        this.pos++;
      }
    }
    flush();
    return parts;
  }

  private skipWs(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
    return this.pos > start;
  }
}

/** What a substitution can see when it is resolved. */
export interface SubstitutionContext {
  /** Launch configurations in scope (args, lets, include args, and `ros_namespace`). */
  configurations: ReadonlyMap<string, string>;
  /** Environment for `$(env)`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Share directory of a package; undefined (or a throw) when the package is unknown. */
  findPackageShare: (pkg: string) => string | undefined;
  /** Directory of the launch file the attribute was written in, for `$(dirname)`. */
  currentDir: string;
}

/** Resolves a template to its string value. Throws SubstitutionError with ros2 launch's wording. */
export function resolveTemplate(t: Template, ctx: SubstitutionContext): string {
  let out = "";
  for (const part of t) out += part.kind === "text" ? part.text : resolveSubst(part, ctx);
  return out;
}

function resolveSubst(part: Extract<TemplatePart, { kind: "subst" }>, ctx: SubstitutionContext): string {
  const args = part.args.map((a) => resolveTemplate(a, ctx));
  switch (part.name) {
    case "var": {
      const v = ctx.configurations.get(args[0]);
      if (v === undefined) {
        const defined = [...ctx.configurations.keys()].sort();
        throw new SubstitutionError(
          `launch configuration '${args[0]}' does not exist` +
            ` (defined here: ${defined.length ? defined.join(", ") : "none"};` +
            ` declare it with <arg name="${args[0]}" .../> or <let name="${args[0]}" value="..."/>)`,
        );
      }
      return v;
    }
    case "env": {
      const v = ctx.env[args[0]];
      if (v !== undefined) return v;
      if (args.length > 1) return args[1];
      throw new SubstitutionError(
        `environment variable '${args[0]}' does not exist (give a default: $(env ${args[0]} default))`,
      );
    }
    case "find-pkg-share": {
      let dir: string | undefined;
      try {
        dir = ctx.findPackageShare(args[0]);
      } catch (e) {
        throw new SubstitutionError(`package '${args[0]}' not found: ${(e as Error).message}`);
      }
      if (dir === undefined) throw new SubstitutionError(`package '${args[0]}' not found`);
      return dir;
    }
    case "dirname":
      return ctx.currentDir;
  }
}

/** Writes a template back as launch-file text (for `--show-args` style listings). */
export function templateToString(t: Template): string {
  return t
    .map((p) =>
      p.kind === "text"
        ? p.text
        : `$(${[p.name, ...p.args.map((a) => {
            const s = templateToString(a);
            return /[\s)]/.test(s) || s === "" ? `'${s}'` : s;
          })].join(" ")})`,
    )
    .join("");
}

/** True when the template contains no substitutions. */
export function isLiteral(t: Template): boolean {
  return t.every((p) => p.kind === "text");
}
