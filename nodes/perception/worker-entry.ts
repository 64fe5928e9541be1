/**
 * How the inference worker is started, from compiled JavaScript and from TypeScript sources.
 *
 * - Compiled (dist/nodes/perception/*.js, what `npm start`, the bench and ROS 2 run): this file is
 *   a .js file and worker.js sits beside it; the worker starts from that file.
 * - Sources (ts-jest runs this file as .ts; a worker thread has no ts-jest): the worker starts
 *   from a few lines of eval'd JavaScript that register a `.ts` require hook transpiling each
 *   file with TypeScript's own `transpileModule` (typescript is a devDependency, present
 *   wherever .ts sources run; no type-checking, as ts-jest's isolatedModules), then require
 *   worker.ts. No ts-node, no build step before the tests.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";

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

/** Starts the inference worker (worker.js when compiled, worker.ts through the bootstrap otherwise). */
export function startInferenceWorker(options: WorkerOptions = {}): Worker {
  if (__filename.endsWith(".js")) {
    const compiled = join(__dirname, "worker.js");
    if (!existsSync(compiled)) throw new Error(`inference worker ${compiled} is missing (run npm run build)`);
    return new Worker(compiled, options);
  }
  const source = join(__dirname, "worker.ts");
  return new Worker(tsWorkerBootstrap(source), { ...options, eval: true });
}
