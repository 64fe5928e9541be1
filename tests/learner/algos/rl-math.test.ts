import * as tf from "@tensorflow/tfjs";
import { computeGae, gaussianEntropy, gaussianLogProb, gaussianLogProbOne, ppoClippedLoss, valueLoss } from "../../../nodes/learner/algos/rl-math";
import { curvesCsv, curvesSvg, type CurveRow } from "../../../nodes/learner/algos/curves";
import { fromUnit, toUnit } from "../../../nodes/learner/algos/mlp";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("computeGae", () => {
  it("matches a hand computation with a done in the middle (1 env, γ 0.9, λ 0.8)", () => {
    const r = [1, 2, 3];
    const v = [0.5, 1, 1.5];
    const d = [0, 1, 0];
    // t=2: δ = 3 + 0.9·2·1 − 1.5 = 3.3; A2 = 3.3
    // t=1: done → δ = 2 − 1 = 1; A1 = 1
    // t=0: δ = 1 + 0.9·1 − 0.5 = 1.4; A0 = 1.4 + 0.9·0.8·1 = 2.12
    const { advantages, returns } = computeGae(r, v, d, [2], 3, 1, 0.9, 0.8);
    expect(Array.from(advantages)).toEqual([2.12, 1, 3.3].map(Math.fround));
    expect(Array.from(returns)).toEqual([2.62, 2, 4.8].map(Math.fround));
  });

  it("keeps robots independent (index t·N + i)", () => {
    const { advantages } = computeGae([1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 10], 2, 2, 1, 1);
    // robot 0: A1 = 1, A0 = 1 + 1 = 2; robot 1: A1 = 0 + 10 = 10, A0 = 10
    expect(Array.from(advantages)).toEqual([2, 10, 1, 10]);
  });
});

describe("PPO losses", () => {
  it("clipped surrogate against hand values", () => {
    // ratios e^0.5 = 1.6487 (A=+1 → clipped at 1.2), e^-0.5 = 0.6065 (A=−1 → clipped at 0.8: max(0.6065, 0.8) = 0.8), 1 (A=2)
    const loss = ppoClippedLoss(tf.tensor1d([0.5, -0.5, 0]), tf.tensor1d([0, 0, 0]), tf.tensor1d([1, -1, 2]), 0.2);
    expect(loss.dataSync()[0]).toBeCloseTo((-1.2 + 0.8 - 2) / 3, 5);
    // A>0 and ratio below 1−ε: unclipped −A·r is larger → taken
    const l2 = ppoClippedLoss(tf.tensor1d([Math.log(0.5)]), tf.tensor1d([0]), tf.tensor1d([1]), 0.2);
    expect(l2.dataSync()[0]).toBeCloseTo(-0.5, 5);
  });

  it("value loss, plain and clipped", () => {
    expect(valueLoss(tf.tensor1d([1, 3]), tf.tensor1d([0, 0])).dataSync()[0]).toBeCloseTo(0.5 * (1 + 9) / 2, 6);
    // V=3, V_old=1, ε=0.5 → clipped V = 1.5; R=0: max(9, 2.25) = 9; V=0.2, V_old=0, R=1: max(0.64, 0.64)
    expect(valueLoss(tf.tensor1d([3, 0.2]), tf.tensor1d([0, 1]), tf.tensor1d([1, 0]), 0.5).dataSync()[0]).toBeCloseTo(0.5 * (9 + 0.64) / 2, 5);
    // V=0.2, V_old=2, R=0, ε=0.5 → clipped V=1.5: max(0.04, 2.25)=2.25
    expect(valueLoss(tf.tensor1d([0.2]), tf.tensor1d([0]), tf.tensor1d([2]), 0.5).dataSync()[0]).toBeCloseTo(0.5 * 2.25, 5);
  });

  it("Gaussian log-prob and entropy", () => {
    const ls = [Math.log(0.5), 0];
    const lp = gaussianLogProb(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]]), tf.tensor1d(ls)).dataSync()[0]!;
    // dim0: z = 2 → −2 − log 0.5 − ½log2π; dim1: z = −1 → −0.5 − 0 − ½log2π
    const hand = -2 - Math.log(0.5) - 0.5 - Math.log(2 * Math.PI);
    expect(lp).toBeCloseTo(hand, 5);
    expect(gaussianLogProbOne([1, 0], [0, 1], ls)).toBeCloseTo(hand, 10);
    expect(gaussianEntropy(tf.tensor1d(ls)).dataSync()[0]).toBeCloseTo(Math.log(0.5) + Math.log(2 * Math.PI * Math.E), 5);
  });
});

describe("action mapping and curves", () => {
  it("toUnit inverts the manifest's tanh_scaled squash", () => {
    const b = { vMax: 0.22, wMax: 2.84 };
    expect(toUnit(0, 0, b)).toEqual([-1, 0]);
    const [v, w] = fromUnit(...toUnit(0.11, -1.42, b), b);
    expect(v).toBeCloseTo(0.11, 12);
    expect(w).toBeCloseTo(-1.42, 12);
  });

  it("writes CSV and an SVG with one panel per series", () => {
    const rows: CurveRow[] = [{ step: 1, loss: 2 }, { step: 2, loss: 1, success_rate: 0.5 }];
    expect(curvesCsv(rows)).toBe("step,loss,success_rate\n1,2,\n2,1,0.5\n");
    const svg = curvesSvg(rows, "step", "t");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
  });
});
