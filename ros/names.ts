/**
 * ROS 2 name validation and expansion, exactly as ROS 2 Jazzy's rcl/rmw do it.
 *
 * - Node names: rmw_validate_node_name.
 * - Namespaces: rmw_validate_namespace ("/" is valid; otherwise a full topic name rule set).
 * - Topic names as written by a user (relative, private `~/`, `{node}`/`{ns}`/`{namespace}`
 *   substitutions): rcl_validate_topic_name, then rcl_expand_topic_name, then the expanded
 *   (and possibly remapped) result is checked by rmw_validate_full_topic_name — which is why
 *   `{ns}/status` in the root namespace fails with "repeated '/'" (it expands to `//status`).
 *
 * The reason strings are rcl/rmw's own, so an error reads the same as on a robot
 * (`failed to resolve name: <reason>` is what rclpy prints for a topic).
 */

/** rmw: RMW_NODE_NAME_MAX_NAME_LENGTH. */
export const NODE_NAME_MAX_LENGTH = 255;
/** rmw: RMW_TOPIC_MAX_NAME_LENGTH (255 minus the 8 characters DDS prefixes take). */
export const TOPIC_NAME_MAX_LENGTH = 247;
/** rmw: RMW_NAMESPACE_MAX_LENGTH. */
export const NAMESPACE_MAX_LENGTH = TOPIC_NAME_MAX_LENGTH - 2;

export type NameKind = 'node name' | 'namespace' | 'topic name' | 'substitution';

