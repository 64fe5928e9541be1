/**
 * Learning datasets: aligned transitions (observation, action, reward, done) with their episodes,
 * a split by episode, normalisation statistics over the training split, and a manifest carrying
 * the sha256 of every array, the sources and the schema version. A dataset is immutable: once
 * finalised its hash names it, `saveDataset` refuses to overwrite, and `loadDataset` re-checks
 * every array's hash. Everything here is deterministic: the same inputs give the same bytes and
 * the same hash (no wall-clock time in the manifest).
 *
 * Arrays (row-major, little-endian as the machine writes typed arrays; N transitions):
 *   observations  float32 [N, obsSize]   manifest.observation.layout (nodes/learner/policy/observation.ts)
 *   actions       float32 [N, 2]         [v (m/s), w (rad/s)] the expert commanded
 *   rewards       float32 [N]            VecEnv's reward terms (progress, goal, collision, time)
 *   dones         uint8   [N]            1 on the last transition of an episode
 *   episodes      int32   [N]            index into manifest.episodes
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OBSERVATION_LAYOUT_V1, lookaheadOf, observationSize, type ObservationSpec } from "../policy/observation";

export const DATASET_FORMAT = "kestrel-dataset";
export const DATASET_SCHEMA_VERSION = 1;
export const DATASET_MANIFEST_FILE = "dataset.json";

export interface EpisodeRecord {
  /** Unique within the dataset, e.g. "<bag>/ep-0003" or "vecenv/17". */
  id: string;
  /** Where it came from (bag directory name, or "vecenv"). */
  source: string;
  /** First transition index and number of transitions. */
  start: number;
  count: number;
  /** "success", "collision", "timeout", "aborted" or "unknown". */
  outcome: string;
  /** Sum of the dataset's rewards over the episode. */
  return: number;
}

export interface DatasetArrays {
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  dones: Uint8Array;
  episodes: Int32Array;
}

export interface ArrayEntry {
  file: string;
  dtype: "float32" | "uint8" | "int32";
  shape: number[];
  sha256: string;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  schema_version: number;
  /** "bags" or "vecenv". */
  origin: string;
  /** lookahead_m: layout kestrel-nav-v2's path lookahead arc lengths (m). */
  observation: { layout: string; size: number; lidar_beams: number; max_range: number; lookahead_m?: number[] };
  action: { size: 2; names: ["v", "w"] };
  count: number;
  episodes: EpisodeRecord[];
  /** Episode ids per split (a whole episode is in exactly one split). */
  splits: { train: string[]; val: string[] };
  /** Over the training split's observations; std floored (see normalizationStats). */
  normalization: { mean: number[]; std: number[] };
  arrays: Record<keyof DatasetArrays, ArrayEntry>;
  /** Source bags (name and the sha256 of their storage files) or the rollout's parameters. */
  sources: Array<{ name: string; sha256: string }>;
  /** The parameters that produced it (alignment options, seeds, ...). */
  params: Record<string, unknown>;
  /** sha256 of this manifest's canonical JSON without this field: the dataset's identity. */
  sha256: string;
}

export interface Dataset {
  manifest: DatasetManifest;
  arrays: DatasetArrays;
}

/** The observation of a dataset's rows (an ObservationSpec; no layout means kestrel-nav-v1). */
export type ObservationMeta = ObservationSpec;

/** The ObservationSpec a dataset manifest describes. */
export function datasetSpec(m: Pick<DatasetManifest, "observation">): ObservationSpec {
  return { lidarBeams: m.observation.lidar_beams, maxRange: m.observation.max_range, layout: m.observation.layout, ...(m.observation.lookahead_m ? { lookaheadM: m.observation.lookahead_m } : {}) };
}

