/**
 * RosNode on the embedded transport: names and remaps from `--ros-args`, parameters from a JSON
 * schema with overrides and validation, and a clock that follows /clock under use_sim_time.
 */
import { firstValueFrom } from "rxjs";
import type { ParameterSchema } from "../../ros/parameters/declare";
import { localStack } from "../support/local-stack";

/** A planner-like schema: one field of each kind the checks below need. */
const schema: ParameterSchema = {
  type: "object",
  properties: {
    rate_hz: { type: "number", default: 10.0, description: "Replanning rate", minimum: 0.1, maximum: 100 },
    max_iterations: { type: "integer", default: 1000, description: "Search budget", minimum: 1 },
    frame_id: { type: "string", default: "odom", description: "Costmap frame", readOnly: true },
    mode: { type: "string", default: "astar", description: "Algorithm", enum: ["astar", "jps"] },
    "inflation.radius_m": { type: "number", default: 0.55, description: "Inflation radius" },
    gains: { type: "array", items: { type: "number" }, default: [1.0, 2.0], description: "PID gains" },
  },
};

type Params = {
  rate_hz: number;
  max_iterations: number;
  frame_id: string;
  mode: string;
  "inflation.radius_m": number;
  gains: number[];
};

describe("RosNode names", () => {
  it("takes its name and namespace from __node and __ns remaps", () => {
    const node = localStack().node("planner", ["-r", "__node:=planner2", "-r", "__ns:=/robot1"]);
    expect(node.fullyQualifiedName).toBe("/robot1/planner2");
  });

  it.each([
    ["scan", [], "/robot1/scan"],
    ["/scan", [], "/scan"],
    ["~/status", [], "/robot1/planner/status"],
    ["scan", ["-r", "scan:=/lidar/scan"], "/lidar/scan"],
    ["cmd_vel", ["-r", "planner:cmd_vel:=safe/cmd_vel"], "/robot1/safe/cmd_vel"],
    ["cmd_vel", ["-r", "other:cmd_vel:=nope"], "/robot1/cmd_vel"],
  ])("resolves %s with %j to %s", (topic, rules, expected) => {
    const node = localStack().node("planner", ["-r", "__ns:=/robot1", ...rules]);
    expect(node.createPublisher("std_msgs/msg/String", topic).topic).toBe(expected);
  });

  it("rejects an invalid topic name with rcl's reason", () => {
    const node = localStack().node("planner");
    expect(() => node.createPublisher("std_msgs/msg/String", "bad//name")).toThrow(/must not contain repeated '\/'/);
  });
});

