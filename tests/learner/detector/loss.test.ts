import * as tf from "@tensorflow/tfjs";
import { bceWithLogits, decodeBoxes, detectionLoss, giou } from "../../../nodes/learner/detector/loss";

const LN2 = Math.log(2);

describe("detector loss", () => {
  it("computes a stable BCE on logits", async () => {
    const v = await bceWithLogits(tf.tensor1d([0, 0, 100, -100, 2]), tf.tensor1d([1, 0, 1, 1, 0])).data();
    expect(v[0]).toBeCloseTo(LN2, 6);
    expect(v[1]).toBeCloseTo(LN2, 6);
    expect(v[2]).toBeCloseTo(0, 6);
    expect(v[3]).toBeCloseTo(100, 4);
    expect(v[4]).toBeCloseTo(Math.log(1 + Math.exp(2)), 5);
  });

  it("decodes YOLOX raw boxes as the yolox decoder does", async () => {
    // cell (1, 0), stride 8: centre ((0.5 + 1) * 8, (0.25 + 0) * 8) = (12, 2); w = e^0 * 8, h = e^ln2 * 8 = 16
    const raw = tf.tensor2d([[0.5, 0.25, 0, LN2]]);
    const b = await decodeBoxes(raw, tf.tensor2d([[1, 0]]), 8).data();
    expect(Array.from(b).map((x) => Number(x.toFixed(4)))).toEqual([8, -6, 16, 10]);
  });

  it("computes GIoU by hand", async () => {
    const a = tf.tensor2d([
      [0, 0, 8, 8],
      [0, 0, 8, 8],
      [0, 0, 2, 2],
    ]);
    const b = tf.tensor2d([
      [0, 0, 8, 8],
      [0, 0, 8, 16],
      [4, 0, 6, 2],
    ]);
    const g = await giou(a, b).data();
    expect(g[0]).toBeCloseTo(1, 5);
    expect(g[1]).toBeCloseTo(0.5, 5); // IoU 64/128, hull = union
    expect(g[2]).toBeCloseTo(0 - (12 - 8) / 12, 5); // disjoint: IoU 0, hull 6x2 = 12, union 8
  });

  it("matches a hand-computed total on a two-cell grid", async () => {
    // Grid 2x1, stride 8, one class. Cell 0 positive with target box (0,0,8,8) or (0,0,8,16); all logits 0.
    const pred = tf.tensor3d([[[0.5, 0.5, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0, 0]]]);
    const grid = tf.tensor2d([[0, 0], [1, 0]]);
    const target = (y2: number) => tf.tensor3d([[[1, 1, 0, 0, 8, y2, 1], [0, 1, 0, 0, 0, 0, 0]]]);
    const exact = detectionLoss(pred, target(8), grid, { stride: 8 });
    expect((await exact.obj.data())[0]).toBeCloseTo(2 * LN2, 5);
    expect((await exact.cls.data())[0]).toBeCloseTo(LN2, 5);
    expect((await exact.iou.data())[0]).toBeCloseTo(0, 5);
    expect((await exact.total.data())[0]).toBeCloseTo(3 * LN2, 5);
    const half = detectionLoss(pred, target(16), grid, { stride: 8 });
    expect((await half.iou.data())[0]).toBeCloseTo(0.5, 5);
    expect((await half.total.data())[0]).toBeCloseTo(3 * LN2 + 2.5, 5);
    // Objectness weight 0 on cell 1 removes its term.
    const unweighted = detectionLoss(pred, tf.tensor3d([[[1, 1, 0, 0, 8, 8, 1], [0, 0, 0, 0, 0, 0, 0]]]), grid, { stride: 8, iouWeight: 1 });
    expect((await unweighted.total.data())[0]).toBeCloseTo(2 * LN2, 5);
  });

  it("scales positive cells' terms by a cell weight and leaves background cells alone", async () => {
    const pred = tf.tensor3d([[[0.5, 0.5, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0, 0]]]);
    const grid = tf.tensor2d([[0, 0], [1, 0]]);
    const t = tf.tensor3d([[[1, 1, 0, 0, 8, 16, 1], [0, 1, 0, 0, 0, 0, 0]]]);
    const l = detectionLoss(pred, t, grid, { stride: 8 }, tf.tensor2d([[3, 7]]));
    expect((await l.obj.data())[0]).toBeCloseTo(3 * LN2 + LN2, 5); // positive x3, background x1 (its 7 ignored)
    expect((await l.cls.data())[0]).toBeCloseTo(3 * LN2, 5);
    expect((await l.iou.data())[0]).toBeCloseTo(1.5, 5);
  });

  it("has finite gradients for every prediction", async () => {
    const pred = tf.variable(tf.tensor3d([[[0.1, 0.9, -0.5, 0.3, -2, 1], [0.5, 0.5, 9, -9, 3, -3]]]));
    const t = tf.tensor3d([[[1, 1, 1, 1, 5, 7, 1], [0, 1, 0, 0, 0, 0, 0]]]);
    const g = tf.grad((p: tf.Tensor) => detectionLoss(p, t, tf.tensor2d([[0, 0], [1, 0]]), { stride: 8 }).total)(pred);
    expect(Array.from(await g.data()).every(Number.isFinite)).toBe(true);
  });
});
