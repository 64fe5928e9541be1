/**
 * The learner's online loop, as a pure core: it counts finished episodes, says when a round is
 * due, and decides what to do with a round's result. The node (node.ts) does the I/O: it feeds
 * episode events in, runs the round in a worker, deploys what this core accepts and announces it.
 *
 * The gate (`gate`): a candidate replaces the current policy only when it is better on the same
 * seeded evaluation episodes: a higher success rate, or the same success rate and a higher mean
 * return. Ties are refused (a new policy must earn the swap), and so is any candidate below
 * min_success_rate. With no policy deployed the current one is the robot standing still (success
 * 0, the return of waiting out every episode), so the first candidate must at least make progress.
 *
 * A round's result is refused, with its reason, when the round failed (which stage and why), when
 * the store's current policy is no longer the one the candidate was compared with (someone
 * deployed or rolled back meanwhile: the comparison is stale), or when the gate says no.
 */
import type { CandidateReport, EvaluationSummary, IncumbentReport, TrainJobResult } from "./job";

export interface LoopConfig {
  /** Finished episodes needed since the last round before the next one starts. */
  episodesPerRound: number;
  /** Rounds to run; 0 = no limit. */
  maxRounds: number;
  /** A candidate below this success rate is never deployed. */
  minSuccessRate: number;
  /** Episodes shorter than this (START to END, s) teach nothing and do not count towards a round. */
  minEpisodeS: number;
}

export const EPISODE_OUTCOMES = ["success", "collision", "timeout", "aborted"] as const;

/** An episode event as the loop needs it (kestrel_msgs/EpisodeEvent fields). */
export interface EpisodeEventInput {
  event: number;
  episode_id: string;
  outcome: string;
  return_value: number;
  /** The event's stamp (s). */
  stampS: number;
}

export interface Verdict {
  deploy: boolean;
  reason: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const EPS = 1e-9;

/** Is `candidate` better than `incumbent` (see the file comment)? */
export function gate(candidate: EvaluationSummary, incumbent: EvaluationSummary, minSuccessRate = 0): Verdict {
  const c = `candidate success ${pct(candidate.successRate)}, return ${candidate.meanReturn.toFixed(2)}`;
  const i = `current success ${pct(incumbent.successRate)}, return ${incumbent.meanReturn.toFixed(2)}`;
  if (!Number.isFinite(candidate.successRate) || !Number.isFinite(candidate.meanReturn)) return { deploy: false, reason: `candidate evaluation is not finite (${c})` };
  if (candidate.successRate + EPS < minSuccessRate) return { deploy: false, reason: `${c}: below min_success_rate ${pct(minSuccessRate)}` };
  if (candidate.successRate > incumbent.successRate + EPS) return { deploy: true, reason: `better success rate (${c} vs ${i})` };
  if (candidate.successRate + EPS < incumbent.successRate) return { deploy: false, reason: `worse success rate (${c} vs ${i})` };
  if (candidate.meanReturn > incumbent.meanReturn + EPS) return { deploy: true, reason: `same success rate, higher return (${c} vs ${i})` };
  return { deploy: false, reason: `not better: same success rate, ${candidate.meanReturn + EPS < incumbent.meanReturn ? "lower" : "equal"} return (${c} vs ${i})` };
}

export type RoundStatus = "running" | "deployed" | "rejected";

export interface RoundRecord {
  round: number;
  /** Finished episodes recorded when the round started. */
  episodes: number;
  status: RoundStatus;
  reason: string;
  candidate?: CandidateReport;
  incumbent?: IncumbentReport;
  seconds?: number;
}

/** What to do with a round's result: deploy the candidate (then `deployed`/`refused`), or not. */
export type Decision = { action: "deploy"; candidate: CandidateReport; incumbent: IncumbentReport; reason: string } | { action: "reject"; reason: string };

export class LearnerLoop {
  private readonly finished = new Set<string>();
  /** START stamps of running episodes. */
  private readonly open = new Map<string, number>();
  /** Finished episodes too short to count. */
  shortEpisodes = 0;
  private episodesAtLastRound = 0;
  private current: RoundRecord | undefined;
  readonly rounds: RoundRecord[] = [];

