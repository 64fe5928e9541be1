import type { CandidateReport, EvaluationSummary, IncumbentReport, TrainJobResult } from "../../../nodes/learner/node/job";
import { gate, LearnerLoop, type LoopConfig } from "../../../nodes/learner/node/loop";

const START = 0;
const END = 1;
const evaluation = (successRate: number, meanReturn: number, episodes = 10): EvaluationSummary => ({
  episodes,
  successes: Math.round(successRate * episodes),
  collisions: 0,
  timeouts: episodes - Math.round(successRate * episodes),
  successRate,
  meanReturn,
});
const candidate = (e: EvaluationSummary, sha = "c".repeat(64)): CandidateReport => ({
  dir: "/tmp/candidate",
  id: "bc-candidate",
  sha256: sha,
  algorithm: "bc",
  evaluation: e,
  parityMaxAbsDiff: 1e-7,
  datasetSha256: "d".repeat(64),
  transitions: 100,
  trainEpisodes: 4,
});
const incumbent = (e: EvaluationSummary, sha: string | null = "a".repeat(64)): IncumbentReport => ({ id: sha ? "bc-current" : null, sha256: sha, evaluation: e, note: "" });
const ok = (c: CandidateReport, i: IncumbentReport): TrainJobResult => ({ ok: true, candidate: c, incumbent: i, seconds: 1 });
const config = (over: Partial<LoopConfig> = {}): LoopConfig => ({ episodesPerRound: 2, maxRounds: 0, minSuccessRate: 0, minEpisodeS: 1, ...over });

function finishEpisodes(loop: LearnerLoop, ids: string[], lengthS = 10): void {
  for (const id of ids) {
    expect(loop.onEpisodeEvent({ event: START, episode_id: id, outcome: "", return_value: 0, stampS: 0 }, START, END)).toBeUndefined();
    expect(loop.onEpisodeEvent({ event: END, episode_id: id, outcome: "success", return_value: 5, stampS: lengthS }, START, END)).toBeUndefined();
  }
}

describe("gate", () => {
  it("deploys a candidate with a higher success rate, whatever its return", () => {
    expect(gate(evaluation(0.5, -10), evaluation(0.4, 50)).deploy).toBe(true);
  });
  it("refuses a worse success rate even with a higher return", () => {
    const v = gate(evaluation(0.3, 90), evaluation(0.4, 50));
    expect(v.deploy).toBe(false);
    expect(v.reason).toMatch(/worse success rate/);
  });
  it("breaks a success-rate tie on the mean return", () => {
    expect(gate(evaluation(0.4, 51), evaluation(0.4, 50)).deploy).toBe(true);
    expect(gate(evaluation(0.4, 49), evaluation(0.4, 50)).reason).toMatch(/lower return/);
  });
  it("refuses an exact tie", () => {
    const v = gate(evaluation(0.4, 50), evaluation(0.4, 50));
    expect(v).toEqual({ deploy: false, reason: expect.stringMatching(/equal return/) });
  });
  it("refuses a candidate below min_success_rate even when it beats the current policy", () => {
    const v = gate(evaluation(0.2, 10), evaluation(0, -30), 0.25);
    expect(v.deploy).toBe(false);
    expect(v.reason).toMatch(/min_success_rate 25.0%/);
  });
  it("refuses a non-finite evaluation", () => {
    expect(gate(evaluation(0.5, Number.NaN), evaluation(0, -30)).deploy).toBe(false);
  });
});

describe("LearnerLoop", () => {
  it("starts a round every episodes_per_round finished episodes, one at a time", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 2 }));
    finishEpisodes(loop, ["ep-1"]);
    expect(loop.nextRound()).toBeUndefined();
    finishEpisodes(loop, ["ep-2", "ep-3"]);
    const round = loop.nextRound()!;
    expect(round).toMatchObject({ round: 1, episodes: 3, status: "running" });
    finishEpisodes(loop, ["ep-4", "ep-5"]);
    expect(loop.nextRound()).toBeUndefined(); // round 1 still running
    loop.complete("rejected", "test");
    expect(loop.nextRound()).toMatchObject({ round: 2, episodes: 5 });
  });

  it("counts a repeated END once and short episodes not at all", () => {
    const loop = new LearnerLoop(config({ minEpisodeS: 1 }));
    finishEpisodes(loop, ["ep-1", "ep-1"]);
    finishEpisodes(loop, ["ep-2"], 0.2);
    expect(loop.episodes).toBe(1);
    expect(loop.shortEpisodes).toBe(1);
  });

  it("names what is wrong with a malformed episode event and counts nothing", () => {
    const loop = new LearnerLoop(config());
    const e = { event: END, episode_id: "ep-1", outcome: "success", return_value: 1, stampS: 1 };
    expect(loop.onEpisodeEvent({ ...e, episode_id: "" }, START, END)).toMatch(/episode_id is empty/);
    expect(loop.onEpisodeEvent({ ...e, event: 7 }, START, END)).toMatch(/event is 7/);
    expect(loop.onEpisodeEvent({ ...e, outcome: "great" }, START, END)).toMatch(/outcome 'great'/);
    expect(loop.onEpisodeEvent({ ...e, return_value: Number.NaN }, START, END)).toMatch(/non-finite return_value/);
    expect(loop.episodes).toBe(0);
  });

  it("stops after max_rounds", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1, maxRounds: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    loop.complete("deployed", "better");
    finishEpisodes(loop, ["ep-2"]);
    expect(loop.nextRound()).toBeUndefined();
  });

  it("deploys a better candidate and refuses a worse one", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    const current = "a".repeat(64);
    expect(loop.decide(ok(candidate(evaluation(0.6, 10)), incumbent(evaluation(0.5, 40), current)), current)).toMatchObject({ action: "deploy" });
    loop.complete("deployed", "better");
    finishEpisodes(loop, ["ep-2"]);
    loop.nextRound();
    const worse = loop.decide(ok(candidate(evaluation(0.4, 90)), incumbent(evaluation(0.5, 40), current)), current);
    expect(worse).toEqual({ action: "reject", reason: expect.stringMatching(/worse success rate/) });
  });

  it("judges the first candidate against no policy (the robot standing still)", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    const d = loop.decide(ok(candidate(evaluation(0, -20)), incumbent(evaluation(0, -30), null)), null);
    expect(d).toMatchObject({ action: "deploy", reason: expect.stringMatching(/higher return/) });
  });

  it("refuses a failed round with its stage and reason", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    const d = loop.decide({ ok: false, stage: "export", message: "ONNX export rejected: max abs difference 1e-2", seconds: 3 }, null);
    expect(d).toEqual({ action: "reject", reason: "export failed: ONNX export rejected: max abs difference 1e-2" });
  });

  it("refuses a result whose comparison is stale (the store changed during the round)", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    const d = loop.decide(ok(candidate(evaluation(1, 100)), incumbent(evaluation(0, -30), null)), "b".repeat(64));
    expect(d).toMatchObject({ action: "reject", reason: expect.stringMatching(/changed during the round \(compared with none, now bbbbbbbbbbbb\)/) });
  });

  it("refuses a candidate identical to the current policy", () => {
    const loop = new LearnerLoop(config({ episodesPerRound: 1 }));
    finishEpisodes(loop, ["ep-1"]);
    loop.nextRound();
    const sha = "a".repeat(64);
    expect(loop.decide(ok(candidate(evaluation(1, 100), sha), incumbent(evaluation(0, 0), sha)), sha)).toMatchObject({ action: "reject", reason: "the candidate is the current policy" });
  });
});
