/**
 * Held-out evaluation of a detector on the embedded sim: fresh-seed frames of every given world,
 * rendered at the camera's size and run through `detect` (the perception node's own pipeline in
 * `kestrel eval detector`: preprocess -> ONNX Runtime -> decoder -> NMS -> boxes in camera pixels),
 * scored by mAP@0.5 against the sim's ground-truth boxes (hard boxes ignored, see dataset.ts).
 */
import type { World } from "../../../sim/world/types";
import type { ImageView } from "../../perception/preprocess";
import type { Box } from "../../perception/decoders";
import { mixSeed } from "../../../sim/random";
import { DEFAULT_LABEL_RULE, renderFrames, type LabelRule } from "./dataset";
import { meanAveragePrecision, type ImageEval, type MapResult } from "./map";

export type DetectFn = (image: ImageView) => Promise<Box[]>;

export interface SimEvalOptions {
  seed: number;
  framesPerWorld: number;
  iouThreshold?: number;
  rule?: LabelRule;
}

export interface SimEvalResult {
  /** Over every world's frames. */
  overall: MapResult;
  /** Same, with no box ignored (every visible labelled box required). */
  strict: MapResult;
  perWorld: Array<{ world: string; result: MapResult }>;
  frames: number;
  counted: number;
  hard: number;
  seconds: number;
}

export async function evaluateOnSim(detect: DetectFn, worlds: readonly World[], classes: readonly string[], opts: SimEvalOptions): Promise<SimEvalResult> {
  const t0 = Date.now();
  const all: ImageEval[] = [];
  const perWorld: SimEvalResult["perWorld"] = [];
  let counted = 0;
  let hard = 0;
  for (let k = 0; k < worlds.length; k++) {
    const world = worlds[k]!;
    const mine: ImageEval[] = [];
    for (const f of renderFrames(world, classes, mixSeed(opts.seed, k), opts.framesPerWorld, opts.rule ?? DEFAULT_LABEL_RULE)) {
      const dets = await detect({ width: f.width, height: f.height, encoding: "rgb8", step: f.width * 3, data: f.image });
      for (const l of f.labels) (l.hard ? hard++ : counted++);
      mine.push({ gts: f.labels, dets });
    }
    perWorld.push({ world: world.name, result: meanAveragePrecision(mine, classes.length, opts.iouThreshold) });
    all.push(...mine);
  }
  const strictImages = all.map((im) => ({ dets: im.dets, gts: im.gts.map((g) => ({ ...g, hard: false })) }));
  return {
    overall: meanAveragePrecision(all, classes.length, opts.iouThreshold),
    strict: meanAveragePrecision(strictImages, classes.length, opts.iouThreshold),
    perWorld,
    frames: all.length,
    counted,
    hard,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The per-class table and overall figure as printed by `kestrel eval detector`. */
export function formatSimEval(r: SimEvalResult, classes: readonly string[]): string {
  const lines: string[] = [];
  const iou = r.overall.iouThreshold;
  lines.push(`held-out sim frames: ${r.frames} (${r.perWorld.map((w) => w.world).join(", ")}), boxes: ${r.counted} counted + ${r.hard} hard (ignored)`);
  lines.push(`${"class".padEnd(14)} ${"AP@" + iou}  ${"GT".padStart(5)} ${"TP".padStart(5)} ${"FP".padStart(5)}`);
  for (const p of r.overall.perClass) {
    const ap = Number.isNaN(p.ap) ? "   -  " : p.ap.toFixed(4);
    lines.push(`${(classes[p.classId] ?? String(p.classId)).padEnd(14)} ${ap.padStart(6)}  ${String(p.numGt).padStart(5)} ${String(p.truePositives).padStart(5)} ${String(p.falsePositives).padStart(5)}`);
  }
  for (const w of r.perWorld) lines.push(`world ${w.world}: mAP@${iou} ${w.result.map.toFixed(4)}`);
  lines.push(`strict (no box ignored): mAP@${iou} ${r.strict.map.toFixed(4)}`);
  lines.push(`mAP@${iou} ${r.overall.map.toFixed(4)}`);
  return lines.join("\n");
}
