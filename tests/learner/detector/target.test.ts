import { assignTargets, gridOffsets, objectBalanceWeights, TARGET_FIELDS, targetWidth } from "../../../nodes/learner/detector/target";
import type { LabelBox } from "../../../nodes/learner/detector/dataset";

// A 4x3 grid of stride 8 (input 32x24); cell centres at x 4, 12, 20, 28 and y 4, 12, 20.
const grid = { gridWidth: 4, gridHeight: 3, stride: 8, numClasses: 2 };
const row = targetWidth(2);
const cell = (t: Float32Array, c: number) => Array.from(t.subarray(c * row, (c + 1) * row));

describe("assignTargets", () => {
  it("marks the cells inside a box near its centre positive, with its corners and one-hot class", () => {
    const a: LabelBox = { x1: 2, y1: 2, x2: 14, y2: 10, classId: 1, hard: false };
    const t = assignTargets([a], grid);
    expect(t.length).toBe(12 * row);
    expect(cell(t, 0)).toEqual([1, 1, 2, 2, 14, 10, 0, 1]);
    expect(cell(t, 1)).toEqual([1, 1, 2, 2, 14, 10, 0, 1]);
    for (let c = 2; c < 12; c++) expect(cell(t, c)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("gives a tiny box its centre cell, and limits big boxes to the centre radius", () => {
    const tiny: LabelBox = { x1: 21, y1: 13, x2: 23, y2: 15, classId: 0, hard: false }; // centre (22, 14): cell (2, 1)
    const t = assignTargets([tiny], grid);
    const positives = [...Array(12).keys()].filter((c) => t[c * row] === 1);
    expect(positives).toEqual([6]);
    const big: LabelBox = { x1: 0, y1: 0, x2: 32, y2: 24, classId: 0, hard: false }; // centre (16, 12); radius 12
    const tb = assignTargets([big], grid);
    // x centres within 12 of 16: 4, 12, 20, 28 all; y centres within 12 of 12: 4, 12, 20.
    expect([...Array(12).keys()].filter((c) => tb[c * row] === 1)).toHaveLength(12);
    const tr = assignTargets([big], { ...grid, radius: 0.5 }); // radius 4: x 12, 20; y 12
    expect([...Array(12).keys()].filter((c) => tr[c * row] === 1)).toEqual([5, 6]);
    // boxFraction widens a big box's positives to a fraction of its sides (centre 16, 12):
    // 0.4 -> within 12.8 in x and 9.6 in y: every cell; 0.3 -> 9.6 and 7.2: x 12, 20 and y 12 only.
    const wide = assignTargets([big], { ...grid, radius: 0.5, boxFraction: 0.4 });
    expect([...Array(12).keys()].filter((c) => wide[c * row] === 1)).toHaveLength(12);
    const narrow = assignTargets([big], { ...grid, radius: 0.5, boxFraction: 0.3 });
    expect([...Array(12).keys()].filter((c) => narrow[c * row] === 1)).toEqual([5, 6]);
  });

  it("gives a contested cell to the smaller box", () => {
    const a: LabelBox = { x1: 2, y1: 2, x2: 14, y2: 10, classId: 1, hard: false };
    const c: LabelBox = { x1: 10, y1: 2, x2: 14, y2: 6, classId: 0, hard: false }; // centre (12, 4): cell 1
    const t = assignTargets([a, c], grid);
    expect(cell(t, 0)).toEqual([1, 1, 2, 2, 14, 10, 0, 1]);
    expect(cell(t, 1)).toEqual([1, 1, 10, 2, 14, 6, 1, 0]);
  });

  it("teaches no objectness inside hard boxes and gives them no positives", () => {
    const hard: LabelBox = { x1: 17, y1: 17, x2: 23, y2: 23, classId: 0, hard: true };
    const t = assignTargets([hard], grid);
    for (let c = 0; c < 12; c++) expect(t[c * row]).toBe(0);
    expect(t[10 * row + 1]).toBe(0);
    expect([...Array(12).keys()].filter((c) => t[c * row + 1] === 0)).toEqual([10]);
  });

  it("reuses an output buffer (clearing it) and lists the grid offsets row-major", () => {
    const out = new Float32Array(12 * row).fill(7);
    assignTargets([], grid, out);
    expect(cell(out, 3)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(TARGET_FIELDS).toBe(6);
    expect(Array.from(gridOffsets(3, 2))).toEqual([0, 0, 1, 0, 2, 0, 0, 1, 1, 1, 2, 1]);
  });

  it("balances objects: a one-cell box weighs as much as a many-cell box at gamma 1, the positive sum unchanged", () => {
    const big: LabelBox = { x1: 0, y1: 0, x2: 16, y2: 16, classId: 0, hard: false }; // cells 0, 1, 4, 5
    const tiny: LabelBox = { x1: 25, y1: 17, x2: 27, y2: 23, classId: 1, hard: false }; // cell 11
    const t = assignTargets([big, tiny], grid);
    const positives = [...Array(12).keys()].filter((c) => t[c * row] === 1);
    expect(positives).toEqual([0, 1, 4, 5, 11]);
    const w = objectBalanceWeights(t, 12, 2, 1);
    // Per object: big cells 1/4 each, tiny 1; rescaled to sum 5 over the 5 positives.
    expect(w[0]).toBeCloseTo(0.625, 6);
    expect(w[11]).toBeCloseTo(2.5, 6);
    expect(positives.reduce((a, c) => a + w[c]!, 0)).toBeCloseTo(5, 6);
    expect(w[2]).toBe(1);
    expect(Array.from(objectBalanceWeights(t, 12, 2, 0))).toEqual(Array(12).fill(1));
  });
});
