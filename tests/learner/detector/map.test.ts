import { averagePrecision, boxIou, meanAveragePrecision, type ImageEval } from "../../../nodes/learner/detector/map";

const box = (x1: number, y1: number, x2: number, y2: number, classId = 0) => ({ x1, y1, x2, y2, classId });

describe("mAP@0.5", () => {
  it("computes IoU and all-point interpolated AP", () => {
    expect(boxIou(box(0, 0, 10, 10), box(0, 0, 10, 9))).toBeCloseTo(0.9, 10);
    expect(boxIou(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
    expect(averagePrecision([0.5, 0.5, 1, 1], [1, 0.5, 2 / 3, 0.5])).toBeCloseTo(0.5 + 0.5 * (2 / 3), 10);
    expect(averagePrecision([], [])).toBe(0);
  });

  it("matches a hand-computed example (duplicates, misses, hard boxes, classes without ground truth)", () => {
    const images: ImageEval[] = [
      {
        gts: [box(0, 0, 10, 10), box(30, 30, 40, 40, 1)],
        dets: [
          { ...box(0, 0, 10, 10), score: 0.9 }, // TP
          { ...box(0, 0, 10, 10), score: 0.6 }, // duplicate: FP
          { ...box(0, 0, 5, 5, 2), score: 0.8 }, // class 2 has no ground truth: not averaged
        ],
      },
      {
        gts: [box(0, 0, 10, 10), { ...box(20, 20, 24, 24), hard: true }],
        dets: [
          { ...box(50, 50, 60, 60), score: 0.8 }, // FP
          { ...box(0, 0, 10, 9), score: 0.7 }, // TP (IoU 0.9)
          { ...box(20, 20, 24, 24), score: 0.5 }, // on a hard box: ignored
          { ...box(30, 30, 40, 40), score: 0.4 }, // wrong class for that box: FP for class 0
        ],
      },
    ];
    // Class 0, by score: TP (r .5 p 1), FP (r .5 p .5), TP (r 1 p 2/3), FP (r 1 p .5), [hard: skipped], FP (r 1 p .4)
    // AP = 0.5 * 1 + 0.5 * 2/3. Class 1: one box, no detections: AP 0.
    const r = meanAveragePrecision(images, 3);
    const ap0 = 0.5 + 0.5 * (2 / 3);
    expect(r.iouThreshold).toBe(0.5);
    expect(r.perClass[0]).toMatchObject({ numGt: 2, numDet: 6, truePositives: 2, falsePositives: 3 });
    expect(r.perClass[0]!.ap).toBeCloseTo(ap0, 10);
    expect(r.perClass[1]).toMatchObject({ ap: 0, numGt: 1, numDet: 0 });
    expect(r.perClass[2]!.ap).toBeNaN();
    expect(r.map).toBeCloseTo(ap0 / 2, 10);
  });

  it("is 1 for perfect detections and respects the IoU threshold", () => {
    const images: ImageEval[] = [{ gts: [box(0, 0, 10, 10)], dets: [{ ...box(0, 0, 10, 6), score: 0.9 }] }];
    expect(meanAveragePrecision(images, 1, 0.5).map).toBe(1); // IoU 0.6
    expect(meanAveragePrecision(images, 1, 0.7).map).toBe(0);
  });
});
