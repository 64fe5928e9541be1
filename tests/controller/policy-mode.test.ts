/**
 * The controller's learned-policy modes on the embedded bus with sim time: policy mode drives
 * with the ONNX policy's command through the safety layer, shadow mode publishes pursuit on
 * /cmd_vel and the policy on /cmd_vel_shadow, a missing or corrupted policy never drives, and
 * deployments are picked up on policy_reload and /policy/info.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { kestrel_msgs } from "../../msgs/generated/types";
import { kestrel_msgs as msgs } from "../../msgs/generated/types";
import { MODEL_FILE, POLICY_INFO_QOS, policyInfoMessage, PolicyStore, readManifest } from "../../nodes/learner/policy";
import { fixOrtForJest, goalSeekingLayers, tempDir, writeTestPackage } from "../learner/policy/support";
import { odomMessage, pathMessage, rangeAhead, scanMessage, startController, type Harness } from "./harness";

fixOrtForJest();

const { STOP } = msgs.msg.SafetyStatus;
const lastCmd = (cmds: Array<{ linear: number; angular: number }>) => cmds[cmds.length - 1]!;
/** The goal-seeking test policy's command for goal distance d and bearing b (see support.ts). */
const policyV = (d: number, bias = 0) => ((Math.tanh(d + bias) + 1) / 2) * 0.22;

let t: ReturnType<typeof tempDir>;
let store: PolicyStore;
let h: Harness | undefined;
beforeEach(() => {
  t = tempDir();
  store = new PolicyStore(join(t.dir, "policies"));
});
afterEach(async () => {
  await h?.instance.stop?.();
  h = undefined;
  t.cleanup();
});

function deploy(id: string, vBias = 0): string {
  const layers = goalSeekingLayers();
  layers[0]!.bias = [vBias, 0];
  const dir = writeTestPackage(join(t.dir, `cand-${id}`), { layers, manifest: { id } });
  store.deploy(dir);
  return dir;
}

const logs = (level: string) => h!.stack.logs.filter((l) => l.level === level && l.logger === "controller").map((l) => l.message);

