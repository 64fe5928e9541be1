/**
 * evaluateLaunchFile: scoping, namespaces, includes, parameters and errors, as ros2 launch (Jazzy)
 * does them; toRosArgs: the command line ros2 launch would run.
 * Launch files live in an in-memory share dir (/share/kestrel/{launch,config}).
 */
import { EvaluateOptions, evaluateLaunchFile, LaunchError, LaunchPlan, NodeLaunch, toRosArgs } from "../../ros/launch";

const SHARE = "/share/kestrel";

/** Evaluates `main` among `files` (paths relative to SHARE) with command-line `args`. */
function plan(files: Record<string, string>, args: Record<string, string> = {}, extra: Partial<EvaluateOptions> = {}): LaunchPlan {
  const fs: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) fs[`${SHARE}/${k}`] = v;
  return evaluateLaunchFile(`${SHARE}/launch/main.launch.xml`, {
    args,
    env: { ROBOT_ENV: "envbot" }, // the environment seen by $(env)
    findPackageShare: (pkg) => (pkg === "kestrel" ? SHARE : undefined),
    readFile: (p) => {
      if (!(p in fs)) throw new Error(`ENOENT: ${p}`);
      return fs[p];
    },
    ...extra,
  });
}
const main = (xml: string, args: Record<string, string> = {}, extra: Partial<EvaluateOptions> = {}): LaunchPlan =>
  plan({ "launch/main.launch.xml": `<launch>\n${xml}\n</launch>` }, args, extra);

/** name -> namespace of each node, in launch order. */
const names = (p: LaunchPlan): [string | undefined, string | undefined][] => p.nodes.map((n) => [n.name, n.namespace]);

function failure(f: () => unknown): LaunchError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LaunchError);
    return e as LaunchError;
  }
  throw new Error("expected a LaunchError");
}

