import * as path from "path";
import { DoneReason, VecEnv } from "../../sim/env";
import { loadWorld } from "../../sim/world";

const office = loadWorld(path.resolve(__dirname, "../../sim/worlds/office.yaml"));
const cluttered = loadWorld(path.resolve(__dirname, "../../sim/worlds/cluttered.yaml"));

/** Runs `steps` steps of a fixed pseudo-random policy and returns copies of every output. */
function rollout(env: VecEnv, seed: number, steps: number): Float32Array[] {
  const n = env.config.numEnvs;
  const actions = new Float32Array(2 * n);
  const frames: Float32Array[] = [env.reset(seed).slice()];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < n; i++) {
      actions[2 * i] = 0.22 * Math.sin(0.1 * t + i);
      actions[2 * i + 1] = 1.5 * Math.cos(0.07 * t * (i + 1));
    }
    const r = env.step(actions);
    frames.push(r.observations.slice(), r.rewards.slice(), Float32Array.from(r.dones));
  }
  return frames;
}

describe("VecEnv", () => {
  it("lays observations out as lidarBeams ranges, goal distance, goal bearing, v, w", () => {
    const env = new VecEnv(office, { numEnvs: 2, lidarBeams: 36, randomSpawnYaw: false });
    expect(env.obsSize).toBe(40);
    const obs = env.reset(1);
    expect(obs).toHaveLength(80);
    for (let i = 0; i < 2; i++) {
      const o = obs.subarray(i * 40, i * 40 + 40);
      for (let k = 0; k < 36; k++) expect(o[k]).toBeGreaterThanOrEqual(0);
      for (let k = 0; k < 36; k++) expect(o[k]).toBeLessThanOrEqual(3.5);
      const s = env.robotState(i);
      expect(o[36]).toBeGreaterThan(0);
      expect(Math.abs(o[37])).toBeLessThanOrEqual(Math.PI);
      expect([o[38], o[39]]).toEqual([0, 0]);
      expect(s.v).toBe(0);
    }
  });

  it("is deterministic for a seed (two runs give identical arrays) and differs across seeds", () => {
    const a = rollout(new VecEnv([office, cluttered, office, cluttered], { numEnvs: 4 }), 123, 300);
    const b = rollout(new VecEnv([office, cluttered, office, cluttered], { numEnvs: 4 }), 123, 300);
    expect(b).toEqual(a);
    const c = rollout(new VecEnv([office, cluttered, office, cluttered], { numEnvs: 4 }), 124, 300);
    expect(c).not.toEqual(a);
  });

  it("ends and auto-resets an episode on collision with the configured penalty", () => {
    const env = new VecEnv(cluttered, { numEnvs: 1, randomSpawnYaw: false, maxEpisodeSteps: 10000, rewards: { progressPerM: 0, goalReached: 0, collision: -7, perStep: 0 } });
    env.reset(5);
    let result = env.step(new Float32Array([0.22, 0]));
    for (let t = 0; t < 2000 && !result.dones[0]; t++) result = env.step(new Float32Array([0.22, 0]));
    expect(result.dones[0]).toBe(1);
    expect(result.info.reasons[0]).toBe(DoneReason.Collision);
    expect(result.rewards[0]).toBeCloseTo(-7, 6);
    expect(result.info.contacts[0]).not.toBeNull();
    expect(env.robotState(0).time).toBe(0); // already reset
  });

  it("times out after maxEpisodeSteps", () => {
    const env = new VecEnv(office, { numEnvs: 1, maxEpisodeSteps: 5 });
    env.reset(1);
    const zero = new Float32Array(2);
    for (let t = 0; t < 4; t++) expect(env.step(zero).dones[0]).toBe(0);
    const r = env.step(zero);
    expect([r.dones[0], r.info.reasons[0], r.info.episodeLengths[0]]).toEqual([1, DoneReason.Timeout, 5]);
  });
});
