import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecFor, defaultRegistry } from "../../../msgs";
import { BagWriter } from "../../../ros/bag";
import { datasetFromBags, loadDataset, saveDataset, splitEpisodes, normalizationStats, RolloutStore, collectRollout } from "../../../nodes/learner/dataset";
import { makeNavEnv } from "../../../nodes/learner/algos/env";
import { GridExpert } from "../../../nodes/learner/expert/grid-expert";

const registry = defaultRegistry();
const S = 1_000_000_000n;
const ms = (t: number) => 1_000_000_000_000n + BigInt(t) * 1_000_000n;
const stamp = { sec: 0, nanosec: 0 };

function scan(range: number) {
  // 8 rays, 45° apart from angle 0: with 4 beams each sector gets 2 rays.
  const ranges = new Float32Array([range, 3, 3, 3, 3, 3, 3, Infinity]);
  return { header: { stamp, frame_id: "laser" }, angle_min: 0, angle_max: (7 * Math.PI) / 4, angle_increment: Math.PI / 4, time_increment: 0, scan_time: 0.2, range_min: 0.1, range_max: 3.5, ranges, intensities: new Float32Array(0) };
}
function odom(x: number, y: number, yaw: number, v: number, w: number) {
  return {
    header: { stamp, frame_id: "odom" },
    child_frame_id: "base_link",
    pose: { pose: { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) } }, covariance: new Float64Array(36) },
    twist: { twist: { linear: { x: v, y: 0, z: 0 }, angular: { x: 0, y: 0, z: w } }, covariance: new Float64Array(36) },
  };
}
const plan = (gx: number, gy: number) => ({ header: { stamp, frame_id: "odom" }, poses: [{ header: { stamp, frame_id: "odom" }, pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }, { header: { stamp, frame_id: "odom" }, pose: { position: { x: gx, y: gy, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }] });
const twist = (v: number, w: number) => ({ linear: { x: v, y: 0, z: 0 }, angular: { x: 0, y: 0, z: w } });
const event = (e: number, id: string, outcome = "", ret = 0) => ({ header: { stamp, frame_id: "" }, event: e, episode_id: id, outcome, return_value: ret });

async function writeBag(dir: string): Promise<void> {
  const w = await BagWriter.open({ uri: dir, compression: "none" });
  const types: Record<string, string> = { "/scan": "sensor_msgs/msg/LaserScan", "/odom": "nav_msgs/msg/Odometry", "/plan": "nav_msgs/msg/Path", "/cmd_vel": "geometry_msgs/msg/Twist", "/episode/events": "kestrel_msgs/msg/EpisodeEvent" };
  for (const [name, type] of Object.entries(types)) w.addTopic({ name, type, offeredQos: [], schemaText: registry.schemaText(type) });
  const put = (topic: string, t: number, m: unknown) => w.write(topic, codecFor(types[topic]!, registry).serialize(m as never), ms(t));
  put("/cmd_vel", 0, twist(9, 9)); // before the episode: skipped
  put("/episode/events", 10, event(0, "ep-1"));
  put("/cmd_vel", 20, twist(8, 8)); // no scan/odom/plan yet: skipped
  put("/scan", 30, scan(1.0));
  put("/odom", 40, odom(0, 0, 0, 0.1, 0.0));
  put("/plan", 50, plan(2, 0));
  put("/cmd_vel", 100, twist(0.2, 0.1)); // T0
  put("/odom", 150, odom(0.5, 0, 0, 0.2, 0.1));
  put("/scan", 150, scan(0.5)); // same time as the cmd below: used
  put("/cmd_vel", 150, twist(0.22, -0.3)); // T1
  put("/odom", 180, odom(1.0, 0, Math.PI / 2, 0.2, 0.0));
  put("/episode/events", 200, event(1, "ep-1", "success", 99));
  put("/cmd_vel", 210, twist(7, 7)); // after END: skipped
  w.close();
  void S;
}

describe("datasets from bags", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "kestrel-ds-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("aligns a hand-made bag into exact transitions", async () => {
    await writeBag(join(dir, "bag1"));
    const ds = await datasetFromBags([join(dir, "bag1")], { lidarBeams: 4, maxRange: 3.5, layout: "kestrel-nav-v1" });
    const m = ds.manifest;
    expect(m.count).toBe(2);
    expect(m.observation).toEqual({ layout: "kestrel-nav-v1", size: 8, lidar_beams: 4, max_range: 3.5 });
    const obs = Array.from(ds.arrays.observations);
    // T0: sectors min(1,3)=1, 3, 3, min(3,+Inf→ignored)=3; goal (2,0) from (0,0,0): d=2, bearing 0; v .1 w 0
    expect(obs.slice(0, 8)).toEqual([1, 3, 3, 3, 2, 0, 0.1, 0].map(Math.fround));
    // T1: scan 0.5 at the same time as the cmd; pose (0.5,0): d=1.5
    expect(obs.slice(8, 16)).toEqual([0.5, 3, 3, 3, 1.5, 0, 0.2, 0.1].map(Math.fround));
    expect(Array.from(ds.arrays.actions)).toEqual([0.2, 0.1, 0.22, -0.3].map(Math.fround));
    // rewards: 10·(2 − 1.5) − 0.05; last: 10·(1.5 − 1.0) − 0.05 + 100 (success)
    expect(ds.arrays.rewards[0]).toBeCloseTo(4.95, 5);
    expect(ds.arrays.rewards[1]).toBeCloseTo(104.95, 4);
    expect(Array.from(ds.arrays.dones)).toEqual([0, 1]);
    expect(m.episodes).toEqual([{ id: "bag1/ep-1", source: "bag1", start: 0, count: 2, outcome: "success", return: expect.closeTo(109.9, 4) }]);
    expect(m.sources[0]!.name).toBe("bag1");
    expect(m.sources[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("adds the plan's lookahead points in the odom frame, moving a map-frame plan through the recorded map -> odom (layout v2)", async () => {
    // The sim latches map -> odom at the spawn pose: odom's origin at (2, 1) in map, turned 90°.
    // The plan runs from (2, 1) along map +y, i.e. from odom's origin along odom +x.
    const mapPlan = {
      header: { stamp, frame_id: "map" },
      poses: [[2, 1], [2, 5]].map(([x, y]) => ({ header: { stamp, frame_id: "map" }, pose: { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } })),
    };
    const tfStatic = {
      transforms: [
        {
          header: { stamp, frame_id: "map" },
          child_frame_id: "odom",
          transform: { translation: { x: 2, y: 1, z: 0 }, rotation: { x: 0, y: 0, z: Math.sin(Math.PI / 4), w: Math.cos(Math.PI / 4) } },
        },
      ],
    };
    const w = await BagWriter.open({ uri: join(dir, "bag-map"), compression: "none" });
    const types: Record<string, string> = { "/scan": "sensor_msgs/msg/LaserScan", "/odom": "nav_msgs/msg/Odometry", "/plan": "nav_msgs/msg/Path", "/cmd_vel": "geometry_msgs/msg/Twist", "/episode/events": "kestrel_msgs/msg/EpisodeEvent", "/tf_static": "tf2_msgs/msg/TFMessage" };
    for (const [name, type] of Object.entries(types)) w.addTopic({ name, type, offeredQos: [], schemaText: registry.schemaText(type) });
    const put = (topic: string, t: number, m: unknown) => w.write(topic, codecFor(types[topic]!, registry).serialize(m as never), ms(t));
    put("/episode/events", 10, event(0, "ep-1"));
    put("/scan", 20, scan(1.0));
    put("/odom", 20, odom(0, 0, 0, 0.1, 0));
    put("/plan", 30, mapPlan);
    put("/cmd_vel", 40, twist(0.1, 0)); // the plan cannot be brought into odom yet: skipped
    put("/tf_static", 50, tfStatic);
    put("/cmd_vel", 60, twist(0.2, 0.1)); // T0
    put("/odom", 70, odom(1, 0, Math.PI / 2, 0.2, 0));
    put("/cmd_vel", 80, twist(0.2, -0.1)); // T1: robot at odom (1, 0) facing odom +y
    put("/episode/events", 90, event(1, "ep-1", "success"));
    w.close();
    const ds = await datasetFromBags([join(dir, "bag-map")], { lidarBeams: 4, maxRange: 3.5 });
    expect(ds.manifest.observation).toEqual({ layout: "kestrel-nav-v2", size: 14, lidar_beams: 4, max_range: 3.5, lookahead_m: [0.4, 0.8, 1.6, 2.4] });
    expect(ds.manifest.count).toBe(2);
    const obs = Array.from(ds.arrays.observations);
    // T0: the goal is odom (4, 0): d 4, bearing 0; the lookahead points straight ahead (no v, w in v2).
    const t0 = obs.slice(4, 14);
    [4, 0, 0.4, 0, 0.8, 0, 1.6, 0, 2.4, 0].forEach((e, i) => expect(t0[i]).toBeCloseTo(e, 6));
    // T1: from (1, 0) facing +y, the path ahead (+x) is to the robot's right (−y in its frame).
    const t1 = obs.slice(14 + 4, 28);
    const expected = [3, -Math.PI / 2, 0, -0.4, 0, -0.8, 0, -1.6, 0, -2.4];
    t1.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  describe("action labels: /cmd_vel_expert when the controller published one for the cycle, else /cmd_vel", () => {
    // Shadow phase (pursuit drives: /cmd_vel only), then policy phase (the policy drives /cmd_vel,
    // pursuit's command for the same cycle goes out on /cmd_vel_expert just before it).
    const writeMixedBag = async (uri: string): Promise<void> => {
      const w = await BagWriter.open({ uri, compression: "none" });
      const types: Record<string, string> = {
        "/scan": "sensor_msgs/msg/LaserScan",
        "/odom": "nav_msgs/msg/Odometry",
        "/plan": "nav_msgs/msg/Path",
        "/cmd_vel": "geometry_msgs/msg/Twist",
        "/cmd_vel_expert": "geometry_msgs/msg/Twist",
        "/episode/events": "kestrel_msgs/msg/EpisodeEvent",
      };
      for (const [name, type] of Object.entries(types)) w.addTopic({ name, type, offeredQos: [], schemaText: registry.schemaText(type) });
      const put = (topic: string, t: number, m: unknown) => w.write(topic, codecFor(types[topic]!, registry).serialize(m as never), ms(t));
      put("/episode/events", 10, event(0, "ep-1"));
      put("/cmd_vel_expert", 15, twist(6, 6)); // consumed by the skipped /cmd_vel below, never a label
      put("/cmd_vel", 16, twist(6, 6)); // no scan/odom/plan yet: skipped
      put("/scan", 30, scan(1.0));
      put("/odom", 40, odom(0, 0, 0, 0.1, 0.0));
      put("/plan", 50, plan(2, 0));
      put("/cmd_vel", 100, twist(0.2, 0.1)); // T0 shadow phase: no expert since the last /cmd_vel -> itself
      put("/cmd_vel_expert", 200, twist(0.15, 0.05));
      put("/cmd_vel", 200, twist(0.9, 0.9)); // T1 the policy's command -> the expert's
      put("/cmd_vel", 300, twist(0.8, 0.8)); // T2 written before its expert, same log time: still the expert's
      put("/cmd_vel_expert", 300, twist(0.1, -0.1));
      put("/cmd_vel_expert", 350, twist(5, 5)); // superseded by the next one before any /cmd_vel
      put("/cmd_vel_expert", 380, twist(0.12, 0));
      put("/cmd_vel", 400, twist(0.7, 0.7)); // T3 -> the latest expert since T2
      put("/cmd_vel", 450, twist(-0.1, 0)); // a recovery's back-up: policies do not reverse, no transition
      put("/cmd_vel", 500, twist(0.3, 0.2)); // T4 no expert since the back-up (each is used once) -> itself
      put("/episode/events", 600, event(1, "ep-1", "success"));
      w.close();
    };
    const table: Array<[string, Record<string, string>, number[], number]> = [
      ["labels with /cmd_vel_expert when the bag has one for that cycle, else with /cmd_vel", {}, [0.2, 0.1, 0.15, 0.05, 0.1, -0.1, 0.12, 0, 0.3, 0.2], 3],
      ["labels with /cmd_vel only when the expert topic is disabled", { cmdVelExpert: "" }, [0.2, 0.1, 0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.3, 0.2], 0],
    ];
    it.each(table)("%s", async (_name, topics, actions, expertLabels) => {
      const uri = join(dir, "bag-expert");
      if (!existsSync(uri)) await writeMixedBag(uri);
      const ds = await datasetFromBags([uri], { lidarBeams: 4, maxRange: 3.5, layout: "kestrel-nav-v1", topics: topics as never });
      expect(ds.manifest.count).toBe(5);
      expect(Array.from(ds.arrays.actions)).toEqual(actions.map(Math.fround));
      expect(ds.manifest.params.expert_labels).toBe(expertLabels);
      expect(ds.manifest.params.reverse_skipped).toBe(1);
      // The observations do not depend on where the label came from.
      expect(Array.from(ds.arrays.observations.slice(0, 8))).toEqual([1, 3, 3, 3, 2, 0, 0.1, 0].map(Math.fround));
    });
  });

  it("is reproducible, hashed, immutable and verified on load", async () => {
    const a = await datasetFromBags([join(dir, "bag1")], { lidarBeams: 4 });
    const b = await datasetFromBags([join(dir, "bag1")], { lidarBeams: 4 });
    expect(a.manifest.sha256).toBe(b.manifest.sha256);
    expect(a.manifest.arrays.observations.sha256).toBe(b.manifest.arrays.observations.sha256);
    const out = join(dir, "saved");
    saveDataset(out, a);
    expect(() => saveDataset(out, a)).toThrow(/immutable/);
    const back = loadDataset(out);
    expect(back.manifest.sha256).toBe(a.manifest.sha256);
    expect(Array.from(back.arrays.actions)).toEqual(Array.from(a.arrays.actions));
    const f = join(out, "actions.bin");
    const bytes = readFileSync(f);
    bytes[0] ^= 1;
    writeFileSync(f, bytes);
    expect(() => loadDataset(out)).toThrow(/actions.bin: sha256 mismatch/);
  });
});

describe("dataset pieces", () => {
  it("splits by episode deterministically", () => {
    const ids = Array.from({ length: 10 }, (_, i) => `e${i}`);
    const s = splitEpisodes(ids, 0.2, 7);
    expect(s.val).toHaveLength(2);
    expect(new Set([...s.train, ...s.val]).size).toBe(10);
    expect(splitEpisodes(ids, 0.2, 7)).toEqual(s);
  });

  it("normalisation statistics with a floor for constant features", () => {
    const n = normalizationStats(new Float32Array([1, 5, 3, 5]), 2, [0, 1]);
    expect(n.mean).toEqual([2, 5]);
    expect(n.std).toEqual([1, 1]);
  });

  it("expert rollouts give the same dataset hash for the same seed", async () => {
    const make = async () => {
      const { env, worlds } = makeNavEnv(["cluttered"], 4, { maxEpisodeSteps: 200 });
      const store = new RolloutStore(env.obsSize);
      await collectRollout(env, new GridExpert(env, worlds), null, store, { steps: 1200, seed: 5, expertProbability: 1 });
      return store.toDataset({ lidarBeams: 36, maxRange: 3.5 }, { valFraction: 0.2, splitSeed: 0, params: {} });
    };
    const a = await make();
    const b = await make();
    expect(a.manifest.count).toBe(1200);
    expect(a.manifest.sha256).toBe(b.manifest.sha256);
    // episodes are contiguous and their indices match
    for (const [k, e] of a.manifest.episodes.entries()) {
      expect(a.arrays.episodes[e.start]).toBe(k);
      expect(a.arrays.episodes[e.start + e.count - 1]).toBe(k);
    }
  });
});