describe("RosNode parameters", () => {
  it("declares defaults and use_sim_time", () => {
    const node = localStack().node("planner");
    const params = node.declareParameters<Params>(schema);
    expect(params.values).toMatchObject({ rate_hz: 10, max_iterations: 1000, frame_id: "odom", gains: [1, 2] });
    expect(node.backend.parameters.names()).toContain("use_sim_time");
    expect(node.backend.parameters.describe("rate_hz")).toEqual({
      type: "DOUBLE",
      description: "Replanning rate",
      readOnly: false,
      range: { from: 0.1, to: 100 },
    });
  });

  it("takes overrides from a parameter file (nested keys, /** wildcard) and from -p, -p last", () => {
    const file = [
      "/**:",
      "  ros__parameters:",
      "    use_sim_time: true",
      "planner:",
      "  ros__parameters:",
      "    rate_hz: 2.0",
      "    inflation:",
      "      radius_m: 0.3",
      "    mode: jps",
    ].join("\n");
    const node = localStack().node("planner", ["--params-file", "nav.yaml", "-p", "rate_hz:=5.0"], { "nav.yaml": file });
    const params = node.declareParameters<Params>(schema);
    expect(params.values).toMatchObject({ rate_hz: 5, "inflation.radius_m": 0.3, mode: "jps" });
    expect(node.usesSimTime).toBe(true);
  });

  it.each([
    ["an integer where a double is declared", "rate_hz: 2", /^nav\.yaml: node '\/planner': parameter 'rate_hz': Wrong parameter type: the parameter is of type double, setting it to integer is not allowed \(found 2\); write 2\.0 for a double$/],
    ["a value outside the range", "rate_hz: 500.0", /^nav\.yaml: node '\/planner': parameter 'rate_hz': expected a value in \[0\.1, 100\], found 500/],
    ["a value outside the enum", "mode: dijkstra", /^nav\.yaml: node '\/planner': parameter 'mode': expected one of \["astar","jps"\], found "dijkstra"$/],
    ["a string for an integer", "max_iterations: many", /^nav\.yaml: node '\/planner': parameter 'max_iterations': Wrong parameter type: the parameter is of type integer, setting it to string is not allowed \(found "many"\)$/],
  ])("refuses to start with %s in a file, naming file, node, parameter, expected and found", (_case, line, message) => {
    const file = `planner:\n  ros__parameters:\n    ${line}\n`;
    const node = localStack().node("planner", ["--params-file", "nav.yaml"], { "nav.yaml": file });
    expect(() => node.declareParameters<Params>(schema)).toThrow(message);
  });

  it("validates changes at run time and refuses bad ones with the reason", () => {
    const node = localStack().node("planner");
    const params = node.declareParameters<Params>(schema);
    const seen: string[][] = [];
    params.onChange((changed) => seen.push([...changed]));
    expect(params.set({ rate_hz: 20 })).toEqual({ successful: true, reason: "" });
    expect(params.values.rate_hz).toBe(20);
    expect(params.set({ rate_hz: 1000 }).reason).toBe("parameter 'rate_hz': expected a value in [0.1, 100], found 1000.0");
    expect(params.set({ mode: "bfs" }).successful).toBe(false);
    expect(params.set({ frame_id: "map" }).reason).toMatch(/read-only/);
    expect(params.values).toMatchObject({ rate_hz: 20, mode: "astar", frame_id: "odom" });
    expect(seen).toEqual([["rate_hz"]]);
  });

describe("RosNode clock", () => {
  it("uses the system clock by default", () => {
    const before = Date.now() / 1000;
    const t = localStack().node("n").now();
    expect(t.sec + t.nanosec / 1e9).toBeGreaterThanOrEqual(before - 1);
  });

  it("follows /clock with use_sim_time, and fires timers as sim time advances", async () => {
    const stack = localStack();
    const sim = stack.node("sim");
    const clock = sim.createPublisher("rosgraph_msgs/msg/Clock", "/clock");
    const node = stack.node("planner", ["-p", "use_sim_time:=true"]);
    expect(node.now()).toEqual({ sec: 0, nanosec: 0 });
    let ticks = 0;
    node.createTimer(100, () => ticks++);
    // 1 s of sim time in 10 ms steps: a 100 ms timer fires 10 times, whatever the wall clock did.
    // Each step is delivered before the next (/clock is keep-last 1, as rclcpp's ClockQoS).
    for (let i = 1; i <= 100; i++) {
      clock.publish({ clock: { sec: Math.floor(i / 100), nanosec: (i % 100) * 10_000_000 } });
      await stack.flush();
    }
    expect(node.now()).toEqual({ sec: 1, nanosec: 0 });
    expect(ticks).toBe(10);
  });

  it("fires wall-clock timers when use_sim_time is false", async () => {
    const node = localStack().node("n");
    let ticks = 0;
    const timer = node.createTimer(5, () => ticks++);
    await new Promise((resolve) => setTimeout(resolve, 60));
    timer.cancel();
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("rejects a non-positive timer period", () => {
    expect(() => localStack().node("n").createTimer(0, () => undefined)).toThrow(/positive number of ms, found 0/);
  });
});

  it("warns about file parameters the node does not declare, suggesting the near miss", () => {
    const stack = localStack();
    const file = "planner:\n  ros__parameters:\n    rate_hzz: 2.0\n";
    stack.node("planner", ["--params-file", "nav.yaml"], { "nav.yaml": file }).declareParameters<Params>(schema);
    expect(stack.logs.map((l) => `${l.level} ${l.message}`)).toContainEqual(
      expect.stringMatching(/^WARN node '\/planner': parameter 'rate_hzz': not declared by this node, so ROS ignores it .*did you mean 'rate_hz'\?$/),
    );
  });
});

describe("RosNode lifecycle", () => {
  it("completes its Observables and drops its endpoints when destroyed", async () => {
    const stack = localStack();
    const talker = stack.node("talker").createPublisher("std_msgs/msg/String", "chatter");
    const node = stack.node("listener");
    const done = firstValueFrom(node.subscribe("std_msgs/msg/String", "chatter"), { defaultValue: "completed" });
    node.destroy();
    expect(await done).toBe("completed");
    expect(talker.subscriptionCount()).toBe(0);
  });
});
