/** The shared frame channel between the perception node and its worker: layout round trips, limits, the doorbells, and the wait for a frame rung before it is written. */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FrameChannel, MOVED } from "../../nodes/perception/frame-channel";
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

  describe("doorbells", () => {
    const timing = { preprocessMs: 0.5, inferenceMs: 1.5, decodeMs: 0.25 };
    const box = { x1: 1, y1: 2, x2: 3, y2: 4, score: 0.5, classId: 2 };

    it("nextRequest waits for the next rung id, and answers MOVED once the channel is replaced", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      const first = channel.nextRequest(0);
      channel.ring(1);
      await expect(first).resolves.toBe(1);
      const second = channel.nextRequest(1);
      channel.moved();
      await expect(second).resolves.toBe(MOVED);
    });

    it("awaitDone resolves with the result once done is rung for that frame, not for an earlier one", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      channel.writeRequest({ id: 2, image: frame, thresholds });
      let settled = false;
      const done = channel.awaitDone(2).finally(() => (settled = true));
      channel.finish(1, { detections: [], timing });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toBe(false);
      channel.finish(2, { detections: [box], timing });
      await expect(done).resolves.toEqual({ detections: [box], timing });
    });

    it("awaitDone rejects with the worker's error text, cut to 1 KiB on a character boundary", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      channel.fail(3, "preprocess: step 10 is less than width x channels 12");
      await expect(channel.awaitDone(3)).rejects.toThrow(/^preprocess: step 10 is less than width x channels 12$/);
      channel.fail(4, "é".repeat(600)); // 1200 bytes of two-byte characters
      await expect(channel.awaitDone(4)).rejects.toThrow(new RegExp(`^${"é".repeat(512)}$`));
    });

    it("a result after an error reads as a result", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      channel.writeRequest({ id: 5, image: frame, thresholds });
      channel.fail(4, "bad frame");
      channel.finish(5, { detections: [box], timing });
      await expect(channel.awaitDone(5)).resolves.toEqual({ detections: [box], timing });
    });

    it("across threads: frames are rung before they are written, answered or failed, and the worker's wait ends when the channel moves", async () => {
      const channel = FrameChannel.create({ imageBytes: 64, boxes: 3 });
      const answerer = new Worker(tsWorkerBootstrap(join(__dirname, "..", "support", "workers", "frame-answerer.ts")), { eval: true });
      const messages: unknown[] = [];
      const next = (): Promise<unknown> => new Promise((resolve) => answerer.once("message", resolve));
      const serving = next();
      answerer.postMessage({ buffer: channel.buffer });
      messages.push(await serving);
      const ask = (id: number, image: typeof frame): Promise<unknown> => {
        channel.ring(id);
        channel.writeRequest({ id, image, thresholds });
        return channel.awaitDone(id);
      };
      await expect(ask(1, frame)).resolves.toMatchObject({ detections: [{ x2: 4, y2: 2, classId: 1 }] });
      await expect(ask(2, { ...frame, width: 13, step: 39, height: 1, data: new Uint8Array(39) })).rejects.toThrow(/^frame 2: 13 pixels wide$/);
      await expect(ask(3, frame)).resolves.toMatchObject({ detections: [{ classId: 3 }] });
      const moved = next();
      channel.moved();
      messages.push(await moved);
      expect(messages).toEqual(["serving", "moved"]);
      await answerer.terminate();
    });
  });

  describe("awaitRequest (the frame's id is rung before its bytes are written)", () => {
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
