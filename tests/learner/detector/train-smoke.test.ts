/**
 * Smoke test of the real trainer end to end on a tiny budget: a narrow network at 64x48 trained
 * for a few steps on a few sim frames, exported to ONNX with parity (<= 1e-4), written with its
 * manifest, then evaluated by `kestrel eval detector` through the perception node's pipeline.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { selectBackend } from "../../../nodes/learner/ml/backend";
import { buildDataset, classesOfWorlds, loadShippedWorlds } from "../../../nodes/learner/detector/dataset";
import { buildDetectorNet } from "../../../nodes/learner/detector/model";
import * as tf from "@tensorflow/tfjs";
import {
  detectorManifest,
  exportDetector,
  loadDetectorWeights,
  loadDetectorWeightsFromOnnx,
  saveDetectorWeights,
  trainDetector,
  writeDetectorModel,
} from "../../../nodes/learner/detector/train";
import { loadManifest } from "../../../nodes/perception/manifest";
import { createDecoder } from "../../../nodes/perception/decoders";
import { evalDetectorCommand } from "../../../cli/eval-detector";
import { fixOrtForJest } from "../../support/ort-realm";

fixOrtForJest();
jest.setTimeout(60000);

describe("sim detector trainer (smoke)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-detector-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("trains, exports with parity, writes a loadable manifest and evaluates through the node pipeline", async () => {
    await selectBackend({ prefer: ["wasm", "cpu"], log: () => {} });
    const worlds = loadShippedWorlds();
    const classes = classesOfWorlds(worlds);
    const net = buildDetectorNet({ inputWidth: 64, inputHeight: 48, numClasses: classes.length, width: 0.25, seed: 3 });
    expect([net.gridWidth, net.gridHeight]).toEqual([8, 6]);
    expect(net.deploy.outputs[0]!.shape).toEqual([null, 48, 5 + classes.length]);
    const data = buildDataset(worlds, classes, { seed: 2, framesPerWorld: 4, width: 64, height: 48 });
    const lines: string[] = [];
    const stats = await trainDetector(net, data, { epochs: 10, maxSteps: 4, batchSize: 4, learningRate: 1e-3, logEvery: 2, log: (l) => lines.push(l) });
    expect(stats.steps).toBe(4);
    expect(stats.images).toBe(16);
    expect(Number.isFinite(stats.finalLoss.total)).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\[train\] epoch \d+ step 4\/4 loss \d/);

    const accepted = await exportDetector(net, data, { atol: 1e-4, sampleCount: 4 });
    expect(accepted.maxAbsDiff).toBeLessThan(1e-4);
    const manifestPath = writeDetectorModel(dir, net, classes, accepted, "smoke");
    const manifest = loadManifest(manifestPath);
    expect(manifest).toMatchObject({ name: "kestrel_sim_detector", sha256: accepted.sha256, classes, decoder: { kind: "yolox", strides: [8] } });
    expect(manifest.input).toMatchObject({ width: 64, height: 48, layout: "NHWC", color: "rgb", scaling: { kind: "unit" }, resize: { mode: "stretch" } });
    expect(detectorManifest(net, classes, accepted.sha256, "x.onnx", "d").decoder).toEqual(manifest.decoder);
    expect(createDecoder(manifest.decoder, ["output"]).check({ output: ["batch", 48, 12] }, { inputWidth: 64, inputHeight: 48, numClasses: 7, scoreThreshold: 0 })).toBeUndefined();

    // Checkpoints: saved weights and the exported ONNX both restore the same network.
    const probe = tf.randomUniform([2, 48, 64, 3], 0, 1, "float32", 5);
    const want = await (net.deploy.predict(probe) as tf.Tensor).data();
    const ckpt = path.join(dir, "weights.bin");
    saveDetectorWeights(net, ckpt);
    for (const restore of [(n: typeof net) => loadDetectorWeights(n, ckpt), (n: typeof net) => loadDetectorWeightsFromOnnx(n, accepted.bytes)]) {
      const copy = buildDetectorNet({ inputWidth: 64, inputHeight: 48, numClasses: classes.length, width: 0.25, seed: 99 });
      restore(copy);
      const got = await (copy.deploy.predict(probe) as tf.Tensor).data();
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - got[i]!));
      expect(worst).toBeLessThan(1e-6);
    }

    const out: string[] = [];
    const code = await evalDetectorCommand(["--model", manifestPath, "--frames", "2", "--seed", "9"], (l) => out.push(l));
    const text = out.join("\n");
    expect(code).toBe(0);
    expect(text).toMatch(/sha256 ok/);
    expect(text).toMatch(/held-out sim frames: 6 \(cluttered, office, warehouse\)/);
    for (const c of classes) expect(text).toContain(c);
    expect(text).toMatch(/\nmAP@0\.5 (\d\.\d{4}|NaN)$/);

    const gated: string[] = [];
    expect(await evalDetectorCommand(["--model", manifestPath, "--frames", "1", "--world", "office", "--min-map", "1"], (l) => gated.push(l))).toBe(1);
    expect(gated.join("\n")).toMatch(/below --min-map 1/);
  });

  it("reports bad arguments and a missing model as one line with exit status 1", async () => {
    const out: string[] = [];
    expect(await evalDetectorCommand(["--frames", "zero"], (l) => out.push(l))).toBe(1);
    expect(await evalDetectorCommand(["--model", path.join(dir, "nope.json")], (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/--frames: expected a positive integer/);
    expect(out[1]).toMatch(/nope\.json/);
    const help: string[] = [];
    expect(await evalDetectorCommand(["--help"], (l) => help.push(l))).toBe(0);
    expect(help[0]).toMatch(/^Usage: kestrel eval detector/);
  });
});
