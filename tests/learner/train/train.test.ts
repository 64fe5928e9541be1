import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixOrtForJest } from "../../support/ort-realm";
import { writeTestPackage } from "../policy/support";
import { selectBackend } from "../../../nodes/learner/ml/backend";
import { loadPolicy } from "../../../nodes/learner/policy";
import { collectRollout, RolloutStore } from "../../../nodes/learner/dataset";
import { GridExpert } from "../../../nodes/learner/expert/grid-expert";
import { betterRound } from "../../../nodes/learner/algos/dagger";
import { DEFAULT_BC_CONFIG, DEFAULT_DAGGER_CONFIG, DEFAULT_PPO_CONFIG, exportPolicyPackage, makeNavEnv, modelActor, runDagger, runPpo, trainBc } from "../../../nodes/learner/algos";
import { trainCommand } from "../../../cli/train";
import { evalPolicyCommand } from "../../../cli/eval-policy";

jest.setTimeout(60_000);
const bounds = { vMax: 0.22, wMax: 2.84 };
let dir: string;

beforeAll(async () => {
  fixOrtForJest();
  await selectBackend({ log: () => {} });
  dir = mkdtempSync(join(tmpdir(), "kestrel-train-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("behaviour cloning produces a package that loadPolicy accepts, with parity", async () => {
  const { env, worlds, spec } = makeNavEnv(["cluttered"], 4, { maxEpisodeSteps: 300 });
  const store = new RolloutStore(env.obsSize);
  await collectRollout(env, new GridExpert(env, worlds), null, store, { steps: 2000, seed: 1, expertProbability: 1 });
  const ds = store.toDataset(spec, { valFraction: 0.2, splitSeed: 0, params: {} });
  const size = env.obsSize;
  expect(ds.manifest.observation).toMatchObject({ layout: "kestrel-nav-v2", size: 46, lookahead_m: [0.4, 0.8, 1.6, 2.4] });
  const r = await trainBc(ds, bounds, { ...DEFAULT_BC_CONFIG, hidden: [32, 32], steps: 300, evalEvery: 100, batchSize: 128, seed: 3 });
  expect(r.history).toHaveLength(3);
  expect(r.history[2]!.trainLoss).toBeLessThan(r.history[0]!.trainLoss);
  const out = join(dir, "bc-policy");
  const { manifest, maxAbsDiff } = await exportPolicyPackage(r.model, { dir: out, algorithm: "bc", datasetSha256: ds.manifest.sha256, seed: 3, lidarBeams: 36, maxRange: 3.5, bounds, normalization: r.normalization, sample: ds.arrays.observations });
  expect(maxAbsDiff).toBeLessThanOrEqual(1e-5);
  expect(manifest.provenance).toMatchObject({ algorithm: "bc", dataset_sha256: ds.manifest.sha256, seed: 3 });
  expect(manifest.observation).toMatchObject({ layout: "kestrel-nav-v2", size: 46, lookahead_m: [0.4, 0.8, 1.6, 2.4] });
  const policy = await loadPolicy(out);
  const actor = modelActor(r.model, r.normalization, bounds);
  const obs = ds.arrays.observations.slice(0, size * 4);
  const expected = actor(obs, new Float32Array(8)) as Float32Array;
  for (let i = 0; i < 4; i++) {
    const a = policy.act(obs.subarray(i * size, (i + 1) * size));
    expect(Math.abs(a.v - expected[2 * i]!)).toBeLessThan(1e-5);
    expect(Math.abs(a.w - expected[2 * i + 1]!)).toBeLessThan(3e-5);
  }
  policy.dispose();
});

it("DAgger runs its real loop for two rounds and aggregates", async () => {
  const r = await runDagger({
    ...DEFAULT_DAGGER_CONFIG,
    worlds: ["cluttered"],
    numEnvs: 4,
    env: { maxEpisodeSteps: 200 },
    initialExpertSteps: 800,
    iterations: 2,
    stepsPerIteration: 400,
    evalEpisodes: 4,
    bc: { ...DEFAULT_BC_CONFIG, hidden: [16], steps: 50, evalEvery: 50, batchSize: 64 },
  });
  expect(r.rounds.map((x) => x.iteration)).toEqual([0, 1, 2]);
  expect(r.rounds.map((x) => x.transitions)).toEqual([800, 1200, 1600]);
  expect(r.rounds[1]!.beta).toBe(0.5);
  expect(r.dataset.manifest.count).toBe(1600);
  // Keep-best: the result is the round that was best on the selection seeds.
  const best = r.rounds.reduce((b, x) => (betterRound(x.evaluation, b.evaluation) ? x : b));
  expect(r.bestIteration).toBe(best.iteration);
});

describe("betterRound (DAgger's keep-best order)", () => {
  const stats = (successRate: number, collisions: number, meanReturn: number) => ({ episodes: 10, successes: successRate * 10, collisions, timeouts: 0, successRate, collisionRate: collisions / 10, meanReturn, meanLength: 100 });
  it("prefers a higher success rate, then fewer collisions, then a higher return; a tie is not better", () => {
    expect(betterRound(stats(0.9, 3, 0), stats(0.8, 0, 100))).toBe(true);
    expect(betterRound(stats(0.8, 0, 0), stats(0.8, 1, 100))).toBe(true);
    expect(betterRound(stats(0.8, 1, 50), stats(0.8, 1, 40))).toBe(true);
    expect(betterRound(stats(0.8, 1, 40), stats(0.8, 1, 40))).toBe(false);
  });
});

it("PPO runs its real loop (rollouts, GAE, clipped updates) from a given actor", async () => {
  const { env } = makeNavEnv(["cluttered"], 4);
  const r = await runPpo({ ...DEFAULT_PPO_CONFIG, worlds: ["cluttered"], numEnvs: 4, hidden: [16], totalSteps: 4 * 32 * 2, rolloutSteps: 32, epochs: 2, minibatches: 2, evalEpisodes: 0 }, {});
  expect(r.history).toHaveLength(2);
  expect(r.history[1]!.envSteps).toBe(256);
  for (const p of r.history) {
    expect(Number.isFinite(p.policyLoss)).toBe(true);
    expect(Number.isFinite(p.valueLoss)).toBe(true);
  }
  expect(r.actor.inputs[0]!.shape[1]).toBe(env.obsSize);
});

it("kestrel train writes dataset, checkpoint, curves and a package; resume continues; eval prints rates", async () => {
  const out = join(dir, "cli-bc");
  const lines: string[] = [];
  const args = ["--algo", "bc", "--steps", "100", "--expert-steps", "1200", "--worlds", "cluttered", "--envs", "4", "--eval-episodes", "4", "--seed", "2", "--max-steps", "300", "--out", out];
  expect(await trainCommand(args, (l) => lines.push(l))).toBe(0);
  for (const f of ["dataset/dataset.json", "checkpoint.json", "curves.csv", "curves.svg", "policy/manifest.json", "policy/policy.onnx"]) expect(existsSync(join(out, f))).toBe(true);
  expect(lines.join("\n")).toMatch(/expert \(held-out seeds\): success/);
  expect(lines.join("\n")).toMatch(/ONNX parity max/);
  expect(readFileSync(join(out, "curves.csv"), "utf8").split("\n")[0]).toBe("step,train_loss,val_loss");
  const more: string[] = [];
  expect(await trainCommand([...args.map((a) => (a === "100" ? "200" : a)), "--resume"], (l) => more.push(l))).toBe(0);
  expect(more.join("\n")).toMatch(/resuming from step 100/);
  const evalLines: string[] = [];
  expect(await evalPolicyCommand(["--policy", join(out, "policy"), "--worlds", "cluttered", "--episodes", "4", "--envs", "4", "--max-steps", "300"], (l) => evalLines.push(l))).toBe(0);
  expect(evalLines.join("\n")).toMatch(/expert +success/);
  expect(evalLines.join("\n")).toMatch(/policy +success/);
});

it("kestrel eval policy still evaluates a kestrel-nav-v1 package, in an env that builds v1 observations", async () => {
  const pkg = writeTestPackage(join(dir, "v1-policy"));
  const lines: string[] = [];
  expect(await evalPolicyCommand(["--policy", pkg, "--worlds", "cluttered", "--episodes", "2", "--envs", "2", "--max-steps", "50"], (l) => lines.push(l))).toBe(0);
  expect(lines.join("\n")).toMatch(/policy +success .*\(\d\/2\)/);
  expect(lines.join("\n")).toMatch(/cluttered +success \d\/2/);
});