describe("controller mode 'policy'", () => {
  it("drives with the policy's command toward the end of /plan, through the smoother", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    expect(logs("INFO")).toContainEqual(expect.stringMatching(/^policy: loaded 'seek' \(sha256 [0-9a-f]{12}, bc\) from .* in [\d.]+ ms \(mode 'policy' at start\)/));
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(1.0);
    // Robot at the origin facing the goal 2 m ahead: v = (tanh 2 + 1)/2 · 0.22, w = 0 (pursuit would say 0.2).
    expect(h.cmds[0]!.linear).toBeCloseTo(0.125, 6); // the smoother's acceleration limit still applies
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(2), 5);
    expect(lastCmd(h.cmds).angular).toBeCloseTo(0, 6);
    expect(h.instance.summary!()).toMatch(/^mode policy \(policy 'seek'\)/);
  });

  it("turns toward a goal on the left (w = tanh(2 · bearing) · wmax, clamped by the smoother's limits)", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`, "-p", "max_angular_vel:=1.0"]);
    h.feed.odom = odomMessage(0, 0, 0);
    h.planPub.publish(pathMessage([[0, 0], [0.5, 0.5], [1, 1]])); // goal at 45° left
    await h.advance(1.0);
    expect(lastCmd(h.cmds).angular).toBeCloseTo(1.0, 6); // tanh(π/2) · 2.84 = 2.6, clamped to 1.0
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(Math.SQRT2), 5);
  });

  it("follows the path's lookahead points with a kestrel-nav-v2 policy (w from the first point's lateral offset)", async () => {
    // A v2 policy that steers toward the path's first lookahead point (0.4 m along /plan) and
    // ignores the goal's bearing: the path leaves to the left, the goal lies to the right.
    const size = 36 + 2 + 8;
    const weights = new Array<number>(size * 2).fill(0);
    weights[36 * 2 + 0] = 1; // goal distance -> v
    weights[(36 + 3) * 2 + 1] = 2; // lookahead point 0's y -> w
    const dir = writeTestPackage(join(t.dir, "cand-follow"), {
      layers: [{ inputs: size, outputs: 2, weights, bias: [0, 0], tanh: true }],
      manifest: { id: "follow", observation: { layout: "kestrel-nav-v2", size, lidar_beams: 36, max_range: 3.5, goal: "path_end", lookahead_m: [0.4, 0.8, 1.6, 2.4] } },
    });
    store.deploy(dir);
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`, "-p", "max_angular_vel:=1.0"]);
    h.feed.odom = odomMessage(0, 0, 0);
    h.planPub.publish(pathMessage([[0, 0], [0, 1], [3, 1], [3, -0.5]]));
    await h.advance(1.0);
    // Point 0 is (0, 0.4) in the robot frame: w = tanh(0.8) · 2.84 > 0, clamped to 1.0 (a goal seeker would turn right).
    expect(lastCmd(h.cmds).angular).toBeCloseTo(1.0, 6);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(Math.hypot(3, 0.5)), 5);
  });

  it("is still stopped by the safety layer: an obstacle in the stop zone stops the policy's command", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeGreaterThan(0.2);
    h.feed.scan = scanMessage({ 0: rangeAhead(0.13) });
    await h.advance(0.3);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
    expect(h.statuses[h.statuses.length - 1]).toMatchObject({ state: STOP, source: "scan" });
  });

  it("stops at the goal (within xy_goal_tolerance of the path's end)", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(0.5);
    h.feed.odom = odomMessage(1.9, 0, 0, 0.2, 0);
    await h.advance(1.0);
    expect(lastCmd(h.cmds)).toMatchObject({ linear: 0, angular: 0 });
  });

  it("with no deployable policy refuses with a log line and pursuit drives instead — never blind", async () => {
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    expect(logs("WARN")).toContainEqual(expect.stringMatching(/^policy: no policy deployed yet in .*policies; mode 'policy' runs pursuit until one is$/));
    expect(logs("ERROR")).toEqual([]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(logs("WARN")).toContainEqual(expect.stringMatching(/^mode 'policy': no deployable policy \(no policy deployed yet in .*\); pursuit drives until one is loaded/));
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6); // desired_linear_vel: pursuit's cruise speed
    // A policy deployed later takes over on policy_reload.
    deploy("late");
    expect(h.params.set({ policy_reload: true }).successful).toBe(true);
    await h.advance(1.0);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(3), 5); // the policy's speed now: goal 3 m ahead (the feed holds the robot at the origin)
    expect(logs("INFO")).toContainEqual(expect.stringMatching(/^mode 'policy': policy 'late' drives \(pursuit fallback over\)/));
  });

  it("switching to policy mode at run time with no policy stays with pursuit", async () => {
    h = await startController(["-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(0.5);
    expect(h.params.set({ mode: "policy" }).successful).toBe(true);
    await h.advance(0.5);
    expect(logs("WARN")).toContainEqual(expect.stringMatching(/^policy: no policy deployed yet in .*; mode 'policy' runs pursuit until one is$/));
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6);
  });
});

describe("controller mode 'shadow'", () => {
  it("publishes pursuit on /cmd_vel and the policy's raw command on /cmd_vel_shadow", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=shadow", "-p", `policy_dir:=${store.root}`]);
    const shadow: Array<{ linear: number; angular: number }> = [];
    h.stack.node("observer").subscribe("geometry_msgs/msg/Twist", "/cmd_vel_shadow").subscribe((m) => shadow.push({ linear: m.linear.x, angular: m.angular.z }));
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(0.2, 6); // pursuit drives
    expect(shadow.length).toBeGreaterThanOrEqual(19);
    expect(lastCmd(shadow).linear).toBeCloseTo(policyV(3), 5); // the policy, unsmoothed: goal 3 m ahead
    expect(shadow[0]!.linear).toBeCloseTo(policyV(3), 5);
  });

  it("without a policy drives pursuit and publishes no shadow", async () => {
    h = await startController(["-p", "mode:=shadow", "-p", `policy_dir:=${store.root}`]);
    const shadow: unknown[] = [];
    h.stack.node("observer").subscribe("geometry_msgs/msg/Twist", "/cmd_vel_shadow").subscribe((m) => shadow.push(m));
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeGreaterThan(0);
    expect(shadow).toEqual([]);
  });
});

