/**
 * The Ultralytics-style families: YOLOv5 ([1,N,5+C]: cx,cy,w,h, objectness, class scores),
 * YOLOv8 / YOLO11 ([1,4+C,N]: cx,cy,w,h then class scores, channels first, no objectness) and
 * NMS-free end-to-end exports ([1,N,6]: box, score, class — YOLOv10, YOLO26, `nms=True`
 * exports). Scores are taken as the export gives them (already sigmoid in these graphs).
 */
import type { End2EndDecoderSpec, Yolov5DecoderSpec, Yolov8DecoderSpec } from "../manifest";
import { bestClass, checkOutput, outputOf, toCorners, type Box, type DecodeContext, type Decoder, type ShapeMap } from "./common";

export function yolov5Decoder(spec: Yolov5DecoderSpec, output: string): Decoder {
  const kind = "yolov5";
  const want = (ctx: DecodeContext) => [1, null, 5 + ctx.numClasses];
  return {
    kind,
    outputNames: [output],
    check: (shapes: ShapeMap, ctx) => checkOutput(kind, shapes, output, want(ctx), `[1,N,5+C]: box, objectness and ${ctx.numClasses} class scores`),
    decode(outputs, ctx): Box[] {
      const t = outputOf(kind, outputs, output, want(ctx));
      const d = t.data;
      const c = ctx.numClasses;
      const row = 5 + c;
      const n = t.dims[1]!;
      const sx = spec.normalized ? ctx.inputWidth : 1;
      const sy = spec.normalized ? ctx.inputHeight : 1;
      const boxes: Box[] = [];
      for (let i = 0; i < n; i++) {
        const o = i * row;
        const obj = d[o + 4]!;
        if (obj < ctx.scoreThreshold) continue; // score = obj * cls <= obj
        const [classId, cls] = bestClass(c, (k) => d[o + 5 + k]!);
        const score = obj * cls;
        if (score < ctx.scoreThreshold) continue;
        const [x1, y1, x2, y2] = toCorners(d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, "cxcywh", sx, sy);
        boxes.push({ x1, y1, x2, y2, score, classId });
      }
      return boxes;
    },
  };
}

export function yolov8Decoder(spec: Yolov8DecoderSpec, output: string): Decoder {
  const kind = "yolov8";
  const want = (ctx: DecodeContext) => [1, 4 + ctx.numClasses, null];
  return {
    kind,
    outputNames: [output],
    check: (shapes, ctx) => checkOutput(kind, shapes, output, want(ctx), `[1,4+C,N]: box and ${ctx.numClasses} class scores, channels first`),
    decode(outputs, ctx): Box[] {
      const t = outputOf(kind, outputs, output, want(ctx));
      const d = t.data;
      const c = ctx.numClasses;
      const n = t.dims[2]!;
      const sx = spec.normalized ? ctx.inputWidth : 1;
      const sy = spec.normalized ? ctx.inputHeight : 1;
      const boxes: Box[] = [];
      for (let i = 0; i < n; i++) {
        const [classId, score] = bestClass(c, (k) => d[(4 + k) * n + i]!);
        if (score < ctx.scoreThreshold) continue;
        const [x1, y1, x2, y2] = toCorners(d[i]!, d[n + i]!, d[2 * n + i]!, d[3 * n + i]!, "cxcywh", sx, sy);
        boxes.push({ x1, y1, x2, y2, score, classId });
      }
      return boxes;
    },
  };
}

export function end2endDecoder(spec: End2EndDecoderSpec, output: string): Decoder {
  const kind = "end2end";
  const want = [1, null, 6];
  const format = spec.box_format ?? "xyxy";
  return {
    kind,
    outputNames: [output],
    check: (shapes) => checkOutput(kind, shapes, output, want, "[1,N,6]: box, score, class id"),
    decode(outputs, ctx): Box[] {
      const t = outputOf(kind, outputs, output, want);
      const d = t.data;
      const n = t.dims[1]!;
      const sx = spec.normalized ? ctx.inputWidth : 1;
      const sy = spec.normalized ? ctx.inputHeight : 1;
      const boxes: Box[] = [];
      for (let i = 0; i < n; i++) {
        const o = i * 6;
        const score = d[o + 4]!;
        if (score < ctx.scoreThreshold) continue;
        const classId = Math.round(d[o + 5]!);
        if (classId < 0 || classId >= ctx.numClasses) continue;
        const [x1, y1, x2, y2] = toCorners(d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, format, sx, sy);
        boxes.push({ x1, y1, x2, y2, score, classId });
      }
      return boxes;
    },
  };
}
