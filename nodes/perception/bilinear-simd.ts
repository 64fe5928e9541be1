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

/**
 * Fixed-point bits of the blended rows: values are 16-bit (byte << 7) plus a Q15 share of the
 * difference, so the vertical blend is exact to 1/256 of a grey level (weights to 1/32768 of a pixel).
 */
export const ROW_FRACTION_BITS = 7;

/**
 * blendRows(src0, src1, dst, groups, w15): per byte, dst = (src0 << 7) + q15mul((src1 - src0) << 7, w15),
 * 16 bytes per group, as 16-bit lanes: the vertical blend of two source rows (w15 = weight of src1, Q15).
 */
const BLEND_ROWS: FunctionDef = {
  name: "blendRows",
  params: ["i32", "i32", "i32", "i32", "i32"],
  // 5: w15 in every lane, 6/7: 16 bytes of each row, 8: the top row's widened half.
  locals: ["v128", "v128", "v128", "v128"],
  body: [
    [...op.localGet(4), ...op.i16x8Splat(), ...op.localSet(5)],
    op.loop(),
    [...op.localGet(0), ...op.v128Load(), ...op.localSet(6)],
    [...op.localGet(1), ...op.v128Load(), ...op.localSet(7)],
    ...[
      { widen: op.i16x8ExtendLowI8x16U(), offset: 0 },
      { widen: op.i16x8ExtendHighI8x16U(), offset: 16 },
    ].map(({ widen, offset }) => [
      ...op.localGet(2),
      ...op.localGet(6), ...widen, ...op.localTee(8), ...op.i32Const(ROW_FRACTION_BITS), ...op.i16x8Shl(),
      ...op.localGet(7), ...widen, ...op.localGet(8), ...op.i16x8Sub(), ...op.i32Const(ROW_FRACTION_BITS), ...op.i16x8Shl(),
      ...op.localGet(5), ...op.i16x8Q15MulrSatS(), ...op.i16x8Add(),
      ...op.v128Store(offset),
    ]),
    [...op.localGet(0), ...op.i32Const(16), ...op.i32Add(), ...op.localSet(0)],
    [...op.localGet(1), ...op.i32Const(16), ...op.i32Add(), ...op.localSet(1)],
    [...op.localGet(2), ...op.i32Const(32), ...op.i32Add(), ...op.localSet(2)],
    [...op.localGet(3), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(3), ...op.brIf(0)],
    op.end(),
  ],
};

/** Bytes per column entry: byte offsets of the left and right pixel in the blended row, and the weight (f32). */
const COLUMN_BYTES = 12;
/** Bytes per pixel of the blended row (three 16-bit channels). */
const ROW_PIXEL_BYTES = 6;

/**
 * The shared head of the resampling loops: v = lerp of the column's two pixels (one i32x4 -> f32x4
 * each: three channels and a spare lane) by its weight, then v * A + B. Leaves v on the stack.
 * Locals: 0 row, 1 columns, 2 count; A, B and the left pixel at `a`, `a + 1`, `a + 2`.
 */
function resampledPixel(a: number): number[][] {
  const [A, B, left] = [a, a + 1, a + 2];
  return [
    [...op.localGet(0), ...op.localGet(1), ...op.i32Load(0), ...op.i32Add(), ...op.v128Load16x4S(), ...op.f32x4ConvertI32x4S(), ...op.localTee(left)],
    [...op.localGet(0), ...op.localGet(1), ...op.i32Load(4), ...op.i32Add(), ...op.v128Load16x4S(), ...op.f32x4ConvertI32x4S(), ...op.localGet(left), ...op.f32x4Sub()],
    [...op.localGet(1), ...op.v128Load32Splat(8), ...op.f32x4Mul(), ...op.f32x4Add()],
    [...op.localGet(A), ...op.f32x4Mul(), ...op.localGet(B), ...op.f32x4Add()],
  ];
}

/** Loads A and B (two f32x4 at the address in local `affine`) into locals `a`, `a + 1`. */
function loadAffine(affine: number, a: number): number[][] {
  return [
    [...op.localGet(affine), ...op.v128Load(0), ...op.localSet(a)],
    [...op.localGet(affine), ...op.v128Load(16), ...op.localSet(a + 1)],
  ];
}

