/**
 * The policy package manifest (`manifest.json` beside `policy.onnx`): everything a controller needs
 * to run a learned driving policy and everything a reviewer needs to know where it came from.
 * Validated with ajv; every error names the file and the field.
 *
 * Format (format "kestrel-policy", format_version 1):
 *
 *   {
 *     "format": "kestrel-policy", "format_version": 1,
 *     "id": "bc-20250101T120000Z",                  // free text, unique per package by convention
 *     "model": { "file": "policy.onnx", "sha256": "<64 hex>", "input": "observation", "output": "action" },
 *     "observation": {
 *       "layout": "kestrel-nav-v2",                 // see observation.ts: lidar sectors, goal distance,
 *       "size": 46, "lidar_beams": 36,              //   goal bearing, path lookahead points
 *       "lookahead_m": [0.4, 0.8, 1.6, 2.4],        //   (size = lidar_beams + 2 + 2 · lookahead points)
 *       "max_range": 3.5,                           // m; lidar sectors are clamped to it
 *       "goal": "path_end"                          // what the goal is in the controller (see observation.ts)
 *     },                                            // layout "kestrel-nav-v1": sectors, goal, v, w;
 *                                                   //   no lookahead_m, size lidar_beams + 4
 *     "normalization": { "mean": [46 numbers], "std": [46 numbers > 0] },   // x' = (x - mean) / std
 *     "action": {
 *       "size": 2,                                  // [v (m/s), w (rad/s)]
 *       "linear":  { "min": 0, "max": 0.22 },
 *       "angular": { "min": -2.84, "max": 2.84 },
 *       "squash": "tanh_scaled"                     // see below
 *     },
 *     "provenance": {
 *       "algorithm": "bc", "dataset_sha256": "<hex>", "seed": 7,
 *       "code_version": { "package_version": "0.1.0", "git_commit": "<40 hex>" | null },
 *       "created_at": "2025-01-01T12:00:00.000Z"
 *     },
 *     "evaluation": { "success_rate": 0.95, "mean_return": 80.1, "episodes": 40 }   // optional
 *   }
 *
 * Input tensor: float32 [N, size] (N = 1 or symbolic) named model.input, fed the normalised
 * observation. Output: float32 [N, 2] named model.output.
 * Squash: "tanh_scaled" — the graph ends in Tanh, each output a ∈ [-1, 1] (clamped as a guard)
 * maps affinely onto [min, max]: value = min + (a + 1) / 2 · (max − min); with a symmetric angular
 * range that is w = a · wmax, and v = (a + 1) / 2 · vmax. "clip" — the outputs are velocities
 * already and are clamped into [min, max]. A non-finite output is passed on as NaN: the
 * controller's safety layer stops on it.
 */
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OBSERVATION_LAYOUTS, OBSERVATION_LAYOUT_V1, OBSERVATION_LAYOUT_V2, observationSize, type ObservationSpec } from "./observation";

export const POLICY_FORMAT = "kestrel-policy";
export const POLICY_FORMAT_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";
export const MODEL_FILE = "policy.onnx";

export type Squash = "tanh_scaled" | "clip";

export interface Range {
  min: number;
  max: number;
}

export interface PolicyManifest {
  format: typeof POLICY_FORMAT;
  format_version: number;
  id: string;
  model: { file: string; sha256: string; input: string; output: string };
  observation: { layout: string; size: number; lidar_beams: number; max_range: number; goal: string; lookahead_m?: number[] };
  normalization: { mean: number[]; std: number[] };
  action: { size: 2; linear: Range; angular: Range; squash: Squash };
  provenance: {
    algorithm: string;
    dataset_sha256: string;
    seed: number;
    code_version: { package_version: string; git_commit: string | null };
    created_at: string;
  };
  evaluation?: { success_rate: number; mean_return: number; episodes: number };
}

const range = {
  type: "object",
  required: ["min", "max"],
  additionalProperties: false,
  properties: { min: { type: "number" }, max: { type: "number" } },
};

