/**
 * npm run train:detector [-- options]
 *
 * Trains Kestrel's sim detector end to end: renders the dataset from the embedded sim camera in
 * every shipped world (labels: the sim's ground-truth boxes), trains the CNN (TF.js, wasm backend
 * with Kestrel's convolution-gradient kernels here), exports it to ONNX accepted only at parity
 * (max abs diff <= 1e-4 against TF.js on a batch of real frames), writes models/kestrel_sim_detector.{onnx,json}
 * and prints the held-out mAP@0.5 (fresh seeds, every shipped world) through the perception pipeline.
 *
 * Options: --frames-per-world N (default 1500)  --epochs N (default 12)  --batch N (default 16)
 *          --lr X (default 2e-3)  --budget-s S (training time budget, default 1200)  --seed S (default 1)
 *          --eval-frames N (held-out frames per world, default 500)  --out DIR (default models/)
 *          --init FILE (start from saved weights, or from an exported .onnx)  --save-weights FILE (write the trained weights)
 *          --input-width W --input-height H (model input, multiples of 16; default 256x192: the 320x240 camera
 *            frame at 0.8 scale, large enough that 5x16-pixel bottles keep a few input pixels across)
 *          --net-width X (channel-width multiplier, default 1)  --warmup-steps N (default 100)
 *          --box-fraction F (cells within F of a box's side of its centre are positive too, default 0)
 *          --object-balance G (positive cells of a box weighted n^-G, n its cell count: 0 per cell (default), 1 per object)
 * Layers are fully convolutional, so --init also works across input sizes (only the grid changes).
 *
 * The shipped model (its manifest's description has the history) came from the 160x128 model by:
 *   npm run train:detector -- --init models/kestrel_sim_detector.onnx --seed 4 --frames-per-world 1500 \
 *     --lr 1e-3 --warmup-steps 100 --epochs 30 --budget-s 3300 --out /tmp/det-b --save-weights /tmp/det-b/w.bin
 *   npm run train:detector -- --init /tmp/det-b/w.bin --seed 7 --frames-per-world 1000 --lr 5e-4 \
 *     --warmup-steps 30 --epochs 30 --budget-s 1380 --box-fraction 0.25 --object-balance 0.5 --out models
 * Both stop on their time budget, so the step counts depend on the machine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { selectBackend } from "../nodes/learner/ml/backend";
import { buildDataset, classesOfWorlds, loadShippedWorlds } from "../nodes/learner/detector/dataset";
import { buildDetectorNet } from "../nodes/learner/detector/model";
import { exportDetector, loadDetectorWeights, loadDetectorWeightsFromOnnx, saveDetectorWeights, trainDetector, writeDetectorModel } from "../nodes/learner/detector/train";
import { packageShareDir } from "../ros/package-share";
import { evalDetectorCommand } from "../cli/eval-detector";

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`${name} needs a number, got '${argv[i + 1]}'`);
  return v;
}

/** What the --init weights went through: the training part of their manifest's description when one sits beside them. */
function initHistory(init: string): string {
  const manifest = init.replace(/\.onnx$/, ".json");
  if (manifest === init || !fs.existsSync(manifest)) return `fine-tuned from ${path.basename(init)}`;
  const description = String((JSON.parse(fs.readFileSync(manifest, "utf8")) as { description?: string }).description ?? "");
  const marker = "every shipped world: ";
  const i = description.indexOf(marker);
  return i >= 0 ? description.slice(i + marker.length) : `fine-tuned from ${path.basename(init)}`;
}