/** The loop's tail: next column entry, one fewer to go. */
const nextColumn = (): number[][] => [
  [...op.localGet(1), ...op.i32Const(COLUMN_BYTES), ...op.i32Add(), ...op.localSet(1)],
  [...op.localGet(2), ...op.i32Const(1), ...op.i32Sub(), ...op.localTee(2), ...op.brIf(0)],
];

/**
 * resampleLanes(row, columns, count, out0, out1, out2, stride, affine): lane k of each resampled
 * pixel is stored at outk, every outk advancing `stride` bytes per column. Serves every layout.
 */
const RESAMPLE_LANES: FunctionDef = {
  name: "resampleLanes",
  params: ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"],
  // 8: A, 9: B, 10: the left pixel, 11: the result.
  locals: ["v128", "v128", "v128", "v128"],
  body: [
    ...loadAffine(7, 8),
    op.loop(),
    [...resampledPixel(8).flat(), ...op.localSet(11)],
    ...[0, 1, 2].map((lane) => [...op.localGet(3 + lane), ...op.localGet(11), ...op.v128Store32Lane(lane)]),
    ...[3, 4, 5].map((out) => [...op.localGet(out), ...op.localGet(6), ...op.i32Add(), ...op.localSet(out)]),
    ...nextColumn(),
    op.end(),
  ],
};

/**
 * resampleVector<name>(row, columns, count, out, affine): NHWC, each pixel stored as one 16-byte
 * vector at out (advancing 12 bytes per column), its lanes put in model channel order by `order`
 * (model channel c <- lane order[c]). The spare fourth lane spills onto the next pixel's first
 * channel, which the next column then overwrites: never use it for a row's last column.
 */
function resampleVector(name: string, order: readonly [number, number, number]): FunctionDef {
  const bytes = [...order, 3].flatMap((lane) => [0, 1, 2, 3].map((b) => lane * 4 + b));
  const identity = order.every((lane, c) => lane === c);
  return {
    name,
    params: ["i32", "i32", "i32", "i32", "i32"],
    // 5: A, 6: B, 7: the left pixel.
    locals: ["v128", "v128", "v128"],
    body: [
      ...loadAffine(4, 5),
      op.loop(),
      [...op.localGet(3), ...resampledPixel(5).flat()],
      identity ? [] : [...op.localGet(7), ...op.i8x16Shuffle(bytes)],
      op.v128Store(),
      [...op.localGet(3), ...op.i32Const(12), ...op.i32Add(), ...op.localSet(3)],
      ...nextColumn(),
      op.end(),
    ],
  };
}

const KERNELS = [BLEND_ROWS, RESAMPLE_LANES, resampleVector("resampleVector", [0, 1, 2]), resampleVector("resampleVectorSwapped", [2, 1, 0])];

let compiled: object | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable (compiled once per thread). */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const wasm = wasmApi();
    const bytes = encodeModule(KERNELS, 1);
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

export function simdResampleAvailable(): boolean {
  return kernelModule() !== null;
}

interface KernelExports {
  memory: WasmMemory;
  blendRows(src0: number, src1: number, dst: number, groups: number, w15: number): void;
  resampleLanes(row: number, columns: number, count: number, out0: number, out1: number, out2: number, stride: number, affine: number): void;
  resampleVector(row: number, columns: number, count: number, out: number, affine: number): void;
  resampleVectorSwapped(row: number, columns: number, count: number, out: number, affine: number): void;
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
  /** Per model channel: the source channel it reads (a permutation of 0..2). */
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
  /** The model input tensor (a view of the kernel's memory). */
  readonly tensor: Float32Array;
  private readonly k: KernelExports;
  private readonly at: { affine: number; columns: number; row: number; image: number; tensor: number };
  private readonly groups: number;
  private readonly w15: Int32Array;
  /** Per source channel (lane): the byte offset of its model channel at the content's first pixel. */
  private readonly laneOffset: [number, number, number];
  private readonly strideBytes: number;
  private readonly rowBytes: number;
  /** NHWC rows are stored a vector per pixel (all but the last column); NCHW a lane at a time. */
  private readonly vector: ((row: number, columns: number, count: number, out: number, affine: number) => void) | undefined;

