/**
 * Image -> input tensor: checks the image (rgb8, bgr8, mono8; data long enough for
 * height x step and step >= width x channels), resizes it (bilinear, pixel-centre aligned as
 * OpenCV's INTER_LINEAR) by letterbox or stretch into a reused Float32Array in the model's layout,
 * colour order and scaling — and the inverse mapping of boxes back to the original image.
 * Colour images take the WebAssembly SIMD kernel (bilinear-simd.ts) where the runtime has it; the
 * portable loop here is the reference it is tested against, and serves mono8.
 */
import type { ColorOrder, InputSpec, Layout, Resize, Scaling } from "./manifest";
import type { Box } from "./decoders/common";
import { SimdResampler, simdResampleAvailable } from "./bilinear-simd";

export const SUPPORTED_ENCODINGS = ["rgb8", "bgr8", "mono8"] as const;
export type ImageEncoding = (typeof SUPPORTED_ENCODINGS)[number];

/** The image fields preprocessing reads (a sensor_msgs/Image fits). */
export interface ImageView {
  width: number;
  height: number;
  encoding: string;
  /** Bytes per row (0 means width x channels). */
  step: number;
  data: Uint8Array;
}

export function channelsOf(encoding: ImageEncoding): number {
  return encoding === "mono8" ? 1 : 3;
}

/** Why an image cannot be used, or undefined. */
export function imageProblem(image: ImageView): string | undefined {
  if (!(SUPPORTED_ENCODINGS as readonly string[]).includes(image.encoding)) {
    return `unsupported encoding '${image.encoding}' (supported: ${SUPPORTED_ENCODINGS.join(", ")})`;
  }
  if (!(image.width > 0 && image.height > 0)) return `empty image (${image.width}x${image.height})`;
  const ch = channelsOf(image.encoding as ImageEncoding);
  const rowBytes = image.width * ch;
  const step = image.step || rowBytes;
  if (step < rowBytes) return `step ${step} is less than width x channels = ${image.width} x ${ch} = ${rowBytes}`;
  if (image.data.length !== step * image.height) {
    return `data length ${image.data.length} does not match ${image.width}x${image.height} ${image.encoding} (step ${step} x height ${image.height} = ${step * image.height} bytes expected)`;
  }
  return undefined;
}

/** Where the image lands in the model input: model = source * scale + pad. */
export interface Geometry {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
  /** The resized content's size in model pixels. */
  contentWidth: number;
  contentHeight: number;
}

export function geometryOf(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, resize: Resize): Geometry {
  if (resize.mode === "stretch") {
    return { scaleX: dstWidth / srcWidth, scaleY: dstHeight / srcHeight, padX: 0, padY: 0, contentWidth: dstWidth, contentHeight: dstHeight };
  }
  const r = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const contentWidth = Math.min(dstWidth, Math.round(srcWidth * r));
  const contentHeight = Math.min(dstHeight, Math.round(srcHeight * r));
  const padX = resize.align === "center" ? Math.floor((dstWidth - contentWidth) / 2) : 0;
  const padY = resize.align === "center" ? Math.floor((dstHeight - contentHeight) / 2) : 0;
  return { scaleX: r, scaleY: r, padX, padY, contentWidth, contentHeight };
}

/** A point in model-input pixels -> the original image's pixels (not clamped). */
export function toSource(g: Geometry, x: number, y: number): [number, number] {
  return [(x - g.padX) / g.scaleX, (y - g.padY) / g.scaleY];
}

/** A point in the original image -> model-input pixels. */
export function toModel(g: Geometry, x: number, y: number): [number, number] {
  return [x * g.scaleX + g.padX, y * g.scaleY + g.padY];
}

/** A box in model pixels -> the original image's pixels, clamped to the image. */
export function boxToSource(g: Geometry, box: Box, srcWidth: number, srcHeight: number): Box {
  const [x1, y1] = toSource(g, box.x1, box.y1);
  const [x2, y2] = toSource(g, box.x2, box.y2);
  const cx = (v: number): number => Math.min(srcWidth, Math.max(0, v));
  const cy = (v: number): number => Math.min(srcHeight, Math.max(0, v));
  return { x1: cx(x1), y1: cy(y1), x2: cx(x2), y2: cy(y2), score: box.score, classId: box.classId };
}

