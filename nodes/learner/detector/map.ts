/**
 * Mean average precision at an IoU threshold (default 0.5), PASCAL VOC style.
 *
 * Per class: every detection of that class over all images, best score first; a detection is a
 * true positive when its best-IoU ground-truth box of the same class (IoU >= threshold) is not yet
 * matched, else a false positive. Ground-truth boxes marked `hard` are not required: a detection
 * whose best match is a hard box is neither a TP nor an FP (VOC's "difficult"), and hard boxes do
 * not count in the recall denominator. AP is the area under the precision-recall curve with
 * precision made monotone (all-point interpolation, VOC 2010+). mAP is the mean over classes
 * that have at least one counted ground-truth box.
 */

export interface EvalBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId: number;
}
export interface EvalGt extends EvalBox {
  hard?: boolean;
}
export interface EvalDet extends EvalBox {
  score: number;
}

export interface ImageEval {
  gts: readonly EvalGt[];
  dets: readonly EvalDet[];
}

export interface ClassAp {
  classId: number;
  ap: number;
  /** Counted (non-hard) ground-truth boxes. */
  numGt: number;
  numDet: number;
  truePositives: number;
  falsePositives: number;
}

export interface MapResult {
  map: number;
  iouThreshold: number;
  perClass: ClassAp[];
}

export function boxIou(a: EvalBox, b: EvalBox): number {
  const iw = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const ih = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** All-point interpolated AP from recall/precision points in detection order. */
export function averagePrecision(recall: readonly number[], precision: readonly number[]): number {
  const r = [0, ...recall, 1];
  const p = [0, ...precision, 0];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i]!, p[i + 1]!);
  let ap = 0;
  for (let i = 1; i < r.length; i++) if (r[i] !== r[i - 1]) ap += (r[i]! - r[i - 1]!) * p[i]!;
  return ap;
}

export function meanAveragePrecision(images: readonly ImageEval[], numClasses: number, iouThreshold = 0.5): MapResult {
  const perClass: ClassAp[] = [];
  for (let c = 0; c < numClasses; c++) {
    let numGt = 0;
    const dets: Array<{ image: number; det: EvalDet }> = [];
    images.forEach((im, i) => {
      for (const g of im.gts) if (g.classId === c && !g.hard) numGt++;
      for (const d of im.dets) if (d.classId === c) dets.push({ image: i, det: d });
    });
    dets.sort((a, b) => b.det.score - a.det.score);
    const matched = images.map((im) => new Uint8Array(im.gts.length));
    const recall: number[] = [];
    const precision: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const { image, det } of dets) {
      const gts = images[image]!.gts;
      // The unmatched counted box of this class it overlaps most (IoU >= threshold) makes it a TP.
      let best = -1;
      let bestIou = iouThreshold;
      for (let k = 0; k < gts.length; k++) {
        const g = gts[k]!;
        if (g.classId !== c || g.hard || matched[image]![k]) continue;
        const v = boxIou(det, g);
        if (v >= bestIou) {
          best = k;
          bestIou = v;
        }
      }
      if (best >= 0) {
        matched[image]![best] = 1;
        tp++;
      } else {
        // Nothing to claim: a false positive, unless it lies on a hard box (ignored, VOC "difficult").
        if (gts.some((g) => g.classId === c && g.hard && boxIou(det, g) >= iouThreshold)) continue;
        fp++;
      }
      recall.push(numGt > 0 ? tp / numGt : 0);
      precision.push(tp / (tp + fp));
    }
    const ap = numGt > 0 ? averagePrecision(recall, precision) : NaN;
    perClass.push({ classId: c, ap, numGt, numDet: dets.length, truePositives: tp, falsePositives: fp });
  }
  const counted = perClass.filter((p) => p.numGt > 0);
  const map = counted.length > 0 ? counted.reduce((a, p) => a + p.ap, 0) / counted.length : NaN;
  return { map, iouThreshold, perClass };
}
