/**
 * `kestrel eval nav [--world W] [--episodes N] [--seed S] [--record DIR]`: drives the embedded stack over seeded,
 * reachable start/goal pairs in each world and prints success rate, collisions, time to goal and
 * the driven path length against the optimal grid path.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyStore } from "../../nodes/learner/policy/deploy";
import { loadWorldFile, shippedWorldNames } from "../../sim/world/files";
import { sampleEpisodes } from "./nav-episodes";
import { runEpisode, summarise, type EpisodeResult } from "./nav-run";

export interface EvalNavOptions {
  /** Worlds to evaluate; every shipped world when empty. */
  worlds: string[];
  episodes: number;
  seed: number;
  /** Called with one line per episode and per world. */
  print: (line: string) => void;
  /** Record every episode as a rosbag2 MCAP bag in this directory (nav-run.ts). */
  recordDir?: string;
  /** A policy package: the controller drives with it (mode 'policy') instead of pursuit. */
  policyDir?: string;
}

export const EVAL_NAV_HELP = `Usage: kestrel eval nav [--world W]... [--episodes N] [--seed S] [--record DIR] [--policy DIR]

Runs N seeded episodes per world (default: every shipped world, 20 episodes, seed 0) through the
embedded stack (sim, planner, controller) as fast as the CPU allows, and prints success rate,
collisions, time to goal and driven path length against the optimal grid path.
With --record DIR, the recorder node records each episode into DIR/<world>-<index>-s<seed>
(rosbag2 MCAP, EpisodeEvent START/END on /episode/events): \`kestrel train --algo bc --bags DIR\`
learns from them. With --policy DIR (a policy package), the controller drives in mode 'policy'
with it: the learned policy on the real stack, behind the same safety layer and smoother.
`;

export async function evalNavCommand(options: EvalNavOptions): Promise<Map<string, EpisodeResult[]>> {
  const worlds = options.worlds.length > 0 ? options.worlds : shippedWorldNames();
  const all = new Map<string, EpisodeResult[]>();
  // The controller loads policies from a store: deploy the package into a private one.
  let policyStore: string | undefined;
  if (options.policyDir) {
    policyStore = mkdtempSync(join(tmpdir(), "kestrel-eval-policy-"));
    const deployed = new PolicyStore(policyStore).deploy(options.policyDir);
    options.print(`controller mode 'policy' with '${deployed.current.manifest.id}' (layout ${deployed.current.manifest.observation.layout})`);
  }
  for (const world of worlds) {
    const episodes = sampleEpisodes(loadWorldFile(world), { count: options.episodes, seed: options.seed });
    const results: EpisodeResult[] = [];
    for (const episode of episodes) {
      const r = await runEpisode(episode, { world, seed: options.seed, timeoutPerMeterS: 15, timeoutMarginS: 30, ...(options.recordDir ? { recordDir: options.recordDir } : {}), ...(policyStore ? { policyStore } : {}) });
      results.push(r);
      const ratio = r.outcome === "reached" ? ` ${(r.drivenM / episode.optimalLengthM).toFixed(2)}x optimal` : "";
      options.print(
        `${world} #${episode.index}: ${r.outcome} in ${r.timeS.toFixed(1)} s, drove ${r.drivenM.toFixed(2)} m ` +
          `(optimal ${episode.optimalLengthM.toFixed(2)} m)${ratio}${r.outcome === "reached" ? "" : ` — ${r.detail}`}`,
      );
    }
    const s = summarise(results);
    options.print(
      `${world}: success ${(100 * s.successRate).toFixed(0)}% (${Math.round(s.successRate * s.episodes)}/${s.episodes}), ` +
        `collisions ${s.collisions}, mean time to goal ${s.meanTimeS.toFixed(1)} s, mean path ${s.meanLengthRatio.toFixed(3)}x optimal`,
    );
    all.set(world, results);
  }
  return all;
}
