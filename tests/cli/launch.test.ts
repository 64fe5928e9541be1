/**
 * `kestrel launch`: a ROS 2 XML launch file evaluated as ros2 launch does and run in one
 * process — names, namespaces, remaps and parameters reach the nodes; a failing node is reported
 * and the rest keep running; shutdown runs in reverse start order.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstValueFrom } from "rxjs";
import { Logger, type LogRecord } from "../../ros/logger";
import { RosNode } from "../../ros/node";
import { LocalTransport } from "../../ros/transport/local/backend";
import { showArgsText, startLaunch, summaryText } from "../../cli/launch";
import { brokenNode, relayNode } from "../support/relay-node";

function launchFile(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-launch-"));
  const file = join(dir, "test.launch.xml");
  writeFileSync(file, xml);
  return file;
}

async function start(xml: string, args: Record<string, string> = {}) {
  const logs: LogRecord[] = [];
  const transport = new LocalTransport({ logSink: (r) => logs.push(r) });
  const logger = new Logger({ name: "kestrel.launch", sink: (r) => logs.push(r) });
  const started = await startLaunch({ file: launchFile(xml), args, transport, registry: [relayNode, brokenNode], logger });
  const probe = new RosNode(transport.createNode({ name: "probe", namespace: "", rosArgs: [] }));
  return { ...started, transport, logs, probe };
}

/** Two relays in a chain under a pushed namespace, with params and a remap. */
const CHAIN = `<launch>
  <arg name="robot" default="r1" description="robot namespace"/>
  <group>
    <push-ros-namespace namespace="$(var robot)"/>
    <node pkg="kestrel" exec="relay" name="first">
      <param name="prefix" value="a:"/>
      <remap from="out" to="mid"/>
    </node>
    <node pkg="kestrel" exec="relay" name="second">
      <param name="prefix" value="b:"/>
      <remap from="in" to="mid"/>
    </node>
  </group>
  <node pkg="ros_gz_bridge" exec="parameter_bridge" name="bridge"/>
</launch>`;

describe("kestrel launch", () => {
  it("starts each kestrel node with the name, namespace, remaps and parameters ros2 launch would give it", async () => {
    const { container, probe, skipped } = await start(CHAIN, { robot: "bot7" });
    expect(container.running().map((r) => r.node.fullyQualifiedName)).toEqual(["/bot7/first", "/bot7/second"]);
    expect(skipped).toEqual([expect.stringMatching(/^ros_gz_bridge\/parameter_bridge \(.*test\.launch\.xml:14\)$/)]);
    const out = firstValueFrom(probe.subscribe("std_msgs/msg/String", "/bot7/out"));
    probe.createPublisher("std_msgs/msg/String", "/bot7/in").publish({ data: "hi" });
    expect((await out).data).toBe("b:a:hi");
    await container.shutdown();
  });

  it("reports a node that fails to start, with file and line, and runs the others", async () => {
    const { container, logs } = await start(`<launch>
  <node pkg="kestrel" exec="broken" name="camera"/>
  <node pkg="kestrel" exec="relay" name="relay">
    <param name="limit" value="0"/>
  </node>
  <node pkg="kestrel" exec="relay" name="ok"/>
</launch>`);
    expect(container.loaded.map((l) => l.status)).toEqual(["failed", "failed", "running"]);
    const errors = logs.filter((l) => l.level === "ERROR").map((l) => l.message);
    expect(errors[0]).toMatch(/test\.launch\.xml:2: node '\/camera' \(broken\) failed to start: camera driver not found/);
    expect(errors[1]).toMatch(/test\.launch\.xml:3: node '\/relay' \(relay\) failed to start: .*test\.launch\.xml:4: <param name="limit">: node '\/relay': parameter 'limit': expected a value >= 1, found 0/);
    await container.shutdown();
    expect(summaryText(container, { why: "SIGINT", elapsedS: 1, skipped: 0 })).toMatch(
      /stopped \(SIGINT\) after 1\.0 s — 1 node\(s\) ran, 2 failed, 0 skipped\n {2}\/camera \(broken\): FAILED: camera driver not found/,
    );
  });

  it("rejects an executable that kestrel does not have, naming the known ones", async () => {
    const { container } = await start(`<launch><node pkg="kestrel" exec="nope" name="x"/></launch>`);
    expect(container.loaded[0]).toMatchObject({ status: "failed", reason: "no node named 'nope' in package kestrel (known: relay, broken)" });
  });

  it("stops nodes in reverse start order", async () => {
    const { container } = await start(CHAIN);
    const order: string[] = [];
    for (const entry of container.running()) {
      const name = entry.node.fullyQualifiedName;
      entry.instance.stop = () => void order.push(name);
    }
    await container.shutdown();
    expect(order).toEqual(["/r1/second", "/r1/first"]);
  });

  it("prints the file's arguments as ros2 launch --show-args does", async () => {
    const { plan, container } = await start(CHAIN);
    expect(showArgsText(plan)).toBe(
      "Arguments (pass arguments as '<name>:=<value>'):\n\n    'robot':\n        robot namespace\n        (default: 'r1')\n",
    );
    await container.shutdown();
  });

  it("fails with file, line and tag on a launch file outside the supported subset", async () => {
    await expect(start(`<launch>\n  <executable cmd="ls"/>\n</launch>`)).rejects.toThrow(/test\.launch\.xml:2: <executable>: unknown tag/);
  });
});
