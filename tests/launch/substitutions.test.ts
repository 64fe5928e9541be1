/** Substitutions in launch attributes: $(var), $(env), $(find-pkg-share), $(dirname), nested. */
import { parseTemplate, resolveTemplate, SubstitutionContext, SubstitutionError, templateToString } from "../../ros/launch";

/** A context with two configurations, one env var, and one known package. */
const ctx: SubstitutionContext = {
  configurations: new Map([
    ["robot", "r1"], // a launch configuration
    ["which", "robot"], // a configuration naming another one
  ]),
  env: { HOME_ROBOT: "r9" }, // the environment
  findPackageShare: (pkg) => (pkg === "kestrel" ? "/opt/kestrel/share/kestrel" : undefined),
  currentDir: "/opt/kestrel/share/kestrel/launch", // the launch file's folder
};
const resolve = (s: string): string => resolveTemplate(parseTemplate(s), ctx);

describe("parseTemplate / resolveTemplate", () => {
  it("keeps plain text as it is", () => {
    expect(resolve("sim node (v2) $ 5")).toBe("sim node (v2) $ 5");
  });

  it("resolves $(var name)", () => {
    expect(resolve("ns_$(var robot)_x")).toBe("ns_r1_x");
  });

  it("resolves nested substitutions", () => {
    expect(resolve("$(var $(var which))")).toBe("r1");
  });

  it("resolves $(env NAME) and $(env NAME default)", () => {
    expect(resolve("$(env HOME_ROBOT)")).toBe("r9");
    expect(resolve("$(env NOT_SET fallback)")).toBe("fallback");
    expect(resolve("$(env NOT_SET 'two words')")).toBe("two words");
    expect(resolve("$(env NOT_SET '')")).toBe("");
  });

  it("resolves $(find-pkg-share pkg) with the caller's function", () => {
    expect(resolve("$(find-pkg-share kestrel)/config/nav.yaml")).toBe("/opt/kestrel/share/kestrel/config/nav.yaml");
  });

  it("resolves $(dirname) to the launch file's folder", () => {
    expect(resolve("$(dirname)/x.launch.xml")).toBe("/opt/kestrel/share/kestrel/launch/x.launch.xml");
  });

  it("writes a template back as text", () => {
    expect(templateToString(parseTemplate("a_$(env X 'y z')"))).toBe("a_$(env X 'y z')");
  });

  it("rejects an undefined $(var) with ros2 launch's wording and the defined names", () => {
    expect(() => resolve("$(var nope)")).toThrow(/launch configuration 'nope' does not exist.*robot, which/);
  });

  it("rejects an unset $(env) without default", () => {
    expect(() => resolve("$(env NOT_SET)")).toThrow(/environment variable 'NOT_SET' does not exist/);
  });

  it("rejects an unknown package", () => {
    expect(() => resolve("$(find-pkg-share nav2)")).toThrow(/package 'nav2' not found/);
  });

  it.each([
    ["$(find-pkg-prefix kestrel)", /unknown substitution '\$\(find-pkg-prefix/],
    ["$(eval 1+1)", /unknown substitution/],
    ["$(var robot", /unterminated substitution/],
    ["$(var)", /\$\(var\) takes 1 argument, got 0/],
    ["$(var a b)", /\$\(var\) takes 1 argument, got 2/],
    ["$(env)", /\$\(env\) takes 1 or 2 arguments/],
    ["$(dirname x)", /\$\(dirname\) takes 0 arguments/],
    ["$()", /expected a substitution name/],
  ])("rejects %s", (text, why) => {
    expect(() => parseTemplate(text)).toThrow(SubstitutionError);
    expect(() => parseTemplate(text)).toThrow(why);
  });
});
