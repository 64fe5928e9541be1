import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exportSdfCommand } from "../../cli/sim";
import { loadWorldFile } from "../../sim/world/files";
import { sharedData } from "../support/shared-data";
import { at, kids, parseXml } from "./gazebo-fixture";

const ROOT = path.resolve(__dirname, "../..");

describe("exportSdfCommand (kestrel sim export-sdf WORLD [-o FILE])", () => {
  it("returns the SDF of a world YAML when no output file is given", () => {
    const sdf = exportSdfCommand(path.join(ROOT, "sim/worlds/office.yaml"));
    const w = at(parseXml(sdf), "world");
    expect(w.getAttribute("name")).toBe("office");
    expect(kids(w, "model").length).toBeGreaterThan(5);
  });

  it("writes the file (creating folders) with -o and returns a summary", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-cli-"));
    try {
      const out = path.join(dir, "sub", "office.sdf");
      expect(exportSdfCommand(path.join(ROOT, "sim/worlds/office.yaml"), { out })).toMatch(/^wrote .*office\.sdf: world 'office'/);
      expect(fs.readFileSync(out, "utf8")).toContain('<world name="office">');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts a Moving AI .map at a chosen cell size", () => {
    const w = loadWorldFile(sharedData("movingai", "arena2.map"), { cellSize: 0.5 });
    expect(w.name).toBe("arena2");
    const sdf = exportSdfCommand(sharedData("movingai", "arena2.map"), { cellSize: 0.5, robot: "inline" });
    expect(kids(at(parseXml(sdf), "world"), "model").map((m) => m.getAttribute("name"))).toContain("kestrel_bot");
  });

  it("fails with the file named for a missing or invalid world", () => {
    expect(() => exportSdfCommand("/nonexistent/world.yaml")).toThrow(/nonexistent\/world\.yaml/);
    expect(() => exportSdfCommand(sharedData("movingai", "arena2.map"), { cellSize: -1 })).toThrow(/arena2\.map: cell size: expected a positive number of metres, found -1/);
    expect(() => exportSdfCommand(path.join(ROOT, "sim/worlds/office.yaml"), { cellSize: 1 })).toThrow(/\.map/);
  });
});
