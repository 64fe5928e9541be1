/**
 * Every SDF file Kestrel ships or exports must pass the real SDFormat parser (libsdformat 12 from
 * Debian's libsdformat-dev; see tests/support/sdformat.ts). Without it these tests FAIL and say
 * which apt packages to install: CI installs them, and a silent skip would hide broken assets.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { worldToSdf } from "../../sim/gazebo/export";
import { gazeboAssets } from "../../sim/gazebo/generate";
import { gzTopics } from "../../sim/gazebo/topics";
import { exportSdfCommand } from "../../cli/sim";
import { sharedData } from "../support/shared-data";
import { SdfReport, sdformatChecker, validateSdf, validateSdfText } from "../support/sdformat";
import { fixtureWorld } from "./gazebo-fixture";

const ROOT = path.resolve(__dirname, "../..");
const GAZEBO = path.join(ROOT, "sim/gazebo");

beforeAll(() => {
  sdformatChecker(); // compiles once (a few seconds); throws naming the apt packages when missing
}, 120_000);

function expectValid(r: SdfReport): void {
  if (r.errors.length > 0) throw new Error(`SDFormat rejects ${r.file}:\n  ${r.errors.join("\n  ")}`);
  expect(r.version).toBe("1.9");
}

function shippedSdfFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".sdf")) out.push(p);
    }
  };
  walk(GAZEBO);
  return out.sort();
}

describe("SDFormat validation of the Gazebo assets", () => {
  it("accepts every shipped SDF file (robot model and worlds)", () => {
    const files = shippedSdfFiles();
    expect(files.map((f) => path.relative(GAZEBO, f))).toEqual(expect.arrayContaining(["kestrel_bot/model.sdf", "worlds/office.sdf"]));
    for (const r of validateSdf(files)) expectValid(r);
  });

  it("ships exactly the generated files, none stale and none orphaned", () => {
    const expected = gazeboAssets(ROOT);
    for (const f of expected) {
      const abs = path.join(ROOT, f.path);
      if (!fs.existsSync(abs) || fs.readFileSync(abs, "utf8") !== f.content) {
        throw new Error(`${f.path} is missing or stale: regenerate with \`npm run build && node dist/sim/gazebo/generate.js\``);
      }
    }
    const generated = new Set(expected.map((f) => f.path));
    const orphans = shippedSdfFiles().map((f) => path.relative(ROOT, f).split(path.sep).join("/")).filter((f) => !generated.has(f));
    expect(orphans).toEqual([]);
    expect([...generated]).toEqual(expect.arrayContaining(["sim/gazebo/worlds/office.sdf", "sim/gazebo/worlds/warehouse.sdf", "sim/gazebo/worlds/cluttered.sdf"]));
  });

  it("reads the robot as SDFormat understands it: five links, four joints, the three sensors on their explicit topics", () => {
    const [r] = validateSdf([path.join(GAZEBO, "kestrel_bot/model.sdf")]);
    expectValid(r!);
    const t = gzTopics("kestrel_bot");
    expect(r!.structure).toEqual(
      expect.arrayContaining([
        "MODEL kestrel_bot static=0 links=5 joints=4",
        `SENSOR kestrel_bot::laser::lidar type=gpu_lidar topic=${t.scan} rate=5`,
        `SENSOR kestrel_bot::camera_link::camera type=camera topic=${t.image} rate=15`,
        `SENSOR kestrel_bot::base_link::bumper type=contact topic=${t.contacts} rate=50`,
      ]),
    );
    // The only strict-mode finding is the intended gz-sensors extension element, once per sensor that sets a frame id.
    expect(r!.allowed).toHaveLength(2);
  });

  it("accepts a freshly exported world with every shape kind, with the robot left out, embedded or included", () => {
    for (const robot of ["none", "inline", "include"] as const) {
      const r = validateSdfText(worldToSdf(fixtureWorld(), { robot }), `fixture-${robot}.sdf`, [GAZEBO]);
      expectValid(r);
      expect(r.structure[0]).toBe(`WORLD fixture_room models=${robot === "none" ? 8 : 9} lights=1`);
      if (robot !== "none") expect(r.structure).toContain("MODEL kestrel_bot static=0 links=5 joints=4");
    }
  });

  it("rejects a broken file (the checker is not a rubber stamp)", () => {
    const bad = worldToSdf(fixtureWorld()).replace("<max_step_size>", "<max_stepsize>").replace("</max_step_size>", "</max_stepsize>");
    const r = validateSdfText(bad, "bad.sdf");
    expect(r.errors.join("\n")).toMatch(/max_stepsize/);
    const broken = validateSdfText(worldToSdf(fixtureWorld()).replace("</world>", ""), "broken.sdf");
    expect(broken.errors.length).toBeGreaterThan(0);
  });

  it("accepts what `kestrel sim export-sdf` writes for a Moving AI map", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-export-"));
    try {
      const out = path.join(dir, "arena2.sdf");
      const msg = exportSdfCommand(sharedData("movingai", "arena2.map"), { out, cellSize: 0.5 });
      expect(msg).toMatch(/^wrote .*arena2\.sdf: world 'arena2', \d+ static models/);
      expectValid(validateSdf([out])[0]!);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
