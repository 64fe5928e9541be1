import * as fs from "fs";
import * as path from "path";
import { generateAll } from "../../msgs/codegen";
import { buildRegistry, loadMsgSources } from "../../msgs/sources";

const msgsRoot = path.resolve(__dirname, "../../msgs");
const sources = loadMsgSources(msgsRoot);
const files = Object.entries(generateAll(buildRegistry(sources), sources));

describe("msgs/generated", () => {
  it.each(files)("%s is up to date with the .msg definitions", (relative, expected) => {
    const target = path.join(msgsRoot, relative);
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (current !== expected) {
      throw new Error(`msgs/${relative} is stale: run \`npm run gen:msgs\` and commit the result`);
    }
  });

  it("maps every known type to an interface", () => {
    const types = fs.readFileSync(path.join(msgsRoot, "generated/types.ts"), "utf8");
    for (const type of buildRegistry(sources).types()) expect(types).toContain(`"${type}": `);
  });
});
