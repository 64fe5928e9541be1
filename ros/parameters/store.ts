/**
 * The embedded transport's parameter store: declared parameters with descriptors, overrides
 * from launch / parameter files / `-p`, and atomic validated sets — the behaviour rclcpp's
 * NodeParameters gives a ROS 2 node (type fixed at declaration, read-only parameters refuse
 * changes, ranges enforced, a validator may veto a set).
 */
import { coerce } from "../params/schema";
import { formatValue, type ParameterMap, type ParameterValue } from "../params/types";
import type {
  Disposable,
  ParameterBackend,
  ParameterDescriptor,
  ParameterValidator,
  SetParameterResult,
} from "../transport/transport";

/** A value a node will take instead of its default, with where it came from for error messages. */
export interface ParameterOverride {
  value: ParameterValue;
  /** e.g. `config/nav.yaml` or `-p`; named in errors. */
  source: string;
}

/** Thrown when an override does not fit a declared parameter: names node, parameter, source, both types. */
export class ParameterOverrideError extends Error {
  constructor(
    readonly node: string,
    readonly parameter: string,
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: node '${node}': parameter '${parameter}': ${detail}`);
    this.name = "ParameterOverrideError";
  }
}

type ChangeList = ReadonlyArray<{ name: string; value: ParameterValue }>;

export class ParameterStore implements ParameterBackend {
  private readonly values = new Map<string, ParameterValue>();
  private readonly descriptors = new Map<string, ParameterDescriptor>();
  private validator: ParameterValidator = () => ({ successful: true, reason: "" });
  private readonly listeners = new Set<(changes: ChangeList) => void>();

  constructor(
    private readonly nodeName: string,
    private readonly overrides: ReadonlyMap<string, ParameterOverride>,
  ) {}

  declare(name: string, defaultValue: ParameterValue, descriptor: ParameterDescriptor): ParameterValue {
    if (this.values.has(name)) throw new Error(`node '${this.nodeName}': parameter '${name}' is already declared`);
    const override = this.overrides.get(name);
    let value = defaultValue;
    if (override) {
      const problem = checkAgainstDescriptor(override.value, descriptor);
      if (problem) throw new ParameterOverrideError(this.nodeName, name, override.source, problem);
      value = override.value;
    }
    this.descriptors.set(name, descriptor);
    this.values.set(name, value);
    return value;
  }

  get(name: string): ParameterValue | undefined {
    return this.values.get(name);
  }

  describe(name: string): ParameterDescriptor | undefined {
    return this.descriptors.get(name);
  }

  names(): string[] {
    return [...this.values.keys()].sort();
  }

  overrideSource(name: string): string | undefined {
    return this.overrides.get(name)?.source;
  }

  undeclaredOverrides(): ParameterMap {
    const out: ParameterMap = new Map();
    for (const [name, o] of this.overrides) if (!this.values.has(name)) out.set(name, o.value);
    return out;
  }

  set(changes: ChangeList): SetParameterResult {
    for (const { name, value } of changes) {
      const descriptor = this.descriptors.get(name);
      if (!descriptor) return { successful: false, reason: `parameter '${name}' is not declared` };
      if (descriptor.readOnly) return { successful: false, reason: `parameter '${name}' cannot be set because it is read-only` };
      const problem = checkAgainstDescriptor(value, descriptor);
      if (problem) return { successful: false, reason: `parameter '${name}': ${problem}` };
    }
    const verdict = this.validator(changes);
    if (!verdict.successful) return verdict;
    for (const { name, value } of changes) this.values.set(name, value);
    for (const listener of this.listeners) listener(changes);
    return { successful: true, reason: "" };
  }

  setValidator(validator: ParameterValidator): void {
    this.validator = validator;
  }

  onChanged(listener: (changes: ChangeList) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

/** Why a value does not fit a descriptor (type, range), or undefined when it does. */
export function checkAgainstDescriptor(value: ParameterValue, descriptor: ParameterDescriptor): string | undefined {
  const typed = coerce(value, descriptor.type);
  if (!typed.ok) return typed.problem;
  if (descriptor.range && (value.type === "INTEGER" || value.type === "DOUBLE")) {
    const n = Number(value.value);
    const { from, to } = descriptor.range;
    if (n < from || n > to) {
      // Open-ended ranges are stored with ±Number.MAX_VALUE (ROS ranges always have both ends).
      const expected = to === Number.MAX_VALUE ? `>= ${from}` : from === -Number.MAX_VALUE ? `<= ${to}` : `in [${from}, ${to}]`;
      return `expected a value ${expected}, found ${formatValue(value)}`;
    }
  }
  return undefined;
}
