/** The `kestrel` command line: help everywhere, node listing, parameter dumps, message definitions, clear errors. */
import { main } from "../../cli/kestrel";
import { nodesCommand, paramsDumpCommand } from "../../cli/info";
import { splitRosArgs } from "../../cli/run";
import { parseLaunchArguments } from "../../cli/launch";
import { parseParameterFile, parametersForNode } from "../../ros/params/file";
import { relayNode } from "../support/relay-node";

function capture(): { text: () => string; restore: () => void } {
  let out = "";
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out, restore: () => spy.mockRestore() };
}

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const c = capture();
  try {
    const code = await main(argv);
    return { code, out: c.text() };
  } finally {
    c.restore();
  }
}

describe("kestrel CLI", () => {
  it.each([["--help"], ["launch", "--help"], ["run", "--help"], ["nodes", "--help"], ["params", "--help"], ["msgs", "--help"], ["sim", "--help"]])(
    "prints help for %j",
    async (...argv) => {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: kestrel/);
    },
  );

  it("shows a message definition as ros2 interface show does", async () => {
    const { code, out } = await run(["msgs", "show", "geometry_msgs/msg/Twist"]);
    expect(code).toBe(0);
    expect(out).toBe("Vector3 linear\n\tfloat64 x\n\tfloat64 y\n\tfloat64 z\nVector3 angular\n\tfloat64 x\n\tfloat64 y\n\tfloat64 z\n");
  });

  it("lists every known message type", async () => {
    const { out } = await run(["msgs", "list"]);
    expect(out.split("\n")).toEqual(expect.arrayContaining(["vision_msgs/msg/Detection2DArray", "kestrel_msgs/msg/SafetyStatus"]));
  });

  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["msgs", "show", "nope_msgs/msg/Nope"], /nope_msgs\/msg\/Nope/],
    [["params", "dump", "nope"], /no node named 'nope' in package kestrel/],
    [["launch"], /expected a launch file/],
    [["launch", "x.launch.xml", "--duration", "-1"], /--duration: expected a positive number of seconds, found '-1'/],
    [["launch", "x.launch.xml", "world"], /launch argument 'world': expected name:=value/],
    [["run", "sim", "--transport", "dds"], /--transport: expected auto, local or rclnodejs, found 'dds'/],
    [["sim", "export-sdf"], /expected a world file/],
    [["sim", "export-sdf", "sim/worlds/office.yaml", "--robot", "twice"], /--robot: expected none, inline or include, found 'twice'/],
  ])("rejects %j with a clear error", async (argv, message) => {
    await expect(main(argv)).rejects.toThrow(message);
  });
});

describe("kestrel nodes / params dump", () => {
  it("lists a node's parameters with type, range, default and description", () => {
    expect(nodesCommand([relayNode])).toBe(
      "relay: Relays std_msgs/String from 'in' to 'out' with a prefix\n" +
        '  prefix (STRING) = "": Text put before each message\n' +
        "  limit (INTEGER [1, inf]) = 100: Messages to relay before stopping\n",
    );
  });

  it("dumps defaults as a ROS 2 parameter file that reads back as the same values", () => {
    const text = paramsDumpCommand("relay", [relayNode]);
    const params = parametersForNode(parseParameterFile(text, { file: "dump.yaml" }), { nodeName: "relay", namespace: "/" });
    expect(Object.fromEntries(params)).toEqual({
      use_sim_time: { type: "BOOL", value: false },
      prefix: { type: "STRING", value: "" },
      limit: { type: "INTEGER", value: 100 },
    });
  });
});

describe("argument helpers", () => {
  it("splits --ros-args blocks from a program's own arguments", () => {
    expect(splitRosArgs(["--duration", "5", "--ros-args", "-r", "__node:=x", "--", "extra"])).toEqual({
      own: ["--duration", "5", "extra"],
      rosArgs: ["-r", "__node:=x"],
    });
  });

  it("parses name:=value launch arguments, values may contain ':='", () => {
    expect(parseLaunchArguments(["world:=office", "expr:=a:=b"])).toEqual({ world: "office", expr: "a:=b" });
  });
});