  constructor(private readonly plan: ResamplePlan) {
    const module = kernelModule();
    if (!module) throw new Error("WebAssembly SIMD is not available in this runtime");
    const p = plan;
    if ([...p.map].sort().join() !== "0,1,2") throw new Error(`SimdResampler: channel map [${p.map.join(",")}] is not a permutation of 0,1,2`);
    const cw = p.x0.length;
    this.groups = Math.ceil((p.srcWidth * 3) / 16);
    // Layout: affine (A, B) | column table | blended row (+16: the last pixel's 8-byte load) |
    // image (+16: the last group's 16-byte load) | tensor.
    const affine = 0;
    const columns = 32;
    const row = align16(columns + cw * COLUMN_BYTES);
    const image = align16(row + this.groups * 32 + 16);
    const tensor = align16(image + p.srcStep * p.srcHeight + 16);
    const total = tensor + 3 * p.dstWidth * p.dstHeight * 4;
    this.at = { affine, columns, row, image, tensor };
    this.k = new (wasmApi()!.Instance)(module).exports as unknown as KernelExports;
    const missing = Math.ceil(total / WASM_PAGE_BYTES) - this.k.memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (missing > 0) this.k.memory.grow(missing);
    const buffer = this.k.memory.buffer;
    this.tensor = new Float32Array(buffer, tensor, 3 * p.dstWidth * p.dstHeight);

    // Lane k of a blended pixel is source channel k; it goes to the model channel that reads it.
    const plane = p.dstWidth * p.dstHeight;
    const channelOf = [0, 1, 2].map((k) => p.map.indexOf(k));
    const nchw = p.layout === "NCHW";
    this.laneOffset = channelOf.map((c) => 4 * (nchw ? c * plane : c)) as [number, number, number];
    this.strideBytes = nchw ? 4 : 12;
    this.rowBytes = nchw ? 4 * p.dstWidth : 12 * p.dstWidth;
    const identity = p.map.every((k, c) => k === c);
    this.vector = nchw ? undefined : identity ? this.k.resampleVector : this.k.resampleVectorSwapped;
    // A is divided by the rows' fixed-point scale, so the scaling also undoes it.
    const lanes = new Float32Array(buffer, affine, 8);
    channelOf.forEach((c, k) => {
      lanes[k] = p.a[c]! / (1 << ROW_FRACTION_BITS);
      lanes[4 + k] = p.b[c]!;
    });
    const table = new DataView(buffer, columns, cw * COLUMN_BYTES);
    for (let x = 0; x < cw; x++) {
      table.setInt32(x * COLUMN_BYTES, p.x0[x]! * ROW_PIXEL_BYTES, true);
      table.setInt32(x * COLUMN_BYTES + 4, p.x1[x]! * ROW_PIXEL_BYTES, true);
      table.setFloat32(x * COLUMN_BYTES + 8, p.fx[x]!, true);
    }
    this.w15 = Int32Array.from(p.fy, (f) => Math.min(32767, Math.round(f * 32768)));
    this.fillPadding();
  }

  /** Fills the tensor from an image of the plan's size (data: srcStep x srcHeight bytes). */
  run(data: Uint8Array): void {
    const p = this.plan;
    const k = this.k;
    const { image, row, columns, affine, tensor } = this.at;
    const cw = p.x0.length;
    const rows = p.y0.length;
    // The loops run at least once: an image that letterboxes to nothing is all padding.
    if (cw === 0 || rows === 0) return;
    new Uint8Array(k.memory.buffer, image, data.length).set(data);
    const origin = tensor + p.padY * this.rowBytes + p.padX * this.strideBytes;
    const [l0, l1, l2] = this.laneOffset;
    // With vector stores, only the last column goes lane by lane (its spare lane would spill).
    const vectorColumns = this.vector ? cw - 1 : 0;
    const lastColumns = columns + vectorColumns * COLUMN_BYTES;
    const lastOffset = vectorColumns * this.strideBytes;
    for (let y = 0; y < rows; y++) {
      k.blendRows(image + p.y0[y]! * p.srcStep, image + p.y1[y]! * p.srcStep, row, this.groups, this.w15[y]!);
      const out = origin + y * this.rowBytes;
      if (vectorColumns > 0) this.vector!(row, columns, vectorColumns, out, affine);
      const o = out + lastOffset;
      k.resampleLanes(row, lastColumns, cw - vectorColumns, o + l0, o + l1, o + l2, this.strideBytes, affine);
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
