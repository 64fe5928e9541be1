/** `kestrel policy deploy|rollback|show` (cli/policy.ts), driven in-process. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { policyCommand, POLICY_HELP } from "../../../cli/policy";
import { MODEL_FILE } from "../../../nodes/learner/policy";
import { fixOrtForJest, tempDir, writeTestPackage } from "./support";

fixOrtForJest();

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await policyCommand(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe("kestrel policy", () => {
  it("deploys, shows provenance, rolls back", async () => {
    const store = join(t.dir, "store");
    const a = writeTestPackage(join(t.dir, "a"), { manifest: { id: "alpha" } });
    const b = writeTestPackage(join(t.dir, "b"), { manifest: { id: "beta", evaluation: { success_rate: 0.975, mean_return: 88.25, episodes: 40 } }, model: { inputName: "obs" } });
    expect(await run("show", "--store", store)).toEqual({ code: 0, out: `no policy deployed in ${store}\n`, err: "" });
    expect((await run("deploy", a, "--store", store)).out).toMatch(/^deployed 'alpha' \(sha256 [0-9a-f]{12}\) to .*store at .*\nprevious: none\n$/);
    expect((await run("deploy", b, `--store=${store}`)).out).toMatch(/previous: 'alpha' \(kestrel policy rollback restores it\)/);
    const shown = await run("show", "--store", store);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/current: beta {2}\(packages\/beta-[0-9a-f]{8}\)/);
    expect(shown.out).toMatch(/algorithm {5}bc, seed 7/);
    expect(shown.out).toMatch(/dataset {7}d{64}/);
    expect(shown.out).toMatch(/evaluation {4}success rate 97\.5 %, mean return 88\.25 over 40 episodes/);
    expect(shown.out).toMatch(/previous: alpha/);
    expect((await run("rollback", "--store", store)).out).toMatch(/^rolled back to 'alpha' .*previous is now 'beta'/);
    expect((await run("show", "--store", store)).out).toMatch(/rolled back at .*\ncurrent: alpha/);
  });

  it("refuses a corrupted package with exit 1 and a message naming the file; the store keeps its current", async () => {
    const store = join(t.dir, "store");
    await run("deploy", writeTestPackage(join(t.dir, "a"), { manifest: { id: "alpha" } }), "--store", store);
    const bad = writeTestPackage(join(t.dir, "bad"), { manifest: { id: "bad" } });
    const model = readFileSync(join(bad, MODEL_FILE));
    model[10] ^= 0x55;
    writeFileSync(join(bad, MODEL_FILE), model);
    const r = await run("deploy", bad, "--store", store);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kestrel policy deploy: .*bad\/policy\.onnx: sha256 mismatch: the manifest expects [0-9a-f]{64}, the file has [0-9a-f]{64}/);
    expect((await run("show", "--store", store)).out).toMatch(/current: alpha/);
  });

  it("prints help, and explains usage errors", async () => {
    expect((await run("--help")).out).toBe(POLICY_HELP);
    expect((await run()).code).toBe(1);
    expect(await run("rollback", "--store", join(t.dir, "none"))).toMatchObject({ code: 1, err: expect.stringMatching(/nothing to roll back .*no policy deployed/) });
    expect(await run("deploy")).toMatchObject({ code: 1, err: expect.stringMatching(/expected one package folder/) });
    expect(await run("frobnicate")).toMatchObject({ code: 1, err: expect.stringMatching(/unknown policy command 'frobnicate'/) });
  });
});
