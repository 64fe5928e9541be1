/**
 * The checked-in Gazebo assets and how to regenerate them: the robot model
 * (sim/gazebo/kestrel_bot/model.sdf + model.config), the bridge config (sim/gazebo/bridge.yaml)
 * and one SDF world per shipped world YAML (sim/gazebo/worlds/<name>.sdf from sim/worlds/<name>.yaml).
 * Tests compare the files with this module's output, so a change to the spec, the generators or
 * a world fails until the files are regenerated:
 *
 *   npm run build && node dist/sim/gazebo/generate.js        (or: npx ts-node sim/gazebo/generate.ts)
 */
import * as fs from "fs";
import * as path from "path";
import { loadWorld } from "../world/load";
import { bridgeYaml } from "./bridge";
import { worldToSdf } from "./export";
import { robotModelConfig, robotSdf } from "./robot-sdf";

export interface GeneratedFile {
  /** Relative to the repository (package share) root, "/"-separated. */
  path: string;
  content: string;
}

/** The folder holding package.xml and sim/ above `start` (the repo root, or share/kestrel once installed). */
export function repoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.xml")) && fs.existsSync(path.join(dir, "sim"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the kestrel package root above ${start}`);
    dir = parent;
  }
}

/** The shipped world YAML files (sim/worlds/*.yaml), sorted. */
export function shippedWorldFiles(root: string = repoRoot()): string[] {
  const dir = path.join(root, "sim", "worlds");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every generated Gazebo asset with its expected content. */
export function gazeboAssets(root: string = repoRoot()): GeneratedFile[] {
  const out: GeneratedFile[] = [
    { path: "sim/gazebo/kestrel_bot/model.sdf", content: robotSdf() },
    { path: "sim/gazebo/kestrel_bot/model.config", content: robotModelConfig() },
    { path: "sim/gazebo/bridge.yaml", content: bridgeYaml() },
  ];
  const worlds = shippedWorldFiles(root);
  {
    for (const file of worlds) {
      const base = path.basename(file).replace(/\.ya?ml$/, "");
      const rel = path.relative(root, file).split(path.sep).join("/");
      out.push({
        path: `sim/gazebo/worlds/${base}.sdf`,
        content: worldToSdf(loadWorld(file), {
          comment: `Kestrel world exported from ${rel} by sim/gazebo/export.ts; do not edit (regenerate: node dist/sim/gazebo/generate.js).`,
        }),
      });
    }
  }
  return out;
}

/** Writes every asset whose file differs; returns the paths written. */
export function writeGazeboAssets(root: string = repoRoot()): string[] {
  const written: string[] = [];
  for (const f of gazeboAssets(root)) {
    const abs = path.join(root, f.path);
    const current = fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : undefined;
    if (current === f.content) continue;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, f.content);
    written.push(f.path);
  }
  return written;
}

if (require.main === module) {
  // From dist/sim/gazebo the walk up skips dist/ (no package.xml there) and finds the source tree.
  const written = writeGazeboAssets(repoRoot());
  process.stdout.write(written.length ? written.map((p) => `wrote ${p}\n`).join("") : "Gazebo assets are up to date\n");
}
