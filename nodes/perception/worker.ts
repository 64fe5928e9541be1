/**
 * The inference worker thread's body: it owns the ONNX Runtime session and runs the whole
 * detection core (preprocess, run, decode, NMS, box mapping) off the node's event loop.
 * Images arrive as transferable ArrayBuffers and go back with the result so the node can reuse
 * them; results come back as one packed Float32Array (x1, y1, x2, y2, score, class per box).
 * Started by inference.ts (see worker-entry.ts for how it is found from dist/ and from sources).
 */
import { parentPort, type MessagePort } from "node:worker_threads";
import type { Thresholds, StageTiming } from "./detector";
import type { ModelManifest } from "./manifest";
import type { ProviderFailure } from "./session";

export interface InitRequest {
  type: "init";
  manifest: ModelManifest;
  providers: string[];
  intraOpThreads: number;
  warmupRuns: number;
}
export interface DetectRequest {
  type: "detect";
  id: number;
  width: number;
  height: number;
  encoding: string;
  step: number;
  /** Exactly the image bytes (transferred). */
  buffer: ArrayBuffer;
  thresholds: Thresholds;
}
export type WorkerRequest = InitRequest | DetectRequest;

export interface ReadyReply {
  type: "ready";
  provider: string;
  failures: ProviderFailure[];
  inputShapes: Record<string, ReadonlyArray<number | string>>;
  outputShapes: Record<string, ReadonlyArray<number | string>>;
  warmupMs: number[];
}
export interface InitErrorReply {
  type: "init_error";
  message: string;
}
export interface ResultReply {
  type: "result";
  id: number;
  /** 6 floats per detection: x1, y1, x2, y2, score, class id. */
  boxes: Float32Array;
  timing: StageTiming;
  buffer: ArrayBuffer;
}
export interface FrameErrorReply {
  type: "frame_error";
  id: number;
  message: string;
  buffer: ArrayBuffer;
}
export type WorkerReply = ReadyReply | InitErrorReply | ResultReply | FrameErrorReply;

/** Serves requests on a port (the worker's parentPort). Exported for in-thread use. */
export function serve(port: MessagePort): void {
  // Loaded lazily so that importing this file for its types never loads onnxruntime-node.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadDetector } = require("./session") as typeof import("./session");
  let detector: import("./detector").Detector | undefined;

  port.on("message", (request: WorkerRequest) => {
    if (request.type === "init") {
      void (async () => {
        try {
          const loaded = await loadDetector(request.manifest, { providers: request.providers, intraOpThreads: request.intraOpThreads });
          detector = loaded.detector;
          // Warm-up on a grey frame: first runs allocate and tune; they also decode real output
          // tensors, so a model whose dynamic output shapes do not fit fails here, at load.
          const { width, height } = request.manifest.input;
          const grey = { width, height, encoding: "mono8", step: width, data: new Uint8Array(width * height).fill(114) };
          const warmupMs: number[] = [];
          for (let i = 0; i < request.warmupRuns; i++) {
            const t = performance.now();
            await detector.detect(grey);
            warmupMs.push(performance.now() - t);
          }
          const reply: ReadyReply = {
            type: "ready",
            provider: loaded.provider,
            failures: loaded.failures,
            inputShapes: loaded.inputShapes,
            outputShapes: loaded.outputShapes,
            warmupMs,
          };
          port.postMessage(reply);
        } catch (error) {
          port.postMessage({ type: "init_error", message: (error as Error).message } satisfies InitErrorReply);
        }
      })();
      return;
    }
    const { id, buffer } = request;
    void (async () => {
      try {
        if (!detector) throw new Error("no model loaded");
        const image = { width: request.width, height: request.height, encoding: request.encoding, step: request.step, data: new Uint8Array(buffer) };
        const result = await detector.detect(image, request.thresholds);
        const boxes = new Float32Array(result.detections.length * 6);
        result.detections.forEach((b, i) => boxes.set([b.x1, b.y1, b.x2, b.y2, b.score, b.classId], i * 6));
        const reply: ResultReply = { type: "result", id, boxes, timing: result.timing, buffer };
        port.postMessage(reply, [boxes.buffer, buffer]);
      } catch (error) {
        port.postMessage({ type: "frame_error", id, message: (error as Error).message, buffer } satisfies FrameErrorReply, [buffer]);
      }
    })();
  });
}

if (parentPort) serve(parentPort);