export const POLICY_MANIFEST_SCHEMA = {
  type: "object",
  required: ["format", "format_version", "id", "model", "observation", "normalization", "action", "provenance"],
  additionalProperties: false,
  properties: {
    format: { const: POLICY_FORMAT },
    format_version: { const: POLICY_FORMAT_VERSION },
    id: { type: "string", minLength: 1, maxLength: 200 },
    model: {
      type: "object",
      required: ["file", "sha256", "input", "output"],
      additionalProperties: false,
      properties: {
        file: { type: "string", pattern: "^[^/\\\\]+\\.onnx$" },
        sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
        input: { type: "string", minLength: 1 },
        output: { type: "string", minLength: 1 },
      },
    },
    observation: {
      type: "object",
      required: ["layout", "size", "lidar_beams", "max_range", "goal"],
      additionalProperties: false,
      properties: {
        layout: { type: "string", minLength: 1 },
        lookahead_m: { type: "array", minItems: 1, maxItems: 64, items: { type: "number", minimum: 0 } },
        size: { type: "integer", minimum: 5 },
        lidar_beams: { type: "integer", minimum: 1, maximum: 4096 },
        max_range: { type: "number", exclusiveMinimum: 0 },
        goal: { enum: ["path_end"] },
      },
    },
    normalization: {
      type: "object",
      required: ["mean", "std"],
      additionalProperties: false,
      properties: {
        mean: { type: "array", items: { type: "number" } },
        std: { type: "array", items: { type: "number", exclusiveMinimum: 0 } },
      },
    },
    action: {
      type: "object",
      required: ["size", "linear", "angular", "squash"],
      additionalProperties: false,
      properties: { size: { const: 2 }, linear: range, angular: range, squash: { enum: ["tanh_scaled", "clip"] } },
    },
    provenance: {
      type: "object",
      required: ["algorithm", "dataset_sha256", "seed", "code_version", "created_at"],
      additionalProperties: true,
      properties: {
        algorithm: { type: "string", minLength: 1 },
        dataset_sha256: { type: "string" },
        seed: { type: "integer" },
        code_version: {
          type: "object",
          required: ["package_version", "git_commit"],
          additionalProperties: false,
          properties: { package_version: { type: "string" }, git_commit: { type: ["string", "null"] } },
        },
        created_at: { type: "string", minLength: 1 },
      },
    },
    evaluation: {
      type: "object",
      required: ["success_rate", "mean_return", "episodes"],
      additionalProperties: true,
      properties: {
        success_rate: { type: "number", minimum: 0, maximum: 1 },
        mean_return: { type: "number" },
        episodes: { type: "integer", minimum: 0 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(POLICY_MANIFEST_SCHEMA);

/** Checks a parsed manifest; throws one error naming `source` and every problem. */
export function checkManifest(value: unknown, source: string): PolicyManifest {
  if (!validateSchema(value)) {
    const problems = (validateSchema.errors ?? []).map((e) => {
      const where = e.instancePath === "" ? "(top level)" : e.instancePath.slice(1).replace(/\//g, ".");
      const extra = e.keyword === "additionalProperties" ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : "";
      return `${where}: ${e.message ?? e.keyword}${extra}`;
    });
    throw new Error(`${source}: invalid policy manifest: ${problems.join("; ")}`);
  }
  const m = value as unknown as PolicyManifest;
  const problems: string[] = [];
  const { size, layout, lookahead_m } = m.observation;
  if (!OBSERVATION_LAYOUTS.includes(layout)) {
    // A layout from a newer (or foreign) Kestrel: its numbers would mean something else here.
    throw new Error(`${source}: unknown observation layout '${layout}': this Kestrel builds ${OBSERVATION_LAYOUTS.join(", ")}; retrain the policy or upgrade the controller`);
  }
  if (layout === OBSERVATION_LAYOUT_V1 && lookahead_m !== undefined) problems.push(`observation.lookahead_m is not part of layout ${layout}`);
  if (layout === OBSERVATION_LAYOUT_V2 && lookahead_m === undefined) problems.push(`observation.lookahead_m is required by layout ${layout}`);
  const expected = observationSize(manifestObservationSpec(m));
  if (size !== expected) {
    const formula = layout === OBSERVATION_LAYOUT_V2 ? `lidar_beams + 2 + 2 · ${lookahead_m?.length ?? 0} lookahead points` : "lidar_beams + 4";
    problems.push(`observation.size ${size} must be ${formula} = ${expected} (layout ${layout})`);
  }
  if (m.normalization.mean.length !== size) problems.push(`normalization.mean has ${m.normalization.mean.length} values, observation.size is ${size}`);
  if (m.normalization.std.length !== size) problems.push(`normalization.std has ${m.normalization.std.length} values, observation.size is ${size}`);
  for (const name of ["linear", "angular"] as const) {
    const r = m.action[name];
    if (!(r.min < r.max)) problems.push(`action.${name}: min ${r.min} must be below max ${r.max}`);
  }
  if (m.action.linear.min < 0) problems.push(`action.linear.min ${m.action.linear.min} is negative: Kestrel policies do not reverse`);
  if (problems.length > 0) throw new Error(`${source}: invalid policy manifest: ${problems.join("; ")}`);
  return m;
}

/** The observation a manifest describes. */
export function manifestObservationSpec(m: Pick<PolicyManifest, "observation">): ObservationSpec {
  const o = m.observation;
  return { lidarBeams: o.lidar_beams, maxRange: o.max_range, layout: o.layout, ...(o.lookahead_m ? { lookaheadM: o.lookahead_m } : {}) };
}

/** Reads and checks `<dir>/manifest.json`. */
export function readManifest(dir: string): PolicyManifest {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file}: cannot read the policy manifest: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return checkManifest(parsed, file);
}
