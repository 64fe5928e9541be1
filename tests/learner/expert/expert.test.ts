import { evaluateActor, makeNavEnv, RandomEpisodes } from "../../../nodes/learner/algos/env";
import { GridExpert, GridPlanner, worldGrid } from "../../../nodes/learner/expert/grid-expert";
import { Rng } from "../../../sim/random";

describe("GridExpert", () => {
  it("reaches goals in VecEnv with no collision", async () => {
    const { env, worlds } = makeNavEnv(["cluttered"], 6, { maxEpisodeSteps: 1500 });
    const expert = new GridExpert(env, worlds);
    const s = await evaluateActor(env, (o, a) => expert.act(o, a), { episodes: 12, seed: 3, onReset: () => expert.reset() });
    expect(s.episodes).toBe(12);
    expect(s.collisions).toBe(0);
    expect(s.successRate).toBeGreaterThanOrEqual(0.9);
  });

  it("pursues the very path the policy observation shows (it shares makeNavEnv's planner)", () => {
    const nav = makeNavEnv(["office"], 2);
    const expert = new GridExpert(nav.env, nav.worlds);
    expect(expert.planner).toBe(nav.planner);
    // With other planner settings it cannot share: it plans on its own.
    expect(new GridExpert(nav.env, nav.worlds, { lookaheadM: 0.6 }).planner).not.toBe(nav.planner);
    // A v1 env has no path in its observation: the expert plans on its own.
    const v1 = makeNavEnv(["office"], 2, {}, { layout: "kestrel-nav-v1" });
    expect(v1.planner).toBeUndefined();
    expect(v1.env.obsSize).toBe(40);
    expect(new GridExpert(v1.env, v1.worlds).planner).toBeInstanceOf(GridPlanner);
  });

  it("rasterises walls as lethal and open floor as free", () => {
    const { worlds } = makeNavEnv(["cluttered"], 1);
    const g = worldGrid(worlds[0]!, 0.105);
    const at = (x: number, y: number) => g.grid.costs[Math.floor(y / g.resolution) * g.grid.width + Math.floor(x / g.resolution)];
    expect(at(0.02, 6)).toBe(254); // boundary wall
    expect(at(7.5, 6.0)).toBe(254); // column_1 centre
    expect(at(1.0, 1.0)).toBeLessThan(253); // spawn
  });
});

describe("GridPlanner", () => {
  it("keeps a path while the robot stays on it and replans when the goal moves or the robot strays", () => {
    const { worlds } = makeNavEnv(["cluttered"], 1);
    const p = new GridPlanner(1, worlds, 0.105);
    const a = p.track(0, 1, 1, 6, 7)!;
    expect(p.searches).toBe(1);
    expect(a.path.xs[a.path.length - 1]).toBe(6);
    expect(a.path.ys[a.path.length - 1]).toBe(7);
    // A step along the path: the same path, its index moved on.
    const k = Math.min(10, a.path.length - 1);
    const b = p.track(0, a.path.xs[k]!, a.path.ys[k]!, 6, 7)!;
    expect(b.path).toBe(a.path);
    expect(b.index).toBeGreaterThan(0);
    expect(p.searches).toBe(1);
    p.track(0, a.path.xs[k]!, a.path.ys[k]!, 10.5, 2); // a new goal
    expect(p.searches).toBe(2);
    p.forget(0); // a new episode
    p.track(0, 1, 1, 10.5, 2);
    expect(p.searches).toBe(3);
  });

  it("tells reachable pairs from unreachable ones", () => {
    const { worlds } = makeNavEnv(["cluttered"], 1);
    const p = new GridPlanner(1, worlds, 0.105);
    expect(p.reachable(0, 1, 1, 6, 7)).toBe(true);
    expect(p.reachable(0, 1, 1, 7.5, 6.0)).toBe(false); // inside a column
  });
});

describe("RandomEpisodes", () => {
  it("draws reachable, roomy start/goal pairs at least 2 m apart, deterministically for a seed", () => {
    const nav = makeNavEnv(["warehouse"], 1);
    const sampler = new RandomEpisodes(nav.planner!);
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 5 }, () => sampler.sample(0, nav.worlds[0]!, rng));
    };
    const a = draw(11);
    expect(draw(11)).toEqual(a);
    expect(draw(12)).not.toEqual(a);
    for (const e of a) {
      expect(Math.hypot(e.goal.center.x - e.start.x, e.goal.center.y - e.start.y)).toBeGreaterThanOrEqual(2);
      expect(e.goal.radius).toBe(0.4);
      expect(nav.planner!.reachable(0, e.start.x, e.start.y, e.goal.center.x, e.goal.center.y)).toBe(true);
    }
  });

  it("makes held-out seeds unseen start/goal pairs, unlike the worlds' few spawns and goals", () => {
    const goals = (episodes: "random" | "world") => {
      const { env } = makeNavEnv(["office"], 4, {}, { episodes });
      const seen = new Set<string>();
      for (const seed of [1, 2, 3]) {
        env.reset(seed);
        for (let i = 0; i < 4; i++) seen.add(`${env.goalOf(i).center.x},${env.goalOf(i).center.y}`);
      }
      return seen.size;
    };
    expect(goals("world")).toBeLessThanOrEqual(5); // the office's 5 goals
    expect(goals("random")).toBe(12);
  });
});
