/**
 * bench/learn: behaviour-cloning samples per second (TF.js on the selected backend), PPO env
 * steps per second end to end (VecEnv + rollout inference + updates), expert env steps per
 * second, policy inference latency through ONNX Runtime (Policy.act), and the same MLP
 * training in PyTorch on CPU (/usr/bin/python3, python3-torch) as a peer, with the ratio.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../nodes/learner/ml/backend";
import { loadPolicy } from "../nodes/learner/policy";
import { collectRollout, RolloutStore } from "../nodes/learner/dataset";
import { GridExpert } from "../nodes/learner/expert/grid-expert";
import { DEFAULT_BC_CONFIG, DEFAULT_PPO_CONFIG, exportPolicyPackage, makeNavEnv, runPpo, trainBc } from "../nodes/learner/algos";

const BATCH = 256;
const HIDDEN = [64, 64];

/** The observation size of the shipped layout (kestrel-nav-v2: 36 lidar sectors, goal, 4 path points). */
const OBS = makeNavEnv(["office"], 1).env.obsSize;

const PYTORCH = `
import time, torch
torch.manual_seed(0); torch.set_num_threads(1)
B, D, steps = ${BATCH}, ${OBS}, 600
x = torch.randn(20000, D); y = torch.tanh(torch.randn(20000, 2))
m = torch.nn.Sequential(torch.nn.Linear(D, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 2), torch.nn.Tanh())
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
def step():
    i = torch.randint(0, 20000, (B,)); opt.zero_grad(); l = ((m(x[i]) - y[i]) ** 2).mean(); l.backward(); opt.step()
for _ in range(50): step()
t = time.perf_counter()
for _ in range(steps): step()
print(steps * B / (time.perf_counter() - t))
`;

async function main(): Promise<void> {
  const backend = await selectBackend({ log: () => {} });
  console.log(`backend: ${backend.name} (${backend.threads} thread(s))`);
  const { env, worlds, spec } = makeNavEnv(["cluttered", "office", "warehouse"], 12, { maxEpisodeSteps: 1500 });
  const expert = new GridExpert(env, worlds);
  const store = new RolloutStore(env.obsSize);
  let t = performance.now();
  await collectRollout(env, expert, null, store, { steps: 24_000, seed: 1, expertProbability: 1 });
  console.log(`expert rollouts (VecEnv + expert labels): ${(24_000 / ((performance.now() - t) / 1000)).toFixed(0)} env steps/s`);
  const ds = store.toDataset(spec, { valFraction: 0.1, splitSeed: 0, params: {} });
  const bounds = { vMax: 0.22, wMax: 2.84 };
  await trainBc(ds, bounds, { ...DEFAULT_BC_CONFIG, hidden: HIDDEN, steps: 50, evalEvery: 1000, batchSize: BATCH }); // warm-up
  const bc = await trainBc(ds, bounds, { ...DEFAULT_BC_CONFIG, hidden: HIDDEN, steps: 600, evalEvery: 1000, batchSize: BATCH });
  console.log(`BC training (MLP ${env.obsSize}-64-64-2, batch ${BATCH}, Adam): ${bc.samplesPerSecond.toFixed(0)} samples/s`);
  t = performance.now();
  const ppo = await runPpo({ ...DEFAULT_PPO_CONFIG, hidden: HIDDEN, totalSteps: 12 * 128 * 3, evalEpisodes: 0 }, { actor: bc.model, normalization: bc.normalization });
  const ppoRate = ppo.history[ppo.history.length - 1]!.envSteps / ((performance.now() - t) / 1000);
  console.log(`PPO end to end (12 envs × 128 steps, 4 epochs × 4 minibatches): ${ppoRate.toFixed(0)} env steps/s`);
  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-learn-"));
  try {
    await exportPolicyPackage(bc.model, { dir, algorithm: "bc", datasetSha256: ds.manifest.sha256, seed: 0, lidarBeams: spec.lidarBeams, maxRange: spec.maxRange, layout: spec.layout, lookaheadM: spec.lookaheadM, bounds, normalization: bc.normalization, sample: ds.arrays.observations });
    const policy = await loadPolicy(dir);
    const obs = ds.arrays.observations.slice(0, env.obsSize);
    for (let i = 0; i < 200; i++) policy.act(obs);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = process.hrtime.bigint();
      policy.act(obs);
      times.push(Number(process.hrtime.bigint() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`policy inference (ONNX Runtime, Policy.act, batch 1): median ${times[1000]!.toFixed(1)} µs, p99 ${times[1980]!.toFixed(1)} µs`);
    policy.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const py = spawnSync("/usr/bin/python3", ["-c", PYTORCH], { encoding: "utf8", timeout: 120_000 });
  const torchRate = Number(py.stdout.trim());
  if (py.status === 0 && Number.isFinite(torchRate)) {
    console.log(`peer: PyTorch CPU (1 thread), same MLP and batch: ${torchRate.toFixed(0)} samples/s`);
    console.log(`ratio Kestrel BC / PyTorch: ${(bc.samplesPerSecond / torchRate).toFixed(2)}×`);
  } else console.log(`peer: PyTorch unavailable (${(py.stderr || py.error?.message || "").split("\n").slice(-2).join(" ")})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
