/**
 * The learner node (executable "learner"): the online learning loop. It counts the episodes
 * ending on /episode/events (kestrel_msgs/EpisodeEvent, as the episodes node and the recorder's
 * markEpisode publish them); every `episodes_per_round` finished episodes it starts a round in a
 * worker thread (runner.ts → train-job.ts: dataset from the recorded bags, training, evaluation of
 * candidate and current policy on the same seeded episodes, export with ONNX parity). The result
 * goes through the loop core's gate (loop.ts); an accepted candidate is deployed with the policy
 * store's atomic swap (which verifies the package, sha256 included, before and after the copy) and
 * announced latched on /policy/info, which makes controllers load it. Anything else — a worse
 * candidate, a failed export, a crashed or timed-out worker, a package refused at load — is logged
 * with its reason and leaves the store, and the running policy, untouched. The previous policy
 * stays in the store: `kestrel policy rollback --store <store_dir>` restores it.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subscription } from "rxjs";
import { kestrel_msgs } from "../../../msgs/generated/types";
import { defineNode, type NodeDefinition, type NodeInstance } from "../../../ros/definition";
import type { RosNode } from "../../../ros/node";
import { packageShareDir } from "../../../ros/package-share";
import { timeToSeconds } from "../../../ros/time";
import { EPISODE_TOPIC as EPISODE_EVENTS_TOPIC } from "../../recorder/node";
import { PolicyStore } from "../policy/deploy";
import { POLICY_INFO_QOS, POLICY_INFO_TOPIC, policyInfoMessage } from "../policy/info";
import type { TrainAlgorithm, TrainJobRequest, TrainJobResult } from "./job";
import { LearnerLoop, type RoundRecord } from "./loop";
import { workerJobRunner, type JobRunner, type RunningJob } from "./runner";
import { findBags } from "./bags";


export interface LearnerParameters extends Record<string, unknown> {
  store_dir: string;
  bag_dir: string;
  work_dir: string;
  episodes_per_round: number;
  max_rounds: number;
  algorithm: string;
  train_steps: number;
  hidden_units: number[];
  batch_size: number;
  seed: number;
  worlds: string[];
  eval_episodes: number;
  eval_envs: number;
  eval_seed: number;
  max_episode_steps: number;
  min_success_rate: number;
  min_episode_s: number;
  job_timeout_s: number;
  expert_steps: number;
  dagger_iterations: number;
  check_period_s: number;
}

export interface LearnerInstance extends NodeInstance {
  readonly loop: LearnerLoop;
  /** Resolves when no round is running (now, or when the running one has been decided). */
  whenIdle(): Promise<void>;
}

