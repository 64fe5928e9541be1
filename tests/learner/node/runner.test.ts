/**
 * Rounds in a worker thread: a real round (dagger with the grid expert in the VecEnv, tiny
 * budgets) runs while the main thread's timers keep their period, and comes back with a
 * parity-checked package evaluated against the robot standing still; a worker that throws,
 * exits without a result or runs past job_timeout_s comes back as a named failure.
 */
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import type { TrainJobRequest } from "../../../nodes/learner/node/job";
import { workerJobRunner } from "../../../nodes/learner/node/runner";
import { findBags } from "../../../nodes/learner/node/bags";
import { runTrainingJob } from "../../../nodes/learner/node/train-job";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadPolicy } from "../../../nodes/learner/policy";
import { fixOrtForJest, tempDir } from "../policy/support";
import { sharedData } from "../../support/shared-data";

fixOrtForJest();
jest.setTimeout(180_000);

let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir("kestrel-runner-")));
afterEach(() => t.cleanup());

const request = (over: Partial<TrainJobRequest> = {}): TrainJobRequest => ({
  round: 1,
  algorithm: "dagger",
  bags: [],
  storeDir: join(t.dir, "policies"),
  outDir: join(t.dir, "round-001"),
  seed: 1,
  steps: 20,
  hidden: [8],
  batchSize: 32,
  worlds: ["cluttered"],
  evalEpisodes: 2,
  evalEnvs: 2,
  evalSeed: 5,
  maxEpisodeSteps: 40,
  expertSteps: 200,
  iterations: 0,
  ...over,
});

describe("workerJobRunner", () => {
  it("runs a real round in a worker thread while the main thread's timers keep firing", async () => {
    const lines: string[] = [];
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 20);
    const job = workerJobRunner({ timeoutS: 170 })(request(), (l) => lines.push(l));
    const result = await job.result;
    clearInterval(timer);
    if (!result.ok) throw new Error(`round failed at ${result.stage}: ${result.message}`);
    const gaps = ticks.slice(1).map((x, i) => x - ticks[i]!);
    expect(ticks.length).toBeGreaterThan(10);
    // The event loop never waited on training: no gap near the round's length (generous for a shared CPU).
    expect(Math.max(...gaps)).toBeLessThan(Math.min(1000, (result.seconds * 1000) / 3));
    expect(result.candidate).toMatchObject({ algorithm: "dagger", dir: join(t.dir, "round-001", "policy"), evaluation: { episodes: 2 } });
    expect(result.candidate.parityMaxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(result.incumbent).toMatchObject({ id: null, sha256: null, note: expect.stringMatching(/no policy deployed/) });
    expect(result.incumbent.evaluation.successRate).toBe(0); // standing still never arrives
    const policy = await loadPolicy(result.candidate.dir);
    expect(policy.sha256).toBe(result.candidate.sha256);
    expect(policy.manifest.evaluation).toMatchObject({ success_rate: result.candidate.evaluation.successRate, episodes: 2 });
    policy.dispose();
    expect(lines.some((l) => l.startsWith("candidate: success"))).toBe(true);
  });

  it("names a failed stage: bc without bags has no dataset", async () => {
    const result = await workerJobRunner({ timeoutS: 120 })(request({ algorithm: "bc" }), () => {}).result;
    expect(result).toMatchObject({ ok: false, stage: "dataset", message: "no recorded bags to learn from" });
  });

  it("reports a worker that throws as a crash", async () => {
    const spawn = () => new Worker("throw new Error('boom in training')", { eval: true });
    const result = await workerJobRunner({ timeoutS: 10, spawn })(request(), () => {}).result;
    expect(result).toMatchObject({ ok: false, stage: "worker", message: expect.stringMatching(/crashed: boom in training/) });
  });

  it("reports a worker that exits without a result", async () => {
    const spawn = () => new Worker("process.exit(3)", { eval: true });
    const result = await workerJobRunner({ timeoutS: 10, spawn })(request(), () => {}).result;
    expect(result).toMatchObject({ ok: false, stage: "worker", message: "the training worker exited (code 3) without a result" });
  });

  it("stops a round that runs past job_timeout_s", async () => {
    const spawn = () => new Worker("setInterval(() => {}, 1000)", { eval: true });
    const result = await workerJobRunner({ timeoutS: 0.3, spawn })(request(), () => {}).result;
    expect(result).toMatchObject({ ok: false, stage: "timeout", message: expect.stringMatching(/longer than 0.3 s \(job_timeout_s\)/) });
  });
});

describe("runTrainingJob", () => {
  it("fails the dataset stage on a corrupted bag, naming it", async () => {
    const bag = join(t.dir, "bags", "broken");
    mkdirSync(bag, { recursive: true });
    writeFileSync(join(bag, "broken_0.mcap"), Buffer.from("\x89MCAP0\r\n this is not a recording"));
    const result = await runTrainingJob(request({ algorithm: "bc", bags: findBags(join(t.dir, "bags")) }));
    expect(result).toMatchObject({ ok: false, stage: "dataset", message: expect.stringContaining("broken") });
  });
});

describe("findBags", () => {
  it("finds the bag folders in the recorder's output_dir, or takes one bag", () => {
    const shared = sharedData("bags");
    expect(findBags(join(shared, "jazzy_kestrel_topics_mcap"))).toEqual([join(shared, "jazzy_kestrel_topics_mcap")]);
    expect(findBags(shared)).toContain(join(shared, "rosbag2_talker_mcap"));
    expect(findBags(join(t.dir, "nothing-here"))).toEqual([]);
  });
});
