/**
 * Model manifests: a JSON file beside each shipped model that says everything the pipeline needs
 * to run it — the ONNX file and its sha256 (checked at load), the input tensor (name, size,
 * layout, colour order, scaling, resize mode), the output decoder and its options, the class
 * names, and the score / NMS thresholds. Validated by an ajv schema; every error names the file.
 *
 * Relative paths inside a manifest (the model file, a class-names file) are relative to the
 * manifest's own folder.
 */
import Ajv, { type ErrorObject } from "ajv";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

export type Layout = "NCHW" | "NHWC";
export type ColorOrder = "rgb" | "bgr";

/** How pixel bytes (0..255) become input values. mean/std are in 0..255 units, in the model's colour order. */
export type Scaling = { kind: "unit" } | { kind: "raw" } | { kind: "mean_std"; mean: [number, number, number]; std: [number, number, number] };

/** Letterbox keeps the aspect ratio and pads (pixel value `pad`, 0..255, before scaling); stretch does not. */
export type Resize = { mode: "letterbox"; align: "center" | "top_left"; pad: number } | { mode: "stretch" };

export type BoxFormat = "xyxy" | "cxcywh" | "yxyx";

export interface Yolov5DecoderSpec {
  kind: "yolov5";
  /** Output tensor name; the model's first output when absent. */
  output?: string;
  /** Boxes are 0..1 of the input size rather than input pixels. */
  normalized?: boolean;
}
export interface Yolov8DecoderSpec {
  kind: "yolov8";
  output?: string;
  normalized?: boolean;
}
export interface YoloxDecoderSpec {
  kind: "yolox";
  output?: string;
  strides: number[];
  /** The export already applied grid/stride decoding (YOLOX `decode_in_inference`). */
  decoded?: boolean;
}
export interface End2EndDecoderSpec {
  kind: "end2end";
  output?: string;
  box_format?: BoxFormat;
  normalized?: boolean;
}
export interface SsdDecoderSpec {
  kind: "ssd";
  /** [1,N,C] class scores. */
  scores_output: string;
  /** [1,N,4] boxes already decoded against the priors. */
  boxes_output: string;
  box_format?: BoxFormat;
  normalized?: boolean;
  /** Index of the background column in the scores (dropped), or -1 when there is none. */
  background_class?: number;
  score_activation?: "none" | "sigmoid" | "softmax";
}
export interface NanodetHead {
  stride: number;
  /** [1,H*W,C] or [1,C,H,W] class scores. */
  cls: string;
  /** [1,H*W,4*(reg_max+1)] or [1,4*(reg_max+1),H,W] distance distributions (left, top, right, bottom). */
  reg: string;
}
export interface NanodetDecoderSpec {
  kind: "nanodet";
  heads: NanodetHead[];
  reg_max: number;
  /** Cell centre at (i + center_offset) * stride: 0 for NanoDet-Plus, 0.5 for mmdet GFL. */
  center_offset?: number;
  cls_activation?: "none" | "sigmoid";
}
export type DecoderSpec = Yolov5DecoderSpec | Yolov8DecoderSpec | YoloxDecoderSpec | End2EndDecoderSpec | SsdDecoderSpec | NanodetDecoderSpec;
export type DecoderKind = DecoderSpec["kind"];

export interface InputSpec {
  name: string;
  width: number;
  height: number;
  layout: Layout;
  color: ColorOrder;
  scaling: Scaling;
  resize: Resize;
}

/** A manifest as written in JSON. */
export interface ModelManifestJson {
  name: string;
  description?: string;
  file: string;
  sha256: string;
  license?: string;
  source?: string;
  input: InputSpec;
  decoder: DecoderSpec;
  classes: string[] | { file: string };
  score_threshold: number;
  nms_threshold: number;
  max_detections: number;
}

/** A loaded manifest: paths resolved, class names read. */
export interface ModelManifest extends Omit<ModelManifestJson, "classes"> {
  /** Where the manifest was read from (for error messages). */
  manifestPath: string;
  /** Absolute path of the ONNX file. */
  modelPath: string;
  classes: string[];
}

const boxFormat = { enum: ["xyxy", "cxcywh", "yxyx"] };
const outputName = { type: "string", minLength: 1 };

