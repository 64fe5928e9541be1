/**
 * One training round, run inside the learner's worker thread (worker.ts): dataset → training →
 * export with ONNX parity → evaluation of the candidate and of the current policy on the same
 * seeded episodes. This is the only file of the learner node that calls the learning code
 * (algos/, dataset/, expert/, policy/): a change of their signatures is an edit here.
 *
 * Order, and why:
 *   1. dataset: bc reads every recorded bag (the episodes the recorder has written so far; an
 *      open bag reads up to its last complete chunk, and the recorder writes the chunk at each
 *      episode END) before TF.js starts; dagger drives the VecEnv with the grid expert labelling.
 *   2. train (TF.js on this thread's backend).
 *   3. export: only accepted when ONNX Runtime reproduces TF.js within 1e-5.
 *   4. evaluate the exported candidate and the incumbent (the store's current package), both
 *      loaded with loadPolicy and driven through ONNX Runtime as the controller runs them, on ONE
 *      seed: the same spawns, goals and noise for both — a paired comparison. No incumbent, or
 *      one that cannot load, is evaluated as the robot standing still (zero commands), which is
 *      what the policy slot does without one. The candidate's evaluation goes into its manifest
 *      (PolicyInfo carries it).
 * Failures are JobStageErrors naming the stage; runTrainingJob maps them to a result.
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_BC_CONFIG, DEFAULT_DAGGER_CONFIG, evaluateActor, exportPolicyPackage, makeNavEnv, runDagger, trainBc, type BatchActor, type EpisodeStats, type Normalization } from "../algos";
import { datasetFromBags } from "../dataset";
import { selectBackend } from "../ml/backend";
import { PolicyStore } from "../policy/deploy";
import { readManifest } from "../policy/manifest";
import { loadPolicySync, readVerifiedModel, writePolicyPackage, type Policy } from "../policy/package";
import { JobStageError, type EvaluationSummary, type IncumbentReport, type JobStage, type TrainJobRequest, type TrainJobResult } from "./job";

function summary(s: EpisodeStats): EvaluationSummary {
  return { episodes: s.episodes, successes: s.successes, collisions: s.collisions, timeouts: s.timeouts, successRate: s.successRate, meanReturn: s.meanReturn };
}

/** A deployed package as a batch actor over the VecEnv's observations. */
function policyActor(policy: Policy, obsSize: number): BatchActor {
  if (policy.observationSize !== obsSize) {
    throw new Error(`policy '${policy.id}' takes ${policy.observationSize} observation values, the evaluation environment gives ${obsSize}`);
  }
  return (obs, out) => {
    const n = obs.length / obsSize;
    for (let i = 0; i < n; i++) {
      const a = policy.act(obs.subarray(i * obsSize, (i + 1) * obsSize));
      out[2 * i] = a.v;
      out[2 * i + 1] = a.w;
    }
    return out;
  };
}

const standStill: BatchActor = (_obs, out) => out.fill(0);

async function stage<T>(name: JobStage, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof JobStageError) throw error;
    throw new JobStageError(name, error instanceof Error ? error.message : String(error));
  }
}

/** Runs one round; never throws: a failure comes back as { ok: false, stage, message }. */
export async function runTrainingJob(request: TrainJobRequest, progress: (line: string) => void = () => {}): Promise<TrainJobResult> {
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  try {
    const r = await trainAndEvaluate(request, progress);
    return { ok: true, ...r, seconds: seconds() };
  } catch (error) {
    const stageName: JobStage = error instanceof JobStageError ? error.stage : "train";
    return { ok: false, stage: stageName, message: error instanceof Error ? error.message : String(error), seconds: seconds() };
  }
}