/** A name rcl would reject. `reason` is rcl's/rmw's own text; `index` points into `checked`. */
export class NameError extends Error {
  override readonly name = 'NameError';
  constructor(
    message: string,
    readonly kind: NameKind,
    /** The name as the caller gave it. */
    readonly input: string,
    /** rcl's/rmw's reason, e.g. "topic name must not contain repeated '/'". */
    readonly reason: string,
    /** The string the index refers to (the expanded name for post-expansion errors). */
    readonly checked: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** `'name'` and a caret under the offending character, as rclpy prints it. */
function caret(name: string, index: number): string {
  return `\n  '${name}'\n   ${' '.repeat(index)}^`;
}

function isAlnum(c: string): boolean {
  return /^[A-Za-z0-9]$/.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------------------------
// Node names

type Invalid = { reason: string; index: number };

function nodeNameProblem(name: string): Invalid | null {
  if (name.length === 0) return { reason: 'node name must not be empty', index: 0 };
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (!isAlnum(c) && c !== '_') {
      return { reason: "node name must not contain characters other than alphanumerics or '_'", index: i };
    }
  }
  if (isDigit(name[0])) return { reason: 'node name must not start with a number', index: 0 };
  if (name.length > NODE_NAME_MAX_LENGTH) {
    return { reason: `node name length should not exceed '${NODE_NAME_MAX_LENGTH}'`, index: NODE_NAME_MAX_LENGTH - 1 };
  }
  return null;
}

/** rmw_validate_node_name; the error text is rclpy's `Invalid node name: …` with a caret. */
export function validateNodeName(name: string): void {
  const p = nodeNameProblem(name);
  if (p) {
    throw new NameError(`Invalid node name: ${p.reason}:${caret(name, p.index)}`, 'node name', name, p.reason, name, p.index);
  }
}

export function isValidNodeName(name: string): boolean {
  return nodeNameProblem(name) === null;
}

// ---------------------------------------------------------------------------------------------
// Fully qualified topic names and namespaces (rmw)

type FullTopicResult =
  | { kind: 'valid' }
  | { kind: 'empty'; index: number }
  | { kind: 'not_absolute'; index: number }
  | { kind: 'ends_with_slash'; index: number }
  | { kind: 'bad_character'; index: number }
  | { kind: 'repeated_slash'; index: number }
  | { kind: 'token_starts_with_number'; index: number }
  | { kind: 'too_long'; index: number };

function checkFullTopicName(name: string, maxLength: number): FullTopicResult {
  if (name.length === 0) return { kind: 'empty', index: 0 };
  if (name[0] !== '/') return { kind: 'not_absolute', index: 0 };
  if (name[name.length - 1] === '/') return { kind: 'ends_with_slash', index: name.length - 1 };
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (!isAlnum(c) && c !== '_' && c !== '/') return { kind: 'bad_character', index: i };
  }
  for (let i = 0; i < name.length - 1; i++) {
    if (name[i] === '/') {
      if (name[i + 1] === '/') return { kind: 'repeated_slash', index: i + 1 };
      if (isDigit(name[i + 1])) return { kind: 'token_starts_with_number', index: i + 1 };
    }
  }
  if (name.length > maxLength) return { kind: 'too_long', index: maxLength - 1 };
  return { kind: 'valid' };
}

function fullTopicReason(r: Exclude<FullTopicResult, { kind: 'valid' }>): string {
  switch (r.kind) {
    case 'empty': return 'topic name must not be empty';
    case 'not_absolute': return "topic name must be absolute, it must lead with a '/'";
    case 'ends_with_slash': return 'topic name must not end with a forward slash';
    case 'bad_character': return "topic name must not contain characters other than alphanumerics, '_', or '/'";
    case 'repeated_slash': return "topic name must not contain repeated '/'";
    case 'token_starts_with_number': return 'topic name token must not start with a number';
    case 'too_long': return `topic length should not exceed '${TOPIC_NAME_MAX_LENGTH}'`;
  }
}

function namespaceReason(r: Exclude<FullTopicResult, { kind: 'valid' }>): string {
  switch (r.kind) {
    case 'empty': return 'namespace must not be empty';
    case 'not_absolute': return "namespace must be absolute, it must lead with a '/'";
    case 'ends_with_slash': return 'namespace must not end with a forward slash';
    case 'bad_character': return "namespace must not contain characters other than alphanumerics, '_', or '/'";
    case 'repeated_slash': return "namespace must not contain repeated '/'";
    case 'token_starts_with_number': return 'namespace must not have a token that starts with a number';
    case 'too_long': return `namespace should not exceed '${NAMESPACE_MAX_LENGTH}'`;
  }
}

/** rmw_validate_full_topic_name: an absolute, expanded topic name. */
export function validateFullTopicName(name: string): void {
  const r = checkFullTopicName(name, TOPIC_NAME_MAX_LENGTH);
  if (r.kind !== 'valid') {
    const reason = fullTopicReason(r);
    throw new NameError(`Invalid topic name: ${reason}:${caret(name, r.index)}`, 'topic name', name, reason, name, r.index);
  }
}

/** rmw_validate_namespace: "/" or an absolute name obeying the full topic name rules. */
export function validateNamespace(namespace: string): void {
  if (namespace === '/') return;
  const r = checkFullTopicName(namespace, NAMESPACE_MAX_LENGTH);
  if (r.kind !== 'valid') {
    const reason = namespaceReason(r);
    throw new NameError(`Invalid namespace: ${reason}:${caret(namespace, r.index)}`, 'namespace', namespace, reason, namespace, r.index);
  }
}

/**
 * The namespace rcl_node_init actually uses: "" becomes "/", a relative one gets a leading "/"
 * (rclpy `Node('x', namespace='ns')` lives in `/ns`). The result is validated.
 */
export function normalizeNamespace(namespace: string): string {
  const ns = namespace === '' ? '/' : namespace.startsWith('/') ? namespace : `/${namespace}`;
  validateNamespace(ns);
  return ns;
}

/** `/ns/name`, or `/name` in the root namespace. Both parts are validated. */
export function fullyQualifiedNodeName(namespace: string, nodeName: string): string {
  validateNodeName(nodeName);
  const ns = normalizeNamespace(namespace);
  return ns === '/' ? `/${nodeName}` : `${ns}/${nodeName}`;
}

/**
 * Namespace nesting as launch does it for pushed namespaces: an absolute child replaces the
 * parent, a relative one nests under it; "" (no namespace) leaves the parent as it is.
 * Returns an absolute namespace ("/" for the root).
 */
export function joinNamespace(parent: string, child: string): string {
  const strip = (s: string): string => (s.length > 1 && s.endsWith('/') ? s.slice(0, -1) : s);
  const base = strip(parent === '' ? '/' : parent.startsWith('/') ? parent : `/${parent}`);
  const sub = strip(child);
  let joined: string;
  if (sub === '') joined = base;
  else if (sub.startsWith('/')) joined = sub;
  else joined = base === '/' ? `/${sub}` : `${base}/${sub}`;
  validateNamespace(joined);
  return joined;
}

// ---------------------------------------------------------------------------------------------
// Topic names as users write them (rcl)

type TopicResult =
  | { kind: 'valid' }
  | { kind: 'empty'; index: number }
  | { kind: 'ends_with_slash'; index: number }
  | { kind: 'bad_character'; index: number }
  | { kind: 'token_starts_with_number'; index: number }
  | { kind: 'unmatched_brace'; index: number }
  | { kind: 'misplaced_tilde'; index: number }
  | { kind: 'tilde_not_followed_by_slash'; index: number }
  | { kind: 'substitution_bad_character'; index: number }
  | { kind: 'substitution_starts_with_number'; index: number };

/** rcl_validate_topic_name, check for check, in rcl's order. */
function checkTopicName(name: string): TopicResult {
  const n = name.length;
  if (n === 0) return { kind: 'empty', index: 0 };
  if (isDigit(name[0])) return { kind: 'token_starts_with_number', index: 0 };
  if (name[n - 1] === '/') return { kind: 'ends_with_slash', index: n - 1 };
  let inBrace = false;
  let braceAt = 0;
  for (let i = 0; i < n; i++) {
    const c = name[i]!;
    if (isAlnum(c)) {
      if (isDigit(c) && inBrace && i > 0 && i - 1 === braceAt) return { kind: 'substitution_starts_with_number', index: i };
    } else if (c === '_') {
      // allowed
    } else if (c === '/') {
      if (inBrace) return { kind: 'substitution_bad_character', index: i };
    } else if (c === '~') {
      if (i !== 0) return { kind: 'misplaced_tilde', index: i };
    } else if (c === '{') {
      braceAt = i;
      if (inBrace) return { kind: 'substitution_bad_character', index: i };
      inBrace = true;
    } else if (c === '}') {
      if (!inBrace) return { kind: 'unmatched_brace', index: i };
      inBrace = false;
    } else {
      return { kind: 'bad_character', index: i };
    }
  }
  if (inBrace) return { kind: 'unmatched_brace', index: braceAt };
  for (let i = 0; i < n - 1; i++) {
    if (name[i] === '/') {
      if (isDigit(name[i + 1])) return { kind: 'token_starts_with_number', index: i + 1 };
    } else if (i === 1 && name[0] === '~') {
      return { kind: 'tilde_not_followed_by_slash', index: 1 };
    }
  }
  return { kind: 'valid' };
}

function topicReason(r: Exclude<TopicResult, { kind: 'valid' }>): string {
  switch (r.kind) {
    case 'empty': return 'topic name must not be empty string';
    case 'ends_with_slash': return 'topic name must not end with a forward slash';
    case 'bad_character': return "topic name must not contain characters other than alphanumerics, '_', '~', '{', or '}'";
    case 'token_starts_with_number': return 'topic name token must not start with a number';
    case 'unmatched_brace': return "topic name must not have unmatched (unbalanced) curly braces '{}'";
    case 'misplaced_tilde': return "topic name must not have tilde '~' unless it is the first character";
    case 'tilde_not_followed_by_slash': return "topic name must not have a tilde '~' that is not followed by a forward slash '/'";
    case 'substitution_bad_character': return "topic name must not have substitutions that contain characters other than alphanumerics or '_'";
    case 'substitution_starts_with_number': return 'topic name must not have substitutions that start with a number';
  }
}

/** rcl_validate_topic_name: a topic name as written (may be relative, `~/…`, `{node}`). */
export function validateTopicName(name: string): void {
  const r = checkTopicName(name);
  if (r.kind !== 'valid') {
    const reason = topicReason(r);
    throw new NameError(`Invalid topic name: ${reason}:${caret(name, r.index)}`, 'topic name', name, reason, name, r.index);
  }
}

export interface NodeContext {
  nodeName: string;
  /** The node's namespace; "" means the root namespace "/" (as rcl normalizes it). */
  namespace: string;
}

function resolveError(reason: string, input: string, checked: string, index: number, node: string, kind: NameKind): NameError {
  const expanded = checked === input ? '' : `\n  (expanded from '${input}')`;
  return new NameError(
    `failed to resolve name: ${reason}:${caret(checked, index)}${expanded}\n  for node '${node}'`,
    kind, input, reason, checked, index,
  );
}

/**
 * rcl_expand_topic_name without the final full-name check: `~` → `<ns>/<node>`,
 * `{node}` → node name, `{ns}`/`{namespace}` → namespace, then relative → `<ns>/<name>`.
 * Throws NameError ("failed to resolve name: …") on an input rcl_validate_topic_name rejects
 * or an unknown substitution.
 */
export function expandTopicNameUnchecked(input: string, ctx: NodeContext, extraSubstitutions: Record<string, string> = {}): string {
  const ns = ctx.namespace === '' ? '/' : ctx.namespace;
  const fq = ns === '/' ? `/${ctx.nodeName}` : `${ns}/${ctx.nodeName}`;
  const r = checkTopicName(input);
  if (r.kind !== 'valid') throw resolveError(topicReason(r), input, input, r.index, fq, 'topic name');
  const hasSubstitution = input.includes('{');
  if (input[0] === '/' && !hasSubstitution) return input;
  let out: string | null = null;
  if (input[0] === '~') out = (ns.length === 1 ? `${ns}${ctx.nodeName}` : `${ns}/${ctx.nodeName}`) + input.slice(1);
  if (hasSubstitution) {
    let current = out ?? input;
    let open: number;
    while ((open = current.indexOf('{')) >= 0) {
      const close = current.indexOf('}');
      const sub = current.slice(open, close + 1);
      let replacement: string | undefined;
      if (sub === '{node}') replacement = ctx.nodeName;
      else if (sub === '{ns}' || sub === '{namespace}') replacement = ns;
      else replacement = Object.prototype.hasOwnProperty.call(extraSubstitutions, sub.slice(1, -1)) ? extraSubstitutions[sub.slice(1, -1)] : undefined;
      if (replacement === undefined) {
        throw new NameError(
          `failed to resolve name: unknown substitution: ${sub}:${caret(input, input.indexOf(sub))}\n  for node '${fq}' (known: {node}, {ns}, {namespace})`,
          'substitution', input, `unknown substitution: ${sub}`, input, Math.max(0, input.indexOf(sub)),
        );
      }
      current = current.split(sub).join(replacement);
    }
    out = current;
  }
  const name = out ?? input;
  if (name[0] !== '/') return ns.length === 1 ? `${ns}${name}` : `${ns}/${name}`;
  return name;
}

/**
 * Expand a topic name for a node and check the result is a valid fully qualified name,
 * as rcl_node_resolve_name does (without remapping — see rosargs.applyRemaps).
 */
export function expandTopicName(input: string, ctx: NodeContext): string {
  const expanded = expandTopicNameUnchecked(input, ctx);
  checkResolved(input, expanded, ctx);
  return expanded;
}

/** The final rmw_validate_full_topic_name step of rcl_resolve_name. */
export function checkResolved(input: string, resolved: string, ctx: NodeContext): void {
  const r = checkFullTopicName(resolved, TOPIC_NAME_MAX_LENGTH);
  if (r.kind !== 'valid') {
    const ns = ctx.namespace === '' ? '/' : ctx.namespace;
    const fq = ns === '/' ? `/${ctx.nodeName}` : `${ns}/${ctx.nodeName}`;
    throw resolveError(fullTopicReason(r), input, resolved, r.index, fq, 'topic name');
  }
}
