/**
 * A minimal WebAssembly binary encoder: enough to write small SIMD kernels in TypeScript (one
 * exported memory, exported functions over i32 / f32 / v128 locals) without a toolchain. Only the
 * instructions the kernels use are here; each is named as in the WebAssembly text format and
 * encoded as the core specification (with the SIMD proposal, now part of it) defines.
 */

export type ValType = "i32" | "f32" | "v128";

/** The parts of the WebAssembly JavaScript API used with these modules (Node has it; TypeScript's ES2022 lib does not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The runtime's WebAssembly API, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

export const WASM_PAGE_BYTES = 65536;

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32 immediates). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A memory access immediate: alignment hint 1 (always valid) and a constant byte offset. */
const memarg = (offset = 0): number[] => [0, ...uleb(offset)];
const simd = (opcode: number, ...immediates: number[]): number[] => [0xfd, ...uleb(opcode), ...immediates];

/** The instructions, by their text-format names. Each returns its encoded bytes. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Load: (offset = 0): number[] => [0x28, ...memarg(offset)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Eqz: (): number[] => [0x45],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  v128Load: (offset = 0): number[] => simd(0x00, ...memarg(offset)),
  /** Four 16-bit values, each sign-extended to a 32-bit lane. */
  v128Load16x4S: (offset = 0): number[] => simd(0x03, ...memarg(offset)),
  /** One 32-bit value into all four lanes. */
  v128Load32Splat: (offset = 0): number[] => simd(0x09, ...memarg(offset)),
  v128Store: (offset = 0): number[] => simd(0x0b, ...memarg(offset)),
  /** Stores one 32-bit lane (a float of an f32x4) at the address on the stack. */
  v128Store32Lane: (lane: number, offset = 0): number[] => simd(0x5a, ...memarg(offset), lane),
  /** Lanes picked from two vectors by 16 byte indices (0-15: the first, 16-31: the second). */
  i8x16Shuffle: (bytes: readonly number[]): number[] => {
    if (bytes.length !== 16 || bytes.some((b) => !(b >= 0 && b < 32))) throw new Error(`i8x16.shuffle needs 16 lane indices in 0..31, got [${bytes.join(",")}]`);
    return simd(0x0d, ...bytes);
  },
  i16x8Splat: (): number[] => simd(0x10),
  f32x4Splat: (): number[] => simd(0x13),
  /** Rounded, saturating Q15 multiply: (a * b + 2^14) >> 15 per 16-bit lane. */
  i16x8Q15MulrSatS: (): number[] => simd(0x82),
  i16x8ExtendLowI8x16U: (): number[] => simd(0x89),
  i16x8ExtendHighI8x16U: (): number[] => simd(0x8a),
  i16x8Shl: (): number[] => simd(0x8b),
  i16x8Add: (): number[] => simd(0x8e),
  i16x8Sub: (): number[] => simd(0x91),
  f32x4Add: (): number[] => simd(0xe4),
  f32x4Sub: (): number[] => simd(0xe5),
  f32x4Mul: (): number[] => simd(0xe6),
  f32x4ConvertI32x4S: (): number[] => simd(0xfa),
};

export interface FunctionDef {
  /** The export name. */
  name: string;
  params: ValType[];
  /** Extra locals, numbered after the parameters. */
  locals: ValType[];
  /** The instructions (without the final `end`, which is added). */
  body: number[][];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module with one memory (exported as `memory`, `minPages` of 64 KiB, growable) and the given
 * functions, each exported under its name, taking its params and returning nothing.
 */
export function encodeModule(functions: readonly FunctionDef[], minPages: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [VALTYPE[p]])), 0x00]);
  const funcs = functions.map((_, i) => uleb(i));
  const memory = [[0x00, ...uleb(minPages)]];
  const exports = [[...name("memory"), 0x02, 0x00], ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])];
  const bodies = functions.map((f) => {
    // Locals as (count, type) runs; one run per local keeps this simple and is valid.
    const locals = vector(f.locals.map((t) => [1, VALTYPE[t]]));
    const code = [...locals, ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(funcs)),
    ...section(5, vector(memory)),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}
