/**
 * The preprocessing hot path for 3-channel images (rgb8 / bgr8): bilinear resampling, colour
 * order, scaling and tensor layout in one WebAssembly SIMD kernel, several times faster than the
 * portable loop in preprocess.ts (which stays the reference and serves mono8 and runtimes without
 * SIMD). Per output row, two passes:
 *  1. blendRows: the two source rows blended vertically, all bytes at once (8 per step, widened to
 *     f32x4), into a float row in the source's interleaved channel order;
 *  2. resampleRow: per output column, the two neighbouring pixels of that float row (one f32x4 each:
 *     three channels and a spare lane) blended horizontally, scaled (a * v + b per lane) and each
 *     channel lane stored where the layout puts it (NCHW planes or NHWC triplets).
 * The image is copied into the kernel's memory once per frame and the tensor is a view of that
 * memory, so ONNX Runtime reads it without another copy. The padding of a letterbox never changes
 * for a given geometry, so it is written once, when the plan is made.
 */
import { encodeModule, op, wasmApi, WASM_PAGE_BYTES, type FunctionDef, type WasmMemory } from "./wasm-encoder";
import type { Layout } from "./manifest";

/** blendRows(src0, src1, dst, groups, wy): dst[i] = src0[i] + (src1[i] - src0[i]) * wy, 8 bytes per group. */
const BLEND_ROWS: FunctionDef = {
  name: "blendRows",
  params: ["i32", "i32", "i32", "i32", "f32"],
  // 5: wy in every lane, 6/7: eight widened bytes of each row, 8: the top row's four floats.
  locals: ["v128", "v128", "v128", "v128"],
  body: [
    [...op.localGet(4), ...op.f32x4Splat(), ...op.localSet(5)],
    op.loop(),
    [...op.localGet(0), ...op.v128Load8x8U(), ...op.localSet(6)],
    [...op.localGet(1), ...op.v128Load8x8U(), ...op.localSet(7)],
    ...[
      { widen: op.i32x4ExtendLowI16x8U(), offset: 0 },
      { widen: op.i32x4ExtendHighI16x8U(), offset: 16 },
    ].map(({ widen, offset }) => [
      ...op.localGet(2),
      ...op.localGet(6), ...widen, ...op.f32x4ConvertI32x4U(), ...op.localTee(8),
      ...op.localGet(7), ...widen, ...op.f32x4ConvertI32x4U(), ...op.localGet(8), ...op.f32x4Sub(),
      ...op.localGet(5), ...op.f32x4Mul(), ...op.f32x4Add(),
      ...op.v128Store(offset),
    ]),
    [...op.localGet(0), ...op.i32Const(8), ...op.i32Add(), ...op.localSet(0)],
    [...op.localGet(1), ...op.i32Const(8), ...op.i32Add(), ...op.localSet(1)],
    [...op.localGet(2), ...op.i32Const(32), ...op.i32Add(), ...op.localSet(2)],
    [...op.localGet(3), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(3), ...op.brIf(0)],
    op.end(),
  ],
};

/** Bytes per column entry: byte offsets of the left and right pixel in the float row, and the weight. */
const COLUMN_BYTES = 12;

/**
 * resampleRow(row, columns, count, out0, out1, out2, stride, affine): per column, v = lerp of the two
 * pixels' f32x4 by the column weight, then v * A + B (A, B: two f32x4 at `affine`); lane k is stored
 * at outk, and every outk advances by `stride` bytes per column.
 */
const RESAMPLE_ROW: FunctionDef = {
  name: "resampleRow",
  params: ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"],
  // 8: A, 9: B, 10: the left pixel, 11: the result.
  locals: ["v128", "v128", "v128", "v128"],
  body: [
    [...op.localGet(7), ...op.v128Load(0), ...op.localSet(8)],
    [...op.localGet(7), ...op.v128Load(16), ...op.localSet(9)],
    op.loop(),
    [...op.localGet(0), ...op.localGet(1), ...op.i32Load(0), ...op.i32Add(), ...op.v128Load(), ...op.localTee(10)],
    [...op.localGet(0), ...op.localGet(1), ...op.i32Load(4), ...op.i32Add(), ...op.v128Load(), ...op.localGet(10), ...op.f32x4Sub()],
    [...op.localGet(1), ...op.v128Load32Splat(8), ...op.f32x4Mul(), ...op.f32x4Add()],
    [...op.localGet(8), ...op.f32x4Mul(), ...op.localGet(9), ...op.f32x4Add(), ...op.localSet(11)],
    ...[0, 1, 2].map((lane) => [...op.localGet(3 + lane), ...op.localGet(11), ...op.v128Store32Lane(lane)]),
    ...[3, 4, 5].map((out) => [...op.localGet(out), ...op.localGet(6), ...op.i32Add(), ...op.localSet(out)]),
    [...op.localGet(1), ...op.i32Const(COLUMN_BYTES), ...op.i32Add(), ...op.localSet(1)],
    [...op.localGet(2), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(2), ...op.brIf(0)],
    op.end(),
  ],
};

let compiled: object | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (compiled once per thread). */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const wasm = wasmApi();
    const bytes = encodeModule([BLEND_ROWS, RESAMPLE_ROW], 1);
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

export function simdResampleAvailable(): boolean {
  return kernelModule() !== null;
}

