/** Every decoder on hand-built tensors of its layout, shape checks naming the shapes, and NMS. */
import { createDecoder, type Box, type DecodeContext, type Tensor } from "../../nodes/perception/decoders";
import type { DecoderSpec } from "../../nodes/perception/manifest";
import { iou, nms } from "../../nodes/perception/nms";

const ctx = (numClasses: number, w = 64, h = 64): DecodeContext => ({ inputWidth: w, inputHeight: h, numClasses, scoreThreshold: 0.25 });
const tensor = (dims: number[], fill: (data: Float32Array) => void): Tensor => {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  fill(data);
  return { data, dims };
};
const near = (b: Box, want: Partial<Box>): void => {
  for (const [k, v] of Object.entries(want)) expect(b[k as keyof Box]).toBeCloseTo(v as number, 4);
};

describe("yolov5 [1,N,5+C]", () => {
  const dec = createDecoder({ kind: "yolov5" }, ["output0"]);
  it("decodes cx,cy,w,h with score = obj * cls and the best class", () => {
    const t = tensor([1, 3, 8], (d) => {
      d.set([20, 30, 10, 20, 0.9, 0.1, 0.8, 0.2], 0); // class 1, 0.72
      d.set([40, 40, 8, 8, 0.2, 0.9, 0.9, 0.9], 8); // obj too low
      d.set([50, 10, 4, 4, 0.5, 0.1, 0.1, 0.6], 16); // class 2, 0.30
    });
    const boxes = dec.decode({ output0: t }, ctx(3));
    expect(boxes).toHaveLength(2);
    near(boxes[0]!, { x1: 15, y1: 20, x2: 25, y2: 40, score: 0.72, classId: 1 });
    near(boxes[1]!, { x1: 48, y1: 8, x2: 52, y2: 12, score: 0.3, classId: 2 });
  });
  it("scales normalized boxes by the input size", () => {
    const d5 = createDecoder({ kind: "yolov5", normalized: true }, ["o"]);
    const t = tensor([1, 1, 6], (d) => d.set([0.5, 0.5, 0.25, 0.5, 1, 1]));
    near(d5.decode({ o: t }, ctx(1, 100, 200))[0]!, { x1: 37.5, y1: 50, x2: 62.5, y2: 150 });
  });
  it("names the shapes when the outputs do not fit", () => {
    expect(dec.check({ output0: [1, 3549, 85] }, ctx(80))).toBeUndefined();
    expect(dec.check({ output0: [1, "N", 85] }, ctx(80))).toBeUndefined();
    expect(dec.check({ output0: [1, 3549, 84] }, ctx(80))).toMatch(/expects output 'output0' of shape \[1,\?,85\].*gives \[1,3549,84\]/);
  });
});

describe("yolov8 / yolo11 [1,4+C,N]", () => {
  const dec = createDecoder({ kind: "yolov8" }, ["output0"]);
  it("reads channels-first columns", () => {
    // N = 2 anchors, C = 2: rows cx, cy, w, h, cls0, cls1
    const t = tensor([1, 6, 2], (d) => d.set([10, 30, 10, 30, 4, 6, 4, 6, 0.1, 0.2, 0.9, 0.1]));
    const boxes = dec.decode({ output0: t }, ctx(2));
    expect(boxes).toHaveLength(1);
    near(boxes[0]!, { x1: 8, y1: 8, x2: 12, y2: 12, score: 0.9, classId: 1 });
  });
  it("rejects a transposed output with the shapes named", () => {
    expect(dec.check({ output0: [1, 8400, 84] }, ctx(80))).toMatch(/\[1,84,\?\].*\[1,8400,84\]/);
  });
});

describe("end-to-end [1,N,6]", () => {
  it("reads x1,y1,x2,y2,score,class", () => {
    const dec = createDecoder({ kind: "end2end" }, ["output0"]);
    const t = tensor([1, 3, 6], (d) => {
      d.set([1, 2, 11, 12, 0.8, 3], 0);
      d.set([5, 5, 9, 9, 0.1, 0], 6);
      d.set([5, 5, 9, 9, 0.9, 7], 12); // class out of range: dropped
    });
    const boxes = dec.decode({ output0: t }, ctx(4));
    expect(boxes).toHaveLength(1);
    near(boxes[0]!, { x1: 1, y1: 2, x2: 11, y2: 12, score: 0.8, classId: 3 });
    expect(dec.check({ output0: [1, 300, 7] }, ctx(4))).toMatch(/\[1,\?,6\].*\[1,300,7\]/);
  });
  it("converts cxcywh when told", () => {
    const dec = createDecoder({ kind: "end2end", box_format: "cxcywh" }, ["o"]);
    near(dec.decode({ o: tensor([1, 1, 6], (d) => d.set([10, 10, 4, 6, 0.5, 0])) }, ctx(1))[0]!, { x1: 8, y1: 7, x2: 12, y2: 13 });
  });
});

