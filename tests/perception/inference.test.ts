/**
 * The node-side handle on the inference worker (InferenceWorker), with the shipped sim detector in
 * a real worker thread: frames answered through the frame channel's doorbells, a frame that fails
 * in the worker, a frame larger than the channel, and closing with a frame in flight.
 */
import { join } from "node:path";
import { InferenceWorker } from "../../nodes/perception/inference";
import { loadManifest, type ModelManifest } from "../../nodes/perception/manifest";
import { manifestThresholds } from "../../nodes/perception/detector";

const MANIFEST: ModelManifest = loadManifest(join(__dirname, "..", "..", "models", "kestrel_sim_detector.json"));
const THRESHOLDS = manifestThresholds(MANIFEST);

/** A grey rgb8 frame of the camera's size (nothing to detect: the answer is an empty list). */
const grey = (width = 320, height = 240) => ({ width, height, encoding: "rgb8", step: width * 3, data: new Uint8Array(width * height * 3).fill(128) });

let worker: InferenceWorker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});
const start = async (): Promise<InferenceWorker> => (worker = await InferenceWorker.start(MANIFEST, { providers: ["cpu"], intraOpThreads: 1, warmupRuns: 1 }));

describe(InferenceWorker, () => {
  it("answers frame after frame with detections and the worker's stage timings", async () => {
    const w = await start();
    expect(w.provider).toBe("cpu");
    for (let i = 0; i < 3; i++) {
      const result = await w.detect(grey(), THRESHOLDS);
      expect(Array.isArray(result.detections)).toBe(true);
      expect(result.timing.inferenceMs).toBeGreaterThan(0);
      expect(w.busy).toBe(false);
    }
  });

  it("refuses a second frame while one is in flight", async () => {
    const w = await start();
    const first = w.detect(grey(), THRESHOLDS);
    expect(w.busy).toBe(true);
    await expect(w.detect(grey(), THRESHOLDS)).rejects.toThrow(/a frame is already in flight/);
    await first;
  });

  it("rejects a frame that fails in the worker with the worker's error, and answers the next one", async () => {
    const w = await start();
    // A step shorter than a row gets past the channel (which checks sizes) and fails the worker's preprocessing.
    const bad = { ...grey(), step: 100 };
    await expect(w.detect(bad, THRESHOLDS)).rejects.toThrow(/step 100 is less than/);
    await expect(w.detect(grey(), THRESHOLDS)).resolves.toMatchObject({ detections: expect.any(Array) });
  });

  it("moves to a larger channel for a larger frame, and keeps answering", async () => {
    const w = await start();
    await w.detect(grey(32, 24), THRESHOLDS);
    await w.detect(grey(640, 480), THRESHOLDS);
    await w.detect(grey(32, 24), THRESHOLDS);
    await expect(w.detect(grey(), { ...THRESHOLDS, maxDetections: 500 })).resolves.toMatchObject({ detections: expect.any(Array) });
  });

  it("settles a frame in flight when closed, and refuses frames after", async () => {
    const w = await start();
    const inFlight = w.detect(grey(), THRESHOLDS).then(
      () => "answered",
      (error: Error) => error.message,
    );
    await w.close();
    expect(await inFlight).toMatch(/^(answered|inference worker closed)$/);
    await expect(w.detect(grey(), THRESHOLDS)).rejects.toThrow(/inference worker closed/);
  });
});
