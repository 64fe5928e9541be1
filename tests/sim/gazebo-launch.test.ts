import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateLaunchFile, LaunchPlan, NodeLaunch } from "../../ros/launch";
import { shippedWorldFiles } from "../../sim/gazebo/generate";
import { loadWorld } from "../../sim/world/load";

const ROOT = path.resolve(__dirname, "../..");
const FILE = path.join(ROOT, "launch/gazebo.launch.xml");
let fakeShare: string;

beforeAll(() => {
  fakeShare = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-fake-share-"));
});
afterAll(() => fs.rmSync(fakeShare, { recursive: true, force: true }));

function plan(args: Record<string, string> = {}): LaunchPlan {
  return evaluateLaunchFile(FILE, {
    args,
    env: {},
    findPackageShare: (pkg) => (pkg === "kestrel" ? ROOT : path.join(fakeShare, pkg)),
  });
}
const node = (p: LaunchPlan, exec: string): NodeLaunch => {
  const n = p.nodes.find((x) => x.exec === exec);
  if (!n) throw new Error(`no node ${exec} in ${p.nodes.map((x) => `${x.pkg}/${x.exec}`).join(", ")}`);
  return n;
};
const param = (n: NodeLaunch, name: string): unknown => {
  const p = n.parameters.find((x) => x.kind === "inline" && x.name === name);
  return p && p.kind === "inline" ? p.value : undefined;
};

describe("launch/gazebo.launch.xml", () => {
  it("parses and evaluates under Kestrel's launch subset, declaring world and headless", () => {
    const p = plan();
    expect(p.args.map((a) => a.name)).toEqual(expect.arrayContaining(["world", "headless", "x", "y", "yaw"]));
    expect(p.warnings).toEqual([]);
    expect(p.nodes.map((n) => `${n.pkg}/${n.exec}`)).toEqual([
      "ros_gz_sim/gzserver",
      "ros_gz_sim/create",
      "ros_gz_bridge/parameter_bridge",
      "kestrel/robot_frames",
      "kestrel/perception",
      "kestrel/planner",
      "kestrel/controller",
    ]);
  });

  it("starts the gz sim server (ros_gz_sim gzserver) on the world, by default the exported office world", () => {
    const server = node(plan(), "gzserver");
    expect(param(server, "world_sdf_file")).toBe(path.join(ROOT, "sim/gazebo/worlds/office.sdf"));
    expect(param(server, "use_sim_time")).toBe(true);
    expect(param(node(plan({ world: "/tmp/w.sdf" }), "gzserver"), "world_sdf_file")).toBe("/tmp/w.sdf");
  });

  it("ships the default world it points at", () => {
    expect(fs.existsSync(path.join(ROOT, "sim/gazebo/worlds/office.sdf"))).toBe(true);
  });

  it("spawns kestrel_bot from the checked-in model file with ros_gz_sim create at the given pose", () => {
    const create = node(plan({ x: "2.5", y: "-1", yaw: "1.57" }), "create");
    const a = create.args;
    const opt = (flag: string): string | undefined => a[a.indexOf(flag) + 1];
    expect(opt("-file")).toBe(path.join(ROOT, "sim/gazebo/kestrel_bot/model.sdf"));
    expect(fs.existsSync(opt("-file")!)).toBe(true);
    expect(opt("-name")).toBe("kestrel_bot");
    expect([opt("-x"), opt("-y"), opt("-Y")]).toEqual(["2.5", "-1", "1.57"]);
  });

  it("spawns by default at the office world's first spawn pose", () => {
    const office = shippedWorldFiles(ROOT).find((f) => path.basename(f).startsWith("office."));
    expect(office).toBeDefined();
    const s = loadWorld(office!).spawns[0]!;
    const a = node(plan(), "create").args;
    const opt = (flag: string): number => Number(a[a.indexOf(flag) + 1]);
    expect(opt("-x")).toBeCloseTo(s.x, 6);
    expect(opt("-y")).toBeCloseTo(s.y, 6);
    expect(opt("-Y")).toBeCloseTo(s.yaw, 6);
  });

  it("runs ros_gz_bridge parameter_bridge with the bridge YAML, on sim time", () => {
    const bridge = node(plan(), "parameter_bridge");
    expect(param(bridge, "config_file")).toBe(path.join(ROOT, "sim/gazebo/bridge.yaml"));
    expect(fs.existsSync(param(bridge, "config_file") as string)).toBe(true);
    expect(param(bridge, "use_sim_time")).toBe(true);
  });

  it("runs Kestrel's nodes on sim time, with map -> odom at the spawn pose", () => {
    // Floats throughout: launch_ros refuses a list mixing ints and floats.
    const p = plan({ x: "2.5", y: "-1.0", yaw: "1.57" });
    expect(param(node(p, "robot_frames"), "map_to_odom")).toEqual([2.5, -1, 1.57]);
    expect(param(node(plan(), "robot_frames"), "map_to_odom")).toEqual([1, 6, 0]);
    for (const exec of ["robot_frames", "perception"]) expect(param(node(p, exec), "use_sim_time")).toBe(true);
    // planner and controller take use_sim_time from config/nav.yaml's /** section.
    expect(node(p, "planner").parameters).toEqual([expect.objectContaining({ kind: "file", path: path.join(ROOT, "config/nav.yaml") })]);
  });
});
