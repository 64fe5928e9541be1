/**
 * The perception node on the embedded bus with the real yolox_nano model and its COCO sample
 * image: detections with sensible boxes, the debug image, diagnostics, bad images, CUDA-to-CPU
 * fallback, a model that will not load, and an event loop that keeps running during inference.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { sensor_msgs, vision_msgs } from "../../msgs/generated/types";
import type { NodeInstance } from "../../ros/definition";
import { decodeJpeg } from "../../nodes/perception/jpeg";
import type { diagnostic_msgs } from "../../msgs/generated/types";
import { perceptionNode, type PerceptionParams } from "../../nodes/perception/node";
import { localStack, type LocalStack } from "../support/local-stack";
import { sharedData } from "../support/shared-data";

const SAMPLE = decodeJpeg(readFileSync(sharedData("models", "yolox_nano", "000000000139.jpg")));

function imageMessage(over: Partial<sensor_msgs.msg.Image> = {}): sensor_msgs.msg.Image {
  return {
    header: { stamp: { sec: 12, nanosec: 345 }, frame_id: "camera_optical" },
    height: SAMPLE.height,
    width: SAMPLE.width,
    encoding: "rgb8",
    is_bigendian: 0,
    step: SAMPLE.width * 3,
    data: SAMPLE.data,
    ...over,
  };
}

interface Harness {
  stack: LocalStack;
  instance: NodeInstance & { state?: () => { processed: number; rejected: number; provider: string } };
  detections: vision_msgs.msg.Detection2DArray[];
  debug: sensor_msgs.msg.Image[];
  diagnostics: diagnostic_msgs.msg.DiagnosticArray[];
  publish(m: sensor_msgs.msg.Image): void;
  logs(level: string): string[];
}

const running: NodeInstance[] = [];
afterEach(async () => {
  for (const i of running.splice(0)) await i.stop?.();
});

async function start(rosArgs: string[] = []): Promise<Harness> {
  const stack = localStack();
  const camera = stack.node("camera");
  const pub = camera.createPublisher("sensor_msgs/msg/Image", "camera/image_raw");
  const node = stack.node("perception", rosArgs);
  const params = node.declareParameters<PerceptionParams>(perceptionNode.parameters);
  const h: Harness = { stack, instance: {}, detections: [], debug: [], diagnostics: [], publish: (m) => pub.publish(m), logs: () => [] };
  camera.subscribe("vision_msgs/msg/Detection2DArray", "detections").subscribe((m) => h.detections.push(m));
  camera.subscribe("sensor_msgs/msg/Image", "detections/image").subscribe((m) => h.debug.push(m));
  camera.subscribe("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics").subscribe((m) => h.diagnostics.push(m));
  h.instance = await perceptionNode.start(node, params);
  running.push(h.instance);
  h.logs = (level) => stack.logs.filter((l) => l.level === level && l.logger === "perception").map((l) => l.message);
  return h;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Rect = [number, number, number, number];
const rectOf = (d: vision_msgs.msg.Detection2D): Rect => {
  const { x, y } = d.bbox.center.position;
  return [x - d.bbox.size_x / 2, y - d.bbox.size_y / 2, x + d.bbox.size_x / 2, y + d.bbox.size_y / 2];
};
const iou = (a: Rect, b: Rect): number => {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
};

/** Boxes read off the 640x426 image by eye (x1, y1, x2, y2). */
const HAND_CHECKED: Record<string, Rect[]> = {
  tvmonitor: [[5, 166, 155, 262]],
  person: [[425, 157, 468, 297]],
  chair: [[290, 218, 354, 320], [362, 213, 443, 318], [405, 220, 443, 306]],
};

