/**
 * The inference worker thread's body: it owns the ONNX Runtime session and runs the whole
 * detection core (preprocess, run, decode, NMS, box mapping) off the node's event loop.
 * Frames and results travel through a shared FrameChannel (frame-channel.ts), announced by its
 * doorbells; messages carry only the model load, a new channel, and the stop request. Started and
 * stopped by inference.ts (ros/worker-thread.ts: how it is found from dist/ and from sources, and
 * why it exits by itself when asked to stop).
 */
import { parentPort, type MessagePort } from "node:worker_threads";
import type { ModelManifest } from "./manifest";
import type { ProviderFailure } from "./session";
import { FrameChannel, MOVED } from "./frame-channel";
import type { StopRequest } from "../../ros/worker-thread";

export interface InitRequest {
  type: "init";
  manifest: ModelManifest;
  providers: string[];
  intraOpThreads: number;
  warmupRuns: number;
}
/** How long the worker waits for a posted frame's bytes (the node writes them right after posting). */
const FRAME_WRITE_TIMEOUT_MS = 1000;

/** A new (larger) frame channel: later frames arrive in it. */
export interface ChannelRequest {
  type: "channel";
  buffer: SharedArrayBuffer;
}
export type WorkerRequest = InitRequest | ChannelRequest | StopRequest;

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
export type WorkerReply = ReadyReply | InitErrorReply;

/** Serves requests on a port (the worker's parentPort). Exported for in-thread use. */
export function serve(port: MessagePort): void {
  // Loaded lazily so that importing this file for its types never loads onnxruntime-node.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadDetector } = require("./session") as typeof import("./session");
  let detector: import("./detector").Detector | undefined;

  const init = async (request: InitRequest): Promise<void> => {
    try {
      const loaded = await loadDetector(request.manifest, { providers: request.providers, intraOpThreads: request.intraOpThreads });
      detector = loaded.detector;
      // Warm-up on a grey colour frame of the model's size: first runs allocate and tune (the
      // preprocessing kernel included); they also decode real output tensors, so a model whose
      // dynamic output shapes do not fit fails here, at load.
      const { width, height } = request.manifest.input;
      const grey = { width, height, encoding: "rgb8", step: width * 3, data: new Uint8Array(width * height * 3).fill(114) };
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
  };

  /** Answers the frames rung on one channel until the node replaces it. */
  const serveFrames = async (channel: FrameChannel): Promise<void> => {
    for (let id = 0; ; ) {
      id = await channel.nextRequest(id);
      if (id === MOVED) return;
      try {
        if (!detector) throw new Error("no model loaded");
        // Rung before the node copies the frame in: wait for the copy (microseconds).
        const frame = channel.awaitRequest(id, FRAME_WRITE_TIMEOUT_MS);
        channel.finish(id, await detector.detect(frame.image, frame.thresholds));
      } catch (error) {
        channel.fail(id, (error as Error).message);
      }
    }
  };

  port.on("message", (request: WorkerRequest) => {
    switch (request.type) {
      case "init":
        void init(request);
        return;
      case "channel":
        void serveFrames(new FrameChannel(request.buffer));
        return;
      case "stop":
        // Between tasks: no session.run is on this thread's stack (see ros/worker-thread.ts).
        process.exit(0);
    }
  });
}

if (parentPort) serve(parentPort);