describe("controller: /cmd_vel_expert (the expert's label while a policy drives)", () => {
  const observe = (topics: string[]) => {
    const seen: Array<{ topic: string; linear: number; angular: number }> = [];
    for (const topic of topics) h!.stack.node("observer").subscribe("geometry_msgs/msg/Twist", topic).subscribe((m) => seen.push({ topic, linear: m.linear.x, angular: m.angular.z }));
    return seen;
  };

  it("in policy mode publishes pursuit's command, as /cmd_vel would carry it, just before each /cmd_vel", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    const seen = observe(["/cmd_vel_expert", "/cmd_vel"]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(seen.length).toBeGreaterThanOrEqual(38);
    // Pairs, expert first (the order the bag dataset relies on).
    seen.forEach((m, i) => expect(m.topic).toBe(i % 2 === 0 ? "/cmd_vel_expert" : "/cmd_vel"));
    const expert = seen.filter((m) => m.topic === "/cmd_vel_expert");
    const cmd = seen.filter((m) => m.topic === "/cmd_vel");
    expect(lastCmd(cmd).linear).toBeCloseTo(policyV(3), 5); // the policy drives
    expect(lastCmd(expert)).toMatchObject({ linear: expect.closeTo(0.2, 6), angular: expect.closeTo(0, 6) }); // pursuit's cruise on a straight path
    // Smoothed from the ramp the policy's commands left: the first expert command is one
    // acceleration step from rest, exactly like the first /cmd_vel.
    expect(expert[0]!.linear).toBeCloseTo(cmd[0]!.linear, 9);
  });

  it("labels the stop the safety layer would make: zero when an obstacle blocks the way", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    const seen = observe(["/cmd_vel_expert"]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    h.feed.scan = scanMessage({ 0: rangeAhead(0.13) }); // inside the stop zone
    await h.advance(0.5);
    expect(seen.length).toBeGreaterThan(0);
    expect(lastCmd(seen)).toMatchObject({ linear: 0, angular: 0 });
  });

  it.each([["pursuit"], ["shadow"]])("publishes nothing on it in %s mode (/cmd_vel is the expert's there)", async (mode) => {
    deploy("seek");
    h = await startController(["-p", `mode:=${mode}`, "-p", `policy_dir:=${store.root}`]);
    const seen = observe(["/cmd_vel_expert"]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(0.5);
    expect(h.cmds.length).toBeGreaterThan(0);
    expect(seen).toEqual([]);
  });

  it("with no policy loaded in policy mode, the expert label is the pursuit command that drives", async () => {
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    const seen = observe(["/cmd_vel_expert", "/cmd_vel"]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(0.5);
    const expert = seen.filter((m) => m.topic === "/cmd_vel_expert").map(({ linear, angular }) => ({ linear, angular }));
    const cmd = seen.filter((m) => m.topic === "/cmd_vel").map(({ linear, angular }) => ({ linear, angular }));
    expect(expert.length).toBeGreaterThan(0);
    expect(expert).toEqual(cmd);
  });
});

describe("controller: policy store log levels at start", () => {
  const table: Array<[string, string, "INFO" | "WARN", RegExp]> = [
    ["an empty store in shadow mode is the loop's normal first state: INFO", "shadow", "INFO", /^policy: no policy deployed yet in .*policies; shadow publishes nothing until one is$/],
    ["an empty store in policy mode: WARN (pursuit drives instead)", "policy", "WARN", /^policy: no policy deployed yet in .*policies; mode 'policy' runs pursuit until one is$/],
  ];
  it.each(table)("%s, said once, never ERROR", async (_name, mode, level, text) => {
    h = await startController(["-p", `mode:=${mode}`, "-p", `policy_dir:=${store.root}`]);
    expect(h.params.set({ policy_reload: true }).successful).toBe(true); // still empty: not said again
    await h.advance(0.2);
    expect(logs(level).filter((m) => text.test(m))).toHaveLength(1);
    expect(logs("ERROR")).toEqual([]);
  });

  it("a package that exists but fails to load is an ERROR naming the reason", async () => {
    deploy("broken");
    const current = store.currentDir()!;
    const model = join(current, MODEL_FILE);
    const bytes = readFileSync(model);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(model, bytes);
    h = await startController(["-p", "mode:=shadow", "-p", `policy_dir:=${store.root}`]);
    expect(logs("ERROR")).toContainEqual(expect.stringMatching(/^policy: cannot load a policy \(mode 'shadow' at start\): .*sha256/));
  });
});

describe("controller: policy deployment and reload", () => {
  it("announces each loaded policy latched on /policy/info (a late subscriber still gets it)", async () => {
    deploy("seek");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    await h.advance(0.1);
    const infos: kestrel_msgs.msg.PolicyInfo[] = [];
    h.stack.node("late").subscribe("kestrel_msgs/msg/PolicyInfo", "/policy/info", POLICY_INFO_QOS).subscribe((m) => infos.push(m));
    await h.stack.flush();
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ policy_id: "seek", sha256: store.state()!.current.manifest.model.sha256, algorithm: "bc", dataset_hash: "d".repeat(64), code_version: "0.1.0", previous_policy_id: "", store: store.root });
    expect(infos[0]!.success_rate).toBeCloseTo(0.9, 6);
    expect(infos[0]!.mean_return).toBeCloseTo(42.5, 6);
  });

  it("reloads when /policy/info announces a new deployment; a corrupted package is refused and the running policy keeps driving", async () => {
    deploy("first");
    h = await startController(["-p", "mode:=policy", "-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0]]));
    await h.advance(1.0);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(2), 5);
    const learner = h.stack.node("learner").createPublisher("kestrel_msgs/msg/PolicyInfo", "/policy/info", POLICY_INFO_QOS);

    // A learner deploys a slower policy and announces it.
    deploy("second", -2);
    const announced = readManifest(store.currentDir()!);
    learner.publish(policyInfoMessage(announced, { stamp: { sec: 0, nanosec: 0 }, deployedAt: store.readPointer()!.deployed_at, store: store.root }));
    await h.advance(1.0);
    expect(logs("INFO")).toContainEqual(expect.stringMatching(/^policy: loaded 'second' .*\(\/policy\/info announced 'second'/));
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(2, -2), 5);

    // Someone corrupts the stored model of a third deployment: the reload refuses it, 'second' keeps driving.
    deploy("third", 1);
    const third = store.currentDir()!;
    const bytes = readFileSync(join(third, MODEL_FILE));
    bytes[bytes.length - 1] ^= 0x10;
    writeFileSync(join(third, MODEL_FILE), bytes);
    expect(h.params.set({ policy_reload: true }).successful).toBe(true);
    expect(logs("ERROR")).toContainEqual(expect.stringMatching(/^policy: cannot load a policy \(policy_reload\): .*policy\.onnx: sha256 mismatch: .*; policy 'second' keeps running/));
    await h.advance(0.5);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(2, -2), 5);

    // Rolling the store back makes 'second' current again: the reload finds it already running.
    store.rollback();
    expect(store.state()!.current.manifest.id).toBe("second");
    const errors = logs("ERROR").length;
    expect(h.params.set({ policy_reload: true }).successful).toBe(true);
    expect(logs("ERROR")).toHaveLength(errors);
    await h.advance(0.2);
    expect(lastCmd(h.cmds).linear).toBeCloseTo(policyV(2, -2), 5);
  });
});
