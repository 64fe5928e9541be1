/**
 * Kestrel parameters on an rclnodejs node: declared with rclnodejs' Parameter and
 * ParameterDescriptor so `ros2 param list/get/set/describe` see them, with values converted
 * between Kestrel's plain ParameterValue (numbers, bigint only beyond 2^53) and rclnodejs'
 * (bigint for every integer).
 */
import type { ParameterMap, ParameterType, ParameterValue } from "../../params/types";
import type {
  Disposable,
  ParameterBackend,
  ParameterDescriptor,
  ParameterValidator,
  SetParameterResult,
} from "../transport";
import { RclParameterType, type RclnodejsModule, type RclNode, type RclParameter } from "./api";

const TYPE_CODES: Record<ParameterType, number> = {
  BOOL: RclParameterType.PARAMETER_BOOL,
  INTEGER: RclParameterType.PARAMETER_INTEGER,
  DOUBLE: RclParameterType.PARAMETER_DOUBLE,
  STRING: RclParameterType.PARAMETER_STRING,
  BYTE_ARRAY: RclParameterType.PARAMETER_BYTE_ARRAY,
  BOOL_ARRAY: RclParameterType.PARAMETER_BOOL_ARRAY,
  INTEGER_ARRAY: RclParameterType.PARAMETER_INTEGER_ARRAY,
  DOUBLE_ARRAY: RclParameterType.PARAMETER_DOUBLE_ARRAY,
  STRING_ARRAY: RclParameterType.PARAMETER_STRING_ARRAY,
};

function typeFromCode(code: number): ParameterType | undefined {
  for (const [name, value] of Object.entries(TYPE_CODES)) if (value === code) return name as ParameterType;
  return undefined;
}

function narrowInteger(v: unknown): number | bigint {
  const big = typeof v === "bigint" ? v : BigInt(v as number);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** rclnodejs value for a Kestrel value: integers become bigint, as rclnodejs' Parameter requires. */
export function toRclValue(value: ParameterValue): unknown {
  switch (value.type) {
    case "INTEGER":
      return BigInt(value.value as number | bigint);
    case "INTEGER_ARRAY":
      return (value.value as Array<number | bigint>).map((v) => BigInt(v));
    case "BOOL":
    case "DOUBLE":
    case "STRING":
    case "BYTE_ARRAY":
    case "BOOL_ARRAY":
    case "DOUBLE_ARRAY":
    case "STRING_ARRAY":
      return value.value;
  }
}

export function fromRclParameter(parameter: RclParameter): ParameterValue | undefined {
  const type = typeFromCode(parameter.type);
  if (!type) return undefined;
  switch (type) {
    case "INTEGER":
      return { type, value: narrowInteger(parameter.value) } as ParameterValue;
    case "INTEGER_ARRAY":
      return { type, value: (parameter.value as unknown[]).map(narrowInteger) } as ParameterValue;
    case "DOUBLE_ARRAY":
      return { type, value: Array.from(parameter.value as ArrayLike<number>) } as ParameterValue;
    case "BOOL":
    case "DOUBLE":
    case "STRING":
    case "BYTE_ARRAY":
    case "BOOL_ARRAY":
    case "STRING_ARRAY":
      return { type, value: parameter.value } as ParameterValue;
  }
}

type ChangeList = Array<{ name: string; value: ParameterValue }>;

function toChanges(parameters: RclParameter[]): ChangeList {
  const changes: ChangeList = [];
  for (const p of parameters) {
    const value = fromRclParameter(p);
    if (value) changes.push({ name: p.name, value });
  }
  return changes;
}

export class RclParameterBackend implements ParameterBackend {
  private readonly descriptors = new Map<string, ParameterDescriptor>();

  constructor(
    private readonly rcl: RclnodejsModule,
    private readonly node: RclNode,
  ) {}

  declare(name: string, defaultValue: ParameterValue, descriptor: ParameterDescriptor): ParameterValue {
    const type = TYPE_CODES[descriptor.type];
    // use_sim_time is declared by rclnodejs' Node itself; redeclaring it would throw.
    if (this.node.hasParameter(name)) {
      this.descriptors.set(name, descriptor);
      return this.get(name) ?? defaultValue;
    }
    const range = descriptor.range
      ? descriptor.type === "INTEGER"
        ? new this.rcl.IntegerRange(BigInt(descriptor.range.from), BigInt(descriptor.range.to), 0n)
        : new this.rcl.FloatingPointRange(descriptor.range.from, descriptor.range.to, 0)
      : undefined;
    const rclDescriptor = new this.rcl.ParameterDescriptor(name, type, descriptor.description, descriptor.readOnly, range);
    let declared: RclParameter;
    try {
      declared = this.node.declareParameter(new this.rcl.Parameter(name, type, toRclValue(defaultValue)), rclDescriptor);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`node '${this.node.name()}': parameter '${name}' (${descriptor.type}): ${detail}`);
    }
    this.descriptors.set(name, descriptor);
    const value = fromRclParameter(declared);
    if (!value || value.type !== descriptor.type) {
      throw new Error(
        `node '${this.node.name()}': parameter '${name}': expected type ${descriptor.type}, found ${value?.type ?? "NOT_SET"}`,
      );
    }
    return value;
  }

  get(name: string): ParameterValue | undefined {
    if (!this.node.hasParameter(name)) return undefined;
    return fromRclParameter(this.node.getParameter(name));
  }

  describe(name: string): ParameterDescriptor | undefined {
    return this.descriptors.get(name);
  }

  names(): string[] {
    return [...this.node.getParameterNames()].sort();
  }

  set(changes: ReadonlyArray<{ name: string; value: ParameterValue }>): SetParameterResult {
    const parameters = changes.map(
      ({ name, value }) => new this.rcl.Parameter(name, TYPE_CODES[value.type], toRclValue(value)),
    );
    const result = this.node.setParametersAtomically(parameters);
    return { successful: result.successful, reason: result.reason };
  }

  /** rcl merges overrides before the node sees them; their files are not known here. */
  overrideSource(): string | undefined {
    return undefined;
  }

  undeclaredOverrides(): ParameterMap {
    const out: ParameterMap = new Map();
    for (const p of this.node.getParameterOverrides()) {
      const value = fromRclParameter(p);
      if (value && !this.node.hasParameter(p.name)) out.set(p.name, value);
    }
    return out;
  }

  setValidator(validator: ParameterValidator): void {
    this.node.addOnSetParametersCallback((parameters) => validator(toChanges(parameters)));
  }

  onChanged(listener: (changes: ReadonlyArray<{ name: string; value: ParameterValue }>) => void): Disposable {
    let active = true;
    this.node.addPostSetParametersCallback((parameters) => {
      if (active) listener(toChanges(parameters));
    });
    return { dispose: () => (active = false) };
  }
}
