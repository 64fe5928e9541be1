/**
 * `kestrel eval nav [--world W] [--episodes N] [--seed S]`: drives the embedded stack over seeded,
 * reachable start/goal pairs in each world and prints success rate, collisions, time to goal and
 * the driven path length against the optimal grid path.
 */
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
}

export const EVAL_NAV_HELP = `Usage: kestrel eval nav [--world W]... [--episodes N] [--seed S]

Runs N seeded episodes per world (default: every shipped world, 20 episodes, seed 0) through the
embedded stack (sim, planner, controller) as fast as the CPU allows, and prints success rate,
collisions, time to goal and driven path length against the optimal grid path.
`;

export async function evalNavCommand(options: EvalNavOptions): Promise<Map<string, EpisodeResult[]>> {
  const worlds = options.worlds.length > 0 ? options.worlds : shippedWorldNames();
  const all = new Map<string, EpisodeResult[]>();
  for (const world of worlds) {
    const episodes = sampleEpisodes(loadWorldFile(world), { count: options.episodes, seed: options.seed });
    const results: EpisodeResult[] = [];
    for (const episode of episodes) {
      const r = await runEpisode(episode, { world, seed: options.seed, timeoutPerMeterS: 15, timeoutMarginS: 30 });
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
