import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { McapStreamReader } from "@mcap/core";
import { decompress } from "fzstd";
import { openBag } from "../../ros/bag";
import { tempDir } from "./support";

jest.setTimeout(30_000);

/** Messages inside the complete chunks of a (truncated) file, counted with @mcap/core's stream reader. */
function completeChunkMessages(file: string): number {
  const reader = new McapStreamReader({ decompressHandlers: { zstd: (d, s) => decompress(d, new Uint8Array(Number(s))) } });
  reader.append(fs.readFileSync(file));
  let n = 0;
  for (let r; (r = reader.nextRecord()); ) if (r.type === "Message") n++;
  return n;
}

it("a recorder killed with SIGKILL leaves a file that reads back every message up to the last complete chunk", async () => {
  const out = tempDir("kill");
  const file = path.join(out, "killed", "killed_0.mcap");
  const child = spawn(process.execPath, [path.join(__dirname, "kill-child.js"), out], { stdio: ["ignore", "pipe", "inherit"] });
  let published = 0;
  child.stdout.on("data", (d: Buffer) => {
    const lines = d.toString().trim().split("\n");
    published = Number(lines[lines.length - 1]);
  });
  // Wait until several chunks are on disk, then kill -9.
  const started = Date.now();
  while (!(fs.existsSync(file) && fs.statSync(file).size > 12_000)) {
    if (Date.now() - started > 20_000) throw new Error("recorder child wrote nothing");
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  expect(fs.existsSync(path.join(out, "killed", "metadata.yaml"))).toBe(true);
  const expected = completeChunkMessages(file);
  expect(expected).toBeGreaterThan(50);
  const bag = await openBag(path.join(out, "killed"), { decode: true });
  expect(bag.info.files[0]!.truncated).toMatch(/no summary or footer/);
  const messages = await bag.readAll();
  expect(messages).toHaveLength(expected);
  // Every message from the first on, in order, none missing.
  expect(messages.map((m) => Number((m.decoded as { data: string }).data.split(" ")[1]))).toEqual(Array.from({ length: expected }, (_, i) => i));
  expect(published).toBeGreaterThanOrEqual(expected);
});
