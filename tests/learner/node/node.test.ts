/**
 * The learner node on the embedded bus, with a scripted round runner that hands back what the
 * worker would (real policy packages, their evaluations): it deploys only a better candidate,
 * announces it latched on /policy/info, refuses a worse one, a failed round and a package that
 * is corrupted by the time it is deployed — each with its reason, the store untouched — and a
 * rollback restores the previous policy. Malformed episode events are named and skipped.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kestrel_msgs as msgs, type kestrel_msgs } from "../../../msgs/generated/types";
import { createLearnerNode, type LearnerInstance, type LearnerParameters } from "../../../nodes/learner/node/node";
import type { EvaluationSummary, TrainJobRequest, TrainJobResult } from "../../../nodes/learner/node/job";
import type { JobRunner } from "../../../nodes/learner/node/runner";
import { MODEL_FILE, POLICY_INFO_QOS, POLICY_INFO_TOPIC, PolicyStore, readManifest } from "../../../nodes/learner/policy";
import { policyCommand } from "../../../cli/policy";
import { localStack, type LocalStack } from "../../support/local-stack";
import { fixOrtForJest, goalSeekingLayers, tempDir, twoLayerMlp, writeTestPackage } from "../policy/support";

fixOrtForJest();

const { START, END } = msgs.msg.EpisodeEvent;
const evaluation = (successRate: number, meanReturn: number): EvaluationSummary => ({ episodes: 10, successes: successRate * 10, collisions: 0, timeouts: 0, successRate, meanReturn });

/** What a round returns: a package written in the round's folder (as the worker does), or a failure. */
type Script = (request: TrainJobRequest, store: PolicyStore) => TrainJobResult;

/** A runner that plays the scripted rounds in order, asynchronously, as the worker would. */
function scriptedRunner(scripts: Script[], store: () => PolicyStore, requests: TrainJobRequest[]): (timeoutS: number) => JobRunner {
  return () => (request) => {
    requests.push(request);
    const script = scripts.shift();
    const result = new Promise<TrainJobResult>((resolve) => setTimeout(() => resolve(script ? script(request, store()) : { ok: false, stage: "worker", message: "no script", seconds: 0 }), 10));
    return { request, result, cancel: async () => {} };
  };
}

/** A round that trained `id` and evaluated it (and the store's current policy) as given. */
function trained(id: string, cand: EvaluationSummary, current: EvaluationSummary, options: { layers?: ReturnType<typeof goalSeekingLayers>; corrupt?: boolean } = {}): Script {
  return (request, store) => {
    const dir = writeTestPackage(join(request.outDir, "policy"), { layers: options.layers ?? goalSeekingLayers(), manifest: { id, evaluation: { success_rate: cand.successRate, mean_return: cand.meanReturn, episodes: cand.episodes } } });
    if (options.corrupt) writeFileSync(join(dir, MODEL_FILE), Buffer.from("not the model the manifest names"));
    const state = store.state();
    const manifest = readManifest(dir);
    return {
      ok: true,
      candidate: { dir, id, sha256: manifest.model.sha256, algorithm: "bc", evaluation: cand, parityMaxAbsDiff: 1e-7, datasetSha256: "d".repeat(64), transitions: 100, trainEpisodes: 2 },
      incumbent: { id: state?.current.manifest.id ?? null, sha256: state?.current.manifest.model.sha256 ?? null, evaluation: current, note: state ? "" : "no policy deployed" },
      seconds: 0.01,
    };
  };
}

let t: ReturnType<typeof tempDir>;
let stack: LocalStack;
let learner: LearnerInstance | undefined;
let store: PolicyStore;
const requests: TrainJobRequest[] = [];

beforeEach(() => {
  t = tempDir("kestrel-learner-");
  stack = localStack();
  store = new PolicyStore(join(t.dir, "policies"));
  requests.length = 0;
});
afterEach(async () => {
  await learner?.stop?.();
  learner = undefined;
  t.cleanup();
});

