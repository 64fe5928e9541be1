import { evaluateActor, makeNavEnv } from "../../../nodes/learner/algos/env";
import { GridExpert, worldGrid } from "../../../nodes/learner/expert/grid-expert";

describe("GridExpert", () => {
  it("reaches goals in VecEnv with no collision, fast", async () => {
    const { env, worlds } = makeNavEnv(["cluttered"], 6, { maxEpisodeSteps: 1500 });
    const expert = new GridExpert(env, worlds);
    const t0 = performance.now();
    let steps = 0;
    const s = await evaluateActor(env, (o, a) => (steps++, expert.act(o, a)), { episodes: 12, seed: 3, onReset: () => expert.reset() });
    const perSecond = (steps * 6) / ((performance.now() - t0) / 1000);
    expect(s.episodes).toBe(12);
    expect(s.collisions).toBe(0);
    expect(s.successRate).toBeGreaterThanOrEqual(0.9);
    expect(perSecond).toBeGreaterThan(200); // a sanity bound under jest on shared cores; bench/learn measures it
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