/** Per output channel: value = a * byte + b. */
function affineOf(scaling: Scaling): { a: number[]; b: number[] } {
  switch (scaling.kind) {
    case "raw":
      return { a: [1, 1, 1], b: [0, 0, 0] };
    case "unit":
      return { a: [1 / 255, 1 / 255, 1 / 255], b: [0, 0, 0] };
    case "mean_std":
      return { a: scaling.std.map((s) => 1 / s), b: scaling.mean.map((m, i) => -m / scaling.std[i]!) };
  }
}

export interface PreprocessorOptions {
  /** "auto" (default): the SIMD kernel for colour images where available; "portable": always the plain loop. */
  kernel?: "auto" | "portable";
}

/**
 * Turns images into the model's input tensor. One instance per model: the tensor buffer and the
 * resampling tables are reused from frame to frame (tables rebuilt only when the image size changes).
 */
export class Preprocessor {
  private readonly portableTensor: Float32Array;
  private readonly useSimd: boolean;
  /** The SIMD resampler for the current image size and encoding, and what it was planned for. */
  private simd: { key: string; resampler: SimdResampler } | undefined;
  /** Whether the last run went through the SIMD kernel (its tensor is then the input). */
  private ranSimd = false;
  private readonly a: number[];
  private readonly b: number[];
  private readonly layout: Layout;
  private readonly color: ColorOrder;
  private tablesFor = "";
  private geometry: Geometry | undefined;
  private x0: Int32Array = new Int32Array(0);
  private x1: Int32Array = new Int32Array(0);
  private fx: Float32Array = new Float32Array(0);
  private y0: Int32Array = new Int32Array(0);
  private y1: Int32Array = new Int32Array(0);
  private fy: Float32Array = new Float32Array(0);

  constructor(
    private readonly input: InputSpec,
    options: PreprocessorOptions = {},
  ) {
    this.portableTensor = new Float32Array(3 * input.width * input.height);
    this.useSimd = (options.kernel ?? "auto") === "auto" && simdResampleAvailable();
    const { a, b } = affineOf(input.scaling);
    this.a = a;
    this.b = b;
    this.layout = input.layout;
    this.color = input.color;
  }

  /** The input tensor the last run filled (length 3 x width x height; reused from frame to frame). */
  get tensor(): Float32Array {
    return this.ranSimd && this.simd ? this.simd.resampler.tensor : this.portableTensor;
  }

  /** Fills `tensor` from the image; returns the geometry for mapping boxes back. Throws on a bad image. */
  run(image: ImageView): Geometry {
    const problem = imageProblem(image);
    if (problem) throw new Error(problem);
    const encoding = image.encoding as ImageEncoding;
    const g = this.tables(image.width, image.height);
    const ch = channelsOf(encoding);
    const step = image.step || image.width * ch;
    this.ranSimd = this.useSimd && ch === 3;
    if (this.ranSimd) this.simdFor(image.width, image.height, step, encoding, g).run(image.data);
    else this.runPortable(image.data, ch, step, this.channelMap(encoding), g);
    return g;
  }

  /** Source channel feeding each model channel: identity, or swapped when the colour orders differ. */
  private channelMap(encoding: ImageEncoding): [number, number, number] {
    if (encoding === "mono8") return [0, 0, 0];
    const srcOrder: ColorOrder = encoding === "bgr8" ? "bgr" : "rgb";
    return srcOrder === this.color ? [0, 1, 2] : [2, 1, 0];
  }

  /** The letterbox padding's value per model channel (after scaling). */
  private padValues(): [number, number, number] {
    const padValue = this.input.resize.mode === "letterbox" ? this.input.resize.pad : 0;
    return [0, 1, 2].map((c) => this.a[c]! * padValue + this.b[c]!) as [number, number, number];
  }