describe("yolox grid/stride", () => {
  // 32x32 input, strides 8 and 16: grids 4x4 and 2x2 = 20 cells.
  const spec: DecoderSpec = { kind: "yolox", strides: [8, 16] };
  const dec = createDecoder(spec, ["output"]);
  it("decodes offsets and log sizes against the cell and stride", () => {
    const c = 2;
    const t = tensor([1, 20, 5 + c], (d) => {
      const cell = 1 * 4 + 2; // stride 8, gx 2, gy 1
      d.set([0.5, 0.5, Math.log(2), Math.log(1), 0.9, 0.1, 0.8], cell * 7);
      const cell2 = 16 + 1 * 2 + 1; // stride 16, gx 1, gy 1
      d.set([0, 0, 0, 0, 0.6, 0.7, 0.1], cell2 * 7);
    });
    const boxes = dec.decode({ output: t }, ctx(c, 32, 32));
    expect(boxes).toHaveLength(2);
    // cx = (0.5+2)*8 = 20, cy = (0.5+1)*8 = 12, w = 2*8 = 16, h = 8
    near(boxes[0]!, { x1: 12, y1: 8, x2: 28, y2: 16, score: 0.72, classId: 1 });
    // cx = 16, cy = 16, w = h = 16
    near(boxes[1]!, { x1: 8, y1: 8, x2: 24, y2: 24, score: 0.42, classId: 0 });
  });
  it("checks the cell count against strides and input size", () => {
    expect(dec.check({ output: [1, 20, 7] }, ctx(2, 32, 32))).toBeUndefined();
    expect(dec.check({ output: [1, 21, 7] }, ctx(2, 32, 32))).toMatch(/yolox.*\[1,20,7\].*strides 8,16 at 32x32.*\[1,21,7\]/);
  });
  it("reads exports with decoding in the graph", () => {
    const d2 = createDecoder({ kind: "yolox", strides: [8, 16], decoded: true }, ["output"]);
    const t = tensor([1, 20, 6], (d) => d.set([10, 10, 4, 4, 1, 1], 0));
    near(d2.decode({ output: t }, ctx(1, 32, 32))[0]!, { x1: 8, y1: 8, x2: 12, y2: 12, score: 1 });
  });
});

describe("ssd scores + prior-decoded boxes", () => {
  it("drops the background column and maps classes after it", () => {
    const dec = createDecoder({ kind: "ssd", scores_output: "scores", boxes_output: "boxes", background_class: 0, box_format: "yxyx", normalized: true }, ["scores", "boxes"]);
    const scores = tensor([1, 2, 3], (d) => d.set([0.9, 0.05, 0.05, 0.1, 0.2, 0.7]));
    const boxes = tensor([1, 2, 4], (d) => d.set([0, 0, 1, 1, 0.25, 0.5, 0.75, 1]));
    const out = dec.decode({ scores, boxes }, ctx(2, 100, 100));
    expect(out).toHaveLength(1);
    near(out[0]!, { x1: 50, y1: 25, x2: 100, y2: 75, score: 0.7, classId: 1 });
  });
  it("applies softmax over raw logits", () => {
    const dec = createDecoder({ kind: "ssd", scores_output: "s", boxes_output: "b", score_activation: "softmax" }, ["s", "b"]);
    const out = dec.decode({ s: tensor([1, 1, 2], (d) => d.set([0, Math.log(3)])), b: tensor([1, 1, 4], (d) => d.set([1, 1, 5, 5])) }, ctx(2));
    near(out[0]!, { score: 0.75, classId: 1, x1: 1, x2: 5 });
  });
  it("names mismatched shapes", () => {
    const dec = createDecoder({ kind: "ssd", scores_output: "s", boxes_output: "b", background_class: 0 }, ["s", "b"]);
    expect(dec.check({ s: [1, 100, 91], b: [1, 100, 4] }, ctx(90))).toBeUndefined();
    expect(dec.check({ s: [1, 100, 90], b: [1, 100, 4] }, ctx(90))).toMatch(/'s' of shape \[1,\?,91\].*background.*\[1,100,90\]/);
    expect(dec.check({ s: [1, 100, 91], b: [1, 99, 4] }, ctx(90))).toMatch(/100 rows.*99/);
    expect(dec.check({ s: [1, 100, 91] }, ctx(90))).toMatch(/reads output 'b'/);
  });
});

