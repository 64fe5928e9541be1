/**
 * The detection pipeline core, independent of where the model runs: image -> preprocess ->
 * run (a function, so tests can hand-build outputs and the worker plugs ONNX Runtime in) ->
 * decode -> class-aware NMS -> boxes mapped back into the original image's pixels, with the time
 * each stage took.
 */
import { createDecoder, type Box, type DecodeContext, type Decoder, type ShapeMap, type Tensor } from "./decoders";
import type { ModelManifest } from "./manifest";
import { nms } from "./nms";
import { boxToSource, Preprocessor, type ImageView } from "./preprocess";

/** Runs the model on one input tensor; returns the outputs by name. */
export type ModelRunner = (input: Float32Array, dims: readonly number[]) => Promise<Record<string, Tensor>>;

export interface Thresholds {
  scoreThreshold: number;
  nmsThreshold: number;
  maxDetections: number;
}

export interface StageTiming {
  preprocessMs: number;
  inferenceMs: number;
  decodeMs: number;
}

export interface DetectionResult {
  /** In the original image's pixels, best first. */
  detections: Box[];
  timing: StageTiming;
}

export function manifestThresholds(m: ModelManifest): Thresholds {
  return { scoreThreshold: m.score_threshold, nmsThreshold: m.nms_threshold, maxDetections: m.max_detections };
}

/** The model's input tensor dims from the manifest (batch 1). */
export function inputDims(m: ModelManifest): number[] {
  const { width, height, layout } = m.input;
  return layout === "NCHW" ? [1, 3, height, width] : [1, height, width, 3];
}

/**
 * The decoder for a model, checked against its declared output shapes: a model whose outputs do
 * not fit fails here (at load), with the manifest, model file and shapes named.
 */
export function checkedDecoder(m: ModelManifest, outputShapes: ShapeMap): Decoder {
  const where = `model ${m.modelPath} (manifest ${m.manifestPath})`;
  let decoder: Decoder;
  try {
    decoder = createDecoder(m.decoder, Object.keys(outputShapes));
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  const problem = decoder.check(outputShapes, decodeContext(m, 0));
  if (problem) throw new Error(`${where}: outputs do not fit the decoder: ${problem}`);
  return decoder;
}

/** Why the model's declared inputs do not fit the manifest's input, or undefined. */
export function inputProblem(m: ModelManifest, inputShapes: ShapeMap): string | undefined {
  const shape = inputShapes[m.input.name];
  const declared = Object.entries(inputShapes).map(([n, s]) => `'${n}' [${s.join(",")}]`).join(", ") || "(none)";
  if (!shape) return `model ${m.modelPath} has no input '${m.input.name}' (manifest ${m.manifestPath}); its inputs: ${declared}`;
  const want = inputDims(m);
  const fits = shape.length === 4 && shape.every((d, i) => typeof d !== "number" || d < 0 || d === want[i]);
  if (!fits) return `model ${m.modelPath} input '${m.input.name}' is [${shape.join(",")}], but manifest ${m.manifestPath} describes [${want.join(",")}] (${m.input.layout})`;
  return undefined;
}

function decodeContext(m: ModelManifest, scoreThreshold: number): DecodeContext {
  return { inputWidth: m.input.width, inputHeight: m.input.height, numClasses: m.classes.length, scoreThreshold };
}

export class Detector {
  readonly preprocessor: Preprocessor;
  private readonly dims: number[];

  constructor(
    readonly manifest: ModelManifest,
    readonly decoder: Decoder,
    private readonly run: ModelRunner,
  ) {
    this.preprocessor = new Preprocessor(manifest.input);
    this.dims = inputDims(manifest);
  }

  /** Runs the whole pipeline on one image. Throws on a bad image or a failed run. */
  async detect(image: ImageView, thresholds: Thresholds = manifestThresholds(this.manifest)): Promise<DetectionResult> {
    const t0 = performance.now();
    const geometry = this.preprocessor.run(image);
    const t1 = performance.now();
    const outputs = await this.run(this.preprocessor.tensor, this.dims);
    const t2 = performance.now();
    const candidates = this.decoder.decode(outputs, decodeContext(this.manifest, thresholds.scoreThreshold));
    const kept = nms(candidates, thresholds.nmsThreshold, thresholds.maxDetections);
    const detections = kept.map((b) => boxToSource(geometry, b, image.width, image.height));
    const t3 = performance.now();
    return { detections, timing: { preprocessMs: t1 - t0, inferenceMs: t2 - t1, decodeMs: t3 - t2 } };
  }
}
