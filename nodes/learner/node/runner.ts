/**
 * Runs a training round in a worker_threads Worker so the node's event loop (its timers,
 * subscriptions and the rest of the container) never waits on TF.js, and turns every way a
 * worker can end into a TrainJobResult: its own result, an uncaught exception or an exit without
 * a result ("worker"), or running past the time limit ("timeout", the worker is terminated).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { tsWorkerBootstrap } from "../../perception/worker-entry";
import type { JobMessage, TrainJobRequest, TrainJobResult } from "./job";

/** Starts the thread that runs `request` (the default: worker.js, or worker.ts from sources). */
export type WorkerSpawner = (request: TrainJobRequest) => Worker;

export const spawnTrainingWorker: WorkerSpawner = (request) => {
  const options = { workerData: request };
  if (__filename.endsWith(".js")) {
    const compiled = join(__dirname, "worker.js");
    if (!existsSync(compiled)) throw new Error(`learner worker ${compiled} is missing (run npm run build)`);
    return new Worker(compiled, options);
  }
  return new Worker(tsWorkerBootstrap(join(__dirname, "worker.ts")), { ...options, eval: true });
};

export interface RunningJob {
  readonly request: TrainJobRequest;
  readonly result: Promise<TrainJobResult>;
  /** Stops the worker; the result resolves as a failure (stage worker). */
  cancel(reason: string): void;
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
    const result = new Promise<TrainJobResult>((resolve) => {
      settle = (r) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        resolve(r);
        // The result is in: the thread has nothing left to do.
        void worker?.terminate();
      };
    });
    const fail = (stage: "worker" | "timeout", message: string): void => settle({ ok: false, stage, message, seconds: seconds() });
    try {
      worker = spawn(request);
    } catch (error) {
      fail("worker", `could not start the training worker: ${(error as Error).message}`);
      return { request, result, cancel: () => {} };
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
    return { request, result, cancel: (reason) => fail("worker", `cancelled: ${reason}`) };
  };
}

function messageOf(error: unknown): string {
  const m = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof m === "string" ? m : String(error);
}
