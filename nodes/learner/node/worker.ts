/**
 * The learner's worker thread: runs one training round (train-job.ts) off the node's event loop
 * and posts progress lines and the result back. One worker per round: TF.js and ONNX Runtime
 * memory goes with the thread, and a crash takes only the round down (runner.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { exitOnStopRequest } from "../../../ros/worker-thread";
import type { JobMessage, TrainJobRequest } from "./job";
import { runTrainingJob } from "./train-job";

const port = parentPort;
if (port) {
  exitOnStopRequest(port);
  const request = workerData as TrainJobRequest;
  const post = (m: JobMessage): void => port.postMessage(m);
  void runTrainingJob(request, (line) => post({ type: "progress", line })).then((result) => post({ type: "result", result }));
}
