/**
 * The detector loss (YOLOX-style, normalised by the number of positive cells):
 *   objectness BCE over every cell with weight (target: 1 at positives, 0 elsewhere; 0-weight cells
 *   inside hard boxes) + class BCE at positives + `iouWeight` x (1 - GIoU) of the decoded box at
 *   positives.
 * Predictions are the train model's raw rows [B, N, 5 + C]: x, y offsets and log w, log h (stride
 * units, YOLOX's encoding, decoded exactly as the yolox decoder does) then objectness and class
 * logits. Targets are assignTargets rows [B, N, 6 + C].
 */
import * as tf from "@tensorflow/tfjs";
import { TARGET_FIELDS } from "./target";

export interface LossParts {
  total: tf.Scalar;
  obj: tf.Scalar;
  cls: tf.Scalar;
  iou: tf.Scalar;
}

export interface LossOptions {
  stride: number;
  iouWeight?: number;
}

/** Elementwise binary cross-entropy of logits x against targets z (numerically stable). */
export function bceWithLogits(x: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/** Decoded boxes [.., 4] (x1, y1, x2, y2 input pixels) from raw rows' first four channels; `grid` is [N, 2]. */
export function decodeBoxes(raw: tf.Tensor, grid: tf.Tensor, stride: number): tf.Tensor {
  const r = raw.shape.length;
  const take = (start: number, size: number): tf.Tensor => tf.slice(raw, [...Array(r - 1).fill(0), start], [...raw.shape.slice(0, -1), size]);
  const centre = tf.mul(tf.add(take(0, 2), grid), stride);
  const half = tf.mul(tf.exp(tf.clipByValue(take(2, 2), -8, 6)), stride / 2);
  return tf.concat([tf.sub(centre, half), tf.add(centre, half)], -1);
}

/** Generalised IoU of box tensors [.., 4] (x1, y1, x2, y2), elementwise over the leading axes. */
export function giou(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const last = a.shape.length - 1;
  const [ax1, ay1, ax2, ay2] = tf.split(a, 4, last);
  const [bx1, by1, bx2, by2] = tf.split(b, 4, last);
  const iw = tf.relu(tf.sub(tf.minimum(ax2!, bx2!), tf.maximum(ax1!, bx1!)));
  const ih = tf.relu(tf.sub(tf.minimum(ay2!, by2!), tf.maximum(ay1!, by1!)));
  const inter = tf.mul(iw, ih);
  const areaA = tf.mul(tf.sub(ax2!, ax1!), tf.sub(ay2!, ay1!));
  const areaB = tf.mul(tf.sub(bx2!, bx1!), tf.sub(by2!, by1!));
  const union = tf.add(tf.sub(tf.add(areaA, areaB), inter), 1e-7);
  const iou = tf.div(inter, union);
  const cw = tf.sub(tf.maximum(ax2!, bx2!), tf.minimum(ax1!, bx1!));
  const ch = tf.sub(tf.maximum(ay2!, by2!), tf.minimum(ay1!, by1!));
  const hull = tf.add(tf.mul(cw, ch), 1e-7);
  return tf.squeeze(tf.sub(iou, tf.div(tf.sub(hull, union), hull)), [last]);
}

export function detectionLoss(pred: tf.Tensor, target: tf.Tensor, grid: tf.Tensor, opts: LossOptions, cellWeight?: tf.Tensor): LossParts {
  const iouWeight = opts.iouWeight ?? 5;
  const [B, N, P] = pred.shape as [number, number, number];
  const C = P - 5;
  const field = (t: tf.Tensor, start: number, size: number): tf.Tensor => tf.slice(t, [0, 0, start], [B, N, size]);
  const pos = tf.squeeze(field(target, 0, 1), [2]);
  // Positive cells weighted by cellWeight, background cells by 1.
  const posW = cellWeight ? tf.mul(pos, cellWeight) : pos;
  const objW = cellWeight ? tf.mul(tf.squeeze(field(target, 1, 1), [2]), tf.add(tf.sub(1, pos), posW)) : tf.squeeze(field(target, 1, 1), [2]);
  const numPos = tf.maximum(tf.sum(pos), 1);
  const objLogit = tf.squeeze(field(pred, 4, 1), [2]);
  const obj = tf.div(tf.sum(tf.mul(objW, bceWithLogits(objLogit, pos))), numPos) as tf.Scalar;
  const clsBce = tf.sum(bceWithLogits(field(pred, 5, C), field(target, TARGET_FIELDS, C)), 2);
  const cls = tf.div(tf.sum(tf.mul(posW, clsBce)), numPos) as tf.Scalar;
  const boxes = decodeBoxes(field(pred, 0, 4), grid, opts.stride);
  const g = giou(boxes, field(target, 2, 4));
  const iou = tf.div(tf.sum(tf.mul(posW, tf.sub(1, g))), numPos) as tf.Scalar;
  const total = tf.addN([obj, cls, tf.mul(iou, iouWeight)]) as tf.Scalar;
  return { total, obj, cls, iou };
}