describe("evaluateLaunchFile", () => {
  describe("arguments and lets", () => {
    const xml = `<arg name="world" default="office" description="world to load"/>
<let name="rate" value="20"/>
<node pkg="kestrel" exec="sim" name="sim_$(var world)_$(var rate)"/>`;

    it("uses an arg's default, and a command-line value over it", () => {
      expect(main(xml).nodes[0].name).toBe("sim_office_20");
      expect(main(xml, { world: "maze" }).nodes[0].name).toBe("sim_maze_20");
    });

    it("does not let the command line override a <let>", () => {
      expect(main(xml, { rate: "99" }).nodes[0].name).toBe("sim_office_20");
    });

    it("lists the declared args for --show-args", () => {
      const p = main(`${xml}\n<group><arg name="inner" default="$(var world)"/></group>\n<arg name="map"/>`, { map: "m" });
      expect(p.args.map((a) => [a.name, a.default, a.description, a.source.line])).toEqual([
        ["world", "office", "world to load", 2],
        ["inner", "$(var world)", "no description given", 5],
        ["map", undefined, "no description given", 6],
      ]);
    });

    it("rejects a missing required arg, naming it and how to pass it", () => {
      const e = failure(() => main(`<arg name="map"/>`));
      expect(e.message).toContain("Included launch description missing required argument 'map' (description: 'no description given'), given: []");
      expect(e.message).toContain("map:=<value>");
      expect([e.line, e.tag]).toEqual([2, "arg"]);
    });

    it("rejects an undefined $(var), naming it and the defined ones", () => {
      const e = failure(() => main(`<arg name="a" default="1"/>\n<node pkg="kestrel" exec="sim" name="sim_$(var nope)"/>`));
      expect(e.message).toMatch(/main\.launch\.xml:3: <node>: attribute 'name': launch configuration 'nope' does not exist \(defined here: a;/);
    });

    it("resolves $(env NAME default)", () => {
      expect(main(`<node pkg="kestrel" exec="sim" name="$(env ROBOT_ENV)_$(env NOPE dflt)"/>`).nodes[0].name).toBe("envbot_dflt");
    });
  });

  describe("groups", () => {
    it("scopes lets and args inside a group, and leaks them with scoped=false", () => {
      const p = main(`<let name="x" value="outer"/>
<group><let name="x" value="inner"/><node pkg="kestrel" exec="sim" name="in_$(var x)"/></group>
<node pkg="kestrel" exec="sim" name="after_$(var x)"/>
<group scoped="false"><let name="x" value="leaked"/></group>
<node pkg="kestrel" exec="sim" name="end_$(var x)"/>`);
      expect(p.nodes.map((n) => n.name)).toEqual(["in_inner", "after_outer", "end_leaked"]);
    });

    it("nests pushed namespaces and pops them with the group", () => {
      const p = main(`<group>
  <push-ros-namespace namespace="robot1"/>
  <node pkg="kestrel" exec="controller" name="controller"/>
  <group>
    <push-ros-namespace namespace="inner"/>
    <node pkg="kestrel" exec="perception" name="detector" namespace="cam"/>
  </group>
  <node pkg="kestrel" exec="recorder" name="recorder" namespace="/abs"/>
  <node pkg="kestrel" exec="planner" name="planner" namespace="rel/"/>
</group>
<node pkg="kestrel" exec="learner" name="learner"/>`);
      expect(names(p)).toEqual([
        ["controller", "/robot1"],
        ["detector", "/robot1/inner/cam"], // relative namespaces nest
        ["recorder", "/abs"], // an absolute namespace ignores pushed ones
        ["planner", "/robot1/rel"], // trailing slash stripped
        ["learner", undefined], // no __ns outside the group
      ]);
    });

    it("replaces the namespace on an absolute push, and leaks a push with scoped=false", () => {
      const p = main(`<group scoped="false"><push-ros-namespace namespace="a"/><push-ros-namespace namespace="/b"/></group>
<node pkg="kestrel" exec="sim" name="sim"/>`);
      expect(names(p)).toEqual([["sim", "/b"]]);
    });

    it("rejects an invalid namespace", () => {
      expect(failure(() => main(`<push-ros-namespace namespace="9lives"/>`)).message).toContain("invalid namespace '/9lives'");
      expect(failure(() => main(`<node pkg="kestrel" exec="sim" namespace="a//b"/>`)).message).toContain("must not contain repeated '/'");
      expect(failure(() => main(`<node pkg="kestrel" exec="sim" name="bad-name"/>`)).message).toContain("invalid node name 'bad-name'");
    });
  });

  describe("includes", () => {
    const child = `<launch>
  <arg name="world" default="office"/>
  <let name="rate" value="20"/>
  <node pkg="kestrel" exec="sim" name="sim_$(var world)_$(var rate)"/>
</launch>`;

    it("passes <arg> children to the included file and resolves $(find-pkg-share)", () => {
      const p = plan({
        "launch/main.launch.xml": `<launch><include file="$(find-pkg-share kestrel)/launch/child.launch.xml"><arg name="world" value="maze"/></include></launch>`,
        "launch/child.launch.xml": child,
      });
      expect(p.nodes.map((n) => [n.name, n.source.file])).toEqual([["sim_maze_20", `${SHARE}/launch/child.launch.xml`]]);
    });

    it("resolves $(dirname) to the including file's folder", () => {
      const p = plan({
        "launch/main.launch.xml": `<launch><include file="$(dirname)/child.launch.xml"/></launch>`,
        "launch/child.launch.xml": child,
      });
      expect(p.nodes[0].name).toBe("sim_office_20");
    });

    it("is not scoped, as in ros2 launch: the parent's configurations reach the child and the child's leak back", () => {
      const p = plan({
        "launch/main.launch.xml": `<launch>
  <arg name="world" default="warehouse"/>
  <include file="$(dirname)/child.launch.xml"/>
  <node pkg="kestrel" exec="controller" name="ctl_$(var rate)"/>
  <group><include file="$(dirname)/child.launch.xml"><arg name="rate" value="5"/></include></group>
  <node pkg="kestrel" exec="controller" name="ctl2_$(var rate)"/>
</launch>`,
        "launch/child.launch.xml": child,
      });
      expect(p.nodes.map((n) => n.name)).toEqual(["sim_warehouse_20", "ctl_20", "sim_warehouse_20", "ctl2_20"]);
    });

    it("rejects an include that does not pass a required arg, even when the configuration exists", () => {
      const e = failure(() =>
        plan({
          "launch/main.launch.xml": `<launch>\n<arg name="map" default="m"/>\n<include file="$(dirname)/child.launch.xml"/>\n</launch>`,
          "launch/child.launch.xml": `<launch>\n<arg name="map"/>\n</launch>`,
        }),
      );
      expect([e.line, e.tag]).toEqual([3, "include"]);
      expect(e.message).toContain("missing required argument 'map' (description: 'no description given'), given: []");
      expect(e.message).toContain(`<arg name="map" value="..."/>`);
    });

    it("rejects a missing included file, naming it and the including line", () => {
      const e = failure(() => main(`\n<include file="$(dirname)/nope.launch.xml"/>`));
      expect(e.message).toMatch(/main\.launch\.xml:3: <include>: included launch file '\/share\/kestrel\/launch\/nope\.launch\.xml' not found \(included from .*main\.launch\.xml:3\)/);
    });

    it("reports errors inside an included file at that file's line", () => {
      const e = failure(() =>
        plan({
          "launch/main.launch.xml": `<launch><include file="$(dirname)/child.launch.xml"/></launch>`,
          "launch/child.launch.xml": `<launch>\n\n<nodee/></launch>`,
        }),
      );
      expect([e.file, e.line, e.tag]).toEqual([`${SHARE}/launch/child.launch.xml`, 3, "nodee"]);
    });

    it("rejects Python launch files and include cycles", () => {
      expect(failure(() => main(`<include file="$(dirname)/x.launch.py"/>`)).message).toContain("only XML launch files are supported");
      expect(failure(() => main(`<include file="$(dirname)/main.launch.xml"/>`)).message).toMatch(/nested deeper than/);
    });
  });

  describe("nodes", () => {
    it("keeps params and remaps in document order, typed", () => {
      const p = plan({
        "launch/main.launch.xml": `<launch><node pkg="kestrel" exec="planner" name="planner">
  <param name="rate_hz" value="20"/>
  <param from="$(find-pkg-share kestrel)/config/nav.yaml"/>
  <param name="names" value="[a, b]"/>
  <remap from="scan" to="/robot/scan"/>
</node></launch>`,
        "config/nav.yaml": "planner:\n  ros__parameters:\n    x: 1\n",
      });
      const n = p.nodes[0];
      expect(n.parameters.map((x) => (x.kind === "file" ? ["file", x.path] : [x.name, x.type, x.value]))).toEqual([
        ["rate_hz", "integer", 20],
        ["file", `${SHARE}/config/nav.yaml`],
        ["names", "string_array", ["a", "b"]],
      ]);
      expect(n.remaps).toEqual([{ from: "scan", to: "/robot/scan" }]);
      expect(n.source.line).toBe(1);
    });

    it("skips a missing params file with a warning, as launch_ros does", () => {
      const p = main(`<node pkg="kestrel" exec="sim"><param from="/nowhere.yaml"/></node>`);
      expect(p.nodes[0].parameters).toEqual([]);
      expect(p.warnings.map((w) => [w.source.line, w.message])).toEqual([[2, "Parameter file path is not a file: /nowhere.yaml (skipped)"]]);
    });

    it("defaults output to log, respawn to false, and parses the others", () => {
      const [a, b] = main(`<node pkg="kestrel" exec="sim"/>
<node pkg="kestrel" exec="sim" output="screen" respawn="true" respawn_delay="1.5" args="--a 'b c'" ros_args="--log-level debug"/>`).nodes;
      expect([a.output, a.respawn, a.respawnDelaySec, a.args, a.rosArgs, a.name, a.namespace]).toEqual(["log", false, 0, [], [], undefined, undefined]);
      expect([b.output, b.respawn, b.respawnDelaySec, b.args, b.rosArgs]).toEqual(["screen", true, 1.5, ["--a", "b c"], ["--log-level", "debug"]]);
      expect(failure(() => main(`<node pkg="kestrel" exec="sim" respawn="sometimes"/>`)).message).toContain("expected true or false");
      expect(failure(() => main(`<node pkg="kestrel" exec="sim" respawn_delay="soon"/>`)).message).toContain("respawn_delay");
    });

    it("rejects an unknown executable when the package's executables are known", () => {
      const known = { knownExecutables: (pkg: string) => (pkg === "kestrel" ? ["sim"] : undefined), libexecDir: (pkg: string) => `/opt/lib/${pkg}` };
      expect(failure(() => main(`<node pkg="kestrel" exec="simm"/>`, {}, known)).message).toContain(
        "executable 'simm' not found on the libexec directory '/opt/lib/kestrel'",
      );
      expect(failure(() => main(`<node pkg="nav2" exec="x"/>`, {}, known)).message).toContain("package 'nav2' not found");
      expect(main(`<node pkg="kestrel" exec="sim"/>`, {}, known).nodes).toHaveLength(1);
    });
  });
});

describe("toRosArgs", () => {
  const node = (over: Partial<NodeLaunch>): NodeLaunch => ({
    pkg: "kestrel",
    exec: "sim",
    args: [],
    rosArgs: [],
    remaps: [],
    parameters: [],
    output: "log",
    respawn: false,
    respawnDelaySec: 0,
    source: { file: "x.launch.xml", line: 1 },
    ...over,
  });
  const src = { file: "x.launch.xml", line: 2 };

  it("orders args, ros_args, __node, __ns, params files, remaps as launch_ros does", () => {
    const r = toRosArgs(
      node({
        args: ["--fast"],
        rosArgs: ["--log-level", "debug"],
        name: "sim",
        namespace: "/r1",
        parameters: [
          { kind: "inline", name: "rate", value: 2, type: "double", source: src },
          { kind: "file", path: "/cfg/a.yaml", source: src },
          { kind: "inline", name: "on", value: true, type: "bool", source: src },
        ],
        remaps: [{ from: "a", to: "b" }],
      }),
      { readFile: (p) => `# ${p}\n` },
    );
    expect(r.argv).toEqual([
      "--fast", "--ros-args", "--log-level", "debug",
      "--ros-args", "-r", "__node:=sim", "-r", "__ns:=/r1",
      "--params-file", "PARAMS_FILE_1", "--params-file", "/cfg/a.yaml", "--params-file", "PARAMS_FILE_2",
      "-r", "a:=b",
    ]);
    expect(r.paramsFiles).toEqual({
      PARAMS_FILE_1: "/**:\n  ros__parameters:\n    rate: 2.0\n",
      "/cfg/a.yaml": "# /cfg/a.yaml\n",
      PARAMS_FILE_2: "/**:\n  ros__parameters:\n    'on': true\n", // PyYAML quotes a key YAML 1.1 reads as a bool
    });
  });

  it("gives just --ros-args for a node with nothing to say", () => {
    expect(toRosArgs(node({}))).toEqual({ argv: ["--ros-args"], paramsFiles: {} });
  });
});
