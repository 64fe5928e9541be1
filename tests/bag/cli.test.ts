import { bagCommand, playBag } from "../../cli/bag";
import { localStack } from "../support/local-stack";
import { sharedData } from "../support/shared-data";

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (chunks.push(String(s)), true));
  try {
    const code = await fn();
    return { code, out: chunks.join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("kestrel bag", () => {
  it("info on the Jazzy MCAP bag lists files, storage, duration, messages and every topic", async () => {
    const { code, out } = await capture(() => bagCommand(["info", sharedData("bags", "jazzy_kestrel_topics_mcap")]));
    expect(code).toBe(0);
    expect(out).toMatch(/^Files: +kestrel_topics_mcap_0\.mcap$/m);
    expect(out).toMatch(/^Storage id: +mcap$/m);
    expect(out).toMatch(/^Duration: +4\.905095691s$/m);
    expect(out).toMatch(/^Messages: +362$/m);
    for (const t of ["/scan", "/camera/image_raw", "/camera/camera_info", "/odom", "/cmd_vel", "/tf", "/detections", "/plan", "/map", "/goal_pose"]) {
      expect(out).toMatch(new RegExp(`Topic: ${t} \\| Type: \\S+ \\| Count: \\d+ \\| Serialization Format: cdr`));
    }
  });

  it("info names the channels it cannot read", async () => {
    const { out } = await capture(() => bagCommand(["info", sharedData("bags", "tb3_walker_gazebo_db3")]));
    expect(out).toMatch(/^Storage id: +sqlite3$/m);
    expect(out).toMatch(/Not readable: .*\/performance_metrics \(gazebo_msgs\/msg\/PerformanceMetrics\)/);
  });

  it("play publishes the bag into the graph with /clock at the rate factor", async () => {
    const stack = localStack();
    const listener = stack.node("listener");
    const topics: string[] = [];
    const clocks: bigint[] = [];
    listener.subscribe("std_msgs/msg/String", "/topic").subscribe((m) => topics.push(m.data));
    listener.subscribe("rosgraph_msgs/msg/Clock", "/clock", { reliability: "best_effort", depth: 100 }).subscribe((m) => clocks.push(BigInt(m.clock.sec) * 1_000_000_000n + BigInt(m.clock.nanosec)));
    const started = Date.now();
    const playback = await playBag(stack.transport, sharedData("bags", "rosbag2_talker_mcap"), { rate: 10 });
    const { published } = await playback.done;
    await stack.flush();
    const elapsed = Date.now() - started;
    expect(published).toBe(20);
    expect(topics).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
    // 4.53 s of bag at 10x: about 0.45 s.
    expect(elapsed).toBeGreaterThan(350);
    expect(elapsed).toBeLessThan(3000);
    expect(clocks.length).toBeGreaterThan(0);
    expect(clocks[0]).toBe(1585866235112411371n);
  });

  it("record without a launch file explains what is missing", async () => {
    await expect(bagCommand(["record", "--all"])).rejects.toThrow(/--launch/);
  });
});
