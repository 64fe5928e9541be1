/**
 * Stopping worker threads: asked to stop, a worker in the middle of an onnxruntime-node
 * session.run loop exits by itself and the process lives on (terminating it there aborts the
 * process: exit 134, "terminate called after throwing an instance of 'Napi::Error'"); a worker
 * that ignores the request is terminated after the grace period; an ended one is left alone.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { isStopRequest, STOP_REQUEST, stopWorker, tsWorkerBootstrap } from "../../ros/worker-thread";

jest.setTimeout(60_000);

const exitCode = (w: Worker): Promise<number> => new Promise((resolve) => w.once("exit", resolve));

describe(stopWorker, () => {
  it("stops a worker inside an ONNX Runtime session.run loop without taking the process down", async () => {
    for (let i = 0; i < 5; i++) {
      const worker = new Worker(tsWorkerBootstrap(join(__dirname, "..", "support", "workers", "ort-loop.ts")), { eval: true });
      const code = exitCode(worker);
      await new Promise((resolve) => worker.once("message", resolve)); // three runs done: the loop is going
      await new Promise((resolve) => setTimeout(resolve, 5 + 7 * i)); // stop at a different point of a run each time
      const t0 = performance.now();
      await stopWorker(worker, { graceMs: 20_000 });
      expect(await code).toBe(0); // exited by itself (a terminated worker exits with code 1)
      expect(performance.now() - t0).toBeLessThan(20_000);
    }
    // Still here: the process was not aborted.
  });

  it("terminates a worker that ignores the request once the grace period is over", async () => {
    const worker = new Worker("setInterval(() => {}, 1000)", { eval: true });
    await new Promise((resolve) => worker.once("online", resolve));
    const code = exitCode(worker);
    const t0 = performance.now();
    await stopWorker(worker, { graceMs: 200 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(await code).toBe(1);
  });

  it("returns at once for a worker that has already ended", async () => {
    const worker = new Worker("", { eval: true });
    await exitCode(worker);
    await new Promise((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    await stopWorker(worker, { graceMs: 5_000 });
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

describe(isStopRequest, () => {
  it.each<[string, unknown, boolean]>([
    ["the request itself", STOP_REQUEST, true],
    ["a copy of it (as it arrives through postMessage)", { type: "stop" }, true],
    ["another request", { type: "channel", buffer: null }, false],
    ["a string", "stop", false],
    ["null", null, false],
  ])("%s", (_name, message, want) => {
    expect(isStopRequest(message)).toBe(want);
  });
});
