/**
 * Worker threads for nodes that run heavy native work off their event loop (the perception node's
 * ONNX Runtime session, the learner's training rounds): how one is started from compiled JavaScript
 * and from TypeScript sources, and how it is stopped without taking the process down.
 *
 * Starting:
 * - Compiled (dist/…/*.js, what `npm start`, the benches and ROS 2 run): the worker's .js file sits
 *   beside its owner's and starts from there.
 * - Sources (ts-jest runs the owner as .ts; a worker thread has no ts-jest): the worker starts from
 *   a few lines of eval'd JavaScript that register a `.ts` require hook transpiling each file with
 *   TypeScript's own `transpileModule` (typescript is a devDependency, present wherever .ts sources
 *   run; no type-checking, as ts-jest's isolatedModules), then require the worker's .ts file.
 *
 * Stopping: Worker.terminate() while the thread is inside an onnxruntime-node call aborts the
 * whole process — the binding's N-API calls fail on the terminating thread and throw a C++
 * Napi::Error nothing catches ("terminate called after throwing an instance of 'Napi::Error'",
 * exit 134; a session.run loop reproduces it on the first try). So the owner asks the worker to
 * stop with a message, which the worker handles by exiting from its own event loop, where no
 * native call is on its stack; terminate() is the last resort after a grace period.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker, type MessagePort, type WorkerOptions } from "node:worker_threads";

/** What the owner posts to ask a worker to stop. */
export const STOP_REQUEST = { type: "stop" } as const;
export type StopRequest = typeof STOP_REQUEST;

export function isStopRequest(message: unknown): message is StopRequest {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === STOP_REQUEST.type;
}

/** The source of the eval'd bootstrap that runs `tsFile` in a worker. Exported for tests. */
export function tsWorkerBootstrap(tsFile: string): string {
  return `
const fs = require("fs");
const ts = require(${JSON.stringify(require.resolve("typescript"))});
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true };
require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  module._compile(ts.transpileModule(source, { fileName: filename, compilerOptions: options }).outputText, filename);
};
require(${JSON.stringify(tsFile)});
`;
}

/**
 * Starts the worker `name` in `dir` (the owner's __dirname): `name`.js when running compiled,
 * `name`.ts through the bootstrap otherwise. `what` names it in the error when the build is missing.
 */
export function startWorker(dir: string, name: string, what: string, options: WorkerOptions = {}): Worker {
  if (__filename.endsWith(".js")) {
    const compiled = join(dir, `${name}.js`);
    if (!existsSync(compiled)) throw new Error(`${what} ${compiled} is missing (run npm run build)`);
    return new Worker(compiled, options);
  }
  return new Worker(tsWorkerBootstrap(join(dir, `${name}.ts`)), { ...options, eval: true });
}

/** Worker side: ends this thread when its owner posts STOP_REQUEST (handled between tasks, never inside a native call). */
export function exitOnStopRequest(port: MessagePort): void {
  port.on("message", (message: unknown) => {
    if (isStopRequest(message)) process.exit(0);
  });
}

export interface StopWorkerOptions {
  /** How long the worker has to exit by itself before it is terminated (ms). */
  graceMs?: number;
}

/**
 * Owner side: asks the worker to stop and resolves once it has ended — by itself, or terminated
 * after `graceMs` (default 10 s: longer than any single inference or training call should take).
 */
export async function stopWorker(worker: Worker, options: StopWorkerOptions = {}): Promise<void> {
  // threadId is -1 once the thread has ended (its 'exit' event will not come again).
  if (worker.threadId < 0) return;
  const exited = new Promise<boolean>((resolve) => worker.once("exit", () => resolve(true)));
  worker.postMessage(STOP_REQUEST);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.graceMs ?? 10_000)));
  const byItself = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (!byItself) await worker.terminate();
}
