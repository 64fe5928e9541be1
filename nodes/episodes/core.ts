/**
 * The episode source's core: seeded random goals for the robot, one episode each, and what a
 * learner needs to know about every episode (its outcome and its return). Pure: time, poses,
 * planner statuses and contacts are passed in; what to publish comes back as actions.
 *
 * An episode runs START → END:
 *   - START: a goal is drawn (seeded) from the candidate goals at least min_goal_distance away
 *     from where the robot stands, and sent; the goal's yaw faces away from the robot so the
 *     controller does not spin on arrival.
 *   - END with one of the outcomes of kestrel_msgs/EpisodeEvent: "success" (the planner says
 *     REACHED), "collision" (a contact begins during the episode), "timeout" (no verdict within
 *     the episode timeout), "aborted" (the planner says NO_PATH).
 *   - the return uses the VecEnv's reward terms (sim/env/vec-env.ts RewardConfig), so a recorded
 *     episode and a simulated one are scored alike: progressPerM · (distance at start − distance
 *     at the end) (per-step progress telescopes to this) + perStep · elapsed / step_s, plus
 *     goalReached on success and collision on a collision.
 * Between episodes it waits settle_s (the robot comes to rest; the recorder flushes the END),
 * longer after consecutive aborts (abortBackoffMaxS).
 */
import { mixSeed, Rng } from "../../sim/random";

export interface EpisodeGoal {
  name: string;
  x: number;
  y: number;
}

/** The VecEnv's reward terms (sim/env/vec-env.ts RewardConfig), restated so the core stays plain data. */
export interface EpisodeRewards {
  progressPerM: number;
  goalReached: number;
  collision: number;
  perStep: number;
}

export interface EpisodeConfig {
  /** Candidate goals (the world's goal regions), in the goal frame. */
  goals: EpisodeGoal[];
  seed: number;
  /** Goals nearer than this to the robot are not drawn (m). */
  minGoalDistanceM: number;
  /** An episode without a verdict after this long ends as a timeout (s). */
  timeoutS: number;
  /** Pause between an END and the next START (s). */
  settleS: number;
  /**
   * After consecutive aborted episodes (the planner finds no path, e.g. the robot stands in an
   * obstacle's inflation) the pause doubles each time up to this (s), so a robot that cannot
   * start does not flood the learner with empty episodes.
   */
  abortBackoffMaxS: number;
  /** Episodes to run; 0 runs until stopped. */
  maxEpisodes: number;
  rewards: EpisodeRewards;
  /** The VecEnv step the perStep term is charged per (s). */
  stepS: number;
  /** Planner status codes that end an episode (kestrel_msgs/PlannerStatus). */
  codes: { reached: number; noPath: number };
}

export type EpisodeOutcome = "success" | "collision" | "timeout" | "aborted";

export interface EpisodeStart {
  kind: "start";
  id: string;
  index: number;
  goal: EpisodeGoal;
  /** Goal heading (rad): from the robot towards the goal. */
  yaw: number;
  distanceM: number;
}

export interface EpisodeEnd {
  kind: "end";
  id: string;
  index: number;
  goal: EpisodeGoal;
  outcome: EpisodeOutcome;
  returnValue: number;
  durationS: number;
  detail: string;
}

export type EpisodeAction = EpisodeStart | EpisodeEnd;

interface Running {
  id: string;
  index: number;
  goal: EpisodeGoal;
  startS: number;
  startDistance: number;
  lastDistance: number;
  /** Contacts that were already on at START do not end the episode (only a new one does). */
  inContact: boolean;
}

export function episodeId(index: number): string {
  return `ep-${String(index + 1).padStart(4, "0")}`;
}

export class EpisodeSequencer {
  private readonly rng: Rng;
  private running: Running | undefined;
  private nextStartS: number | undefined;
  private started = 0;
  private aborts = 0;
  private contact = false;
  private position: { x: number; y: number } | undefined;
  readonly ended: EpisodeEnd[] = [];

  constructor(private readonly config: EpisodeConfig) {
    if (config.goals.length === 0) throw new Error("episodes: no candidate goals");
    if (!(config.stepS > 0)) throw new Error(`episodes: step_s must be positive, found ${config.stepS}`);
    this.rng = new Rng(mixSeed(config.seed, 7));
  }

  get current(): Readonly<Running> | undefined {
    return this.running;
  }

  get finished(): boolean {
    return this.config.maxEpisodes > 0 && this.started >= this.config.maxEpisodes && !this.running;
  }

