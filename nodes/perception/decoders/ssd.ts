/**
 * SSD-style exports: class scores [1,N,C(+1 background)] and boxes [1,N,4] already decoded
 * against the priors (SSD/SSDLite, RetinaNet and EfficientDet exports with box decoding in the
 * graph). Box format and normalisation, the background column and the score activation are
 * manifest options (TF Object Detection exports: yxyx, normalized; torchvision: xyxy, pixels).
 */
import type { SsdDecoderSpec } from "../manifest";
import { checkOutput, outputOf, sigmoid, toCorners, type Box, type DecodeContext, type Decoder } from "./common";

export function ssdDecoder(spec: SsdDecoderSpec): Decoder {
  const kind = "ssd";
  const background = spec.background_class ?? -1;
  const columns = (ctx: DecodeContext): number => ctx.numClasses + (background >= 0 ? 1 : 0);
  const format = spec.box_format ?? "xyxy";
  const activation = spec.score_activation ?? "none";
  return {
    kind,
    outputNames: [spec.scores_output, spec.boxes_output],
    check(shapes, ctx) {
      const bg = background >= 0 ? ` plus background column ${background}` : "";
      const scores = shapes[spec.scores_output];
      const problem =
        checkOutput(kind, shapes, spec.scores_output, [1, null, columns(ctx)], `[1,N,C]: ${ctx.numClasses} class scores${bg}`) ??
        checkOutput(kind, shapes, spec.boxes_output, [1, null, 4], "[1,N,4]: prior-decoded boxes");
      if (problem) return problem;
      const boxes = shapes[spec.boxes_output]!;
      if (typeof scores![1] === "number" && typeof boxes[1] === "number" && scores![1] >= 0 && boxes[1] >= 0 && scores![1] !== boxes[1]) {
        return `decoder 'ssd': scores '${spec.scores_output}' has ${scores![1]} rows but boxes '${spec.boxes_output}' has ${boxes[1]}`;
      }
      return undefined;
    },
    decode(outputs, ctx): Box[] {
      const cols = columns(ctx);
      const scores = outputOf(kind, outputs, spec.scores_output, [1, null, cols]);
      const boxesT = outputOf(kind, outputs, spec.boxes_output, [1, scores.dims[1]!, 4]);
      const s = scores.data;
      const b = boxesT.data;
      const n = scores.dims[1]!;
      const sx = spec.normalized ? ctx.inputWidth : 1;
      const sy = spec.normalized ? ctx.inputHeight : 1;
      const out: Box[] = [];
      for (let i = 0; i < n; i++) {
        const o = i * cols;
        let denom = 1;
        let max = -Infinity;
        if (activation === "softmax") {
          for (let k = 0; k < cols; k++) max = Math.max(max, s[o + k]!);
          denom = 0;
          for (let k = 0; k < cols; k++) denom += Math.exp(s[o + k]! - max);
        }
        let best = -1;
        let score = -Infinity;
        for (let k = 0; k < cols; k++) {
          if (k === background) continue;
          const raw = s[o + k]!;
          const v = activation === "sigmoid" ? sigmoid(raw) : activation === "softmax" ? Math.exp(raw - max) / denom : raw;
          if (v > score) {
            score = v;
            best = k;
          }
        }
        if (best < 0 || score < ctx.scoreThreshold) continue;
        const classId = background >= 0 && best > background ? best - 1 : best;
        const [x1, y1, x2, y2] = toCorners(b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!, format, sx, sy);
        out.push({ x1, y1, x2, y2, score, classId });
      }
      return out;
    },
  };
}
