/**
 * The perception node (executable "perception"): camera/image_raw in (sensor QoS),
 * vision_msgs/Detection2DArray on `detections` (header copied from the image, boxes in the
 * image's pixels), an annotated rgb8 image on `detections/image` when publish_debug_image is
 * set, and per-frame timings on /diagnostics. A thin wrapper: the model runs in a worker thread
 * (inference.ts), frames go through a latest-frame gate (never queued), messages are built in
 * messages.ts. A bad image, a failed frame or a model that will not load is logged; the node
 * keeps running.
 */
import type { Subscription } from "rxjs";
import type { sensor_msgs } from "../../msgs/generated/types";
import { defineNode, type NodeDefinition } from "../../ros/definition";
import type { Publisher, RosNode } from "../../ros/node";
import { packageShareDir } from "../../ros/package-share";
import type { NodeParameters, ParameterSchema } from "../../ros/parameters/declare";
import { isAbsolute, resolve } from "node:path";
import type { Thresholds } from "./detector";
import { InferenceWorker } from "./inference";
import { LatestFrameGate } from "./frame-gate";
import { loadManifest, type ModelManifest } from "./manifest";
import { annotatedImage, detectionArray, diagnosticArray, type PerceptionState } from "./messages";
import { imageProblem } from "./preprocess";
import { TimingWindow } from "./timing";

export interface PerceptionParams extends Record<string, unknown> {
  model_manifest: string;
  providers: string[];
  intra_op_threads: number;
  warmup_runs: number;
  max_rate_hz: number;
  score_threshold: number;
  nms_threshold: number;
  max_detections: number;
  class_id_format: string;
  publish_debug_image: boolean;
  diagnostics_period_s: number;
}

export const perceptionParameterSchema: ParameterSchema = {
  type: "object",
  properties: {
    model_manifest: {
      type: "string",
      default: "models/yolox_nano.json",
      readOnly: true,
      description: "Model manifest (JSON); a relative path is resolved against the kestrel package share directory",
    },
    providers: {
      type: "array",
      items: { type: "string" },
      default: ["cuda", "cpu"],
      readOnly: true,
      description: "onnxruntime-node execution providers, tried in order (cuda, tensorrt, webgpu, dml, coreml, cpu)",
    },
    intra_op_threads: { type: "integer", default: 0, minimum: 0, readOnly: true, description: "ONNX Runtime intra-op threads; 0: one per physical core (set explicitly, so ORT does not pin them to cores)" },
    warmup_runs: { type: "integer", default: 2, minimum: 0, readOnly: true, description: "Inference runs on a blank frame before the first image" },
    max_rate_hz: { type: "number", default: 0, minimum: 0, description: "Most frames processed per second; 0 for no cap. Frames arriving while busy are dropped (newest kept), never queued" },
    score_threshold: { type: "number", default: -1, minimum: -1, maximum: 1, description: "Score threshold; -1 uses the manifest's" },
    nms_threshold: { type: "number", default: -1, minimum: -1, maximum: 1, description: "NMS IoU threshold; -1 uses the manifest's" },
    max_detections: { type: "integer", default: 0, minimum: 0, description: "Most detections per frame; 0 uses the manifest's" },
    class_id_format: { type: "string", default: "name", enum: ["name", "index"], description: "Hypothesis class_id: the class name from the manifest, or its index" },
    publish_debug_image: { type: "boolean", default: false, description: "Publish an rgb8 copy of each processed image with its boxes drawn on detections/image" },
    diagnostics_period_s: { type: "number", default: 1.0, exclusiveMinimum: 0, description: "Period of /diagnostics (s, wall clock)" },
  },
};

/** A relative manifest path resolved against the package share directory. */
export function resolveManifestPath(path: string): string {
  return isAbsolute(path) ? path : resolve(packageShareDir(), path);
}

export const perceptionNode: NodeDefinition<PerceptionParams> = defineNode<PerceptionParams>({
  name: "perception",
  description: "CNN object detection on ONNX Runtime (worker thread): camera/image_raw -> detections (vision_msgs/Detection2DArray)",
  parameters: perceptionParameterSchema,
  start: startPerception,
});