async function trainAndEvaluate(q: TrainJobRequest, progress: (line: string) => void): Promise<Omit<Extract<TrainJobResult, { ok: true }>, "ok" | "seconds">> {
  if (q.algorithm === "bc" && q.bags.length === 0) throw new JobStageError("dataset", "no recorded bags to learn from");
  const envConfig = { maxEpisodeSteps: q.maxEpisodeSteps };
  const { env } = await stage("evaluate", () => makeNavEnv(q.worlds, q.evalEnvs, envConfig));
  const bounds = { vMax: env.config.robot.base.maxLinear, wMax: env.config.robot.base.maxAngular };
  const meta = { lidarBeams: env.config.lidarBeams, maxRange: env.config.robot.lidar.rangeMax };
  // The bags are read before TF.js starts: a bad recording fails the round in a moment.
  const dataset = q.algorithm === "bc" ? await stage("dataset", () => datasetFromBags(q.bags, { splitSeed: q.seed, valFraction: 0.2, lidarBeams: meta.lidarBeams, maxRange: meta.maxRange })) : undefined;
  const backend = await selectBackend({ log: () => {} });
  const bc = { ...DEFAULT_BC_CONFIG, hidden: q.hidden, batchSize: q.batchSize, steps: q.steps, evalEvery: Math.max(1, Math.ceil(q.steps / 4)), seed: q.seed };

  let model: tf.LayersModel;
  let norm: Normalization;
  let datasetSha256: string;
  let sample: Float32Array;
  let transitions: number;
  let trainEpisodes: number;
  if (dataset) {
    if (dataset.manifest.observation.size !== env.obsSize) {
      throw new JobStageError("dataset", `the bags give ${dataset.manifest.observation.size} observation values, the evaluation environment ${env.obsSize}`);
    }
    progress(`dataset: ${dataset.manifest.count} transitions (${Number(dataset.manifest.params.expert_labels ?? 0)} labelled by /cmd_vel_expert) in ${dataset.manifest.episodes.length} episodes from ${q.bags.length} bag(s) (sha256 ${dataset.manifest.sha256.slice(0, 12)})`);
    const trained = await stage("train", () =>
      trainBc(dataset, bounds, bc, { onProgress: (p) => progress(`bc step ${p.step}/${bc.steps}: train loss ${p.trainLoss.toExponential(2)}, val loss ${p.valLoss.toExponential(2)}`) }),
    );
    model = trained.model;
    norm = trained.normalization;
    datasetSha256 = dataset.manifest.sha256;
    sample = dataset.arrays.observations;
    transitions = dataset.manifest.count;
    trainEpisodes = dataset.manifest.episodes.length;
  } else {
    const trained = await stage("train", () =>
      runDagger(
        { ...DEFAULT_DAGGER_CONFIG, worlds: q.worlds, numEnvs: q.evalEnvs, env: envConfig, initialExpertSteps: q.expertSteps, iterations: q.iterations, stepsPerIteration: Math.max(1, Math.round(q.expertSteps / 2)), evalEpisodes: Math.max(1, q.evalEnvs), seed: q.seed, bc },
        { log: progress },
      ),
    );
    model = trained.model;
    norm = trained.normalization;
    datasetSha256 = trained.dataset.manifest.sha256;
    sample = trained.dataset.arrays.observations;
    transitions = trained.dataset.manifest.count;
    trainEpisodes = trained.dataset.manifest.episodes.length;
  }

  const dir = join(q.outDir, "policy");
  const exported = await stage("export", () =>
    exportPolicyPackage(model, {
      dir,
      algorithm: q.algorithm,
      datasetSha256,
      seed: q.seed,
      ...meta,
      bounds,
      normalization: norm,
      sample,
      extra: { backend: backend.name, worlds: q.worlds, learner_round: q.round, eval_seed: q.evalSeed },
    }),
  );
  model.dispose();
  tf.disposeVariables();

  // Both policies drive the evaluation as packages through ONNX Runtime, exactly as the
  // controller runs them: the same code path on the same seeded episodes. (Parity bounds the
  // TF.js/ONNX difference per call, but a 1e-7 difference can still send a long episode another
  // way; the candidate is judged as what would be deployed.)
  const evaluate = (actor: BatchActor): Promise<EpisodeStats> => evaluateActor(env, actor, { episodes: q.evalEpisodes, seed: q.evalSeed });
  const exportedPolicy = await stage("export", () => loadPolicySync(dir));
  let candidateEval: EvaluationSummary;
  try {
    candidateEval = summary(await stage("evaluate", () => evaluate(policyActor(exportedPolicy, env.obsSize))));
  } finally {
    exportedPolicy.dispose();
  }
  progress(`candidate: success ${pct(candidateEval.successRate)}, mean return ${candidateEval.meanReturn.toFixed(1)} on ${candidateEval.episodes} seeded episodes`);
  const incumbent = await stage("evaluate", () => evaluateIncumbent(q, env.obsSize, evaluate));
  progress(`current (${incumbent.id ?? "none"}): success ${pct(incumbent.evaluation.successRate)}, mean return ${incumbent.evaluation.meanReturn.toFixed(1)}${incumbent.note ? ` (${incumbent.note})` : ""}`);
  // The evaluation goes into the manifest (PolicyInfo announces it); the model bytes are unchanged.
  await stage("export", () => withEvaluation(dir, candidateEval));

  return {
    candidate: {
      dir,
      id: exported.manifest.id,
      sha256: exported.manifest.model.sha256,
      algorithm: q.algorithm,
      evaluation: candidateEval,
      parityMaxAbsDiff: exported.maxAbsDiff,
      datasetSha256,
      transitions,
      trainEpisodes,
    },
    incumbent,
  };
}

/** Rewrites the package's manifest with `evaluation` (same model file, same sha256). */
function withEvaluation(dir: string, e: EvaluationSummary): void {
  const m = readManifest(dir);
  const bytes = readVerifiedModel(dir, m);
  writePolicyPackage(dir, bytes, { ...m, model: { input: m.model.input, output: m.model.output, file: m.model.file }, evaluation: { success_rate: e.successRate, mean_return: e.meanReturn, episodes: e.episodes } });
}

async function evaluateIncumbent(q: TrainJobRequest, obsSize: number, evaluate: (actor: BatchActor) => Promise<EpisodeStats>): Promise<IncumbentReport> {
  const store = new PolicyStore(q.storeDir);
  let policy: Policy | undefined;
  let note = "";
  try {
    if (store.readPointer()) policy = store.loadCurrent();
    else note = "no policy deployed: the robot standing still";
  } catch (error) {
    note = `the current policy cannot be loaded (${(error as Error).message}): compared with the robot standing still`;
  }
  if (!policy) return { id: null, sha256: null, evaluation: summary(await evaluate(standStill)), note };
  try {
    return { id: policy.id, sha256: policy.sha256, evaluation: summary(await evaluate(policyActor(policy, obsSize))), note };
  } catch (error) {
    const stillNote = `the current policy '${policy.id}' cannot drive the evaluation (${(error as Error).message}): compared with the robot standing still`;
    return { id: null, sha256: policy.sha256, evaluation: summary(await evaluate(standStill)), note: stillNote };
  } finally {
    policy.dispose();
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
