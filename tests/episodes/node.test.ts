/**
 * The episodes node on the embedded bus: it waits for the robot's position, sends a goal on
 * /goal_pose with a START event, and ends the episode on the planner's REACHED with an END event
 * carrying the outcome and the return; a contact ends one as a collision.
 */
import { kestrel_msgs as msgs, type geometry_msgs, type kestrel_msgs } from "../../msgs/generated/types";
import { episodesNode, type EpisodesParameters } from "../../nodes/episodes/node";
import type { NodeInstance } from "../../ros/definition";
import { quaternionFromYaw } from "../../ros/tf/math";
import { localStack, type LocalStack } from "../support/local-stack";

let stack: LocalStack;
let instance: NodeInstance | undefined;
afterEach(async () => {
  await instance?.stop?.();
  instance = undefined;
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await wait(10);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

async function start(): Promise<{ goals: geometry_msgs.msg.PoseStamped[]; events: kestrel_msgs.msg.EpisodeEvent[]; probe: ReturnType<LocalStack["node"]> }> {
  stack = localStack();
  const args = ["-p", "frame_id:=odom", "-p", "goals:=[5.0, 0.0, 0.0, 8.0]", "-p", "start_delay_s:=0.0", "-p", "settle_s:=0.0"];
  const node = stack.node("episodes", args);
  instance = await episodesNode.start(node, node.declareParameters<EpisodesParameters>(episodesNode.parameters));
  const probe = stack.node("probe");
  const goals: geometry_msgs.msg.PoseStamped[] = [];
  const events: kestrel_msgs.msg.EpisodeEvent[] = [];
  probe.subscribe("geometry_msgs/msg/PoseStamped", "/goal_pose").subscribe((m) => goals.push(m));
  probe.subscribe("kestrel_msgs/msg/EpisodeEvent", "/episode/events", { depth: 50 }).subscribe((m) => events.push(m));
  return { goals, events, probe };
}

function odom(probe: ReturnType<LocalStack["node"]>, x: number, y: number): void {
  probe.createPublisher("nav_msgs/msg/Odometry", "/odom").publish({
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "odom" },
    child_frame_id: "base_link",
    pose: { pose: { position: { x, y, z: 0 }, orientation: quaternionFromYaw(0) }, covariance: new Float64Array(36) },
    twist: { twist: { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } }, covariance: new Float64Array(36) },
  });
}

describe("episodes node", () => {
  it("sends a goal with START and ends the episode on REACHED with END, outcome and return", async () => {
    const { goals, events, probe } = await start();
    await wait(150);
    expect(goals).toEqual([]); // no position yet
    odom(probe, 0, 0);
    await until("a goal", () => goals.length === 1);
    expect(events[0]).toMatchObject({ event: msgs.msg.EpisodeEvent.START, episode_id: "ep-0001", outcome: "" });
    const goal = goals[0]!.pose.position;
    odom(probe, goal.x * 0.98, goal.y * 0.98);
    probe.createPublisher("kestrel_msgs/msg/PlannerStatus", "/planner/status", { depth: 10 }).publish({
      header: { stamp: probe.now(), frame_id: "odom" },
      status: msgs.msg.PlannerStatus.REACHED,
      message: "goal reached",
      path_length_m: 0,
    });
    await until("the END", () => events.length >= 2);
    expect(events[1]).toMatchObject({ event: msgs.msg.EpisodeEvent.END, episode_id: "ep-0001", outcome: "success" });
    expect(events[1]!.return_value).toBeGreaterThan(100); // goal bonus + progress, less a little time
    await until("the next episode", () => goals.length === 2);
    expect(instance!.summary!()).toBe("1 episodes: 1 success, 0 collision, 0 timeout, 0 aborted");
  });

  it("rejects odometry with a non-finite pose, naming the field, and carries on with the next valid one", async () => {
    const { goals, probe } = await start();
    odom(probe, NaN, 0);
    await until("the rejection", () => stack.logs.some((r) => /rejected \/odom: .*'pose\.pose\.position\.x' is NaN/.test(r.message)));
    expect(goals).toEqual([]); // a NaN position starts nothing
    odom(probe, 0, 0);
    await until("a goal", () => goals.length === 1);
  });

  it("ends an episode as a collision when a contact begins", async () => {
    const { events, probe } = await start();
    odom(probe, 0, 0);
    await until("the START", () => events.length === 1);
    probe.createPublisher("kestrel_msgs/msg/Contact", "/contact", { depth: 10 }).publish({
      header: { stamp: probe.now(), frame_id: "base_link" },
      in_contact: true,
      position: { x: 0.1, y: 0, z: 0 },
      normal: { x: -1, y: 0, z: 0 },
      other: "wall_3",
    });
    await until("the END", () => events.length >= 2);
    expect(events[1]).toMatchObject({ outcome: "collision", episode_id: "ep-0001" });
    expect(events[1]!.return_value).toBeLessThan(-99);
  });
});
