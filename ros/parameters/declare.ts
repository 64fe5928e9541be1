/**
 * Parameters from a JSON schema: one ROS parameter per property (type, description, range,
 * read-only), overrides taken by the backend (launch, parameter files, `-p`), and the whole set
 * validated by the schema (ros/params/schema) at declaration and on every later change — a
 * change that fails is refused with the reason, as ROS refuses a `ros2 param set` that an
 * on-set-parameters callback vetoes.
 */
import {
  compileParameterSchema,
  type ParameterSchema,
  type ParameterSchemaProperty,
  type ParameterValidator,
} from "../params/schema";
import type { ParameterMap, ParameterValue } from "../params/types";
import type { Logger } from "../logger";
import type { ParameterBackend, ParameterDescriptor, SetParameterResult } from "../transport/transport";

export type { ParameterSchema, ParameterSchemaProperty } from "../params/schema";

export interface NodeParameters<P> {
  /** Current values, updated in place when a change is accepted. */
  readonly values: Readonly<P>;
  /** Sets parameters through ROS (validated, atomic); says why when refused. */
  set(changes: Partial<P>): SetParameterResult;
  /** Called after accepted changes, with the changed names. Returns an unsubscribe function. */
  onChange(listener: (changed: ReadonlyArray<keyof P & string>, values: Readonly<P>) => void): () => void;
}

/** A node's parameters did not validate: every problem, each naming node, parameter, expected and found. */
export class ParameterValidationError extends Error {
  constructor(
    readonly node: string,
    readonly problems: string[],
  ) {
    super(problems.length === 1 ? problems[0] : `invalid parameters:\n  ${problems.join("\n  ")}`);
    this.name = "ParameterValidationError";
  }
}

/** The ROS descriptor of a schema property: type, description, read-only, numeric range, enum. */
export function descriptorOf(validator: ParameterValidator, name: string, property: ParameterSchemaProperty): ParameterDescriptor {
  const declared = validator.descriptors.get(name)!;
  const descriptor: ParameterDescriptor = { type: declared.type, description: declared.description, readOnly: declared.readOnly };
  if ((declared.type === "INTEGER" || declared.type === "DOUBLE") && (property.minimum !== undefined || property.maximum !== undefined)) {
    descriptor.range = { from: property.minimum ?? -Number.MAX_VALUE, to: property.maximum ?? Number.MAX_VALUE };
  }
  if (property.enum) descriptor.additionalConstraints = `one of ${JSON.stringify(property.enum)}`;
  return descriptor;
}

/** The value for the typed parameter declared as `like`, from a plain JS value given to `set`. */
function typedLike(like: ParameterValue["type"] | undefined, value: unknown): ParameterValue {
  if (like) return { type: like, value } as ParameterValue;
  // Undeclared: let the backend refuse it by name; the type is only a label here.
  return { type: "STRING", value: String(value) };
}

export function declareSchemaParameters<P extends Record<string, unknown>>(
  backend: ParameterBackend,
  schema: ParameterSchema,
  options: { node: string; logger: Logger },
): NodeParameters<P> {
  const validator = compileParameterSchema(schema);
  const current: ParameterMap = new Map();
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const declared = validator.descriptors.get(name)!;
    if (declared.default === undefined) {
      problems.push(`node '${options.node}': parameter '${name}': the schema gives no default`);
      continue;
    }
    try {
      current.set(name, backend.declare(name, declared.default, descriptorOf(validator, name, property)));
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length === 0) {
    const result = validator(current, { node: options.node });
    if (!result.ok) {
      for (const e of result.errors) {
        const source = backend.overrideSource(e.parameter);
        problems.push(source ? `${source}: ${e.message}` : e.message);
      }
    }
  }
  if (problems.length > 0) throw new ParameterValidationError(options.node, problems);
  warnUndeclared(backend, validator, options);

  const values: Record<string, unknown> = {};
  for (const [name, value] of current) values[name] = value.value;
  backend.setValidator((changes) => {
    const candidate = new Map(current);
    for (const { name, value } of changes) if (validator.descriptors.has(name)) candidate.set(name, value);
    const result = validator(candidate, { node: options.node });
    return result.ok ? { successful: true, reason: "" } : { successful: false, reason: result.errors.map((e) => e.message).join("; ") };
  });
  const listeners = new Set<(changed: ReadonlyArray<keyof P & string>, v: Readonly<P>) => void>();
  backend.onChanged((changes) => {
    const changed: Array<keyof P & string> = [];
    for (const { name, value } of changes) {
      if (!validator.descriptors.has(name)) continue;
      current.set(name, value);
      values[name] = value.value;
      changed.push(name as keyof P & string);
    }
    if (changed.length > 0) for (const listener of listeners) listener(changed, values as P);
  });
  return {
    values: values as P,
    set: (changes) =>
      backend.set(Object.entries(changes).map(([name, value]) => ({ name, value: typedLike(validator.descriptors.get(name)?.type, value) }))),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** ROS ignores overrides for parameters a node never declares; a typo there deserves a warning. */
function warnUndeclared(backend: ParameterBackend, validator: ParameterValidator, options: { node: string; logger: Logger }): void {
  const undeclared = backend.undeclaredOverrides();
  if (undeclared.size === 0) return;
  const result = validator(undeclared, { node: options.node });
  for (const warning of result.warnings) options.logger.warn(warning.message);
}
