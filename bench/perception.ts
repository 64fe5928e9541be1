/**
 * Perception benchmark. Run: npm run bench:perception [-- --frames N --providers cuda,cpu].
 * For each model (yolox_nano now; the sim detector's manifest joins MODELS when it ships):
 *  1. session.run alone (p50, p99): ONNX Runtime on a prepared input tensor, in this thread.
 *  2. The whole node pipeline per frame (p50, p99): a camera node publishes the 640x426 sample
 *     image on the embedded bus, the perception node (model in its worker thread: copy, transfer,
 *     preprocess, run, decode, NMS, Detection2DArray) publishes detections, the camera node
 *     receives them; one frame at a time, wall clock from publish to receipt.
 *  3. The ratio pipeline / session.run at p50. Goal (issue 4): the pipeline adds < 15%.
 */
import { readFileSync } from "node:fs";
import type { sensor_msgs, vision_msgs } from "../msgs/generated/types";
import { RosNode } from "../ros/node";
import { LocalTransport } from "../ros/transport/local/backend";
import { inputDims } from "../nodes/perception/detector";
import { decodeJpeg } from "../nodes/perception/jpeg";
import { loadManifest } from "../nodes/perception/manifest";
import { perceptionNode, resolveManifestPath, type PerceptionParams } from "../nodes/perception/node";
import { loadDetector } from "../nodes/perception/session";
import { quantile } from "./stats";
import * as ort from "onnxruntime-node";

interface BenchModel {
  /** Manifest path (relative to the package share dir). */
  manifest: string;
  /** A sample image (baseline JPEG) for the model's domain, relative to the package share dir. */
  image: string;
}

/** Models to bench. A second model (the sim detector) adds an entry here. */
const MODELS: BenchModel[] = [{ manifest: "models/yolox_nano.json", image: "../shared/data/models/yolox_nano/000000000139.jpg" }];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const FRAMES = Number(arg("frames", "60"));
const WARMUP = 5;
const PROVIDERS = arg("providers", "cuda,cpu").split(",");
const ms = (v: number): string => `${v.toFixed(2)} ms`;

async function sessionRunTimes(manifestPath: string, image: ReturnType<typeof decodeJpeg>): Promise<{ times: number[]; provider: string }> {
  const manifest = loadManifest(manifestPath);
  const loaded = await loadDetector(manifest, { providers: PROVIDERS, intraOpThreads: 0 });
  const pre = loaded.detector.preprocessor;
  pre.run({ ...image, step: 0 });
  const tensor = new ort.Tensor("float32", pre.tensor, inputDims(manifest));
  const times: number[] = [];
  for (let i = 0; i < WARMUP + FRAMES; i++) {
    const t = performance.now();
    await loaded.session.run({ [manifest.input.name]: tensor });
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  await loaded.session.release();
  return { times, provider: loaded.provider };
}

async function pipelineTimes(manifestPath: string, image: ReturnType<typeof decodeJpeg>): Promise<{ times: number[]; summary: string; detections: number }> {
  const transport = new LocalTransport({ logSink: () => undefined });
  const camera = new RosNode(transport.createNode({ name: "camera", namespace: "", rosArgs: [] }));
  const node = new RosNode(
    transport.createNode({ name: "perception", namespace: "", rosArgs: ["-p", `model_manifest:=${manifestPath}`, "-p", `providers:=[${PROVIDERS.join(",")}]`] }),
  );
  const params = node.declareParameters<PerceptionParams>(perceptionNode.parameters);
  const instance = await perceptionNode.start(node, params);
  const pub = camera.createPublisher("sensor_msgs/msg/Image", "camera/image_raw");
  let waiting: ((m: vision_msgs.msg.Detection2DArray) => void) | undefined;
  camera.subscribe("vision_msgs/msg/Detection2DArray", "detections").subscribe((m) => waiting?.(m));
  const msg: sensor_msgs.msg.Image = {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "camera_optical" },
    height: image.height,
    width: image.width,
    encoding: image.encoding,
    is_bigendian: 0,
    step: image.width * (image.encoding === "mono8" ? 1 : 3),
    data: image.data,
  };
  const times: number[] = [];
  let detections = 0;
  for (let i = 0; i < WARMUP + FRAMES; i++) {
    const got = new Promise<vision_msgs.msg.Detection2DArray>((resolve) => (waiting = resolve));
    const t = performance.now();
    msg.header.stamp = { sec: i, nanosec: 0 };
    pub.publish(msg);
    const out = await got;
    if (i >= WARMUP) times.push(performance.now() - t);
    detections = out.detections.length;
  }
  const summary = instance.summary?.() ?? "";
  await instance.stop?.();
  await transport.shutdown();
  return { times, summary, detections };
}

async function main(): Promise<void> {
  console.log(`perception bench: ${FRAMES} frames after ${WARMUP} warm-up, providers [${PROVIDERS.join(", ")}]`);
  for (const m of MODELS) {
    const manifestPath = resolveManifestPath(m.manifest);
    const image = decodeJpeg(readFileSync(resolveManifestPath(m.image)));
    const run = await sessionRunTimes(manifestPath, image);
    const pipe = await pipelineTimes(manifestPath, image);
    const r50 = quantile(run.times, 0.5);
    const p50 = quantile(pipe.times, 0.5);
    console.log(`\n${loadManifest(manifestPath).name} (${image.width}x${image.height} ${image.encoding} in), execution provider ${run.provider}`);
    console.log(`  session.run alone        p50 ${ms(r50)}  p99 ${ms(quantile(run.times, 0.99))}`);
    console.log(`  node pipeline per frame  p50 ${ms(p50)}  p99 ${ms(quantile(pipe.times, 0.99))}  (image in -> detections out, ${pipe.detections} detections)`);
    console.log(`  ratio pipeline / run     ${(p50 / r50).toFixed(3)} at p50 (adds ${(((p50 - r50) / r50) * 100).toFixed(1)}%; goal < 15%)`);
    console.log(`  node: ${pipe.summary}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
