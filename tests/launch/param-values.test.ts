/**
 * `<param name value>` typing and the one-parameter YAML file launch_ros writes for it.
 * The dump fixture was produced with PyYAML 6.0.3 exactly as launch_ros does it (see its `source`).
 */
import * as fs from "fs";
import * as path from "path";
import { dumpInlineParamsFile, parseParamValue, pyFloatRepr, resolvePlainScalar } from "../../ros/launch";

interface DumpFixture {
  source: string;
  cases: { text: string; python_type: string; dump: string }[];
}
const fixture: DumpFixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, "fixtures", "pyyaml-param-dumps.json"), "utf8"),
);

describe("parseParamValue", () => {
  it.each([
    // [attribute text, ROS parameter type, value]
    ["20", "integer", 20],
    ["0.5", "double", 0.5],
    ["1.0", "double", 1],
    ["false", "bool", false],
    ["yes", "bool", true], // YAML 1.1, as PyYAML
    ["Off", "bool", false],
    ["'123'", "string", "123"], // quoted: stays a string
    ["office", "string", "office"],
    ["1e3", "string", "1e3"], // PyYAML floats need a dot
    ["010", "integer", 8], // YAML 1.1 octal
    ["0x1F", "integer", 31],
    ["1:30", "integer", 90], // sexagesimal
    ["[a, b]", "string_array", ["a", "b"]],
    ["[1, 2]", "integer_array", [1, 2]],
    ["[0.1, 0.2]", "double_array", [0.1, 0.2]],
    ["[true, false]", "bool_array", [true, false]],
    ["[]", "string_array", []],
    ["[1, 2.5]", "string", "[1, 2.5]"], // mixed list: not a parameter value, kept as text
    ["{a: 1}", "string", "{a: 1}"], // mapping: kept as text
    ["", "string", ""], // null: kept as text
    ["~", "string", "~"],
    ["2024-01-01", "string", "2024-01-01"], // timestamp: kept as text
    ["!tag", "string", "!tag"], // unknown tag: PyYAML fails, text kept
  ])("types %j as %s", (text, type, value) => {
    expect(parseParamValue(text)).toEqual({ type, value });
  });

  it("keeps int64 values beyond 2^53 exact as bigint", () => {
    expect(parseParamValue("9007199254740993")).toEqual({ type: "integer", value: 9007199254740993n });
  });
});

describe("resolvePlainScalar", () => {
  it("follows PyYAML's implicit resolvers", () => {
    expect(resolvePlainScalar("y")).toEqual({ tag: "str", value: "y" });
    expect(resolvePlainScalar(".nan").tag).toBe("float");
    expect(resolvePlainScalar("-.inf")).toEqual({ tag: "float", value: -Infinity });
    expect(resolvePlainScalar("NULL").tag).toBe("null");
    expect(resolvePlainScalar("<<").tag).toBe("merge");
  });
});

describe("pyFloatRepr", () => {
  it.each([
    [0.5, "0.5"],
    [20, "20.0"],
    [1e16, "1.0e+16"],
    [1e-5, "1.0e-05"],
    [0.0001, "0.0001"],
    [-2.5, "-2.5"],
    [Infinity, ".inf"],
    [-Infinity, "-.inf"],
    [NaN, ".nan"],
  ])("writes %p as PyYAML does (%s)", (x, s) => {
    expect(pyFloatRepr(x)).toBe(s);
  });
});

describe("dumpInlineParamsFile", () => {
  it("writes the style of the reference data", () => {
    expect(dumpInlineParamsFile({ name: "names", value: ["a", "b"], isDouble: false })).toBe(
      "/**:\n  ros__parameters:\n    names:\n    - a\n    - b\n",
    );
    expect(dumpInlineParamsFile({ name: "text", value: "123", isDouble: false })).toBe(
      "/**:\n  ros__parameters:\n    text: '123'\n",
    );
  });

  it("writes a whole double as a float", () => {
    expect(dumpInlineParamsFile({ name: "r", value: 2, isDouble: true })).toBe("/**:\n  ros__parameters:\n    r: 2.0\n");
  });

  it(`matches PyYAML on ${fixture.cases.length} values (${fixture.source.slice(0, 40)}...)`, () => {
    const mismatches = fixture.cases.filter(({ text, dump }) => {
      const t = parseParamValue(text);
      return dumpInlineParamsFile({ name: "p", value: t.value, isDouble: t.type.startsWith("double") }) !== dump;
    });
    expect(mismatches).toEqual([]);
  });
});