async function main(argv: string[]): Promise<number> {
  const framesPerWorld = option(argv, "--frames-per-world", 1500);
  const epochs = option(argv, "--epochs", 12);
  const batchSize = option(argv, "--batch", 16);
  const lr = option(argv, "--lr", 2e-3);
  const budget = option(argv, "--budget-s", 1200);
  const seed = option(argv, "--seed", 1);
  const evalFrames = option(argv, "--eval-frames", 500);
  const outIdx = argv.indexOf("--out");
  const outDir = outIdx >= 0 ? path.resolve(argv[outIdx + 1]!) : path.join(packageShareDir(), "models");
  const fileOption = (name: string): string | undefined => (argv.indexOf(name) >= 0 ? path.resolve(argv[argv.indexOf(name) + 1]!) : undefined);
  const init = fileOption("--init");
  const saveWeights = fileOption("--save-weights");
  const warmup = option(argv, "--warmup-steps", 100);
  const inputWidth = option(argv, "--input-width", 256);
  const inputHeight = option(argv, "--input-height", 192);
  const netWidth = option(argv, "--net-width", 1);
  const objectBalance = option(argv, "--object-balance", 0);
  const boxFraction = option(argv, "--box-fraction", 0);

  const backend = await selectBackend();
  const worlds = loadShippedWorlds();
  const classes = classesOfWorlds(worlds);
  console.log(`[data] worlds: ${worlds.map((w) => w.name).join(", ")}; classes (${classes.length}): ${classes.join(", ")}`);
  const net = buildDetectorNet({ inputWidth, inputHeight, numClasses: classes.length, width: netWidth, seed });
  if (init) {
    if (init.endsWith(".onnx")) loadDetectorWeightsFromOnnx(net, fs.readFileSync(init));
    else loadDetectorWeights(net, init);
    console.log(`[train] starting from weights ${init}`);
  }
  const t0 = Date.now();
  const data = buildDataset(worlds, classes, {
    seed,
    framesPerWorld,
    width: net.config.inputWidth,
    height: net.config.inputHeight,
    onProgress: (done, total) => {
      if (done % 1000 === 0 || done === total) console.log(`[data] rendered ${done}/${total} frames`);
    },
  });
  const boxes = data.labels.reduce((a, l) => a + l.filter((b) => !b.hard).length, 0);
  const hard = data.labels.reduce((a, l) => a + l.filter((b) => b.hard).length, 0);
  console.log(`[data] ${data.count} frames at ${data.width}x${data.height}, ${boxes} boxes (+${hard} hard) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`[train] backend ${backend.name}; ${net.train.countParams()} parameters; batch ${batchSize}, lr ${lr}, object balance ${objectBalance}, up to ${epochs} epochs or ${budget} s`);
  const stats = await trainDetector(net, data, { epochs, batchSize, learningRate: lr, timeBudgetS: budget, seed, warmupSteps: warmup, objectBalance, boxFraction });
  if (saveWeights) {
    saveDetectorWeights(net, saveWeights);
    console.log(`[train] weights saved to ${saveWeights}`);
  }
  console.log(`[train] ${stats.steps} steps, ${stats.images} images in ${stats.seconds.toFixed(0)} s (${stats.imagesPerSecond.toFixed(1)} img/s)`);
  const accepted = await exportDetector(net, data, { atol: 1e-4, sampleCount: 8 });
  console.log(`[export] ONNX parity on 8 frames: max abs diff ${accepted.maxAbsDiff.toExponential(3)} (<= 1e-4), sha256 ${accepted.sha256}`);
  const run = `${stats.steps} steps x ${batchSize} at ${net.config.inputWidth}x${net.config.inputHeight} on ${data.count} sim frames (seed ${seed}, lr ${lr}, object balance ${objectBalance}, box fraction ${boxFraction})`;
  const lineage = init ? `${initHistory(init)}, then ${run}` : run;
  const description = `Kestrel sim detector: ${classes.length} classes, ${net.config.inputWidth}x${net.config.inputHeight} rgb, stride-8 YOLOX-style head; trained on sim frames of every shipped world: ${lineage}`;
  const manifestPath = writeDetectorModel(outDir, net, classes, accepted, description);
  console.log(`[export] wrote ${manifestPath}`);
  return evalDetectorCommand(["--model", manifestPath, "--frames", String(evalFrames)]);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`train-detector: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
