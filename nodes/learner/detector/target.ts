/**
 * Target assignment for the single-stride anchor-free head (YOLOX-style centre sampling).
 *
 * Cell (gx, gy) has its centre at ((gx + 0.5) s, (gy + 0.5) s) in input pixels. A box's positive
 * cells are those whose centre lies inside the box and within `radius` strides (or `boxFraction` of
 * the box's side, whichever is larger) of the box centre (both axes), plus always the cell containing the box centre (so tiny boxes get one). A cell
 * claimed by several boxes goes to the smallest box. Hard boxes get no positives; cells whose centre
 * lies inside a hard box (and are not positive) get objectness weight 0: neither object nor
 * background is taught there.
 *
 * Per cell the target row is TARGET_FIELDS + C floats:
 *   [positive (0/1), objectness weight (0/1), x1, y1, x2, y2 (input pixels), one-hot class (C)].
 */
import type { LabelBox } from "./dataset";

export const TARGET_FIELDS = 6;

export interface TargetGrid {
  gridWidth: number;
  gridHeight: number;
  stride: number;
  numClasses: number;
  /** Centre-sampling radius in strides (default 1.5). */
  radius?: number;
  /**
   * Also count cells within this fraction of the box's width / height of its centre (default 0:
   * radius only). With a small receptive field, a big box's off-centre cells see only its inside,
   * which the radius-only rule teaches as background while the centre cells see the same texture
   * as object; a fraction of the box makes the inner part of big boxes consistently positive.
   */
  boxFraction?: number;
}

export function targetWidth(numClasses: number): number {
  return TARGET_FIELDS + numClasses;
}

/** Writes the targets of one image into `out` (cells x (6 + C), row-major cells) and returns it. */
export function assignTargets(boxes: readonly LabelBox[], grid: TargetGrid, out?: Float32Array): Float32Array {
  const { gridWidth: gw, gridHeight: gh, stride: s, numClasses: C } = grid;
  const radius = (grid.radius ?? 1.5) * s;
  const fraction = grid.boxFraction ?? 0;
  const row = TARGET_FIELDS + C;
  const n = gw * gh;
  const t = out ?? new Float32Array(n * row);
  t.fill(0);
  const owner = new Int32Array(n).fill(-1);
  const ownerArea = new Float64Array(n).fill(Infinity);
  for (let c = 0; c < n; c++) t[c * row + 1] = 1;
  // Hard boxes: no objectness teaching inside them.
  for (const b of boxes) {
    if (!b.hard) continue;
    for (let gy = 0; gy < gh; gy++) {
      const cy = (gy + 0.5) * s;
      if (cy < b.y1 || cy > b.y2) continue;
      for (let gx = 0; gx < gw; gx++) {
        const cx = (gx + 0.5) * s;
        if (cx >= b.x1 && cx <= b.x2) t[(gy * gw + gx) * row + 1] = 0;
      }
    }
    const c = centreCell(b, gw, gh, s);
    t[c * row + 1] = 0;
  }
  boxes.forEach((b, k) => {
    if (b.hard) return;
    const area = (b.x2 - b.x1) * (b.y2 - b.y1);
    const bx = (b.x1 + b.x2) / 2;
    const by = (b.y1 + b.y2) / 2;
    const rx = Math.max(radius, fraction * (b.x2 - b.x1));
    const ry = Math.max(radius, fraction * (b.y2 - b.y1));
    const claim = (c: number): void => {
      if (area < ownerArea[c]!) {
        ownerArea[c] = area;
        owner[c] = k;
      }
    };
    for (let gy = 0; gy < gh; gy++) {
      const cy = (gy + 0.5) * s;
      if (cy < b.y1 || cy > b.y2 || Math.abs(cy - by) > ry) continue;
      for (let gx = 0; gx < gw; gx++) {
        const cx = (gx + 0.5) * s;
        if (cx >= b.x1 && cx <= b.x2 && Math.abs(cx - bx) <= rx) claim(gy * gw + gx);
      }
    }
    claim(centreCell(b, gw, gh, s));
  });
  for (let c = 0; c < n; c++) {
    const k = owner[c]!;
    if (k < 0) continue;
    const b = boxes[k]!;
    const o = c * row;
    t[o] = 1;
    t[o + 1] = 1;
    t[o + 2] = b.x1;
    t[o + 3] = b.y1;
    t[o + 4] = b.x2;
    t[o + 5] = b.y2;
    t[o + TARGET_FIELDS + b.classId] = 1;
  }
  return t;
}

function centreCell(b: LabelBox, gw: number, gh: number, s: number): number {
  const gx = Math.min(gw - 1, Math.max(0, Math.floor((b.x1 + b.x2) / 2 / s)));
  const gy = Math.min(gh - 1, Math.max(0, Math.floor((b.y1 + b.y2) / 2 / s)));
  return gy * gw + gx;
}

/** Cell centres' grid indices [N, 2] (gx, gy), row-major — what the loss adds to the x/y offsets. */
export function gridOffsets(gridWidth: number, gridHeight: number): Float32Array {
  const g = new Float32Array(gridWidth * gridHeight * 2);
  for (let gy = 0; gy < gridHeight; gy++) {
    for (let gx = 0; gx < gridWidth; gx++) {
      const i = gy * gridWidth + gx;
      g[i * 2] = gx;
      g[i * 2 + 1] = gy;
    }
  }
  return g;
}

/**
 * Per-cell loss weights that balance objects rather than cells: a big box owns up to ~9 positive
 * cells, a bottle usually one, so with plain per-cell weighting small objects get a ninth of the
 * say of big ones. Each positive cell gets n^-gamma (n: positive cells of its box, found by its
 * target corners; gamma 0 = per cell, 1 = per object), rescaled so an image's positive weights
 * still sum to its number of positives (the loss scale is unchanged). Other cells get 1.
 */
export function objectBalanceWeights(t: Float32Array, numCells: number, numClasses: number, gamma: number, out?: Float32Array): Float32Array {
  const row = TARGET_FIELDS + numClasses;
  const w = out ?? new Float32Array(numCells);
  w.fill(1);
  if (gamma === 0) return w;
  const key = (c: number): string => `${t[c * row + 2]},${t[c * row + 3]},${t[c * row + 4]},${t[c * row + 5]}`;
  const counts = new Map<string, number>();
  for (let c = 0; c < numCells; c++) if (t[c * row] === 1) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
  let sum = 0;
  let positives = 0;
  for (let c = 0; c < numCells; c++) {
    if (t[c * row] !== 1) continue;
    w[c] = Math.pow(counts.get(key(c))!, -gamma);
    sum += w[c]!;
    positives++;
  }
  for (let c = 0; c < numCells; c++) if (t[c * row] === 1) w[c] = (w[c]! * positives) / sum;
  return w;
}
