/** Letterbox / stretch geometry round trips, tensor layout, colour order and scaling, bad images. */
import type { InputSpec, Resize } from "../../nodes/perception/manifest";
import { boxToSource, geometryOf, imageProblem, Preprocessor as PreprocessorBase, toModel, toSource, type PreprocessorOptions } from "../../nodes/perception/preprocess";
import { simdResampleAvailable } from "../../nodes/perception/bilinear-simd";

const input = (over: Partial<InputSpec> = {}): InputSpec => ({
  name: "images",
  width: 8,
  height: 8,
  layout: "NCHW",
  color: "rgb",
  scaling: { kind: "raw" },
  resize: { mode: "letterbox", align: "center", pad: 114 },
  ...over,
});

describe("geometry round trips", () => {
  const cases: Array<[string, Resize, number, number, number, number]> = [
    ["letterbox centred, wide", { mode: "letterbox", align: "center", pad: 0 }, 640, 426, 416, 416],
    ["letterbox centred, tall", { mode: "letterbox", align: "center", pad: 0 }, 480, 640, 320, 320],
    ["letterbox top-left", { mode: "letterbox", align: "top_left", pad: 114 }, 640, 426, 416, 416],
    ["letterbox into a non-square input", { mode: "letterbox", align: "center", pad: 0 }, 1280, 720, 640, 480],
    ["stretch", { mode: "stretch" }, 640, 426, 416, 416],
  ];
  it.each(cases)("%s: source -> model -> source is the identity", (_name, resize, sw, sh, dw, dh) => {
    const g = geometryOf(sw, sh, dw, dh, resize);
    for (const [x, y] of [[0, 0], [sw, sh], [sw / 3, sh / 7], [sw - 1, 1]] as const) {
      const [mx, my] = toModel(g, x, y);
      expect(mx).toBeGreaterThanOrEqual(0);
      expect(mx).toBeLessThanOrEqual(dw + 1e-9);
      expect(my).toBeLessThanOrEqual(dh + 1e-9);
      const [rx, ry] = toSource(g, mx, my);
      expect(rx).toBeCloseTo(x, 6);
      expect(ry).toBeCloseTo(y, 6);
    }
    const box = boxToSource(g, { x1: toModel(g, 10, 20)[0], y1: toModel(g, 10, 20)[1], x2: toModel(g, 100, 200)[0], y2: toModel(g, 100, 200)[1], score: 0.5, classId: 3 }, sw, sh);
    expect([box.x1, box.y1, box.x2, box.y2].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([10, 20, 100, 200]);
  });
  it("places the letterbox: centred pads both sides, top-left pads right/bottom only", () => {
    const c = geometryOf(640, 426, 416, 416, { mode: "letterbox", align: "center", pad: 0 });
    expect(c.scaleX).toBeCloseTo(0.65);
    expect(c.contentHeight).toBe(277);
    expect(c.padY).toBe(69);
    expect(c.padX).toBe(0);
    const t = geometryOf(640, 426, 416, 416, { mode: "letterbox", align: "top_left", pad: 114 });
    expect([t.padX, t.padY]).toEqual([0, 0]);
  });
  it("clamps boxes that reach into the padding to the image", () => {
    const g = geometryOf(100, 50, 100, 100, { mode: "letterbox", align: "center", pad: 0 });
    const b = boxToSource(g, { x1: -5, y1: 0, x2: 120, y2: 100, score: 1, classId: 0 }, 100, 50);
    expect([b.x1, b.y1, b.x2, b.y2]).toEqual([0, 0, 100, 50]);
  });
});

it("has the WebAssembly SIMD kernel on this runtime (Node >= 20), so colour images take the fast path", () => {
  expect(simdResampleAvailable()).toBe(true);
});

// Every behaviour holds for both kernels: "auto" runs colour images through the SIMD kernel,
// "portable" through the reference loop.
describe.each<NonNullable<PreprocessorOptions["kernel"]>>(["auto", "portable"])("Preprocessor (kernel %s)", (kernel) => {
  const Preprocessor = class extends PreprocessorBase {
    constructor(spec: InputSpec) {
      super(spec, { kernel });
    }
  };
  /** A 4x2 rgb8 image whose pixel (x, y) is (10x+y, 100+y, 200). */
  const rgb = { width: 4, height: 2, encoding: "rgb8", step: 12, data: Uint8Array.from({ length: 24 }, (_, i) => { const p = Math.floor(i / 3); const x = p % 4; const y = Math.floor(p / 4); return [10 * x + y, 100 + y, 200][i % 3]!; }) };

  it("letterboxes top-left with the pad value, NCHW, swapping to bgr", () => {
    const p = new Preprocessor(input({ width: 4, height: 4, color: "bgr", resize: { mode: "letterbox", align: "top_left", pad: 114 } }));
    p.run(rgb);
    const t = p.tensor;
    const plane = 16;
    // content rows 0-1 (scale 1), padding rows 2-3
    expect(t[0 * plane + 0]).toBe(200); // B of pixel (0,0)
    expect(t[1 * plane + 0]).toBe(100); // G
    expect(t[2 * plane + 1]).toBe(10); // R of pixel (1,0)
    expect(t[2 * plane + 4 + 3]).toBe(31); // R of pixel (3,1)
    expect(t[0 * plane + 8]).toBe(114);
    expect(t[2 * plane + 15]).toBe(114);
  });
  it("writes NHWC with unit and mean/std scaling", () => {
    const unit = new Preprocessor(input({ width: 4, height: 2, layout: "NHWC", scaling: { kind: "unit" }, resize: { mode: "stretch" } }));
    unit.run(rgb);
    expect(unit.tensor[0]).toBeCloseTo(0);
    expect(unit.tensor[1]).toBeCloseTo(100 / 255);
    expect(unit.tensor[2]).toBeCloseTo(200 / 255);
    const ms = new Preprocessor(input({ width: 4, height: 2, layout: "NHWC", scaling: { kind: "mean_std", mean: [10, 100, 100], std: [2, 4, 50] }, resize: { mode: "stretch" } }));
    ms.run(rgb);
    expect(Array.from(ms.tensor.slice(3, 6))).toEqual([0, 0, 2]); // pixel (1,0): (10-10)/2, (100-100)/4, (200-100)/50
  });
  it("replicates mono8 into three channels and honours row padding (step)", () => {
    const mono = { width: 2, height: 2, encoding: "mono8", step: 4, data: Uint8Array.from([1, 2, 99, 99, 3, 4, 99, 99]) };
    const p = new Preprocessor(input({ width: 2, height: 2, resize: { mode: "stretch" } }));
    p.run(mono);
    expect(Array.from(p.tensor)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  });
  it("interpolates bilinearly when scaling up", () => {
    const img = { width: 2, height: 1, encoding: "mono8", step: 2, data: Uint8Array.from([0, 100]) };
    const p = new Preprocessor(input({ width: 4, height: 1, resize: { mode: "stretch" } }));
    p.run(img);
    expect(Array.from(p.tensor.slice(0, 4))).toEqual([0, 25, 75, 100]);
  });
  /**
   * The reference: OpenCV INTER_LINEAR (pixel-centre aligned, clamped at the edges), four source
   * pixels blended per output pixel, straight from the definition, then scaled; both kernels must
   * give the same tensor (to a hundredth of a grey level).
   */
  function reference(img: { width: number; height: number; encoding: string; step: number; data: Uint8Array }, spec: InputSpec): Float32Array {
    const g = geometryOf(img.width, img.height, spec.width, spec.height, spec.resize);
    const ch = img.encoding === "mono8" ? 1 : 3;
    const swap = ch === 3 && (img.encoding === "bgr8") !== (spec.color === "bgr");
    const pad = spec.resize.mode === "letterbox" ? spec.resize.pad : 0;
    const out = new Float32Array(3 * spec.width * spec.height);
    const sc = spec.scaling;
    const scaled = (v: number, c: number): number => (sc.kind === "raw" ? v : sc.kind === "unit" ? v / 255 : (v - sc.mean[c]!) / sc.std[c]!);
    const at = (x: number, y: number, c: number): number => img.data[y * img.step + x * ch + (ch === 1 ? 0 : swap ? 2 - c : c)]!;
    const coord = (o: number, scale: number, size: number): [number, number, number] => {
      const s = Math.min(size - 1, Math.max(0, (o + 0.5) / scale - 0.5));
      const lo = Math.floor(s);
      return [lo, Math.min(size - 1, lo + 1), s - lo];
    };
    for (let y = 0; y < spec.height; y++)
      for (let x = 0; x < spec.width; x++)
        for (let c = 0; c < 3; c++) {
          const ix = x - g.padX;
          const iy = y - g.padY;
          let v = pad;
          if (ix >= 0 && ix < g.contentWidth && iy >= 0 && iy < g.contentHeight) {
            const [x0, x1, fx] = coord(ix, g.scaleX, img.width);
            const [y0, y1, fy] = coord(iy, g.scaleY, img.height);
            v = (1 - fy) * ((1 - fx) * at(x0, y0, c) + fx * at(x1, y0, c)) + fy * ((1 - fx) * at(x0, y1, c) + fx * at(x1, y1, c));
          }
          out[spec.layout === "NCHW" ? c * spec.width * spec.height + y * spec.width + x : (y * spec.width + x) * 3 + c] = scaled(v, c);
        }
    return out;
  }
  /**
   * The tolerance: 1/100 of a grey level in the model's units (the SIMD kernel blends rows in 16-bit
   * fixed point, exact to 1/256 of a level, then rounds to float32).
   */
  const HUNDREDTH_GREY_LEVEL = (spec: InputSpec): number => {
    const sc = spec.scaling;
    return 0.01 * (sc.kind === "raw" ? 1 : sc.kind === "unit" ? 1 / 255 : 1 / Math.min(...sc.std));
  };
  const noise = (width: number, height: number, ch: number, step: number): { width: number; height: number; encoding: string; step: number; data: Uint8Array } => ({
    width,
    height,
    encoding: ch === 1 ? "mono8" : "bgr8",
    step,
    data: Uint8Array.from({ length: step * height }, (_, i) => (i * 2654435761) >>> 24),
  });
  it.each([
    ["downscale letterbox centred, NCHW, bgr to rgb", noise(64, 43, 3, 64 * 3), input({ width: 41, height: 41 })],
    ["upscale stretch, NHWC, row padding", noise(10, 7, 3, 10 * 3 + 2), input({ width: 32, height: 24, layout: "NHWC", resize: { mode: "stretch" } })],
    ["letterbox top-left, tall image, mono8", noise(20, 50, 1, 20), input({ width: 16, height: 16, resize: { mode: "letterbox", align: "top_left", pad: 7 } })],
    // Rows of 39 bytes: the SIMD kernel reads rows 8 bytes at a time, past each row's end.
    ["odd width, letterbox centred into NHWC, mean/std", noise(13, 9, 3, 13 * 3), input({ width: 20, height: 20, layout: "NHWC", scaling: { kind: "mean_std", mean: [120, 110, 100], std: [60, 55, 50] } })],
    ["one pixel, stretched", noise(1, 1, 3, 3), input({ width: 3, height: 2, resize: { mode: "stretch" } })],
    ["tall into wide, letterbox centred, unit scaling", noise(30, 70, 3, 90), input({ width: 48, height: 24, color: "bgr", scaling: { kind: "unit" } })],
    ["NHWC in the image's own colour order", noise(37, 21, 3, 111), input({ width: 29, height: 17, layout: "NHWC", color: "bgr", resize: { mode: "stretch" } })],
    ["a letterbox with no content left (1x40 into 16x16)", noise(1, 40, 3, 3), input({ width: 16, height: 16, layout: "NHWC" })],
  ])("matches four-pixel bilinear by definition: %s", (_name, img, spec) => {
    const p = new Preprocessor(spec);
    p.run(img);
    const want = reference(img, spec);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(p.tensor[i]! - want[i]!));
    expect(worst).toBeLessThan(HUNDREDTH_GREY_LEVEL(spec));
  });
  it("follows a change of image size and encoding between frames", () => {
    const spec = input({ width: 24, height: 16 });
    const p = new Preprocessor(spec);
    for (const img of [noise(40, 30, 3, 120), noise(17, 5, 3, 51), { ...noise(17, 5, 3, 51), encoding: "rgb8" }, noise(40, 30, 3, 120)]) {
      p.run(img);
      const want = reference(img, spec);
      expect(Math.max(...want.map((v, i) => Math.abs(p.tensor[i]! - v)))).toBeLessThan(HUNDREDTH_GREY_LEVEL(spec));
    }
  });
  it("refuses other encodings and data of the wrong length, naming them", () => {
    expect(imageProblem({ width: 2, height: 2, encoding: "yuv422", step: 4, data: new Uint8Array(8) })).toMatch(/unsupported encoding 'yuv422' \(supported: rgb8, bgr8, mono8\)/);
    expect(imageProblem({ width: 4, height: 2, encoding: "rgb8", step: 12, data: new Uint8Array(20) })).toMatch(/data length 20 does not match 4x2 rgb8.*24 bytes expected/);
    expect(imageProblem({ width: 4, height: 2, encoding: "rgb8", step: 8, data: new Uint8Array(16) })).toMatch(/step 8 is less than/);
    expect(() => new Preprocessor(input()).run({ width: 4, height: 2, encoding: "rgba8", step: 16, data: new Uint8Array(32) })).toThrow(/rgba8/);
  });
});