export const MANIFEST_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name", "file", "sha256", "input", "decoder", "classes", "score_threshold", "nms_threshold", "max_detections"],
  properties: {
    $comment: { type: "string" },
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    file: { type: "string", minLength: 1 },
    sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
    license: { type: "string" },
    source: { type: "string" },
    input: {
      type: "object",
      additionalProperties: false,
      required: ["name", "width", "height", "layout", "color", "scaling", "resize"],
      properties: {
        name: { type: "string", minLength: 1 },
        width: { type: "integer", minimum: 1 },
        height: { type: "integer", minimum: 1 },
        layout: { enum: ["NCHW", "NHWC"] },
        color: { enum: ["rgb", "bgr"] },
        scaling: {
          oneOf: [
            { type: "object", additionalProperties: false, required: ["kind"], properties: { kind: { const: "unit" } } },
            { type: "object", additionalProperties: false, required: ["kind"], properties: { kind: { const: "raw" } } },
            {
              type: "object",
              additionalProperties: false,
              required: ["kind", "mean", "std"],
              properties: {
                kind: { const: "mean_std" },
                mean: { type: "array", items: { type: "number" }, minItems: 3, maxItems: 3 },
                std: { type: "array", items: { type: "number", exclusiveMinimum: 0 }, minItems: 3, maxItems: 3 },
              },
            },
          ],
        },
        resize: {
          oneOf: [
            {
              type: "object",
              additionalProperties: false,
              required: ["mode", "align", "pad"],
              properties: { mode: { const: "letterbox" }, align: { enum: ["center", "top_left"] }, pad: { type: "number", minimum: 0, maximum: 255 } },
            },
            { type: "object", additionalProperties: false, required: ["mode"], properties: { mode: { const: "stretch" } } },
          ],
        },
      },
    },
    decoder: {
      type: "object",
      required: ["kind"],
      properties: { kind: { enum: ["yolov5", "yolov8", "yolox", "end2end", "ssd", "nanodet"] } },
      allOf: [
        {
          if: { properties: { kind: { enum: ["yolov5", "yolov8"] } } },
          then: { additionalProperties: false, properties: { kind: {}, output: outputName, normalized: { type: "boolean" } } },
        },
        {
          if: { properties: { kind: { const: "yolox" } } },
          then: {
            additionalProperties: false,
            required: ["strides"],
            properties: { kind: {}, output: outputName, strides: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 1 }, decoded: { type: "boolean" } },
          },
        },
        {
          if: { properties: { kind: { const: "end2end" } } },
          then: { additionalProperties: false, properties: { kind: {}, output: outputName, box_format: boxFormat, normalized: { type: "boolean" } } },
        },
        {
          if: { properties: { kind: { const: "ssd" } } },
          then: {
            additionalProperties: false,
            required: ["scores_output", "boxes_output"],
            properties: {
              kind: {},
              scores_output: outputName,
              boxes_output: outputName,
              box_format: boxFormat,
              normalized: { type: "boolean" },
              background_class: { type: "integer", minimum: -1 },
              score_activation: { enum: ["none", "sigmoid", "softmax"] },
            },
          },
        },
        {
          if: { properties: { kind: { const: "nanodet" } } },
          then: {
            additionalProperties: false,
            required: ["heads", "reg_max"],
            properties: {
              kind: {},
              heads: {
                type: "array",
                minItems: 1,
                items: {
                  type: "object",
                  additionalProperties: false,
                  required: ["stride", "cls", "reg"],
                  properties: { stride: { type: "integer", minimum: 1 }, cls: outputName, reg: outputName },
                },
              },
              reg_max: { type: "integer", minimum: 1 },
              center_offset: { type: "number", minimum: 0, maximum: 1 },
              cls_activation: { enum: ["none", "sigmoid"] },
            },
          },
        },
      ],
    },
    classes: {
      oneOf: [
        { type: "array", items: { type: "string" }, minItems: 1 },
        { type: "object", additionalProperties: false, required: ["file"], properties: { file: { type: "string", minLength: 1 } } },
      ],
    },
    score_threshold: { type: "number", minimum: 0, maximum: 1 },
    nms_threshold: { type: "number", minimum: 0, maximum: 1 },
    max_detections: { type: "integer", minimum: 1 },
  },
} as const;

let validator: ReturnType<Ajv["compile"]> | undefined;

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath === "" ? "(top level)" : e.instancePath;
  const extra =
    e.keyword === "additionalProperties"
      ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'`
      : e.keyword === "enum"
        ? ` ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`
        : "";
  return `${where}: ${e.message ?? e.keyword}${extra}`;
}

/** Validates a parsed manifest; returns the problems (empty when valid). */
export function manifestProblems(json: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(MANIFEST_SCHEMA);
  if (validator(json)) return [];
  // oneOf/if-then produce echo errors; keep distinct lines.
  return [...new Set((validator.errors ?? []).filter((e) => e.keyword !== "if").map(formatAjvError))];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

/** Reads, validates and resolves a manifest (class names file read; the model hash is NOT checked here). */
export function loadManifest(manifestPath: string): ModelManifest {
  const path = resolve(manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ManifestError(`model manifest ${path}: ${(error as Error).message}`);
  }
  return resolveManifest(json, path);
}

/** Validates and resolves an already-parsed manifest, relative paths against `manifestPath`'s folder. */
export function resolveManifest(json: unknown, manifestPath: string): ModelManifest {
  const problems = manifestProblems(json);
  if (problems.length > 0) throw new ManifestError(`model manifest ${manifestPath} is invalid:\n  ${problems.join("\n  ")}`);
  const m = json as ModelManifestJson;
  const dir = dirname(manifestPath);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  let classes: string[];
  if (Array.isArray(m.classes)) classes = m.classes;
  else {
    const file = at(m.classes.file);
    try {
      classes = readFileSync(file, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
    } catch (error) {
      throw new ManifestError(`model manifest ${manifestPath}: cannot read class names file ${file}: ${(error as Error).message}`);
    }
    if (classes.length === 0) throw new ManifestError(`model manifest ${manifestPath}: class names file ${file} is empty`);
  }
  return { ...m, classes, manifestPath, modelPath: at(m.file) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Reads the model file and checks its sha256 against the manifest; returns the bytes. */
export function readVerifiedModel(manifest: ModelManifest): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(manifest.modelPath);
  } catch (error) {
    throw new ManifestError(`model manifest ${manifest.manifestPath}: cannot read model file ${manifest.modelPath}: ${(error as Error).message}`);
  }
  const found = sha256Hex(bytes);
  if (found !== manifest.sha256) {
    throw new ManifestError(
      `model file ${manifest.modelPath} fails its sha256 check (manifest ${manifest.manifestPath}): expected ${manifest.sha256}, found ${found}`,
    );
  }
  return bytes;
}
