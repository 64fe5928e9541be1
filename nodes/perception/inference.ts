/**
 * The node-side handle on the inference worker: starts it, loads the model there (resolving
 * once the session is up and warmed, or rejecting with the load error), and sends one image at
 * a time. The image is copied once, into the shared frame channel (frame-channel.ts), and the
 * result is read back from it; the two threads ring each other's doorbells in that channel.
 */
import type { Worker } from "node:worker_threads";
import type { Box } from "./decoders";
import type { StageTiming, Thresholds } from "./detector";
import { FrameChannel } from "./frame-channel";
import type { ModelManifest } from "./manifest";
import type { ImageView } from "./preprocess";
import type { ProviderFailure } from "./session";
import { startWorker, stopWorker } from "../../ros/worker-thread";
import type { ChannelRequest, InitRequest, ReadyReply, WorkerReply } from "./worker";

/** Boxes a new channel holds at least (a higher max_detections gets a larger channel). */
const MIN_CHANNEL_BOXES = 100;

export interface InferenceOptions {
  providers: string[];
  intraOpThreads: number;
  warmupRuns: number;
}

export interface InferenceResult {
  detections: Box[];
  timing: StageTiming;
}

export class InferenceWorker {
  private channel: FrameChannel | undefined;
  private nextId = 1;
  private pending: { reject: (e: Error) => void } | undefined;
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly ready: ReadyReply,
  ) {
    worker.on("error", (error) => this.fail(new Error(`inference worker crashed: ${error.message}`)));
    worker.on("exit", (code) => this.fail(new Error(`inference worker exited (code ${code})`)));
  }

  /** The execution provider the session runs on. */
  get provider(): string {
    return this.ready.provider;
  }

  get failures(): ProviderFailure[] {
    return this.ready.failures;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Starts a worker and loads the model in it; rejects (and ends the worker) when loading fails. */
  static async start(manifest: ModelManifest, options: InferenceOptions): Promise<InferenceWorker> {
    const worker = startWorker(__dirname, "worker", "inference worker");
    let onMessage: (reply: WorkerReply) => void = () => undefined;
    let onError: (error: Error) => void = () => undefined;
    let onExit: (code: number) => void = () => undefined;
    const ready = await new Promise<ReadyReply>((resolve, reject) => {
      onMessage = (reply) => {
        if (reply.type === "ready") resolve(reply);
        else if (reply.type === "init_error") reject(new Error(reply.message));
      };
      onError = (error) => reject(new Error(`inference worker failed to start: ${error.message}`));
      onExit = (code) => reject(new Error(`inference worker exited during load (code ${code})`));
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      const request: InitRequest = { type: "init", manifest, providers: options.providers, intraOpThreads: options.intraOpThreads, warmupRuns: options.warmupRuns };
      worker.postMessage(request);
    })
      .catch(async (error: Error) => {
        await stopWorker(worker);
        throw error;
      })
      .finally(() => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      });
    return new InferenceWorker(worker, ready);
  }

  /** Detects on one image (its bytes are copied; the message stays untouched). One at a time. */
  detect(image: ImageView, thresholds: Thresholds): Promise<InferenceResult> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error("a frame is already in flight"));
    const id = this.nextId++;
    const request = { id, image, thresholds };
    try {
      if (!this.channel?.fits(image.data.length, thresholds.maxDetections)) {
        this.channel?.moved();
        this.channel = FrameChannel.create({ imageBytes: image.data.length, boxes: Math.max(MIN_CHANNEL_BOXES, thresholds.maxDetections) });
        this.worker.postMessage({ type: "channel", buffer: this.channel.buffer } satisfies ChannelRequest);
      }
      this.channel.check(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const channel = this.channel;
    // Rung first, copied after: the copy overlaps the worker's wake-up (frame-channel.ts).
    channel.ring(id);
    channel.writeRequest(request);
    // Settled by the worker's answer, or (pending.reject) by the worker's death or close().
    return new Promise<InferenceResult>((resolve, reject) => {
      const pending = { reject };
      this.pending = pending;
      /** Whether this frame is still the one pending (then it no longer is). */
      const claim = (): boolean => {
        if (this.pending !== pending) return false;
        this.pending = undefined;
        return true;
      };
      channel.awaitDone(id).then(
        (result) => claim() && resolve(result),
        (error: Error) => claim() && reject(error),
      );
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error("inference worker closed");
    // Asked, not terminated: terminating the thread inside session.run aborts the process (ros/worker-thread.ts).
    await stopWorker(this.worker);
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.dead);
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(error);
  }
}