describe("perception node (yolox_nano, real image)", () => {
  it("finds the tv, the person and a chair; header copied; CUDA falls back to CPU and is logged; debug image and diagnostics", async () => {
    const h = await start(["-p", "publish_debug_image:=true", "-p", "diagnostics_period_s:=0.05"]);
    // providers default to [cuda, cpu]; without the CUDA provider library the session must end on cpu.
    const info = h.logs("INFO").join("\n");
    expect(info).toMatch(/model 'yolox_nano' \(416x416, 80 classes, decoder yolox\) loaded .*execution provider '(cuda|cpu)'/);
    if (/provider 'cpu'/.test(info)) {
      expect(info).toMatch(/fell back from cuda/);
      expect(h.logs("WARN").join("\n")).toMatch(/execution provider 'cuda' unavailable: .*/);
    }

    h.publish(imageMessage());
    await waitFor("detections", () => h.detections.length === 1 && h.debug.length === 1);
    const msg = h.detections[0]!;
    expect(msg.header).toEqual({ stamp: { sec: 12, nanosec: 345 }, frame_id: "camera_optical" });
    const found = msg.detections.map((d) => ({ cls: d.results[0]!.hypothesis.class_id, score: d.results[0]!.hypothesis.score, rect: rectOf(d) }));
    for (const [cls, truths] of Object.entries(HAND_CHECKED)) {
      const best = Math.max(...found.filter((f) => f.cls === cls).flatMap((f) => truths.map((t) => iou(f.rect, t))));
      expect({ cls, iou: best >= 0.5 }).toEqual({ cls, iou: true });
    }
    const tv = found.find((f) => f.cls === "tvmonitor")!;
    expect(tv.score).toBeGreaterThan(0.6);
    for (const f of found) {
      expect(f.rect[0]).toBeGreaterThanOrEqual(0);
      expect(f.rect[2]).toBeLessThanOrEqual(640);
      expect(f.rect[3]).toBeLessThanOrEqual(426);
    }
    expect(msg.detections[0]!.header.frame_id).toBe("camera_optical");

    const debug = h.debug[0]!;
    expect([debug.encoding, debug.width, debug.height, debug.step, debug.data.length]).toEqual(["rgb8", 640, 426, 1920, 640 * 426 * 3]);
    expect(debug.data).not.toEqual(SAMPLE.data);

    await waitFor("diagnostics with timings", () => h.diagnostics.some((d) => d.status[0]!.values.some((v) => v.key === "inference_ms")));
    const status = h.diagnostics.at(-1)!.status[0]!;
    expect(status.level).toBe(0);
    const keys = status.values.map((v) => v.key);
    for (const k of ["preprocess_ms", "inference_ms", "decode_ms", "publish_ms", "total_ms", "execution_provider"]) expect(keys).toContain(k);
    expect(h.instance.summary!()).toMatch(/yolox_nano on (cpu|cuda): 1 frames processed, 0 dropped, 0 rejected, 0 failed; preprocess .* ms/);
  });

  it("logs bad images (wrong encoding, short data) once each and keeps detecting; bgr8 and mono8 work", async () => {
    const h = await start(["-p", "warmup_runs:=0"]);
    h.publish(imageMessage({ encoding: "rgba8" }));
    h.publish(imageMessage({ encoding: "rgba8" }));
    h.publish(imageMessage({ data: SAMPLE.data.subarray(0, 1000) }));
    await h.stack.flush();
    const errors = h.logs("ERROR");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/camera\/image_raw: rejected an image: unsupported encoding 'rgba8' \(supported: rgb8, bgr8, mono8\)/);
    expect(errors[1]).toMatch(/data length 1000 does not match 640x426 rgb8/);

    const mono = new Uint8Array(SAMPLE.width * SAMPLE.height);
    for (let i = 0; i < mono.length; i++) mono[i] = (SAMPLE.data[i * 3]! + SAMPLE.data[i * 3 + 1]! + SAMPLE.data[i * 3 + 2]!) / 3;
    h.publish(imageMessage({ encoding: "mono8", step: SAMPLE.width, data: mono }));
    await waitFor("mono8 detections", () => h.detections.length === 1);

    // Three times the bytes of the mono8 frame: the frame channel to the worker grows for it.
    const bgr = new Uint8Array(SAMPLE.data.length);
    for (let i = 0; i < bgr.length; i += 3) [bgr[i], bgr[i + 1], bgr[i + 2]] = [SAMPLE.data[i + 2]!, SAMPLE.data[i + 1]!, SAMPLE.data[i]!];
    h.publish(imageMessage({ encoding: "bgr8", data: bgr }));
    await waitFor("bgr8 detections", () => h.detections.length === 2);
    expect(h.detections[1]!.detections.map((d) => d.results[0]!.hypothesis.class_id)).toContain("tvmonitor");
    expect(h.instance.state!().rejected).toBe(3);
  });

  it("never blocks the event loop: a timer keeps ticking during inference, and frames are dropped rather than queued", async () => {
    const h = await start(["-p", "warmup_runs:=0", "-p", "intra_op_threads:=1"]);
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 2);
    const t0 = performance.now();
    // 5 frames at once: the sensor-QoS subscription (depth 5) delivers all of them.
    for (let i = 0; i < 5; i++) h.publish(imageMessage({ header: { stamp: { sec: i, nanosec: 0 }, frame_id: "cam" } }));
    await waitFor("the newest frame", () => h.detections.some((d) => d.header.stamp.sec === 4));
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    // Only the first frame (taken at once) and the newest are processed; the 3 between were dropped.
    expect(h.detections.map((d) => d.header.stamp.sec)).toEqual([0, 4]);
    expect(h.instance.summary!()).toMatch(/2 frames processed, 3 dropped/);
    expect(ticks).toBeGreaterThan(elapsed / 2 / 4);
    expect(maxGap).toBeLessThan(60); // a synchronous run would freeze the loop for the whole inference
  });

  it("with a model that fails its checks, logs why and keeps running without detections", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-perception-"));
    const manifest = JSON.parse(readFileSync(join(__dirname, "../../models/yolox_nano.json"), "utf8"));
    manifest.file = sharedData("models", "yolox_nano", "yolox_nano.onnx");
    manifest.classes = { file: sharedData("models", "yolox_nano", "coco_classes.txt") };
    manifest.decoder = { kind: "yolov8" };
    writeFileSync(join(dir, "v8.json"), JSON.stringify(manifest));
    const h = await start(["-p", `model_manifest:=${join(dir, "v8.json")}`, "-p", "providers:=[cpu]"]);
    expect(h.logs("ERROR").join("\n")).toMatch(/cannot load the detection model .*decoder 'yolov8' expects output 'output' of shape \[1,84,\?\].*\[1,3549,85\]/);
    h.publish(imageMessage());
    await h.stack.flush();
    expect(h.detections).toHaveLength(0);
    expect(h.instance.summary!()).toMatch(/no model .*; 1 images ignored/);
  });
});
