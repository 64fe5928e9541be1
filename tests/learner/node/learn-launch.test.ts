/**
 * The whole online loop, in process on the embedded bus: launch/learn.launch.xml with tiny
 * budgets (the sim as fast as it can run, one episode per round, three rounds). The expert
 * drives episodes, the recorder writes them, the learner trains in a worker thread, the gate
 * deploys a candidate that beats the robot standing still and refuses a worse one, /policy/info
 * announces the deployment latched and the controller goes from shadow to policy mode, where
 * pursuit's command for each cycle is recorded on /cmd_vel_expert (the label of later rounds).
 *
 * The rounds train with dagger (grid expert in the VecEnv): seeded end to end, so each round's
 * candidate and evaluations do not depend on how fast the sim ran (a bc round learns from the
 * recorded episodes, whose length does); with these budgets round 1 beats standing still and a
 * later round is worse than it. A bc round on the run's own bag closes the test.
 */
import { join } from "node:path";
import { startLaunch, type StartedLaunch } from "../../../cli/launch";
import type { kestrel_msgs } from "../../../msgs/generated/types";
import { findBags } from "../../../nodes/learner/node/bags";
import type { TrainJobRequest } from "../../../nodes/learner/node/job";
import { gate } from "../../../nodes/learner/node/loop";
import { workerJobRunner } from "../../../nodes/learner/node/runner";
import type { LearnerInstance } from "../../../nodes/learner/node/node";
import type { RecorderInstance } from "../../../nodes/recorder/node";
import { POLICY_INFO_QOS, POLICY_INFO_TOPIC, PolicyStore } from "../../../nodes/learner/policy";
import { Logger, type LogRecord } from "../../../ros/logger";
import { RosNode } from "../../../ros/node";
import { LocalTransport } from "../../../ros/transport/local/backend";
import { fixOrtForJest, tempDir } from "../policy/support";

fixOrtForJest();
jest.setTimeout(420_000);

const REPO = join(__dirname, "..", "..", "..");
let t: ReturnType<typeof tempDir>;
let started: StartedLaunch | undefined;
beforeEach(() => (t = tempDir("kestrel-learn-launch-")));
afterEach(async () => {
  await started?.container.shutdown();
  started = undefined;
  t.cleanup();
});

const learnerRequestBase = (runDir: string): TrainJobRequest => ({
  round: 9,
  algorithm: "bc",
  bags: [],
  storeDir: join(runDir, "policies"),
  outDir: "",
  seed: 9,
  steps: 30,
  hidden: [16],
  batchSize: 64,
  worlds: ["office"],
  evalEpisodes: 2,
  evalEnvs: 2,
  evalSeed: 1000,
  maxEpisodeSteps: 50,
  expertSteps: 0,
  iterations: 0,
});

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("launch/learn.launch.xml", () => {
  it("runs the loop end to end and deploys a policy better than none; the controller promotes it", async () => {
    const logs: LogRecord[] = [];
    const transport = new LocalTransport({ logSink: (r) => logs.push(r) });
    const logger = new Logger({ name: "kestrel.launch", sink: (r) => logs.push(r) });
    const runDir = join(t.dir, "run");
    started = await startLaunch({
      file: join(REPO, "launch", "learn.launch.xml"),
      args: {
        real_time_factor: "0.0",
        run_dir: runDir,
        episodes_per_round: "1",
        max_rounds: "3",
        algorithm: "dagger",
        train_steps: "50",
        expert_steps: "1000",
        dagger_iterations: "0",
        eval_episodes: "4",
        eval_max_steps: "300",
      },
      transport,
      logger,
    });
    const running = started.container.running();
    expect(running.map((r) => r.exec).sort()).toEqual(["controller", "episodes", "learner", "planner", "recorder", "sim"]);
    const learner = running.find((r) => r.exec === "learner")!.instance as LearnerInstance;
    const store = new PolicyStore(join(runDir, "policies"));

    await waitFor("three decided rounds", () => learner.loop.rounds.filter((r) => r.status !== "running").length >= 3, 360_000);
    const decided = learner.loop.rounds.filter((r) => r.status !== "running");
    for (const r of decided) {
      // Every decision is the gate's on the evaluations the round reported.
      if (r.candidate && r.incumbent && !/changed during|refused at load/.test(r.reason)) {
        expect(r.status === "deployed").toBe(gate(r.candidate.evaluation, r.incumbent.evaluation, 0).deploy);
      }
    }
    const first = decided.find((r) => r.status === "deployed");
    if (!first) throw new Error(`no round deployed: ${decided.map((r) => `round ${r.round}: ${r.reason}`).join("; ")}`);
    // A worse candidate was refused, and the store still holds what was deployed before it.
    const refused = decided.find((r) => r.status === "rejected" && r.round > first.round);
    expect(refused?.reason).toMatch(/^(worse success rate|not better)/);
    expect(first!.incumbent).toMatchObject({ id: null, note: expect.stringMatching(/standing still/) });
    expect(store.state()!.current.manifest.id).toBe(learner.loop.rounds.filter((r) => r.status === "deployed").pop()!.candidate!.id);

    // Announced latched: a late subscriber hears the deployed policy.
    const probe = new RosNode(transport.createNode({ name: "probe", namespace: "", rosArgs: [] }));
    const heard: kestrel_msgs.msg.PolicyInfo[] = [];
    probe.subscribe("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS).subscribe((m) => heard.push(m));
    await transport.bus.flush();
    expect(heard.map((m) => m.sha256)).toContain(first!.candidate!.sha256);

    // Shadow, then policy.
    await waitFor("the controller's promotion", () => logs.some((l) => l.logger === "controller" && l.message === "controller mode: 'shadow' -> 'policy'"), 10_000);
    const messages = logs.filter((l) => l.logger === "learner").map((l) => l.message);
    expect(messages).toContainEqual(expect.stringMatching(/^round \d+: DEPLOYED policy '[^']+' \(sha256 [0-9a-f]{12}\)/));
    expect(learner.summary!()).toMatch(/3 round\(s\): [12] deployed, [12] rejected/);

    // The policy drives now and pursuit labels its states: /cmd_vel_expert is recorded.
    const recorder = running.find((r) => r.exec === "recorder")!.instance as RecorderInstance;
    await waitFor("/cmd_vel_expert in the bag", () => (recorder.counts()["/cmd_vel_expert"] ?? 0) > 0, 30_000);
    expect(recorder.counts()["/tf_static"]).toBeGreaterThan(0); // map -> odom: the planner plans in map

    // The recorded episodes are training data: a bc round on the run's bag.
    const bags = findBags(join(runDir, "bags"));
    expect(bags).toHaveLength(1);
    const progress: string[] = [];
    const bc = await workerJobRunner({ timeoutS: 200 })(
      { ...learnerRequestBase(runDir), algorithm: "bc", bags, outDir: join(t.dir, "bc-round") },
      (line) => progress.push(line),
    ).result;
    if (!bc.ok) throw new Error(`bc round failed at ${bc.stage}: ${bc.message}`);
    expect(bc.candidate.transitions).toBeGreaterThan(100);
    expect(progress).toContainEqual(expect.stringMatching(/^dataset: \d+ transitions \(\d+ labelled by \/cmd_vel_expert\)/));
    expect(bc.incumbent.sha256).toBe(store.state()!.current.manifest.model.sha256);
  });
});