async function startPerception(node: RosNode, params: NodeParameters<PerceptionParams>) {
  const v = params.values;
  const log = node.logger;
  const state: PerceptionState = { model: "", provider: "none", framesIn: 0, processed: 0, dropped: 0, rejected: 0, failed: 0, lastError: "", detections: 0, loadError: "" };
  const timing = new TimingWindow();

  // --- the model, in its worker ----------------------------------------------------------------
  let manifest: ModelManifest | undefined;
  let worker: InferenceWorker | undefined;
  try {
    manifest = loadManifest(resolveManifestPath(v.model_manifest));
    state.model = manifest.name;
    const t0 = performance.now();
    worker = await InferenceWorker.start(manifest, { providers: [...v.providers], intraOpThreads: v.intra_op_threads, warmupRuns: v.warmup_runs });
    state.provider = worker.provider;
    for (const f of worker.failures) log.warn(`execution provider '${f.provider}' unavailable: ${f.error}`);
    const warm = worker.ready.warmupMs.map((t) => t.toFixed(1)).join(", ");
    log.info(
      `model '${manifest.name}' (${manifest.input.width}x${manifest.input.height}, ${manifest.classes.length} classes, decoder ${manifest.decoder.kind}) ` +
        `loaded in ${(performance.now() - t0).toFixed(0)} ms; session runs on execution provider '${worker.provider}'` +
        `${worker.failures.length > 0 ? ` (fell back from ${worker.failures.map((f) => f.provider).join(", ")})` : ""}${warm ? `; warm-up ${warm} ms` : ""}`,
    );
  } catch (error) {
    state.loadError = (error as Error).message;
    log.error(`cannot load the detection model (the node keeps running without detections): ${state.loadError}`);
  }

  // --- publishers --------------------------------------------------------------------------------
  const detectionsPub = node.createPublisher("vision_msgs/msg/Detection2DArray", "detections");
  let debugPub: Publisher<sensor_msgs.msg.Image> | undefined;
  const makeDebugPublisher = (): void => {
    if (v.publish_debug_image && !debugPub) debugPub = node.createPublisher("sensor_msgs/msg/Image", "detections/image");
    if (!v.publish_debug_image && debugPub) {
      debugPub.destroy();
      debugPub = undefined;
    }
  };
  makeDebugPublisher();
  const diagnosticsPub = node.createPublisher("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics");

  const thresholds = (): Thresholds => ({
    scoreThreshold: v.score_threshold >= 0 ? v.score_threshold : manifest!.score_threshold,
    nmsThreshold: v.nms_threshold >= 0 ? v.nms_threshold : manifest!.nms_threshold,
    maxDetections: v.max_detections > 0 ? v.max_detections : manifest!.max_detections,
  });
  const classId = (index: number): string => (v.class_id_format === "index" ? String(index) : (manifest!.classes[index] ?? String(index)));

  // --- one frame -------------------------------------------------------------------------------
  const errorsSeen = new Set<string>();
  /** Logs each distinct problem once (not at the camera's rate); counts every occurrence. */
  const reportOnce = (text: string): void => {
    state.lastError = text;
    if (errorsSeen.has(text)) return;
    errorsSeen.add(text);
    if (errorsSeen.size > 100) errorsSeen.clear();
    log.error(text);
  };

  const processFrame = async (image: sensor_msgs.msg.Image): Promise<void> => {
    if (!worker) return;
    const start = performance.now();
    let result;
    try {
      result = await worker.detect(image, thresholds());
    } catch (error) {
      state.failed++;
      reportOnce(`camera/image_raw: frame ${image.width}x${image.height} ${image.encoding} failed: ${(error as Error).message}`);
      return;
    }
    const t0 = performance.now();
    detectionsPub.publish(detectionArray(image.header, result.detections, classId));
    if (debugPub) debugPub.publish(annotatedImage(image, result.detections));
    const t1 = performance.now();
    state.processed++;
    state.detections = result.detections.length;
    state.lastError = "";
    const { preprocessMs, inferenceMs, decodeMs } = result.timing;
    timing.add({ preprocess: preprocessMs, inference: inferenceMs, decode: decodeMs, publish: t1 - t0, total: t1 - start });
  };
  const gate = new LatestFrameGate<sensor_msgs.msg.Image>(processFrame, () => v.max_rate_hz);

  const subscription: Subscription = node.subscribe("sensor_msgs/msg/Image", "camera/image_raw", "qos_profile_sensor_data").subscribe((image) => {
    state.framesIn++;
    const problem = imageProblem(image);
    if (problem) {
      state.rejected++;
      reportOnce(`camera/image_raw: rejected an image: ${problem}`);
      return;
    }
    if (!worker) return;
    gate.offer(image);
    state.dropped = gate.dropped;
  });

  // --- diagnostics -------------------------------------------------------------------------------
  const publishDiagnostics = (): void => {
    state.dropped = gate.dropped;
    diagnosticsPub.publish(diagnosticArray(node.fullyQualifiedName, node.now(), state, timing));
  };
  let diagTimer = setInterval(publishDiagnostics, v.diagnostics_period_s * 1000);
  diagTimer.unref();

  const unsubscribeParams = params.onChange((changed) => {
    if (changed.includes("publish_debug_image")) makeDebugPublisher();
    if (changed.includes("diagnostics_period_s")) {
      clearInterval(diagTimer);
      diagTimer = setInterval(publishDiagnostics, v.diagnostics_period_s * 1000);
      diagTimer.unref();
    }
  });

  return {
    stop: async () => {
      unsubscribeParams();
      clearInterval(diagTimer);
      subscription.unsubscribe();
      gate.close();
      await worker?.close();
    },
    summary: () =>
      state.loadError
        ? `no model (${state.loadError.split("\n")[0]}); ${state.framesIn} images ignored`
        : `${state.model} on ${state.provider}: ${state.processed} frames processed, ${gate.dropped} dropped, ${state.rejected} rejected, ${state.failed} failed; ${timing.describe()} (p50)`,
    /** For tests and the bench: counters and timings. */
    state: () => ({ ...state, dropped: gate.dropped }),
    timing: () => timing,
  };
}
