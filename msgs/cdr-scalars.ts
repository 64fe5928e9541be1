/**
 * The primitive types of ROS 2 messages as the CDR writer needs them: size and alignment,
 * what JS values are accepted (with ranges, so a uint8 of 300 is an error rather than a silent
 * wrap), how to write one value and a whole array.
 */
import type { CdrWriter } from "@foxglove/cdr";

type TypedArrayConstructor =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor
  | Int32ArrayConstructor | Uint32ArrayConstructor | BigInt64ArrayConstructor | BigUint64ArrayConstructor
  | Float32ArrayConstructor | Float64ArrayConstructor;

export interface ScalarSpec {
  /** For error messages: `uint8 (integer 0..255)`. */
  readonly expected: string;
  /** Bytes per value. */
  readonly size: number;
  /** CDR1 alignment in the body (64-bit values align to 8). */
  readonly align: number;
  /** Zero value used for a missing field. */
  readonly zero: unknown;
  /** The typed array rclnodejs uses for arrays of this type, if any. */
  readonly TypedArray?: TypedArrayConstructor;
  accepts(value: unknown): boolean;
  write(writer: CdrWriter, value: unknown): void;
  /** Writes all elements (no length prefix); absent where elements go one by one. */
  writeArray?(writer: CdrWriter, values: ArrayLike<unknown>): void;
}

function integer(
  name: string, size: number, min: number, max: number, TypedArray: TypedArrayConstructor,
  write: (writer: CdrWriter, value: number) => void,
  writeArray: (writer: CdrWriter, values: never) => void,
): ScalarSpec {
  return {
    expected: `${name} (integer ${min}..${max})`,
    size,
    align: size,
    zero: 0,
    TypedArray,
    accepts: (value) => typeof value === "number" && Number.isInteger(value) && value >= min && value <= max,
    write: (writer, value) => write(writer, value as number),
    writeArray: (writer, values) => writeArray(writer, values as never),
  };
}

function bigInteger(name: string, min: bigint, max: bigint, TypedArray: TypedArrayConstructor, signed: boolean): ScalarSpec {
  return {
    expected: `${name} (bigint or safe integer ${min}..${max})`,
    size: 8,
    align: 8,
    zero: 0n,
    TypedArray,
    accepts(value) {
      if (typeof value === "number") {
        if (!Number.isSafeInteger(value)) return false;
        value = BigInt(value);
      }
      return typeof value === "bigint" && value >= min && value <= max;
    },
    write(writer, value) {
      const big = BigInt(value as number | bigint);
      if (signed) writer.int64(big);
      else writer.uint64(big);
    },
    writeArray(writer, values) {
      for (let i = 0; i < values.length; i++) {
        const big = BigInt(values[i] as number | bigint);
        if (signed) writer.int64(big);
        else writer.uint64(big);
      }
    },
  };
}

function float(name: string, size: 4 | 8, TypedArray: TypedArrayConstructor): ScalarSpec {
  // NaN and ±Infinity are legal (LaserScan ranges use them); only non-numbers are rejected.
  return {
    expected: `${name} (number)`,
    size,
    align: size,
    zero: 0,
    TypedArray,
    accepts: (value) => typeof value === "number",
    write: (writer, value) => (size === 4 ? writer.float32(value as number) : writer.float64(value as number)),
    writeArray: (writer, values) =>
      size === 4 ? writer.float32Array(values as Float32Array) : writer.float64Array(values as Float64Array),
  };
}

const bool: ScalarSpec = {
  expected: "bool (boolean)",
  size: 1,
  align: 1,
  zero: false,
  accepts: (value) => typeof value === "boolean",
  write: (writer, value) => writer.uint8(value === true ? 1 : 0),
};

/** Primitive specs by @foxglove/rosmsg type name (char/byte arrive as uint8). */
export const SCALARS: Readonly<Record<string, ScalarSpec>> = {
  bool,
  int8: integer("int8", 1, -128, 127, Int8Array, (w, v) => w.int8(v), (w, v: Int8Array) => w.int8Array(v)),
  uint8: integer("uint8", 1, 0, 255, Uint8Array, (w, v) => w.uint8(v), (w, v: Uint8Array) => w.uint8Array(v)),
  int16: integer("int16", 2, -32768, 32767, Int16Array, (w, v) => w.int16(v), (w, v: Int16Array) => w.int16Array(v)),
  uint16: integer("uint16", 2, 0, 65535, Uint16Array, (w, v) => w.uint16(v), (w, v: Uint16Array) => w.uint16Array(v)),
  int32: integer("int32", 4, -2147483648, 2147483647, Int32Array, (w, v) => w.int32(v), (w, v: Int32Array) => w.int32Array(v)),
  uint32: integer("uint32", 4, 0, 4294967295, Uint32Array, (w, v) => w.uint32(v), (w, v: Uint32Array) => w.uint32Array(v)),
  int64: bigInteger("int64", -(2n ** 63n), 2n ** 63n - 1n, BigInt64Array, true),
  uint64: bigInteger("uint64", 0n, 2n ** 64n - 1n, BigUint64Array, false),
  float32: float("float32", 4, Float32Array),
  float64: float("float64", 8, Float64Array),
};