describe("nanodet / GFL distribution heads", () => {
  const regMax = 3; // 4 bins
  const spec: DecoderSpec = { kind: "nanodet", reg_max: regMax, heads: [{ stride: 8, cls: "cls8", reg: "reg8" }, { stride: 16, cls: "cls16", reg: "reg16" }] };
  const dec = createDecoder(spec, ["cls8", "reg8", "cls16", "reg16"]);
  const c = 2;
  /** One-hot distance distribution (large logit at bin k) per side. */
  const sides = (d: Float32Array, offset: number, bins: number[]): void => bins.forEach((k, j) => (d[offset + j * 4 + k] = 50));
  it("takes the expectation of each side's distribution times the stride, flattened or channels-first", () => {
    // 32x32: stride 8 grid 4x4 (16 cells), stride 16 grid 2x2 (4 cells).
    const cls8 = tensor([1, 16, c], (d) => d.set([0.1, 0.9], 5 * c)); // cell 5: gx 1, gy 1
    const reg8 = tensor([1, 16, 16], (d) => sides(d, 5 * 16, [1, 2, 3, 0]));
    // channels-first for stride 16: [1,C,2,2] and [1,16,2,2]
    const cls16 = tensor([1, c, 2, 2], (d) => (d[0 * 4 + 3] = 0.6)); // class 0 at cell 3 (gx 1, gy 1)
    const reg16 = tensor([1, 16, 2, 2], (d) => [1, 1, 1, 1].forEach((k, j) => (d[(j * 4 + k) * 4 + 3] = 50)));
    expect(dec.check({ cls8: cls8.dims, reg8: reg8.dims, cls16: cls16.dims, reg16: reg16.dims }, ctx(c, 32, 32))).toBeUndefined();
    const boxes = dec.decode({ cls8, reg8, cls16, reg16 }, ctx(c, 32, 32));
    expect(boxes).toHaveLength(2);
    // centre (8, 8); l=1*8, t=2*8, r=3*8, b=0
    near(boxes[0]!, { x1: 0, y1: -8, x2: 32, y2: 8, score: 0.9, classId: 1 });
    // centre (16, 16); all sides 16
    near(boxes[1]!, { x1: 0, y1: 0, x2: 32, y2: 32, score: 0.6, classId: 0 });
  });
  it("soft distributions give fractional distances", () => {
    const d1 = createDecoder({ kind: "nanodet", reg_max: 1, center_offset: 0.5, heads: [{ stride: 8, cls: "c", reg: "r" }] }, ["c", "r"]);
    const cls = tensor([1, 1, 1], (d) => (d[0] = 1));
    const reg = tensor([1, 1, 8], () => undefined); // uniform over 2 bins: expectation 0.5
    near(d1.decode({ c: cls, r: reg }, ctx(1, 8, 8))[0]!, { x1: 0, y1: 0, x2: 8, y2: 8 });
  });
  it("names the head whose shape is wrong", () => {
    expect(dec.check({ cls8: [1, 16, 2], reg8: [1, 16, 32], cls16: [1, 4, 2], reg16: [1, 4, 16] }, ctx(c, 32, 32))).toMatch(
      /'reg8' \(stride 8, 4 x 4 distance bins \(reg_max 3\)\) of shape \[1,16,16\] or \[1,16,4,4\], but the model gives \[1,16,32\]/,
    );
  });
});

describe("createDecoder", () => {
  it("needs the output named when the model has several", () => {
    expect(() => createDecoder({ kind: "yolox", strides: [8] }, ["a", "b"])).toThrow(/reads one output, but the model has 2 \(a, b\)/);
  });
});

describe("class-aware NMS", () => {
  const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): Box => ({ x1, y1, x2, y2, score, classId });
  it("computes IoU", () => {
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1))).toBeCloseTo(50 / 150);
    expect(iou(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1))).toBe(0);
  });
  it("suppresses overlaps of one class, keeps other classes, sorts and caps", () => {
    const kept = nms(
      [box(0, 0, 10, 10, 0.6), box(1, 1, 11, 11, 0.9), box(1, 1, 11, 11, 0.5, 1), box(50, 50, 60, 60, 0.7), box(0, 0, 0, 5, 0.99)],
      0.5,
      10,
    );
    expect(kept.map((b) => [b.score, b.classId])).toEqual([[0.9, 0], [0.7, 0], [0.5, 1]]);
    expect(nms([box(0, 0, 10, 10, 0.6), box(20, 20, 30, 30, 0.9), box(40, 40, 50, 50, 0.8)], 0.5, 2).map((b) => b.score)).toEqual([0.9, 0.8]);
  });
  it("keeps boxes whose IoU is at the threshold", () => {
    expect(nms([box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)], 1 / 3, 10)).toHaveLength(2);
    expect(nms([box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)], 0.3, 10)).toHaveLength(1);
  });
});
