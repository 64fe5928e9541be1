/**
 * `kestrel eval detector`: mAP@0.5 of a shipped detector on held-out sim frames.
 *
 * Renders fresh-seed frames (poses sampled as for training but from a different seed) in every
 * shipped world (or the --world ones), runs the model exactly as the perception node does —
 * manifest, sha256-verified ONNX file, ONNX Runtime session, the node's Preprocessor, decoder and
 * class-aware NMS (nodes/perception/session.ts loadDetector -> Detector.detect) — and prints AP@0.5
 * per class, per world and overall against the sim's ground-truth boxes. Boxes whose object shows
 * fewer than 40 pixels or a side under 4 pixels in the 320x240 frame are "hard" (VOC "difficult":
 * not required, and a detection on one is not a false positive); the strict figure, with nothing
 * ignored, is printed too.
 */
import * as path from "node:path";
import { loadManifest } from "../nodes/perception/manifest";
import { loadDetector } from "../nodes/perception/session";
import { evaluateOnSim, formatSimEval } from "../nodes/learner/detector/evaluate";
import { loadWorldFile, shippedWorldNames } from "../sim/world/files";
import { packageShareDir } from "../ros/package-share";

export const EVAL_DETECTOR_HELP = `Usage: kestrel eval detector [--model MANIFEST] [--world W]... [--frames N] [--seed S]
                             [--score-threshold X] [--min-map X]

Renders N held-out frames per world (default: every shipped world, 500 frames, seed 424242 — the
training script renders from small seeds, 1..4 so far) with the embedded sim camera, runs the model through the
perception node's own pipeline (ONNX Runtime on CPU, preprocessing, decoder, NMS) and prints
mAP@0.5 per class, per world and overall against the sim's ground-truth boxes.
--model defaults to models/kestrel_sim_detector.json; --score-threshold (default 0.01) is the
lowest score kept for the precision-recall curve; --min-map makes the exit status 1 when the
overall mAP is below X.
`;

export const DEFAULT_DETECTOR_MANIFEST = "models/kestrel_sim_detector.json";

export async function evalDetectorCommand(argv: string[], print: (line: string) => void = (l) => console.log(l)): Promise<number> {
  let model = path.join(packageShareDir(), DEFAULT_DETECTOR_MANIFEST);
  // 500 frames per world gives each class ~150 boxes: at 150 frames the figure moved by +-0.02
  // between seeds, more than the gaps being measured.
  let frames = 500;
  let seed = 424242;
  let scoreThreshold = 0.01;
  let minMap: number | undefined;
  const worldNames: string[] = [];
  const num = (flag: string, text: string | undefined, check: (n: number) => boolean, what: string): number => {
    const n = Number(text);
    if (text === undefined || !check(n)) throw new Error(`${flag}: expected ${what}, found '${text ?? ""}'`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const v = argv[i + 1];
      if (a === "--help" || a === "-h") {
        print(EVAL_DETECTOR_HELP);
        return 0;
      } else if (a === "--model") model = path.resolve(v ?? ""), i++;
      else if (a === "--frames") (frames = num(a, v, (n) => Number.isInteger(n) && n > 0, "a positive integer")), i++;
      else if (a === "--seed") (seed = num(a, v, Number.isInteger, "an integer")), i++;
      else if (a === "--score-threshold") (scoreThreshold = num(a, v, (n) => n >= 0 && n <= 1, "a number in [0, 1]")), i++;
      else if (a === "--min-map") (minMap = num(a, v, (n) => n >= 0 && n <= 1, "a number in [0, 1]")), i++;
      else if (a === "--world") {
        if (v === undefined) throw new Error("--world: expected a world name or path");
        worldNames.push(v);
        i++;
      } else throw new Error(`unknown argument '${a}' (see --help)`);
    }
    const manifest = loadManifest(model);
    const worlds = (worldNames.length > 0 ? worldNames : shippedWorldNames()).map((w) => loadWorldFile(w));
    const loaded = await loadDetector(manifest, { providers: ["cpu"], intraOpThreads: 1 });
    try {
      print(`model ${manifest.name} (${manifest.modelPath}, sha256 ok) on ${loaded.provider}; ${manifest.classes.length} classes; score >= ${scoreThreshold}, NMS ${manifest.nms_threshold}`);
      const thresholds = { scoreThreshold, nmsThreshold: manifest.nms_threshold, maxDetections: manifest.max_detections };
      const result = await evaluateOnSim(async (image) => (await loaded.detector.detect(image, thresholds)).detections, worlds, manifest.classes, {
        seed,
        framesPerWorld: frames,
      });
      print(formatSimEval(result, manifest.classes));
      if (minMap !== undefined && !(result.overall.map >= minMap)) {
        print(`mAP ${result.overall.map.toFixed(4)} is below --min-map ${minMap}`);
        return 1;
      }
      return 0;
    } finally {
      await loaded.session.release();
    }
  } catch (error) {
    print(`kestrel eval detector: ${(error as Error).message}`);
    return 1;
  }
}
