/**
 * Writes msgs/generated/*.ts from the message definitions (`npm run gen:msgs`), or with
 * `--check` only compares and exits 1 when they are stale (`npm run check:msgs`, for CI).
 * Built with msgs/tsconfig.gen.json, which compiles just this file and msgs/.
 */
import * as fs from "fs";
import * as path from "path";
import { generateAll } from "../msgs/codegen";
import { buildRegistry, loadMsgSources, msgsSourceRoot } from "../msgs/sources";

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const root = msgsSourceRoot();
  const sources = loadMsgSources(root);
  const files = generateAll(buildRegistry(sources), sources);
  let stale = 0;
  let written = 0;
  for (const [relative, text] of Object.entries(files)) {
    const target = path.join(root, relative);
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
    if (current === text) continue;
    if (check) {
      console.error(`stale: msgs/${relative} (run \`npm run gen:msgs\`)`);
      stale++;
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
      console.log(`wrote msgs/${relative}`);
      written++;
    }
  }
  if (!check && written === 0) console.log("msgs/generated is up to date");
  return stale === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
