/**
 * `kestrel policy deploy|rollback|show`: the policy store from the command line
 * (nodes/learner/policy/deploy.ts).
 *
 * - deploy DIR [--store ROOT]: validates the package in DIR (manifest schema, sha256, ONNX input
 *   and output shapes, a probe inference) and makes it current with an atomic pointer swap; the
 *   one it replaces becomes `previous`. A package that fails validation is refused (exit 1) and
 *   the store is untouched.
 * - rollback [--store ROOT]: the previous policy (verified first) becomes current again.
 * - show [--store ROOT]: current and previous with their provenance and evaluation.
 *
 * ROOT is the store folder (the controller's policy_dir); default `policies` in the kestrel
 * package share directory, as the controller's default. A running controller picks a new
 * current policy up on `ros2 param set /controller policy_reload true` or when /policy/info
 * announces it (the learner publishes it when it deploys).
 *
 * `kestrel eval policy` is left to the CLI's owner; the suggested seam (in nodes/learner/) is
 *
 *   evaluatePolicy(policy: Policy | "expert", options: {
 *     worlds: World[];            // shipped worlds (sim/worlds) or held-out ones
 *     seeds: number[];            // the same seeds for every candidate: paired comparison
 *     episodesPerSeed?: number;   // default 1
 *     maxEpisodeSteps?: number;   // VecEnv's default 600 at dt 0.1 s
 *     safety?: boolean;           // run the controller's safety layer + smoother as deployed (default true)
 *   }): Promise<{ successRate: number; collisionRate: number; timeoutRate: number;
 *                 meanReturn: number; meanSteps: number; episodes: number;
 *                 perEpisode: Array<{ seed: number; world: string; outcome: "success" | "collision" | "timeout"; return: number; steps: number }> }>
 *
 * driving VecEnv with observations straight from VecEnv (observation.ts is pinned to match), the
 * result written into the candidate's manifest `evaluation` before `deploy`, and the gate
 * "better = higher success rate, then higher mean return" applied by the learner.
 */
import { join } from "node:path";
import { PolicyStore, type StoreEntry } from "../nodes/learner/policy/deploy";
import { codeVersionText } from "../nodes/learner/policy/info";
import { packageShareDir } from "../ros/package-share";

export const POLICY_HELP = `Usage: kestrel policy <deploy|rollback|show> ...

  policy deploy DIR [--store ROOT]   validate the package in DIR (manifest, sha256, ONNX shapes)
                                     and make it the current policy; the old one is kept
  policy rollback [--store ROOT]     make the previous policy current again
  policy show [--store ROOT]         current and previous policy with provenance

ROOT is the policy store (the controller's policy_dir parameter); default: 'policies' in the
kestrel package share directory. Running controllers load the new policy on
'ros2 param set /controller policy_reload true' or a /policy/info announcement.
`;

export interface PolicyCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: PolicyCommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function takeStore(args: string[]): { store: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let store: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--store") {
      store = args[++i];
      if (store === undefined) throw new Error("--store needs a folder");
    } else if (a.startsWith("--store=")) store = a.slice("--store=".length);
    else if (a.startsWith("-")) throw new Error(`unknown option '${a}' (see kestrel policy --help)`);
    else rest.push(a);
  }
  return { store, rest };
}

function defaultStore(): string {
  return join(packageShareDir(), "policies");
}

/** A few lines describing one stored package. */
export function describeEntry(label: string, entry: StoreEntry, store: PolicyStore): string {
  const m = entry.manifest;
  const p = m.provenance;
  const lines = [
    `${label}: ${m.id}  (${store.describe(entry.dir)})`,
    `  sha256        ${m.model.sha256}`,
    `  algorithm     ${p.algorithm}, seed ${p.seed}`,
    `  dataset       ${p.dataset_sha256 || "(none)"}`,
    `  code version  ${codeVersionText(m)}`,
    `  created at    ${p.created_at}`,
    `  observation   ${m.observation.layout}: ${m.observation.lidar_beams} lidar sectors to ${m.observation.max_range} m + goal distance, bearing, v, w`,
    `  action        v in [${m.action.linear.min}, ${m.action.linear.max}] m/s, w in [${m.action.angular.min}, ${m.action.angular.max}] rad/s (${m.action.squash})`,
    `  evaluation    ${m.evaluation ? `success rate ${(m.evaluation.success_rate * 100).toFixed(1)} %, mean return ${m.evaluation.mean_return.toFixed(2)} over ${m.evaluation.episodes} episodes` : "(none)"}`,
  ];
  return `${lines.join("\n")}\n`;
}

export async function policyCommand(argv: string[], io: PolicyCommandIo = STDIO): Promise<number> {
  const [verb, ...args] = argv;
  if (verb === undefined || verb === "--help" || verb === "-h" || args.includes("--help") || args.includes("-h")) {
    io.out(POLICY_HELP);
    return verb === undefined ? 1 : 0;
  }
  try {
    const { store: storeArg, rest } = takeStore(args);
    const store = new PolicyStore(storeArg ?? defaultStore());
    switch (verb) {
      case "deploy": {
        const [dir] = rest;
        if (!dir || rest.length !== 1) throw new Error("policy deploy: expected one package folder (see kestrel policy --help)");
        const r = store.deploy(dir);
        io.out(`deployed '${r.current.manifest.id}' (sha256 ${r.current.manifest.model.sha256.slice(0, 12)}) to ${store.root} at ${r.pointer.deployed_at}\n`);
        io.out(r.previous ? `previous: '${r.previous.manifest.id}' (kestrel policy rollback restores it)\n` : "previous: none\n");
        return 0;
      }
      case "rollback": {
        if (rest.length !== 0) throw new Error("policy rollback: takes no arguments but --store");
        const r = store.rollback();
        io.out(`rolled back to '${r.current.manifest.id}' (sha256 ${r.current.manifest.model.sha256.slice(0, 12)}) in ${store.root}; previous is now '${r.previous?.manifest.id ?? ""}'\n`);
        return 0;
      }
      case "show": {
        if (rest.length !== 0) throw new Error("policy show: takes no arguments but --store");
        const state = store.state();
        if (!state) {
          io.out(`no policy deployed in ${store.root}\n`);
          return 0;
        }
        io.out(`store ${store.root}: ${state.pointer.action === "rollback" ? "rolled back" : "deployed"} at ${state.pointer.deployed_at}\n`);
        io.out(describeEntry("current", state.current, store));
        io.out(state.previous ? describeEntry("previous", state.previous, store) : "previous: none\n");
        return 0;
      }
      default:
        throw new Error(`unknown policy command '${verb}' (deploy, rollback, show)`);
    }
  } catch (error) {
    io.err(`kestrel policy ${verb}: ${(error as Error).message}\n`);
    return 1;
  }
}