async function startLearner(scripts: Script[], over: Partial<LearnerParameters> = {}): Promise<LearnerInstance> {
  const definition = createLearnerNode({ runner: scriptedRunner(scripts, () => store, requests) });
  const args = Object.entries({ store_dir: store.root, bag_dir: join(t.dir, "bags"), work_dir: join(t.dir, "learner"), episodes_per_round: 1, check_period_s: 0.02, min_episode_s: "0.0", ...over }).flatMap(([k, v]) => ["-p", `${k}:=${v}`]);
  const node = stack.node("learner", args);
  learner = (await definition.start(node, node.declareParameters<LearnerParameters>(definition.parameters))) as LearnerInstance;
  return learner;
}

const events = () => stack.node("episodes").createPublisher("kestrel_msgs/msg/EpisodeEvent", "/episode/events", { depth: 50 });
let episodeCount = 0;
function episode(pub: ReturnType<typeof events>, outcome = "success"): void {
  const id = `ep-${++episodeCount}`;
  const header = { stamp: { sec: episodeCount * 100, nanosec: 0 }, frame_id: "" };
  pub.publish({ header, event: START, episode_id: id, outcome: "", return_value: 0 });
  pub.publish({ header: { ...header, stamp: { sec: episodeCount * 100 + 30, nanosec: 0 } }, event: END, episode_id: id, outcome, return_value: 12.5 });
}

/** Runs one round: an episode ends, the round starts, its result is decided. */
async function round(l: LearnerInstance, pub: ReturnType<typeof events>): Promise<void> {
  const before = l.loop.rounds.length;
  episode(pub);
  await stack.flush();
  for (let i = 0; i < 200 && l.loop.rounds.length === before; i++) await new Promise((r) => setTimeout(r, 10));
  await l.whenIdle();
}

const learnerLogs = (level: string) => stack.logs.filter((r) => r.logger === "learner" && r.level === level).map((r) => r.message);