  private simdFor(srcWidth: number, srcHeight: number, srcStep: number, encoding: ImageEncoding, g: Geometry): SimdResampler {
    const key = `${srcWidth}x${srcHeight}/${srcStep}/${encoding}`;
    if (this.simd?.key !== key) {
      const resampler = new SimdResampler({
        srcWidth,
        srcHeight,
        srcStep,
        x0: this.x0,
        x1: this.x1,
        fx: this.fx,
        y0: this.y0,
        y1: this.y1,
        fy: this.fy,
        dstWidth: this.input.width,
        dstHeight: this.input.height,
        padX: g.padX,
        padY: g.padY,
        layout: this.layout,
        map: this.channelMap(encoding),
        a: this.a as [number, number, number],
        b: this.b as [number, number, number],
        pad: this.padValues(),
      });
      this.simd = { key, resampler };
    }
    return this.simd.resampler;
  }

  /** The reference loop: four source pixels blended per output value. */
  private runPortable(src: Uint8Array, ch: number, step: number, map: [number, number, number], g: Geometry): void {
    const W = this.input.width;
    const H = this.input.height;
    const t = this.portableTensor;
    const nchw = this.layout === "NCHW";
    const plane = W * H;
    const [a0, a1, a2] = this.a as [number, number, number];
    const [b0, b1, b2] = this.b as [number, number, number];
    const [m0, m1, m2] = map;
    const [pad0, pad1, pad2] = this.padValues();
    const cw = g.contentWidth;
    const chh = g.contentHeight;
    for (let y = 0; y < H; y++) {
      const inY = y - g.padY;
      const rowInside = inY >= 0 && inY < chh;
      const r0 = rowInside ? this.y0[inY]! * step : 0;
      const r1 = rowInside ? this.y1[inY]! * step : 0;
      const wy = rowInside ? this.fy[inY]! : 0;
      for (let x = 0; x < W; x++) {
        const inX = x - g.padX;
        let v0: number, v1: number, v2: number;
        if (rowInside && inX >= 0 && inX < cw) {
          const c0 = this.x0[inX]! * ch;
          const c1 = this.x1[inX]! * ch;
          const wx = this.fx[inX]!;
          const w00 = (1 - wx) * (1 - wy);
          const w01 = wx * (1 - wy);
          const w10 = (1 - wx) * wy;
          const w11 = wx * wy;
          const p00 = r0 + c0;
          const p01 = r0 + c1;
          const p10 = r1 + c0;
          const p11 = r1 + c1;
          const s0 = w00 * src[p00 + m0]! + w01 * src[p01 + m0]! + w10 * src[p10 + m0]! + w11 * src[p11 + m0]!;
          const s1 = w00 * src[p00 + m1]! + w01 * src[p01 + m1]! + w10 * src[p10 + m1]! + w11 * src[p11 + m1]!;
          const s2 = w00 * src[p00 + m2]! + w01 * src[p01 + m2]! + w10 * src[p10 + m2]! + w11 * src[p11 + m2]!;
          v0 = a0 * s0 + b0;
          v1 = a1 * s1 + b1;
          v2 = a2 * s2 + b2;
        } else {
          v0 = pad0;
          v1 = pad1;
          v2 = pad2;
        }
        const i = y * W + x;
        if (nchw) {
          t[i] = v0;
          t[plane + i] = v1;
          t[2 * plane + i] = v2;
        } else {
          t[i * 3] = v0;
          t[i * 3 + 1] = v1;
          t[i * 3 + 2] = v2;
        }
      }
    }
  }

  private tables(srcW: number, srcH: number): Geometry {
    const key = `${srcW}x${srcH}`;
    if (key === this.tablesFor && this.geometry) return this.geometry;
    const g = geometryOf(srcW, srcH, this.input.width, this.input.height, this.input.resize);
    const axis = (n: number, scale: number, size: number): [Int32Array, Int32Array, Float32Array] => {
      const i0 = new Int32Array(n);
      const i1 = new Int32Array(n);
      const f = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const s = Math.min(size - 1, Math.max(0, (i + 0.5) / scale - 0.5));
        const lo = Math.floor(s);
        i0[i] = lo;
        i1[i] = Math.min(size - 1, lo + 1);
        f[i] = s - lo;
      }
      return [i0, i1, f];
    };
    [this.x0, this.x1, this.fx] = axis(g.contentWidth, g.scaleX, srcW);
    [this.y0, this.y1, this.fy] = axis(g.contentHeight, g.scaleY, srcH);
    this.tablesFor = key;
    this.geometry = g;
    return g;
  }
}
