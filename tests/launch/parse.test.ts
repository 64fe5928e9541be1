/** parseLaunchXml: the supported XML subset into a typed tree with lines, and every rejection. */
import { LaunchError, parseLaunchXml, templateToString, Template } from "../../ros/launch";

const FILE = "launch/test.launch.xml";

/** Every supported tag and attribute, one per line so the recorded lines can be checked. */
const EVERYTHING = `<launch>
  <arg name="world" default="office" description="world to load"/>
  <arg name="map"/>
  <let name="rate" value="20"/>
  <node pkg="kestrel" exec="sim" name="sim" namespace="ns" output="screen" respawn="true" respawn_delay="2.5" args="--fast -v" ros_args="--log-level debug">
    <param name="world" value="$(var world)"/>
    <param from="$(find-pkg-share kestrel)/config/nav.yaml"/>
    <remap from="scan" to="/robot/scan"/>
  </node>
  <include file="$(dirname)/other.launch.xml">
    <arg name="world" value="maze"/>
  </include>
  <group scoped="false">
    <push-ros-namespace namespace="robot1"/>
    <group/>
  </group>
</launch>
`;

const text = (t: Template | undefined): string | undefined => (t === undefined ? undefined : templateToString(t));

function rejection(xml: string): LaunchError {
  try {
    parseLaunchXml(xml, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(LaunchError);
    return e as LaunchError;
  }
  throw new Error("expected a LaunchError");
}

describe("parseLaunchXml", () => {
  const tree = parseLaunchXml(EVERYTHING, FILE);

  it("parses every supported tag in document order, with its line", () => {
    expect(tree.actions.map((a) => [a.kind, a.loc.line])).toEqual([
      ["arg", 2],
      ["arg", 3],
      ["let", 4],
      ["node", 5],
      ["include", 10],
      ["group", 13],
    ]);
    expect(tree.file).toBe(FILE);
  });

  it("parses <arg> with default and description, and a required <arg>", () => {
    const [world, map] = tree.actions;
    expect(world).toMatchObject({ kind: "arg", name: "world", description: "world to load" });
    expect(world.kind === "arg" && text(world.default)).toBe("office");
    expect(map).toMatchObject({ kind: "arg", name: "map" });
    expect(map.kind === "arg" && map.default).toBeUndefined();
  });

  it("parses <let>", () => {
    const let_ = tree.actions[2];
    expect(let_.kind === "let" && [text(let_.name), text(let_.value)]).toEqual(["rate", "20"]);
  });

  it("parses <node> with every attribute, its params and remaps", () => {
    const node = tree.actions[3];
    if (node.kind !== "node") throw new Error("not a node");
    expect([node.pkg, node.exec, node.name, node.namespace, node.output, node.respawn, node.respawnDelay, node.args, node.rosArgs].map(text)).toEqual([
      "kestrel", "sim", "sim", "ns", "screen", "true", "2.5", "--fast -v", "--log-level debug",
    ]);
    expect(node.params.map((p) => [p.source, p.loc.line])).toEqual([
      ["inline", 6],
      ["file", 7],
    ]);
    const [inline, file] = node.params;
    expect(inline.source === "inline" && [text(inline.name), text(inline.value)]).toEqual(["world", "$(var world)"]);
    expect(file.source === "file" && text(file.from)).toBe("$(find-pkg-share kestrel)/config/nav.yaml");
    expect(node.remaps.map((r) => [text(r.from), text(r.to), r.loc.line])).toEqual([["scan", "/robot/scan", 8]]);
  });

  it("parses <include> with its <arg> children", () => {
    const inc = tree.actions[4];
    if (inc.kind !== "include") throw new Error("not an include");
    expect(text(inc.file)).toBe("$(dirname)/other.launch.xml");
    expect(inc.args.map((a) => [text(a.name), text(a.value), a.loc.line])).toEqual([["world", "maze", 11]]);
  });

  it("parses <group scoped> and <push-ros-namespace>, nested", () => {
    const group = tree.actions[5];
    if (group.kind !== "group") throw new Error("not a group");
    expect(group.scoped).toBe(false);
    expect(group.children.map((c) => c.kind)).toEqual(["push-ros-namespace", "group"]);
    const push = group.children[0];
    expect(push.kind === "push-ros-namespace" && text(push.namespace)).toBe("robot1");
    const inner = group.children[1];
    expect(inner.kind === "group" && inner.scoped).toBe(true); // scoped by default
  });

  it("ignores comments and the XML declaration", () => {
    const t = parseLaunchXml(`<?xml version="1.0"?>\n<!-- c -->\n<launch><!-- c --></launch>`, FILE);
    expect(t.actions).toEqual([]);
  });

  it("rejects an unknown tag with file, line, tag and ros2 launch's wording", () => {
    const e = rejection(`<launch>\n  <nodee pkg="kestrel" exec="sim"/>\n</launch>`);
    expect([e.file, e.line, e.tag]).toEqual([FILE, 2, "nodee"]);
    expect(e.message).toMatch(/^launch\/test\.launch\.xml:2: <nodee>: unknown tag \(supported: arg, let, node, param, remap, include, group, push-ros-namespace\)/);
    expect(e.message).toContain("Unrecognized entity of the type: nodee");
  });

  it("rejects tags outside the subset (executable, set_parameter, ...)", () => {
    expect(rejection(`<launch>\n<executable cmd="ls"/></launch>`).tag).toBe("executable");
    expect(rejection(`<launch>\n<node pkg="k" exec="e">\n<env name="A" value="1"/></node></launch>`)).toMatchObject({ line: 3, tag: "env" });
  });

  it("rejects a supported tag in the wrong place", () => {
    expect(rejection(`<launch>\n<param name="a" value="1"/></launch>`).message).toMatch(/<param> is not allowed inside <launch>/);
    expect(rejection(`<launch><include file="x">\n<let name="a" value="1"/></include></launch>`).message).toMatch(/<let> is not allowed inside <include> \(allowed there: arg\)/);
    expect(rejection(`<launch><node pkg="k" exec="e">\n<node pkg="k" exec="e"/></node></launch>`)).toMatchObject({ line: 2, tag: "node" });
  });

  it("rejects an unknown attribute on a known tag", () => {
    const e = rejection(`<launch>\n\n  <node pkg="kestrel" exec="sim" launch-prefix="gdb"/>\n</launch>`);
    expect([e.line, e.tag]).toEqual([3, "node"]);
    expect(e.message).toContain("unknown attribute 'launch-prefix'");
    expect(rejection(`<launch><group if="true"/></launch>`).message).toContain("unknown attribute 'if'");
    expect(rejection(`<launch version="1"/>`).tag).toBe("launch");
  });

  it("rejects a missing required attribute", () => {
    expect(rejection(`<launch>\n<node pkg="kestrel"/></launch>`).message).toMatch(/:2: <node>: missing required attribute 'exec'/);
    expect(rejection(`<launch><let name="a"/></launch>`).message).toContain("missing required attribute 'value'");
    expect(rejection(`<launch><include/></launch>`).message).toContain("missing required attribute 'file'");
  });

  it("rejects a <param> with both name and from, or neither, or no value", () => {
    const node = (p: string): string => `<launch><node pkg="k" exec="e">\n${p}</node></launch>`;
    expect(rejection(node(`<param name="a" from="f.yaml"/>`)).message).toContain("name and from attributes are mutually exclusive");
    expect(rejection(node(`<param value="1"/>`)).message).toContain("param Entity should have name or from attribute");
    expect(rejection(node(`<param name="a"/>`))).toMatchObject({ line: 2, tag: "param" });
  });

  it("rejects a non-boolean scoped", () => {
    expect(rejection(`<launch><group scoped="maybe"/></launch>`).message).toContain("must be true or false");
  });

  it("rejects a bad substitution at load time, naming the attribute", () => {
    const e = rejection(`<launch>\n<node pkg="k" exec="e" name="$(arg x)"/></launch>`);
    expect([e.line, e.tag]).toEqual([2, "node"]);
    expect(e.message).toContain("attribute 'name': unknown substitution '$(arg ...)'");
  });

  it("rejects malformed XML with the line xmldom reports", () => {
    const e = rejection(`<launch>\n  <node pkg="k" exec="e">\n</launch>`);
    expect(e.message).toMatch(/^launch\/test\.launch\.xml:2: malformed XML: .*tag mismatch/);
    expect(e.tag).toBeUndefined();
    expect(rejection(`<launch>\n<node pkg="k" pkg="j" exec="e"/></launch>`).message).toMatch(/:2: malformed XML: Attribute pkg redefined/);
    expect(rejection(`<launch>\n<node pkg=k/></launch>`).line).toBe(2);
    expect(rejection(``).message).toContain("malformed XML");
  });

  it("rejects a root other than <launch> and stray text", () => {
    expect(rejection(`<robot/>`).message).toContain("the root element must be <launch>");
    expect(rejection(`<launch>\n<node pkg="k" exec="e">oops</node></launch>`).message).toContain("unexpected text 'oops'");
  });
});