describe("learner node", () => {
  it("deploys a candidate better than no policy and announces it latched on /policy/info", async () => {
    const l = await startLearner([trained("first", evaluation(0.2, 10), evaluation(0, -30))]);
    const pub = events();
    await round(l, pub);
    expect(l.loop.rounds[0]).toMatchObject({ round: 1, status: "deployed" });
    expect(store.state()!.current.manifest.id).toBe("first");
    expect(requests[0]).toMatchObject({ round: 1, storeDir: store.root, algorithm: "bc", outDir: join(t.dir, "learner", "round-001") });
    expect(learnerLogs("INFO")).toContainEqual(expect.stringMatching(/^round 1: DEPLOYED policy 'first' \(sha256 [0-9a-f]{12}\): better success rate/));
    // A subscriber that comes later still hears it (transient local).
    const heard: kestrel_msgs.msg.PolicyInfo[] = [];
    stack.node("late").subscribe("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS).subscribe((m) => heard.push(m));
    await stack.flush();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ policy_id: "first", sha256: store.state()!.current.manifest.model.sha256, previous_policy_id: "", store: store.root });
    expect(heard[0]!.success_rate).toBeCloseTo(0.2, 6);
  });

  it("refuses a worse candidate with its reason and leaves the current policy untouched", async () => {
    const l = await startLearner([trained("first", evaluation(0.5, 10), evaluation(0, -30)), trained("worse", evaluation(0.3, 90), evaluation(0.5, 10), { layers: twoLayerMlp() })]);
    const pub = events();
    await round(l, pub);
    const pointer = store.readPointer();
    await round(l, pub);
    expect(l.loop.rounds.map((r) => r.status)).toEqual(["deployed", "rejected"]);
    expect(store.readPointer()).toEqual(pointer);
    expect(learnerLogs("WARN")).toContainEqual(expect.stringMatching(/^round 2: candidate rejected: worse success rate \(candidate success 30.0%, return 90.00 vs current success 50.0%, return 10.00\); the current policy is untouched$/));
    expect(l.summary!()).toMatch(/^2 episodes, 2 round\(s\): 1 deployed, 1 rejected; last deployed 'first'/);
  });

  it("refuses a package corrupted before deployment (sha256 checked at load), the store untouched", async () => {
    const l = await startLearner([trained("first", evaluation(0.5, 10), evaluation(0, -30)), trained("broken", evaluation(0.9, 50), evaluation(0.5, 10), { layers: twoLayerMlp(), corrupt: true })]);
    const pub = events();
    await round(l, pub);
    const pointer = store.readPointer();
    await round(l, pub);
    expect(l.loop.rounds[1]).toMatchObject({ status: "rejected", reason: expect.stringMatching(/^refused at load: .*policy\.onnx: sha256 mismatch/) });
    expect(store.readPointer()).toEqual(pointer);
    expect(learnerLogs("ERROR")).toContainEqual(expect.stringMatching(/^round 2: candidate rejected: refused at load: .*sha256 mismatch.*; the current policy is untouched$/));
  });

  it("refuses a failed round (export parity, crashed worker) with the stage and reason", async () => {
    const fail = (stage: "export" | "worker", message: string): Script => () => ({ ok: false, stage, message, seconds: 1 });
    const l = await startLearner([fail("export", "ONNX export rejected: max abs difference 3.000e-2 exceeds tolerance 1.0e-5"), fail("worker", "the training worker crashed: out of memory")]);
    const pub = events();
    await round(l, pub);
    await round(l, pub);
    expect(l.loop.rounds.map((r) => r.reason)).toEqual([
      "export failed: ONNX export rejected: max abs difference 3.000e-2 exceeds tolerance 1.0e-5",
      "worker failed: the training worker crashed: out of memory",
    ]);
    expect(store.readPointer()).toBeUndefined();
  });

  it("keeps the previous policy: one rollback command restores it", async () => {
    const l = await startLearner([trained("first", evaluation(0.2, 10), evaluation(0, -30)), trained("second", evaluation(0.6, 40), evaluation(0.2, 10), { layers: twoLayerMlp() })]);
    const pub = events();
    await round(l, pub);
    await round(l, pub);
    expect(store.state()).toMatchObject({ current: { manifest: { id: "second" } }, previous: { manifest: { id: "first" } } });
    expect(learnerLogs("INFO")).toContainEqual(expect.stringMatching(/^round 2: DEPLOYED policy 'second' .*previous 'first' \(rollback: kestrel policy rollback --store .*policies\)$/));
    const out: string[] = [];
    expect(await policyCommand(["rollback", "--store", store.root], { out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
    expect(store.state()).toMatchObject({ current: { manifest: { id: "first" } }, previous: { manifest: { id: "second" } } });
  });

  it("refuses a stale comparison when the store changed during the round", async () => {
    const l = await startLearner([
      (request, s) => {
        const result = trained("late", evaluation(0.9, 50), evaluation(0, -30))(request, s);
        s.deploy(writeTestPackage(join(t.dir, "by-hand"), { manifest: { id: "by-hand" } })); // someone deploys meanwhile
        return result;
      },
    ]);
    await round(l, events());
    expect(l.loop.rounds[0]).toMatchObject({ status: "rejected", reason: expect.stringMatching(/changed during the round/) });
    expect(store.state()!.current.manifest.id).toBe("by-hand");
  });

  it("names a malformed episode event, skips it and keeps running", async () => {
    const l = await startLearner([], { episodes_per_round: 5 });
    const pub = events();
    pub.publish({ header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "" }, event: END, episode_id: "ep-x", outcome: "exploded", return_value: 1 });
    pub.publish({ header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "" }, event: END, episode_id: "", outcome: "success", return_value: 1 });
    episode(pub);
    await stack.flush();
    expect(learnerLogs("ERROR")).toEqual([
      "/episode/events: ignored a malformed kestrel_msgs/EpisodeEvent: END of 'ep-x' has outcome 'exploded', expected one of success, collision, timeout, aborted",
      "/episode/events: ignored a malformed kestrel_msgs/EpisodeEvent: episode_id is empty",
    ]);
    expect(l.loop.episodes).toBe(1);
  });
});