  constructor(readonly config: LoopConfig) {
    if (!(config.episodesPerRound >= 1)) throw new Error(`episodes_per_round must be at least 1, found ${config.episodesPerRound}`);
  }

  /** Finished episodes seen so far. */
  get episodes(): number {
    return this.finished.size;
  }

  get running(): RoundRecord | undefined {
    return this.current;
  }

  get deployedCount(): number {
    return this.rounds.filter((r) => r.status === "deployed").length;
  }

  /**
   * An episode event. Returns the problem when it is malformed (nothing counted), else undefined.
   * A repeated END (a re-sent or re-recorded event) counts once; an episode shorter than
   * minEpisodeS (its START seen) does not count.
   */
  onEpisodeEvent(e: EpisodeEventInput, start: number, end: number): string | undefined {
    if (typeof e.episode_id !== "string" || e.episode_id.trim() === "") return "episode_id is empty";
    if (e.event === start) {
      this.open.set(e.episode_id, e.stampS);
      return undefined;
    }
    if (e.event !== end) return `event is ${e.event}, expected START (${start}) or END (${end})`;
    if (!(EPISODE_OUTCOMES as readonly string[]).includes(e.outcome)) return `END of '${e.episode_id}' has outcome '${e.outcome}', expected one of ${EPISODE_OUTCOMES.join(", ")}`;
    if (!Number.isFinite(e.return_value)) return `END of '${e.episode_id}' has a non-finite return_value (${e.return_value})`;
    const startS = this.open.get(e.episode_id);
    this.open.delete(e.episode_id);
    if (startS !== undefined && e.stampS - startS < this.config.minEpisodeS) {
      if (!this.finished.has(e.episode_id)) this.shortEpisodes++;
      return undefined;
    }
    this.finished.add(e.episode_id);
    return undefined;
  }

  /** Starts the next round when one is due (enough new episodes, none running, rounds left). */
  nextRound(): RoundRecord | undefined {
    if (this.current) return undefined;
    if (this.config.maxRounds > 0 && this.rounds.length >= this.config.maxRounds) return undefined;
    if (this.finished.size - this.episodesAtLastRound < this.config.episodesPerRound) return undefined;
    this.episodesAtLastRound = this.finished.size;
    this.current = { round: this.rounds.length + 1, episodes: this.finished.size, status: "running", reason: "" };
    this.rounds.push(this.current);
    return this.current;
  }

  /** Decides on the running round's result; `storeSha256` is the store's current sha256 now (null: none). */
  decide(result: TrainJobResult, storeSha256: string | null): Decision {
    const round = this.current;
    if (!round) throw new Error("decide: no round is running");
    round.seconds = result.seconds;
    if (!result.ok) return { action: "reject", reason: `${result.stage} failed: ${result.message}` };
    round.candidate = result.candidate;
    round.incumbent = result.incumbent;
    if ((result.incumbent.sha256 ?? null) !== storeSha256) {
      const was = result.incumbent.sha256 ? result.incumbent.sha256.slice(0, 12) : "none";
      const now = storeSha256 ? storeSha256.slice(0, 12) : "none";
      return { action: "reject", reason: `the current policy changed during the round (compared with ${was}, now ${now}): the comparison is stale` };
    }
    if (result.candidate.sha256 === result.incumbent.sha256) return { action: "reject", reason: "the candidate is the current policy" };
    const verdict = gate(result.candidate.evaluation, result.incumbent.evaluation, this.config.minSuccessRate);
    if (!verdict.deploy) return { action: "reject", reason: verdict.reason };
    return { action: "deploy", candidate: result.candidate, incumbent: result.incumbent, reason: verdict.reason };
  }

  /** Ends the running round. */
  complete(status: Exclude<RoundStatus, "running">, reason: string): RoundRecord {
    const round = this.current;
    if (!round) throw new Error("complete: no round is running");
    round.status = status;
    round.reason = reason;
    this.current = undefined;
    return round;
  }
}