/** Everything the kernel needs for one image size and one model input, in plain numbers. */
export interface ResamplePlan {
  srcWidth: number;
  srcHeight: number;
  /** Bytes per source row (at least srcWidth x 3). */
  srcStep: number;
  /** Per content column: left and right source pixel, and the right one's weight. */
  x0: Int32Array;
  x1: Int32Array;
  fx: Float32Array;
  /** Per content row: top and bottom source row, and the bottom one's weight. */
  y0: Int32Array;
  y1: Int32Array;
  fy: Float32Array;
  dstWidth: number;
  dstHeight: number;
  /** Where the content starts in the model input. */
  padX: number;
  padY: number;
  layout: Layout;
  /** Per model channel: the source channel it reads (0..2). */
  map: readonly [number, number, number];
  /** Per model channel: value = a * byte + b. */
  a: readonly [number, number, number];
  b: readonly [number, number, number];
  /** Per model channel: the value of the letterbox padding (already scaled). */
  pad: readonly [number, number, number];
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** One model input's resampler: its own kernel instance and memory, laid out for one plan. */
export class SimdResampler {
  /** The model input tensor (a view of the kernel's memory; valid until the next plan). */
  readonly tensor: Float32Array;
  private readonly memory: WasmMemory;
  private readonly blendRows: (src0: number, src1: number, dst: number, groups: number, wy: number) => void;
  private readonly resampleRow: (row: number, columns: number, count: number, out0: number, out1: number, out2: number, stride: number, affine: number) => void;
  private readonly at: { affine: number; columns: number; row: number; image: number; tensor: number };
  private readonly groups: number;
  /** Per source channel (lane): the byte offset of its model channel at the content's first pixel. */
  private readonly laneOffset: [number, number, number];
  private readonly strideBytes: number;
  private readonly rowBytes: number;

  constructor(private readonly plan: ResamplePlan) {
    const module = kernelModule();
    if (!module) throw new Error("WebAssembly SIMD is not available in this runtime");
    const p = plan;
    const cw = p.x0.length;
    this.groups = Math.ceil((p.srcWidth * 3) / 8);
    // Layout: affine (A, B) | column table | float row (+16: the last column's 4-lane load) |
    // image (+16: the last group's 8-byte load) | tensor.
    const affine = 0;
    const columns = 32;
    const row = align16(columns + cw * COLUMN_BYTES);
    const image = align16(row + this.groups * 32 + 16);
    const tensor = align16(image + p.srcStep * p.srcHeight + 16);
    const total = tensor + 3 * p.dstWidth * p.dstHeight * 4;
    this.at = { affine, columns, row, image, tensor };
    const exports = new (wasmApi()!.Instance)(module).exports as unknown as {
      memory: WasmMemory;
      blendRows: SimdResampler["blendRows"];
      resampleRow: SimdResampler["resampleRow"];
    };
    this.memory = exports.memory;
    const pages = Math.ceil(total / WASM_PAGE_BYTES) - this.memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (pages > 0) this.memory.grow(pages);
    this.blendRows = exports.blendRows;
    this.resampleRow = exports.resampleRow;
    const buffer = this.memory.buffer;
    this.tensor = new Float32Array(buffer, tensor, 3 * p.dstWidth * p.dstHeight);

    // Lane k of the float row is source channel k; it goes to the model channel that reads it.
    const plane = p.dstWidth * p.dstHeight;
    const channelOf = [0, 1, 2].map((k) => p.map.indexOf(k));
    const nchw = p.layout === "NCHW";
    this.laneOffset = channelOf.map((c) => 4 * (nchw ? c * plane : c)) as [number, number, number];
    this.strideBytes = nchw ? 4 : 12;
    this.rowBytes = nchw ? 4 * p.dstWidth : 12 * p.dstWidth;
    const lanes = new Float32Array(buffer, affine, 8);
    channelOf.forEach((c, k) => {
      lanes[k] = c >= 0 ? p.a[c]! : 0;
      lanes[4 + k] = c >= 0 ? p.b[c]! : 0;
    });
    const table = new DataView(buffer, columns, cw * COLUMN_BYTES);
    for (let x = 0; x < cw; x++) {
      table.setInt32(x * COLUMN_BYTES, p.x0[x]! * 12, true);
      table.setInt32(x * COLUMN_BYTES + 4, p.x1[x]! * 12, true);
      table.setFloat32(x * COLUMN_BYTES + 8, p.fx[x]!, true);
    }
    this.fillPadding();
  }

  /** Fills the tensor from an image of the plan's size (data: srcStep x srcHeight bytes). */
  run(data: Uint8Array): void {
    const p = this.plan;
    const { image, row, columns, affine, tensor } = this.at;
    new Uint8Array(this.memory.buffer, image, data.length).set(data);
    const cw = p.x0.length;
    const rows = p.y0.length;
    const origin = tensor + p.padY * this.rowBytes + p.padX * this.strideBytes;
    const [l0, l1, l2] = this.laneOffset;
    for (let y = 0; y < rows; y++) {
      this.blendRows(image + p.y0[y]! * p.srcStep, image + p.y1[y]! * p.srcStep, row, this.groups, p.fy[y]!);
      const out = origin + y * this.rowBytes;
      this.resampleRow(row, columns, cw, out + l0, out + l1, out + l2, this.strideBytes, affine);
    }
  }

  /** Writes the letterbox padding (everything outside the content) once. */
  private fillPadding(): void {
    const p = this.plan;
    const t = this.tensor;
    const cw = p.x0.length;
    const ch = p.y0.length;
    const plane = p.dstWidth * p.dstHeight;
    for (let y = 0; y < p.dstHeight; y++) {
      const rowInside = y >= p.padY && y < p.padY + ch;
      for (let x = 0; x < p.dstWidth; x++) {
        if (rowInside && x >= p.padX && x < p.padX + cw) continue;
        const i = y * p.dstWidth + x;
        for (let c = 0; c < 3; c++) t[p.layout === "NCHW" ? c * plane + i : i * 3 + c] = p.pad[c]!;
      }
    }
  }
}
