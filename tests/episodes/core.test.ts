import { EpisodeSequencer, episodeId, outcomeCounts, type EpisodeConfig, type EpisodeStart } from "../../nodes/episodes/core";

const REACHED = 4;
const NO_PATH = 3;
const goals = [
  { name: "near", x: 1, y: 0 },
  { name: "east", x: 10, y: 0 },
  { name: "north", x: 0, y: 10 },
];
const config = (over: Partial<EpisodeConfig> = {}): EpisodeConfig => ({
  goals,
  seed: 0,
  minGoalDistanceM: 2,
  timeoutS: 60,
  settleS: 1,
  abortBackoffMaxS: 8,
  maxEpisodes: 0,
  rewards: { progressPerM: 10, goalReached: 100, collision: -100, perStep: -0.05 },
  stepS: 0.1,
  codes: { reached: REACHED, noPath: NO_PATH },
  ...over,
});

function startAt(s: EpisodeSequencer, t: number): EpisodeStart {
  const a = s.tick(t);
  expect(a?.kind).toBe("start");
  return a as EpisodeStart;
}

describe("EpisodeSequencer", () => {
  it("waits for the robot's position before the first episode", () => {
    const s = new EpisodeSequencer(config());
    expect(s.tick(1)).toBeUndefined();
    s.onPosition(0, 0);
    expect(s.tick(1.1)?.kind).toBe("start");
  });

  it("draws goals at least min_goal_distance away, the same sequence for the same seed", () => {
    const draw = (seed: number): string[] => {
      const s = new EpisodeSequencer(config({ seed }));
      s.onPosition(0, 0);
      const names: string[] = [];
      let t = 0;
      for (let i = 0; i < 8; i++) {
        const start = startAt(s, t);
        names.push(start.goal.name);
        t += 5;
        s.onStatus(REACHED, "", t);
        t += 1;
      }
      return names;
    };
    const a = draw(3);
    expect(a).toEqual(draw(3));
    expect(a).not.toContain("near");
    expect(new Set(a).size).toBe(2);
  });

  it("ends with success on REACHED, with the VecEnv's return terms", () => {
    const s = new EpisodeSequencer(config({ goals: [{ name: "east", x: 10, y: 0 }] }));
    s.onPosition(0, 0);
    const start = startAt(s, 0);
    expect(start.id).toBe(episodeId(0));
    expect(start.yaw).toBeCloseTo(0);
    s.onPosition(9.8, 0);
    const end = s.onStatus(REACHED, "goal reached", 20)!;
    // progress 9.8 m · 10 + 200 steps · -0.05 + 100
    expect(end).toMatchObject({ kind: "end", id: "ep-0001", outcome: "success" });
    expect(end.returnValue).toBeCloseTo(98 - 10 + 100, 6);
    expect(end.durationS).toBe(20);
  });

  it("ignores planner statuses older than the episode", () => {
    const s = new EpisodeSequencer(config());
    s.onPosition(0, 0);
    startAt(s, 10);
    expect(s.onStatus(REACHED, "", 9.5)).toBeUndefined();
    expect(s.current).toBeDefined();
  });

  it("ends with a collision when a contact begins during the episode, not for one already on at START", () => {
    const s = new EpisodeSequencer(config());
    s.onPosition(0, 0);
    s.onContact(true, 0);
    startAt(s, 0);
    expect(s.onContact(true, 1)).toBeUndefined(); // still touching what it touched before
    s.onContact(false, 2);
    const end = s.onContact(true, 3, "touched 'wall'")!;
    expect(end.outcome).toBe("collision");
    expect(end.returnValue).toBeCloseTo(-100 + 30 * -0.05, 6);
    expect(end.detail).toContain("wall");
  });

  it("times out an episode without a verdict and waits settle_s before the next", () => {
    const s = new EpisodeSequencer(config({ timeoutS: 30, settleS: 2 }));
    s.onPosition(0, 0);
    startAt(s, 0);
    expect(s.tick(30)).toBeUndefined();
    expect(s.tick(30.1)).toMatchObject({ kind: "end", outcome: "timeout" });
    expect(s.tick(31)).toBeUndefined();
    expect(s.tick(32.2)?.kind).toBe("start");
  });

  it("backs off after consecutive aborted episodes (no path) and resets after a good one", () => {
    const s = new EpisodeSequencer(config({ settleS: 1, abortBackoffMaxS: 8 }));
    s.onPosition(0, 0);
    let t = 0;
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      startAt(s, t);
      expect(s.onStatus(NO_PATH, "StartOccupied", t)).toMatchObject({ outcome: "aborted" });
      pauses.push(s.pauseS());
      t += s.pauseS();
    }
    expect(pauses).toEqual([2, 4, 8, 8, 8]);
    startAt(s, t);
    s.onStatus(REACHED, "", t + 5);
    expect(s.pauseS()).toBe(1);
  });

  it("stops after max_episodes", () => {
    const s = new EpisodeSequencer(config({ maxEpisodes: 2, settleS: 0 }));
    s.onPosition(0, 0);
    startAt(s, 0);
    s.onStatus(REACHED, "", 1);
    startAt(s, 1);
    s.onStatus(REACHED, "", 2);
    expect(s.finished).toBe(true);
    expect(s.tick(5)).toBeUndefined();
    expect(outcomeCounts(s.ended)).toEqual({ success: 2, collision: 0, timeout: 0, aborted: 0 });
  });

  it("refuses a configuration without goals", () => {
    expect(() => new EpisodeSequencer(config({ goals: [] }))).toThrow(/no candidate goals/);
  });
});
