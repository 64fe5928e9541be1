/**
 * Class-aware non-maximum suppression: boxes of one class suppress each other above an IoU
 * threshold; boxes of different classes never do. Highest scores first, at most `maxDetections`.
 */
import type { Box } from "./decoders/common";

export function iou(a: Box, b: Box): number {
  const ix = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const iy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export function nms(candidates: readonly Box[], iouThreshold: number, maxDetections: number): Box[] {
  const sorted = candidates.filter((b) => Number.isFinite(b.score) && b.x2 > b.x1 && b.y2 > b.y1).sort((a, b) => b.score - a.score);
  const kept: Box[] = [];
  for (const box of sorted) {
    if (kept.length >= maxDetections) break;
    let suppressed = false;
    for (const k of kept) {
      if (k.classId === box.classId && iou(k, box) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(box);
  }
  return kept;
}
