/**
 * Runs a training round in a worker_threads Worker so the node's event loop (its timers,
 * subscriptions and the rest of the container) never waits on TF.js, and turns every way a
 * worker can end into a TrainJobResult: its own result, an uncaught exception or an exit without
 * a result ("worker"), or running past the time limit ("timeout", the worker is terminated).
 */
import type { Worker } from "node:worker_threads";
import { startWorker, stopWorker } from "../../../ros/worker-thread";
import type { JobMessage, TrainJobRequest, TrainJobResult } from "./job";

/** Starts the thread that runs `request` (the default: worker.js, or worker.ts from sources). */
export type WorkerSpawner = (request: TrainJobRequest) => Worker;

export const spawnTrainingWorker: WorkerSpawner = (request) => startWorker(__dirname, "worker", "learner worker", { workerData: request });

export interface RunningJob {
  readonly request: TrainJobRequest;
  readonly result: Promise<TrainJobResult>;
  /** Stops the round: the result resolves as a failure (stage worker); resolves once its thread has ended. */
  cancel(reason: string): Promise<void>;
}

/** A function that runs rounds: the real one below, or a test's. */
export type JobRunner = (request: TrainJobRequest, progress: (line: string) => void) => RunningJob;

export interface WorkerRunnerOptions {
  /** Wall-clock limit of a round (s); 0 = none. */
  timeoutS: number;
  spawn?: WorkerSpawner;
}

export function workerJobRunner(options: WorkerRunnerOptions): JobRunner {
  const spawn = options.spawn ?? spawnTrainingWorker;
  return (request, progress) => {
    const t0 = performance.now();
    const seconds = (): number => (performance.now() - t0) / 1000;
    let settle: (r: TrainJobResult) => void = () => {};
    let done = false;
    let worker: Worker | undefined;
    let timer: NodeJS.Timeout | undefined;
    let ended: Promise<void> = Promise.resolve();
    const result = new Promise<TrainJobResult>((resolve) => {
      settle = (r) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        resolve(r);
        // The result is in (or the round is given up): the thread stops, asked rather than
        // terminated — terminating it inside ONNX Runtime aborts the process (ros/worker-thread.ts).
        if (worker) ended = stopWorker(worker);
      };
    });
    const fail = (stage: "worker" | "timeout", message: string): void => settle({ ok: false, stage, message, seconds: seconds() });
    try {
      worker = spawn(request);
    } catch (error) {
      fail("worker", `could not start the training worker: ${(error as Error).message}`);
      return { request, result, cancel: async () => {} };
    }
    worker.on("message", (m: JobMessage) => {
      if (m?.type === "progress") progress(m.line);
      else if (m?.type === "result") settle(m.result);
    });
    // (An error thrown in the worker arrives from another realm: read its message, not its class.)
    worker.on("error", (error: unknown) => fail("worker", `the training worker crashed: ${messageOf(error)}`));
    worker.on("exit", (code) => fail("worker", `the training worker exited (code ${code}) without a result`));
    if (options.timeoutS > 0) {
      timer = setTimeout(() => fail("timeout", `the round took longer than ${options.timeoutS} s (job_timeout_s); worker stopped`), options.timeoutS * 1000);
      timer.unref();
    }
    const cancel = async (reason: string): Promise<void> => {
      fail("worker", `cancelled: ${reason}`);
      await ended;
    };
    return { request, result, cancel };
  };
}

function messageOf(error: unknown): string {
  const m = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof m === "string" ? m : String(error);
}