  /** The robot's position in the goal frame (from odometry and tf). */
  onPosition(x: number, y: number): void {
    this.position = { x, y };
    if (this.running) this.running.lastDistance = this.distanceTo(this.running.goal);
  }

  /** A planner status stamped `stampS`; statuses older than the episode are about an earlier goal. */
  onStatus(status: number, message: string, stampS: number): EpisodeEnd | undefined {
    const r = this.running;
    if (!r || stampS < r.startS) return undefined;
    if (status === this.config.codes.reached) return this.end("success", stampS, message || "goal reached");
    if (status === this.config.codes.noPath) return this.end("aborted", stampS, message || "no path to the goal");
    return undefined;
  }

  /** The contact sensor: a contact that begins during an episode ends it as a collision. */
  onContact(inContact: boolean, nowS: number, detail = ""): EpisodeEnd | undefined {
    const began = inContact && !this.contact;
    this.contact = inContact;
    const r = this.running;
    if (!r) return undefined;
    if (!inContact) {
      r.inContact = false;
      return undefined;
    }
    if (!began && r.inContact) return undefined;
    return this.end("collision", nowS, detail || "contact");
  }

  /**
   * Time passes: ends a timed-out episode, or starts the next one when it is due and the robot's
   * position is known. At most one action per call.
   */
  tick(nowS: number): EpisodeAction | undefined {
    const r = this.running;
    if (r) {
      if (nowS - r.startS > this.config.timeoutS) return this.end("timeout", nowS, `no verdict within ${this.config.timeoutS} s`);
      return undefined;
    }
    if (this.finished || !this.position) return undefined;
    this.nextStartS ??= nowS;
    if (nowS < this.nextStartS) return undefined;
    return this.start(nowS);
  }

  private start(nowS: number): EpisodeStart {
    const goal = this.drawGoal();
    const index = this.started++;
    const distance = this.distanceTo(goal);
    const p = this.position!;
    this.running = { id: episodeId(index), index, goal, startS: nowS, startDistance: distance, lastDistance: distance, inContact: this.contact };
    return { kind: "start", id: this.running.id, index, goal, yaw: Math.atan2(goal.y - p.y, goal.x - p.x), distanceM: distance };
  }

  /** Uniform among goals far enough away; the farthest one when none is (a small world). */
  private drawGoal(): EpisodeGoal {
    const far = this.config.goals.filter((g) => this.distanceTo(g) >= this.config.minGoalDistanceM);
    if (far.length > 0) return far[this.rng.int(far.length)]!;
    return [...this.config.goals].sort((a, b) => this.distanceTo(b) - this.distanceTo(a))[0]!;
  }

  /** The pause before the next episode: settleS, doubled per consecutive abort up to abortBackoffMaxS. */
  pauseS(): number {
    if (this.aborts === 0) return this.config.settleS;
    const backoff = Math.max(this.config.settleS, 1) * 2 ** Math.min(this.aborts, 30);
    return Math.max(this.config.settleS, Math.min(backoff, this.config.abortBackoffMaxS));
  }

  private distanceTo(g: EpisodeGoal): number {
    const p = this.position;
    return p ? Math.hypot(g.x - p.x, g.y - p.y) : Number.POSITIVE_INFINITY;
  }

  private end(outcome: EpisodeOutcome, nowS: number, detail: string): EpisodeEnd {
    const r = this.running!;
    this.running = undefined;
    this.aborts = outcome === "aborted" ? this.aborts + 1 : 0;
    this.nextStartS = nowS + this.pauseS();
    const c = this.config.rewards;
    const durationS = Math.max(0, nowS - r.startS);
    let ret = c.progressPerM * (r.startDistance - r.lastDistance) + c.perStep * Math.round(durationS / this.config.stepS);
    if (outcome === "success") ret += c.goalReached;
    if (outcome === "collision") ret += c.collision;
    const end: EpisodeEnd = { kind: "end", id: r.id, index: r.index, goal: r.goal, outcome, returnValue: ret, durationS, detail };
    this.ended.push(end);
    return end;
  }
}

/** Counts of outcomes, for the node's summary. */
export function outcomeCounts(ends: readonly EpisodeEnd[]): Record<EpisodeOutcome, number> {
  const counts: Record<EpisodeOutcome, number> = { success: 0, collision: 0, timeout: 0, aborted: 0 };
  for (const e of ends) counts[e.outcome]++;
  return counts;
}