export function sha256Of(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function bytesOf(a: Float32Array | Uint8Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** JSON with object keys sorted: the canonical form that is hashed. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * Mean and standard deviation per observation feature over the given rows (float64 sums).
 * A constant feature gets std 1 (it is then only centred); others are floored at `minStd`.
 */
export function normalizationStats(observations: Float32Array, size: number, rows: ArrayLike<number>, minStd = 1e-3): { mean: number[]; std: number[] } {
  const sum = new Float64Array(size);
  const sq = new Float64Array(size);
  const n = rows.length;
  for (let r = 0; r < n; r++) {
    const o = rows[r]! * size;
    for (let k = 0; k < size; k++) {
      const x = observations[o + k]!;
      sum[k] += x;
      sq[k] += x * x;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < size; k++) {
    const m = n > 0 ? sum[k]! / n : 0;
    const variance = n > 0 ? Math.max(0, sq[k]! / n - m * m) : 0;
    const s = Math.sqrt(variance);
    mean.push(Math.fround(m));
    std.push(Math.fround(s < 1e-6 ? 1 : Math.max(s, minStd)));
  }
  return { mean, std };
}

/**
 * Splits episodes by id, deterministically: episodes are ordered by sha256(seed + id) and the
 * first round(valFraction · n) go to validation (at least one when there are two or more).
 */
export function splitEpisodes(ids: string[], valFraction: number, seed: number): { train: string[]; val: string[] } {
  const keyed = ids.map((id) => ({ id, key: sha256Of(`${seed}:${id}`) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let nVal = Math.round(valFraction * ids.length);
  if (valFraction > 0 && ids.length >= 2) nVal = Math.max(1, nVal);
  nVal = Math.min(nVal, Math.max(0, ids.length - 1));
  const val = new Set(keyed.slice(0, nVal).map((k) => k.id));
  return { train: ids.filter((id) => !val.has(id)), val: ids.filter((id) => val.has(id)) };
}

/** Transition indices of the episodes named in `ids`. */
export function rowsOf(manifest: Pick<DatasetManifest, "episodes">, ids: readonly string[]): Int32Array {
  const wanted = new Set(ids);
  let n = 0;
  for (const e of manifest.episodes) if (wanted.has(e.id)) n += e.count;
  const rows = new Int32Array(n);
  let k = 0;
  for (const e of manifest.episodes) if (wanted.has(e.id)) for (let i = 0; i < e.count; i++) rows[k++] = e.start + i;
  return rows;
}

export interface FinalizeOptions {
  valFraction: number;
  splitSeed: number;
  origin: string;
  sources: Array<{ name: string; sha256: string }>;
  params: Record<string, unknown>;
}

/** Builds the manifest (splits, statistics, hashes) for finished arrays and episodes. */
export function finalizeDataset(arrays: DatasetArrays, episodes: EpisodeRecord[], obs: ObservationMeta, options: FinalizeOptions): Dataset {
  const size = observationSize(obs);
  const layout = obs.layout ?? OBSERVATION_LAYOUT_V1;
  const lookahead = lookaheadOf(obs);
  const count = arrays.actions.length / 2;
  if (arrays.observations.length !== count * size) throw new Error(`dataset: ${arrays.observations.length} observation values for ${count} transitions of size ${size} (layout ${layout})`);
  const splits = splitEpisodes(
    episodes.map((e) => e.id),
    options.valFraction,
    options.splitSeed,
  );
  const trainRows = rowsOf({ episodes }, splits.train);
  const normalization = normalizationStats(arrays.observations, size, trainRows);
  const entry = (name: keyof DatasetArrays, dtype: ArrayEntry["dtype"], shape: number[]): ArrayEntry => ({
    file: `${name}.bin`,
    dtype,
    shape,
    sha256: sha256Of(bytesOf(arrays[name])),
  });
  const body: Omit<DatasetManifest, "sha256"> = {
    format: DATASET_FORMAT,
    schema_version: DATASET_SCHEMA_VERSION,
    origin: options.origin,
    observation: { layout, size, lidar_beams: obs.lidarBeams, max_range: obs.maxRange, ...(lookahead.length > 0 ? { lookahead_m: [...lookahead] } : {}) },
    action: { size: 2, names: ["v", "w"] },
    count,
    episodes,
    splits,
    normalization,
    arrays: {
      observations: entry("observations", "float32", [count, size]),
      actions: entry("actions", "float32", [count, 2]),
      rewards: entry("rewards", "float32", [count]),
      dones: entry("dones", "uint8", [count]),
      episodes: entry("episodes", "int32", [count]),
    },
    sources: options.sources,
    params: options.params,
  };
  return { manifest: { ...body, sha256: sha256Of(canonicalJson(body)) }, arrays };
}

/** Writes `dir/dataset.json` and the arrays; refuses a directory that already holds a dataset. */
export function saveDataset(dir: string, dataset: Dataset): void {
  const manifestFile = join(dir, DATASET_MANIFEST_FILE);
  if (existsSync(manifestFile)) throw new Error(`${manifestFile}: a dataset is already there (datasets are immutable; choose another directory)`);
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(dataset.manifest.arrays) as Array<keyof DatasetArrays>) {
    writeFileSync(join(dir, dataset.manifest.arrays[name].file), bytesOf(dataset.arrays[name]));
  }
  const tmp = `${manifestFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(dataset.manifest, null, 1)}\n`);
  renameSync(tmp, manifestFile); // the manifest last: a dataset without one is incomplete
}

/** Reads a saved dataset and checks the schema version, every array's sha256 and the manifest hash. */
export function loadDataset(dir: string): Dataset {
  const manifestFile = join(dir, DATASET_MANIFEST_FILE);
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as DatasetManifest;
  } catch (error) {
    throw new Error(`${manifestFile}: cannot read the dataset manifest: ${(error as Error).message}`);
  }
  if (manifest.format !== DATASET_FORMAT) throw new Error(`${manifestFile}: not a Kestrel dataset (format '${String(manifest.format)}')`);
  if (manifest.schema_version !== DATASET_SCHEMA_VERSION) throw new Error(`${manifestFile}: schema_version ${manifest.schema_version}, this Kestrel reads ${DATASET_SCHEMA_VERSION}`);
  const { sha256, ...body } = manifest;
  if (sha256Of(canonicalJson(body)) !== sha256) throw new Error(`${manifestFile}: manifest sha256 mismatch (edited or corrupted)`);
  const read = (name: keyof DatasetArrays): Uint8Array => {
    const e = manifest.arrays[name];
    const file = join(dir, e.file);
    const bytes = new Uint8Array(readFileSync(file));
    const found = sha256Of(bytes);
    if (found !== e.sha256) throw new Error(`${file}: sha256 mismatch: the manifest expects ${e.sha256}, the file has ${found}`);
    return bytes;
  };
  const f32 = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const arrays: DatasetArrays = {
    observations: f32(read("observations")),
    actions: f32(read("actions")),
    rewards: f32(read("rewards")),
    dones: read("dones"),
    episodes: ((b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4))(read("episodes")),
  };
  return { manifest, arrays };
}

/** Growable transition storage used by both dataset builders. */
export class TransitionBuffer {
  private obs: Float32Array;
  private act: Float32Array;
  private rew: Float32Array;
  private done: Uint8Array;
  private ep: Int32Array;
  count = 0;

  constructor(readonly obsSize: number, capacity = 1024) {
    this.obs = new Float32Array(capacity * obsSize);
    this.act = new Float32Array(capacity * 2);
    this.rew = new Float32Array(capacity);
    this.done = new Uint8Array(capacity);
    this.ep = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.rew.length * 2;
    const g = <T extends Float32Array | Uint8Array | Int32Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.obs = g(this.obs, cap * this.obsSize);
    this.act = g(this.act, cap * 2);
    this.rew = g(this.rew, cap);
    this.done = g(this.done, cap);
    this.ep = g(this.ep, cap);
  }

  push(observation: ArrayLike<number>, obsOffset: number, v: number, w: number, reward: number, done: boolean, episode: number): number {
    if (this.count === this.rew.length) this.grow();
    const i = this.count++;
    for (let k = 0; k < this.obsSize; k++) this.obs[i * this.obsSize + k] = observation[obsOffset + k]!;
    this.act[2 * i] = v;
    this.act[2 * i + 1] = w;
    this.rew[i] = reward;
    this.done[i] = done ? 1 : 0;
    this.ep[i] = episode;
    return i;
  }

  setReward(i: number, reward: number, done: boolean): void {
    this.rew[i] = reward;
    this.done[i] = done ? 1 : 0;
  }

  reward(i: number): number {
    return this.rew[i]!;
  }

  /** Copies of the used part, optionally reordered by `order` (transition indices). */
  arrays(order?: ArrayLike<number>): DatasetArrays {
    const n = order ? order.length : this.count;
    const out: DatasetArrays = {
      observations: new Float32Array(n * this.obsSize),
      actions: new Float32Array(n * 2),
      rewards: new Float32Array(n),
      dones: new Uint8Array(n),
      episodes: new Int32Array(n),
    };
    for (let j = 0; j < n; j++) {
      const i = order ? order[j]! : j;
      out.observations.set(this.obs.subarray(i * this.obsSize, (i + 1) * this.obsSize), j * this.obsSize);
      out.actions[2 * j] = this.act[2 * i]!;
      out.actions[2 * j + 1] = this.act[2 * i + 1]!;
      out.rewards[j] = this.rew[i]!;
      out.dones[j] = this.done[i]!;
      out.episodes[j] = this.ep[i]!;
    }
    return out;
  }
}
