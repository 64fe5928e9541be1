/** The shared frame channel between the perception node and its worker: layout round trips, limits, and the wait for a frame posted before it is written. */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FrameChannel } from "../../nodes/perception/frame-channel";
import { tsWorkerBootstrap } from "../../ros/worker-thread";

/** A 4x2 bgr8 frame with row padding: step 14 = 4 pixels x 3 bytes + 2 padding bytes. */
const frame = {
  width: 4,
  height: 2,
  encoding: "bgr8",
  step: 14,
  data: Uint8Array.from({ length: 28 }, (_, i) => (i * 37) & 255),
};
const thresholds = { scoreThreshold: 0.25, nmsThreshold: 0.45, maxDetections: 3 };

describe(FrameChannel, () => {
  it("carries a frame from one side to the other (a second view of the same buffer, as the worker opens it)", () => {
    const node = FrameChannel.create({ imageBytes: 64, boxes: 3 });
    node.writeRequest({ id: 7, image: frame, thresholds });
    const worker = new FrameChannel(node.buffer);
    const got = worker.readRequest();
    expect(got.id).toBe(7);
    expect({ ...got.image, data: Array.from(got.image.data) }).toEqual({ ...frame, data: Array.from(frame.data) });
    expect(got.thresholds).toEqual(thresholds);
  });

  it("carries the result back, boxes and stage timings", () => {
    const node = FrameChannel.create({ imageBytes: 64, boxes: 3 });
    node.writeRequest({ id: 1, image: frame, thresholds });
    const worker = new FrameChannel(node.buffer);
    const detections = [
      { x1: 1.5, y1: 2.5, x2: 10.25, y2: 20.75, score: 0.875, classId: 4 },
      { x1: 0, y1: 0, x2: 3, y2: 1, score: 0.5, classId: 0 },
    ];
    worker.writeResult({ detections, timing: { preprocessMs: 0.1, inferenceMs: 1.7, decodeMs: 0.02 } });
    expect(node.readResult()).toEqual({ detections, timing: { preprocessMs: 0.1, inferenceMs: 1.7, decodeMs: 0.02 } });
  });

  it("keeps at most the request's max detections", () => {
    const node = FrameChannel.create({ imageBytes: 64, boxes: 10 });
    node.writeRequest({ id: 1, image: frame, thresholds: { ...thresholds, maxDetections: 2 } });
    const box = (score: number) => ({ x1: 0, y1: 0, x2: 1, y2: 1, score, classId: 1 });
    new FrameChannel(node.buffer).writeResult({ detections: [box(0.9), box(0.8), box(0.7)], timing: { preprocessMs: 0, inferenceMs: 0, decodeMs: 0 } });
    expect(node.readResult().detections.map((b) => b.score)).toEqual([Math.fround(0.9), Math.fround(0.8)]);
  });

  it.each([
    ["an image larger than it holds", { imageBytes: 27, boxes: 3 }, thresholds, /a 28-byte image with up to 3 boxes does not fit \(holds 27 bytes, 3 boxes\)/],
    ["more boxes than it holds", { imageBytes: 64, boxes: 2 }, thresholds, /up to 3 boxes does not fit \(holds 64 bytes, 2 boxes\)/],
  ])("refuses %s, naming both sizes", (_name, size, t, message) => {
    const channel = FrameChannel.create(size);
    expect(channel.fits(frame.data.length, t.maxDetections)).toBe(false);
    expect(() => channel.writeRequest({ id: 1, image: frame, thresholds: t })).toThrow(message);
  });

  it("refuses an encoding it cannot carry", () => {
    const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
    expect(() => channel.writeRequest({ id: 1, image: { ...frame, encoding: "rgba8" }, thresholds })).toThrow(/unsupported encoding 'rgba8' \(supported: rgb8, bgr8, mono8\)/);
  });

  describe("awaitRequest (the frame's id is posted before its bytes are written)", () => {
    it("returns the frame at once when it is already written", () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      channel.writeRequest({ id: 4, image: frame, thresholds });
      expect(channel.awaitRequest(4, 10).id).toBe(4);
    });

    it("gives up after its timeout, naming the frame and the last one written", () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      channel.writeRequest({ id: 4, image: frame, thresholds });
      expect(() => channel.awaitRequest(5, 20)).toThrow(/frame 5 was not written within 20 ms \(the last written is 4\)/);
    });

    it("in another thread, waits until the writer has copied the frame in", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      const reader = new Worker(tsWorkerBootstrap(join(__dirname, "..", "support", "workers", "frame-reader.ts")), { eval: true });
      const replies: unknown[] = [];
      const got = new Promise<void>((resolve) => reader.on("message", (m) => replies.push(m) === 2 && resolve()));
      const waiting = new Promise<void>((resolve) => reader.once("message", () => resolve()));
      reader.postMessage({ buffer: channel.buffer, id: 9, timeoutMs: 30_000 });
      await waiting; // posted just before it blocks on the channel
      await new Promise((resolve) => setTimeout(resolve, 50));
      channel.writeRequest({ id: 9, image: frame, thresholds });
      await got;
      expect(replies).toEqual(["waiting", { id: 9, width: 4, bytes: Array.from(frame.data) }]);
      await reader.terminate();
    });
  });
});
