/**
 * `kestrel train --algo bc|dagger|ppo`: trains a driving policy and writes, under --out,
 *   dataset/          the training dataset (bc: from --bags, else expert rollouts in VecEnv)
 *   checkpoint.json   weights, normalisation and progress (bc resumes from it with --resume;
 *                     ppo starts from a bc/dagger run's checkpoint with --init DIR)
 *   curves.csv/.svg   learning curves (loss, success rate, return)
 *   policy/           the policy package (ONNX, parity-checked at 1e-5, with provenance)
 * and prints progress lines and a held-out evaluation against the expert: the same seeded episodes
 * (random reachable start/goal pairs unless --episodes-from world; seeds disjoint from training's)
 * for both, per world, collisions counted. The observation is layout kestrel-nav-v2
 * (nodes/learner/policy/observation.ts): lidar, goal and the global path's lookahead points.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../nodes/learner/ml/backend";
import { datasetFromBags, loadDataset, saveDataset, collectRollout, RolloutStore, type Dataset } from "../nodes/learner/dataset";
import { GridExpert } from "../nodes/learner/expert/grid-expert";
import {
  DEFAULT_BC_CONFIG,
  DEFAULT_DAGGER_CONFIG,
  DEFAULT_PPO_CONFIG,
  buildMlp,
  curvesCsv,
  curvesSvg,
  deriveSeeds,
  evaluateActor,
  exportPolicyPackage,
  makeNavEnv,
  modelActor,
  restoreWeights,
  runDagger,
  runPpo,
  trainBc,
  weightSnapshot,
  type ActionBounds,
  type CurveRow,
  type EpisodeStats,
  type Normalization,
} from "../nodes/learner/algos";

export const TRAIN_HELP = `Usage: kestrel train --algo bc|dagger|ppo [options]

  --algo A            bc (behaviour cloning), dagger, or ppo (fine-tuning in the VecEnv)
  --bags DIR...       bc: rosbag2 recordings of the navigation stack, e.g. from
                      \`kestrel eval nav --record DIR\` (else expert rollouts in VecEnv)
  --steps N           bc/dagger: gradient steps (per round for dagger); ppo: env steps
  --expert-steps N    env steps of expert driving for the dataset (default 60000)
  --iterations N      dagger rounds (default 4)
  --round-steps N     dagger: env steps collected per round (default 30000)
  --worlds a,b        worlds (default cluttered,office,warehouse)
  --envs N            robots stepped together (default 12)
  --init DIR          ppo: start from the checkpoint of a bc/dagger run in DIR
  --eval-episodes N   held-out evaluation episodes (default 48)
  --max-steps N       episode timeout in steps (default 1500 at 0.1 s)
  --episodes-from E   random (default: reachable start/goal pairs drawn anywhere, so held-out seeds
                      are unseen pairs) or world (the world files' spawns and goals)
  --seed S            master seed (default 0)
  --out DIR           output folder (default runs/<algo>-s<seed>)
  --resume            bc: continue from DIR/checkpoint.json
`;

interface Args {
  algo: string;
  bags: string[];
  steps?: number;
  expertSteps: number;
  iterations: number;
  roundSteps: number;
  worlds: string[];
  envs: number;
  init?: string;
  evalEpisodes: number;
  seed: number;
  out: string;
  resume: boolean;
  maxSteps: number;
  episodesFrom: "random" | "world";
}

export function parseTrainArgs(argv: string[]): Args {
  const a: Partial<Args> & { bags: string[] } = { bags: [] };
  const num = (v: string | undefined, flag: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const next = () => argv[++i];
    switch (f) {
      case "--algo": a.algo = next(); break;
      case "--bags": while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) a.bags.push(argv[++i]!); break;
      case "--steps": a.steps = num(next(), f); break;
      case "--expert-steps": a.expertSteps = num(next(), f); break;
      case "--iterations": a.iterations = num(next(), f); break;
      case "--round-steps": a.roundSteps = num(next(), f); break;
      case "--worlds": a.worlds = (next() ?? "").split(",").filter(Boolean); break;
      case "--envs": a.envs = num(next(), f); break;
      case "--init": a.init = next(); break;
      case "--eval-episodes": a.evalEpisodes = num(next(), f); break;
      case "--seed": a.seed = num(next(), f); break;
      case "--out": a.out = next(); break;
      case "--resume": a.resume = true; break;
      case "--max-steps": a.maxSteps = num(next(), f); break;
      case "--episodes-from": {
        const v = next();
        if (v !== "random" && v !== "world") throw new Error("--episodes-from must be random or world");
        a.episodesFrom = v;
        break;
      }
      default: throw new Error(`unknown option '${f}'`);
    }
  }
  if (!a.algo || !["bc", "dagger", "ppo"].includes(a.algo)) throw new Error("--algo must be bc, dagger or ppo");
  const seed = a.seed ?? 0;
  return {
    algo: a.algo,
    bags: a.bags,
    steps: a.steps,
    expertSteps: a.expertSteps ?? DEFAULT_DAGGER_CONFIG.initialExpertSteps,
    iterations: a.iterations ?? DEFAULT_DAGGER_CONFIG.iterations,
    roundSteps: a.roundSteps ?? DEFAULT_DAGGER_CONFIG.stepsPerIteration,
    worlds: a.worlds ?? DEFAULT_DAGGER_CONFIG.worlds,
    envs: a.envs ?? DEFAULT_DAGGER_CONFIG.numEnvs,
    init: a.init,
    evalEpisodes: a.evalEpisodes ?? DEFAULT_DAGGER_CONFIG.evalEpisodes,
    seed,
    out: resolve(a.out ?? join("runs", `${a.algo}-s${seed}`)),
    resume: a.resume ?? false,
    maxSteps: a.maxSteps ?? 1500,
    episodesFrom: a.episodesFrom ?? "random",
  };
}

export interface Checkpoint {
  algo: string;
  step: number;
  seed: number;
  hidden: number[];
  normalization: Normalization;
  weights: number[][];
  datasetSha256: string;
  curves: CurveRow[];
}

function bar(fraction: number): string {
  const n = Math.round(Math.max(0, Math.min(1, fraction)) * 24);
  return `[${"#".repeat(n)}${"-".repeat(24 - n)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

function fmtStats(s: EpisodeStats): string {
  const line = `success ${(s.successRate * 100).toFixed(1)}% (${s.successes}/${s.episodes}), collisions ${s.collisions}, timeouts ${s.timeouts}, mean return ${s.meanReturn.toFixed(1)}`;
  const worlds = Object.entries(s.byGroup ?? {}).map(([w, g]) => `${w} ${g.successes}/${g.episodes} (${g.collisions} coll.)`);
  return worlds.length > 0 ? `${line}; ${worlds.join(", ")}` : line;
}

function writeCurves(out: string, rows: CurveRow[], x: string, title: string): void {
  writeFileSync(join(out, "curves.csv"), curvesCsv(rows));
  writeFileSync(join(out, "curves.svg"), curvesSvg(rows, x, title));
}

export async function trainCommand(argv: string[], log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    log(TRAIN_HELP);
    return 0;
  }
  let args: Args;
  try {
    args = parseTrainArgs(argv);
  } catch (error) {
    log(`kestrel train: ${(error as Error).message}\n\n${TRAIN_HELP}`);
    return 2;
  }
  const backend = await selectBackend({ log: () => {} });
  log(`train ${args.algo}: seed ${args.seed}, backend ${backend.name}, worlds ${args.worlds.join(",")} (${args.episodesFrom} start/goal pairs), out ${args.out}`);
  mkdirSync(args.out, { recursive: true });
  const ENV = { ...DEFAULT_DAGGER_CONFIG.env, maxEpisodeSteps: args.maxSteps };
  const seeds = deriveSeeds(args.seed);
  const { env, worlds, spec } = makeNavEnv(args.worlds, args.envs, ENV, { episodes: args.episodesFrom });
  const bounds: ActionBounds = { vMax: env.config.robot.base.maxLinear, wMax: env.config.robot.base.maxAngular };
  const meta = spec;
  const ckptFile = join(args.out, "checkpoint.json");
  const saveCkpt = (c: Checkpoint) => writeFileSync(ckptFile, JSON.stringify(c));
  const groups = worlds.map((w) => w.name);
  const evaluate = (actor: Parameters<typeof evaluateActor>[1]) => evaluateActor(env, actor, { episodes: args.evalEpisodes, seed: seeds.evaluation, groups });
  const expert = new GridExpert(env, worlds);
  const expertStats = await evaluateActor(env, (o, a) => expert.act(o, a), { episodes: args.evalEpisodes, seed: seeds.evaluation, onReset: () => expert.reset(), groups });
  log(`expert (held-out seeds): ${fmtStats(expertStats)}`);

  let model: tf.LayersModel;
  let norm: Normalization;
  let datasetSha = "";
  let sample: Float32Array;
  let curves: CurveRow[] = [];

  if (args.algo === "bc") {
    const dsDir = join(args.out, "dataset");
    let dataset: Dataset;
    if (existsSync(join(dsDir, "dataset.json"))) {
      dataset = loadDataset(dsDir);
      log(`dataset: ${dsDir} (${dataset.manifest.count} transitions, sha256 ${dataset.manifest.sha256.slice(0, 16)}…, reused)`);
    } else {
      if (args.bags.length > 0) dataset = await datasetFromBags(args.bags, { splitSeed: args.seed, valFraction: 0.1 });
      else {
        const store = new RolloutStore(env.obsSize);
        await collectRollout(env, expert, null, store, { steps: args.expertSteps, seed: seeds.rollout, expertProbability: 1 });
        dataset = store.toDataset(meta, { valFraction: 0.1, splitSeed: args.seed, params: { algorithm: "expert-rollout", seed: args.seed, worlds: args.worlds, env: ENV } });
      }
      saveDataset(dsDir, dataset);
      log(`dataset: ${dataset.manifest.count} transitions, ${dataset.manifest.episodes.length} episodes (${dataset.manifest.origin}), sha256 ${dataset.manifest.sha256.slice(0, 16)}…`);
    }
    datasetSha = dataset.manifest.sha256;
    const config = { ...DEFAULT_BC_CONFIG, seed: args.seed, steps: args.steps ?? DEFAULT_BC_CONFIG.steps };
    let start = 0;
    let init: tf.LayersModel | undefined;
    if (args.resume && existsSync(ckptFile)) {
      const c = JSON.parse(readFileSync(ckptFile, "utf8")) as Checkpoint;
      if (c.datasetSha256 !== datasetSha) throw new Error(`${ckptFile}: trained on dataset ${c.datasetSha256}, not ${datasetSha}`);
      init = buildMlp(dataset.manifest.observation.size, c.hidden, 2, "tanh", 0, "policy");
      restoreWeights(init, c.weights);
      start = c.step;
      curves = c.curves;
      log(`resuming from step ${start}`);
    }
    const r = await trainBc(dataset, bounds, config, {
      model: init,
      startStep: start,
      onProgress: (p, m) => {
        curves.push({ step: p.step, train_loss: p.trainLoss, val_loss: p.valLoss });
        log(`${bar(p.step / config.steps)} step ${p.step}/${config.steps} train loss ${p.trainLoss.toExponential(3)} val loss ${p.valLoss.toExponential(3)}`);
        saveCkpt({ algo: "bc", step: p.step, seed: args.seed, hidden: config.hidden, normalization: dataset.manifest.normalization, weights: weightSnapshot(m), datasetSha256: datasetSha, curves });
      },
    });
    model = r.model;
    norm = r.normalization;
    sample = dataset.arrays.observations;
    writeCurves(args.out, curves, "step", "behaviour cloning");
  } else if (args.algo === "dagger") {
    const config = { ...DEFAULT_DAGGER_CONFIG, env: ENV, episodesFrom: args.episodesFrom, worlds: args.worlds, numEnvs: args.envs, seed: args.seed, iterations: args.iterations, stepsPerIteration: args.roundSteps, initialExpertSteps: args.expertSteps, evalEpisodes: args.evalEpisodes, bc: { ...DEFAULT_BC_CONFIG, seed: args.seed, steps: args.steps ?? DEFAULT_BC_CONFIG.steps } };
    const r = await runDagger(config, {
      log,
      onRound: (round, m, n) => {
        const last = round.bc[round.bc.length - 1];
        curves.push({ iteration: round.iteration, transitions: round.transitions, beta: round.beta, train_loss: last?.trainLoss ?? NaN, val_loss: last?.valLoss ?? NaN, success_rate: round.evaluation.successRate, collisions: round.evaluation.collisions, mean_return: round.evaluation.meanReturn });
        log(`${bar(round.iteration / config.iterations)} round ${round.iteration}/${config.iterations}`);
        saveCkpt({ algo: "dagger", step: round.iteration, seed: args.seed, hidden: config.bc.hidden, normalization: n, weights: weightSnapshot(m), datasetSha256: "", curves });
      },
    });
    model = r.model;
    norm = r.normalization;
    datasetSha = r.dataset.manifest.sha256;
    sample = r.dataset.arrays.observations;
    saveDataset(join(args.out, `dataset-${datasetSha.slice(0, 12)}`), r.dataset);
    saveCkpt({ algo: "dagger", step: config.iterations, seed: args.seed, hidden: config.bc.hidden, normalization: norm, weights: weightSnapshot(model), datasetSha256: datasetSha, curves });
    writeCurves(args.out, curves, "iteration", "DAgger");
  } else {
    let initActor: tf.LayersModel | undefined;
    let initNorm: Normalization | undefined;
    if (args.init) {
      const c = JSON.parse(readFileSync(join(args.init, "checkpoint.json"), "utf8")) as Checkpoint;
      initActor = buildMlp(env.obsSize, c.hidden, 2, "tanh", 0, "policy");
      restoreWeights(initActor, c.weights);
      initNorm = c.normalization;
      datasetSha = c.datasetSha256;
      log(`ppo: starting from ${args.init} (${c.algo}, dataset ${c.datasetSha256.slice(0, 16)}…)`);
    } else {
      // Normalisation from a short expert rollout (the policy starts from scratch).
      const store = new RolloutStore(env.obsSize);
      await collectRollout(env, expert, null, store, { steps: 4000, seed: seeds.rollout, expertProbability: 1 });
      const ds = store.toDataset(meta, { valFraction: 0, splitSeed: args.seed, params: {} });
      initNorm = ds.manifest.normalization;
      datasetSha = ds.manifest.sha256;
    }
    const config = { ...DEFAULT_PPO_CONFIG, env: ENV, worlds: args.worlds, numEnvs: args.envs, seed: args.seed, totalSteps: args.steps ?? DEFAULT_PPO_CONFIG.totalSteps, evalEpisodes: args.evalEpisodes };
    const iterations = Math.max(1, Math.floor(config.totalSteps / (config.numEnvs * config.rolloutSteps)));
    const r = await runPpo(config, { actor: initActor, normalization: initNorm }, {
      onIteration: (p) => {
        curves.push({ env_steps: p.envSteps, policy_loss: p.policyLoss, value_loss: p.valueLoss, entropy: p.entropy, rollout_success_rate: p.rolloutSuccessRate, rollout_return: p.rolloutReturn, success_rate: p.evaluation?.successRate ?? NaN, mean_return: p.evaluation?.meanReturn ?? NaN });
        log(`${bar(p.iteration / iterations)} iter ${p.iteration}/${iterations} env steps ${p.envSteps} (${p.envStepsPerSecond.toFixed(0)}/s) pg ${p.policyLoss.toFixed(4)} v ${p.valueLoss.toFixed(4)}${p.evaluation ? ` eval: ${fmtStats(p.evaluation)}` : ""}`);
      },
    });
    model = r.actor;
    norm = r.normalization;
    const store = new RolloutStore(env.obsSize);
    await collectRollout(env, expert, null, store, { steps: 256, seed: seeds.rollout, expertProbability: 1 });
    sample = store.toDataset(meta, { valFraction: 0, splitSeed: 0, params: {} }).arrays.observations;
    saveCkpt({ algo: "ppo", step: config.totalSteps, seed: args.seed, hidden: config.hidden, normalization: norm, weights: weightSnapshot(model), datasetSha256: datasetSha, curves });
    writeCurves(args.out, curves, "env_steps", "PPO");
  }
  const stats = await evaluate(modelActor(model, norm, bounds));
  log(`policy (held-out seeds): ${fmtStats(stats)}`);
  log(`policy / expert success: ${expertStats.successRate > 0 ? ((stats.successRate / expertStats.successRate) * 100).toFixed(1) : "n/a"}%`);
  const { manifest, maxAbsDiff } = await exportPolicyPackage(model, {
    dir: join(args.out, "policy"),
    algorithm: args.algo,
    datasetSha256: datasetSha,
    seed: args.seed,
    lidarBeams: spec.lidarBeams,
    maxRange: spec.maxRange,
    layout: spec.layout,
    lookaheadM: spec.lookaheadM,
    bounds,
    normalization: norm,
    sample,
    evaluation: { success_rate: stats.successRate, mean_return: stats.meanReturn, episodes: stats.episodes },
    extra: { backend: backend.name, worlds: args.worlds },
  });
  log(`policy package: ${join(args.out, "policy")} (sha256 ${manifest.model.sha256.slice(0, 16)}…, ONNX parity max |Δ| ${maxAbsDiff.toExponential(2)})`);
  return 0;
}