export interface LearnerNodeOptions {
  /** Runs rounds; default: a worker thread per round (runner.ts). Tests pass their own. */
  runner?: (timeoutS: number) => JobRunner;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function createLearnerNode(options: LearnerNodeOptions = {}): NodeDefinition<LearnerParameters> {
  return defineNode<LearnerParameters>({
    name: "learner",
    description: "Online learning: retrains a driving policy from recorded episodes in a worker, deploys it only when it evaluates better",
    parameters: {
      type: "object",
      properties: {
        store_dir: { type: "string", default: "", description: "Policy store the learner deploys to (the controllers' policy_dir); empty = 'policies' in the kestrel package share directory", readOnly: true },
        bag_dir: { type: "string", default: "bags", description: "The recorder's output_dir (or one bag): every bag in it is training data", readOnly: true },
        work_dir: { type: "string", default: "learner", description: "Where each round writes its candidate package (<work_dir>/round-NNN/policy)", readOnly: true },
        episodes_per_round: { type: "integer", default: 5, minimum: 1, description: "Finished episodes since the last round that start the next one" },
        max_rounds: { type: "integer", default: 0, minimum: 0, description: "Rounds to run; 0 = no limit" },
        algorithm: { type: "string", enum: ["bc", "dagger"], default: "bc", description: "bc: behaviour cloning on the recorded episodes; dagger: DAgger with the grid expert in the VecEnv" },
        train_steps: { type: "integer", default: 1500, minimum: 1, description: "Gradient steps per round (dagger: per iteration)" },
        hidden_units: { type: "array", items: { type: "integer", minimum: 1 }, default: [64, 64], description: "Hidden layer widths of the policy MLP" },
        batch_size: { type: "integer", default: 256, minimum: 1, description: "Transitions per gradient step" },
        seed: { type: "integer", default: 0, description: "Training seed (round k trains with seed + k)" },
        worlds: { type: "array", items: { type: "string" }, default: ["office"], description: "Worlds of the evaluation episodes (and of dagger's rollouts)" },
        eval_episodes: { type: "integer", default: 24, minimum: 1, description: "Seeded evaluation episodes, the same for candidate and current policy" },
        eval_envs: { type: "integer", default: 8, minimum: 1, description: "Robots stepped together in the evaluation" },
        eval_seed: { type: "integer", default: 1000, description: "Seed of the evaluation episodes (fixed: every round is judged on the same episodes)" },
        max_episode_steps: { type: "integer", default: 600, minimum: 1, description: "An evaluation episode times out after this many 0.1 s steps" },
        min_success_rate: { type: "number", default: 0, minimum: 0, maximum: 1, description: "A candidate below this success rate is never deployed" },
        min_episode_s: { type: "number", default: 1.0, minimum: 0, description: "Episodes shorter than this (START to END, s, node clock) do not count towards a round" },
        job_timeout_s: { type: "number", default: 900, minimum: 0, description: "A round running longer than this (s, wall clock) is stopped and refused; 0 = no limit" },
        expert_steps: { type: "integer", default: 20000, minimum: 1, description: "dagger: expert-driven env steps before the first training" },
        dagger_iterations: { type: "integer", default: 1, minimum: 0, description: "dagger: iterations after the initial behaviour cloning" },
        check_period_s: { type: "number", default: 1.0, exclusiveMinimum: 0, description: "How often the node checks whether a round is due (s, node clock)" },
      },
    },
    start: (node, params) => startLearner(node, params.values, options),
  });
}

export const learnerNode = createLearnerNode();

function startLearner(node: RosNode, p: Readonly<LearnerParameters>, options: LearnerNodeOptions): LearnerInstance {
  const log = node.logger;
  const loop = new LearnerLoop({ episodesPerRound: p.episodes_per_round, maxRounds: p.max_rounds, minSuccessRate: p.min_success_rate, minEpisodeS: p.min_episode_s });
  const storeDir = resolve(p.store_dir !== "" ? p.store_dir : join(packageShareDir(), "policies"));
  const store = new PolicyStore(storeDir);
  const runJob = (options.runner ?? ((t) => workerJobRunner({ timeoutS: t })))(p.job_timeout_s);
  const infoPub = node.createPublisher("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS);
  const { START, END } = kestrel_msgs.msg.EpisodeEvent;
  let job: RunningJob | undefined;
  let jobDone: Promise<void> = Promise.resolve();
  let stopped = false;

  const subscriptions: Subscription[] = [
    node.subscribe("kestrel_msgs/msg/EpisodeEvent", EPISODE_EVENTS_TOPIC, { depth: 100 }).subscribe((e) => {
      const problem = loop.onEpisodeEvent({ ...e, stampS: e.header?.stamp ? timeToSeconds(e.header.stamp) : Number.NaN }, START, END);
      if (problem) {
        log.error(`${EPISODE_EVENTS_TOPIC}: ignored a malformed kestrel_msgs/EpisodeEvent: ${problem}`);
        return;
      }
      if (e.event === END) log.debug(`episode '${e.episode_id}' ${e.outcome} (return ${e.return_value.toFixed(1)}): ${loop.episodes} finished`);
    }),
  ];

  /** The store's current sha256, or null when nothing is deployed or the pointer is unreadable. */
  const storeSha = (): string | null => {
    try {
      return store.state()?.current.manifest.model.sha256 ?? null;
    } catch (error) {
      log.warn(`policy store ${storeDir}: ${(error as Error).message}`);
      return null;
    }
  };

  const finish = (round: RoundRecord, result: TrainJobResult): void => {
    if (stopped) return;
    const decision = loop.decide(result, storeSha());
    const tag = `round ${round.round}`;
    if (result.ok) {
      const c = result.candidate;
      const i = result.incumbent;
      log.info(
        `${tag}: candidate '${c.id}' (sha256 ${c.sha256.slice(0, 12)}, ${c.transitions} transitions, parity ${c.parityMaxAbsDiff.toExponential(1)}) ` +
          `success ${pct(c.evaluation.successRate)} return ${c.evaluation.meanReturn.toFixed(1)} vs current ${i.id ? `'${i.id}'` : "(none: standing still)"} ` +
          `success ${pct(i.evaluation.successRate)} return ${i.evaluation.meanReturn.toFixed(1)} on ${c.evaluation.episodes} seeded episodes (${result.seconds.toFixed(1)} s)`,
      );
    }
    if (decision.action === "reject") {
      loop.complete("rejected", decision.reason);
      log.warn(`${tag}: candidate rejected: ${decision.reason}; the current policy is untouched`);
      return;
    }
    try {
      const deployed = store.deploy(decision.candidate.dir);
      const prev = deployed.previous?.manifest.id ?? "";
      infoPub.publish(policyInfoMessage(deployed.current.manifest, { stamp: node.now(), deployedAt: deployed.pointer.deployed_at, previousId: prev, store: store.root }));
      loop.complete("deployed", decision.reason);
      log.info(
        `${tag}: DEPLOYED policy '${deployed.current.manifest.id}' (sha256 ${decision.candidate.sha256.slice(0, 12)}): ${decision.reason}; ` +
          `previous ${prev ? `'${prev}'` : "none"}${prev ? ` (rollback: kestrel policy rollback --store ${store.root})` : ""}`,
      );
    } catch (error) {
      const reason = `refused at load: ${(error as Error).message}`;
      loop.complete("rejected", reason);
      log.error(`${tag}: candidate rejected: ${reason}; the current policy is untouched`);
    }
  };

  const maybeStart = (): void => {
    if (stopped || job) return;
    const round = loop.nextRound();
    if (!round) return;
    const outDir = join(resolve(p.work_dir), `round-${String(round.round).padStart(3, "0")}`);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    const request: TrainJobRequest = {
      round: round.round,
      algorithm: p.algorithm as TrainAlgorithm,
      bags: findBags(p.bag_dir),
      storeDir,
      outDir,
      seed: p.seed + round.round,
      steps: p.train_steps,
      hidden: [...p.hidden_units],
      batchSize: p.batch_size,
      worlds: [...p.worlds],
      evalEpisodes: p.eval_episodes,
      evalEnvs: p.eval_envs,
      evalSeed: p.eval_seed,
      maxEpisodeSteps: p.max_episode_steps,
      expertSteps: p.expert_steps,
      iterations: p.dagger_iterations,
    };
    log.info(`round ${round.round}: ${round.episodes} finished episodes; training ${request.algorithm} (${request.steps} steps) on ${request.bags.length} bag(s) in a worker thread`);
    const running = runJob(request, (line) => log.info(`round ${round.round}: ${line}`));
    job = running;
    jobDone = running.result
      .then((result) => finish(round, result))
      .catch((error) => {
        if (loop.running) loop.complete("rejected", `internal error: ${(error as Error).message}`);
        log.error(`round ${round.round}: ${(error as Error).message}`);
      })
      .finally(() => {
        job = undefined;
      });
  };

  const timer = node.createTimer(p.check_period_s * 1000, maybeStart);
  log.info(`learner: a round every ${p.episodes_per_round} finished episodes on ${EPISODE_EVENTS_TOPIC}; bags from ${resolve(p.bag_dir)}; deploys to ${storeDir}`);

  return {
    loop,
    whenIdle: () => jobDone,
    stop: async () => {
      stopped = true;
      timer.cancel();
      for (const s of subscriptions) s.unsubscribe();
      // Waits for the round's thread to end too: the process may exit right after.
      await job?.cancel("the learner is stopping");
      await jobDone;
    },
    summary: () => {
      const deployed = loop.rounds.filter((r) => r.status === "deployed");
      const rejected = loop.rounds.filter((r) => r.status === "rejected").length;
      const last = deployed[deployed.length - 1];
      return (
        `${loop.episodes} episodes, ${loop.rounds.length} round(s): ${deployed.length} deployed, ${rejected} rejected` +
        `${last?.candidate ? `; last deployed '${last.candidate.id}' (success ${pct(last.candidate.evaluation.successRate)}, return ${last.candidate.evaluation.meanReturn.toFixed(1)})` : ""}` +
        `${loop.running ? `; round ${loop.running.round} still running` : ""}`
      );
    },
  };
}
