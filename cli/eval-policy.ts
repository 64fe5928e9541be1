/**
 * `kestrel eval policy`: a policy package (through ONNX Runtime, exactly as the controller runs
 * it) and the expert on the same held-out VecEnv episodes; prints success rate, collisions,
 * timeouts and mean return of each, and their ratio.
 */
import { resolve } from "node:path";
import { OBSERVATION_LAYOUT_V1, loadPolicy } from "../nodes/learner/policy";
import { GridExpert } from "../nodes/learner/expert/grid-expert";
import { DEFAULT_DAGGER_CONFIG, evaluateActor, makeNavEnv, type EpisodeStats } from "../nodes/learner/algos";

export const EVAL_POLICY_HELP = `Usage: kestrel eval policy [--policy DIR] [--worlds a,b] [--episodes N] [--seed S] [--envs N] [--max-steps N] [--episodes-from random|world]

  --policy DIR    policy package (manifest.json + policy.onnx); without it only the expert runs
  --worlds a,b    worlds (default cluttered,office,warehouse)
  --episodes N    episodes (default 48), the same seeded episodes for policy and expert
  --seed S        episode seed (default 1000003: not a training seed)
  --envs N        robots stepped together (default 12)
  --max-steps N   steps before a timeout (default 1500 at 0.1 s)
  --episodes-from random (default: reachable start/goal pairs drawn anywhere) or world (the world
                  files' spawns and goals)
`;

function line(name: string, s: EpisodeStats): string {
  const head = `${name.padEnd(8)} success ${(s.successRate * 100).toFixed(1).padStart(5)}% (${s.successes}/${s.episodes})  collisions ${s.collisions}  timeouts ${s.timeouts}  mean return ${s.meanReturn.toFixed(1)}  mean length ${s.meanLength.toFixed(0)}`;
  const worlds = Object.entries(s.byGroup ?? {}).map(([w, g]) => `\n  ${w.padEnd(10)} success ${g.successes}/${g.episodes}  collisions ${g.collisions}  timeouts ${g.timeouts}`);
  return head + worlds.join("");
}

export async function evalPolicyCommand(argv: string[], log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    log(EVAL_POLICY_HELP);
    return 0;
  }
  let policyDir: string | undefined;
  let worlds = DEFAULT_DAGGER_CONFIG.worlds;
  let episodes = 48;
  let seed = 1_000_003;
  let envs = 12;
  let maxSteps = 1500;
  let episodesFrom: "random" | "world" = "random";
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = argv[++i];
    if (v === undefined) {
      log(`kestrel eval policy: ${f} needs a value\n\n${EVAL_POLICY_HELP}`);
      return 2;
    }
    if (f === "--policy") policyDir = resolve(v);
    else if (f === "--worlds") worlds = v.split(",").filter(Boolean);
    else if (f === "--episodes") episodes = Number(v);
    else if (f === "--seed") seed = Number(v);
    else if (f === "--envs") envs = Number(v);
    else if (f === "--max-steps") maxSteps = Number(v);
    else if (f === "--episodes-from" && (v === "random" || v === "world")) episodesFrom = v;
    else {
      log(`kestrel eval policy: unknown option '${f}'\n\n${EVAL_POLICY_HELP}`);
      return 2;
    }
  }
  // The policy is loaded first: the env must build the observation layout its manifest names.
  const policy = policyDir ? await loadPolicy(policyDir) : undefined;
  try {
    const spec = policy?.observationSpec;
    const { env, worlds: ws } = makeNavEnv(worlds, envs, { maxEpisodeSteps: maxSteps }, { episodes: episodesFrom, ...(spec ? { layout: spec.layout ?? OBSERVATION_LAYOUT_V1, lookaheadM: spec.lookaheadM } : {}) });
    log(`eval: ${episodes} episodes (${episodesFrom} start/goal pairs), seed ${seed}, worlds ${worlds.join(",")}, ${envs} robots, timeout ${maxSteps} steps`);
    const expert = new GridExpert(env, ws);
    const groups = ws.map((w) => w.name);
    const e = await evaluateActor(env, (o, a) => expert.act(o, a), { episodes, seed, onReset: () => expert.reset(), groups });
    log(line("expert", e));
    if (!policy) return 0;
    const size = env.obsSize;
    if (policy.observationSize !== size) throw new Error(`policy observation size ${policy.observationSize}, the env's ${size}`);
    const p = await evaluateActor(
      env,
      (obs, out) => {
        for (let i = 0; i < envs; i++) {
          const a = policy.act(obs.subarray(i * size, (i + 1) * size));
          out[2 * i] = a.v;
          out[2 * i + 1] = a.w;
        }
        return out;
      },
      { episodes, seed, groups },
    );
    log(line("policy", p));
    log(`policy ${policy.id}: ${e.successRate > 0 ? ((p.successRate / e.successRate) * 100).toFixed(1) : "n/a"}% of the expert's success rate`);
  } finally {
    policy?.dispose();
  }
  return 0;
}
