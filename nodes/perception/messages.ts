/**
 * Message building for the perception node: vision_msgs/Detection2DArray from boxes, the
 * annotated rgb8 debug image, and diagnostic_msgs/DiagnosticArray from the frame timings.
 */
import { diagnostic_msgs, type sensor_msgs, type std_msgs, type vision_msgs } from "../../msgs/generated/types";
import type { Box } from "./decoders";
import { channelsOf, type ImageEncoding } from "./preprocess";
import { STAGES, type TimingWindow } from "./timing";

const zeroCovariance = (): Float64Array => new Float64Array(36);

/** A Detection2DArray for `boxes` (already in the image's pixels), header copied from the image. */
export function detectionArray(header: std_msgs.msg.Header, boxes: readonly Box[], classId: (index: number) => string): vision_msgs.msg.Detection2DArray {
  return {
    header: { stamp: { ...header.stamp }, frame_id: header.frame_id },
    detections: boxes.map((b) => {
      const w = b.x2 - b.x1;
      const h = b.y2 - b.y1;
      return {
        header: { stamp: { ...header.stamp }, frame_id: header.frame_id },
        results: [
          {
            hypothesis: { class_id: classId(b.classId), score: b.score },
            pose: {
              pose: { position: { x: b.x1 + w / 2, y: b.y1 + h / 2, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
              covariance: zeroCovariance(),
            },
          },
        ],
        bbox: { center: { position: { x: b.x1 + w / 2, y: b.y1 + h / 2 }, theta: 0 }, size_x: w, size_y: h },
        id: "",
      };
    }),
  };
}

/** A distinct colour per class (golden-angle hue walk), as rgb bytes. */
export function classColor(classId: number): [number, number, number] {
  const hue = (classId * 137.508) % 360;
  const f = (n: number): number => {
    const k = (n + hue / 60) % 6;
    return Math.round(255 * (1 - Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/** An rgb8 copy of the image with each box outlined (`thickness` px) in its class colour. */
export function annotatedImage(image: sensor_msgs.msg.Image, boxes: readonly Box[], thickness = 2): sensor_msgs.msg.Image {
  const { width, height } = image;
  const encoding = image.encoding as ImageEncoding;
  const ch = channelsOf(encoding);
  const step = image.step || width * ch;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * step + x * ch;
      const o = (y * width + x) * 3;
      if (ch === 1) out[o] = out[o + 1] = out[o + 2] = image.data[s]!;
      else if (encoding === "bgr8") {
        out[o] = image.data[s + 2]!;
        out[o + 1] = image.data[s + 1]!;
        out[o + 2] = image.data[s]!;
      } else {
        out[o] = image.data[s]!;
        out[o + 1] = image.data[s + 1]!;
        out[o + 2] = image.data[s + 2]!;
      }
    }
  }
  const fill = (x0: number, y0: number, x1: number, y1: number, c: readonly number[]): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) out.set(c, (y * width + x) * 3);
    }
  };
  for (const b of boxes) {
    const c = classColor(b.classId);
    const x0 = Math.round(b.x1);
    const y0 = Math.round(b.y1);
    const x1 = Math.round(b.x2);
    const y1 = Math.round(b.y2);
    fill(x0, y0, x1, y0 + thickness, c);
    fill(x0, y1 - thickness, x1, y1, c);
    fill(x0, y0, x0 + thickness, y1, c);
    fill(x1 - thickness, y0, x1, y1, c);
  }
  return { header: image.header, height, width, encoding: "rgb8", is_bigendian: 0, step: width * 3, data: out };
}

export interface PerceptionState {
  model: string;
  provider: string;
  framesIn: number;
  processed: number;
  dropped: number;
  rejected: number;
  failed: number;
  lastError: string;
  detections: number;
  /** Load failure, when the node runs without a model. */
  loadError: string;
}

/** The node's DiagnosticStatus: level from the state, per-stage timings (last and p50/p99 over the window). */
export function diagnosticArray(nodeName: string, stamp: std_msgs.msg.Header["stamp"], s: PerceptionState, timing: TimingWindow): diagnostic_msgs.msg.DiagnosticArray {
  const values: diagnostic_msgs.msg.KeyValue[] = [
    { key: "model", value: s.model },
    { key: "execution_provider", value: s.provider },
    { key: "frames_in", value: String(s.framesIn) },
    { key: "frames_processed", value: String(s.processed) },
    { key: "frames_dropped", value: String(s.dropped) },
    { key: "frames_rejected", value: String(s.rejected) },
    { key: "frames_failed", value: String(s.failed) },
    { key: "last_detections", value: String(s.detections) },
  ];
  for (const stage of STAGES) {
    const t = timing.summary(stage);
    if (!t) continue;
    values.push({ key: `${stage}_ms`, value: t.last.toFixed(3) });
    values.push({ key: `${stage}_ms_p50`, value: t.p50.toFixed(3) });
    values.push({ key: `${stage}_ms_p99`, value: t.p99.toFixed(3) });
  }
  let level: number = diagnostic_msgs.msg.DiagnosticStatus.OK;
  let message = timing.count > 0 ? timing.describe() : "waiting for images";
  if (s.loadError) {
    level = diagnostic_msgs.msg.DiagnosticStatus.ERROR;
    message = `no model: ${s.loadError}`;
  } else if (s.lastError) {
    level = diagnostic_msgs.msg.DiagnosticStatus.WARN;
    message = s.lastError;
  }
  return {
    header: { stamp, frame_id: "" },
    status: [{ level, name: `${nodeName}: object detection`, message, hardware_id: s.provider, values }],
  };
}
