/**
 * A worker for tests/ros/worker-thread.test.ts: runs the shipped sim detector through
 * onnxruntime-node in an endless session.run loop (the state in which Worker.terminate() aborts
 * the process), and stops the way Kestrel's workers do: exitOnStopRequest.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { exitOnStopRequest } from "../../../ros/worker-thread";

const port = parentPort!;
exitOnStopRequest(port);
void (async () => {
  const model = readFileSync(join(__dirname, "..", "..", "..", "models", "kestrel_sim_detector.onnx"));
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const input = new ort.Tensor("float32", new Float32Array(192 * 256 * 3).fill(0.5), [1, 192, 256, 3]);
  let runs = 0;
  for (;;) {
    await session.run({ [session.inputNames[0]!]: input });
    if (++runs === 3) port.postMessage("running");
  }
})();
