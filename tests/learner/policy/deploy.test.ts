/**
 * The policy store: deploy, rollback, refusal of corrupted packages, and crash safety — a hook
 * that throws after each step stands in for a crash there; every time, current.json must still
 * name a complete, loadable policy (the old one), and the next deployment must succeed.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MODEL_FILE, PolicyStore, POINTER_FILE, type DeployStep } from "../../../nodes/learner/policy";
import { fixOrtForJest, goalSeekingLayers, tempDir, writeTestPackage } from "./support";

fixOrtForJest();

let t: ReturnType<typeof tempDir>;
let store: PolicyStore;
let a: string;
let b: string;
beforeEach(() => {
  t = tempDir();
  store = new PolicyStore(join(t.dir, "policies"));
  a = writeTestPackage(join(t.dir, "cand-a"), { manifest: { id: "policy-a" } });
  const layersB = goalSeekingLayers();
  layersB[0]!.bias = [0.5, 0];
  b = writeTestPackage(join(t.dir, "cand-b"), { layers: layersB, manifest: { id: "policy-b", provenance: { algorithm: "dagger", dataset_sha256: "e".repeat(64), seed: 3, code_version: { package_version: "0.1.0", git_commit: "a".repeat(40) }, created_at: "2025-01-02T00:00:00.000Z" } } });
});
afterEach(() => t.cleanup());

const currentId = () => store.state()!.current.manifest.id;
const previousId = () => store.state()!.previous?.manifest.id ?? null;
const pointerBytes = () => readFileSync(store.pointerFile, "utf8");

describe("PolicyStore", () => {
  it("has no current policy before the first deployment, and says so", () => {
    expect(store.readPointer()).toBeUndefined();
    expect(() => store.loadCurrent()).toThrow(/no policy deployed in .*policies \(no current.json\)/);
  });

  it("deploys a package (copied, verified) and keeps the previous one on the next deployment", () => {
    const r1 = store.deploy(a, { now: () => new Date("2025-03-01T00:00:00Z") });
    expect(r1.pointer).toEqual({ format_version: 1, current: expect.stringMatching(/^packages\/policy-a-[0-9a-f]{8}$/), previous: null, deployed_at: "2025-03-01T00:00:00.000Z", action: "deploy" });
    expect(currentId()).toBe("policy-a");
    const p = store.loadCurrent();
    expect(p.dir).toBe(join(store.root, r1.pointer.current)); // runs from the store's copy, not the candidate
    p.dispose();
    store.deploy(b);
    expect([currentId(), previousId()]).toEqual(["policy-b", "policy-a"]);
  });

  it("rolls back to the previous policy, and a second rollback undoes the first", () => {
    store.deploy(a);
    store.deploy(b);
    const r = store.rollback();
    expect(r.pointer.action).toBe("rollback");
    expect([currentId(), previousId()]).toEqual(["policy-a", "policy-b"]);
    const p = store.loadCurrent();
    expect(p.id).toBe("policy-a");
    p.dispose();
    store.rollback();
    expect([currentId(), previousId()]).toEqual(["policy-b", "policy-a"]);
  });

  it("refuses to roll back with nothing before the current policy", () => {
    expect(() => store.rollback()).toThrow(/nothing to roll back .*no policy deployed/);
    store.deploy(a);
    expect(() => store.rollback()).toThrow(/nothing to roll back .*has no previous policy/);
  });

  it("refuses a corrupted candidate at load and leaves the running policy untouched", () => {
    store.deploy(a);
    const before = pointerBytes();
    const model = readFileSync(join(b, MODEL_FILE));
    model[model.length - 3] ^= 0xff;
    writeFileSync(join(b, MODEL_FILE), model);
    expect(() => store.deploy(b)).toThrow(/cand-b\/policy\.onnx: sha256 mismatch/);
    expect(pointerBytes()).toBe(before);
    expect(currentId()).toBe("policy-a");
    const p = store.loadCurrent();
    expect(p.id).toBe("policy-a");
    p.dispose();
  });

  it("notices a stored package corrupted after deployment (load refuses it) and refuses to roll back onto one", () => {
    store.deploy(a);
    store.deploy(b);
    const prevDir = join(store.root, store.readPointer()!.previous!);
    writeFileSync(join(prevDir, MODEL_FILE), Buffer.from("not an onnx model"));
    const before = pointerBytes();
    expect(() => store.rollback()).toThrow(/cannot roll back to packages\/policy-a-.*sha256 mismatch/);
    expect(pointerBytes()).toBe(before);
    const curDir = store.currentDir()!;
    writeFileSync(join(curDir, MODEL_FILE), Buffer.from("garbage"));
    expect(() => store.loadCurrent()).toThrow(/policy\.onnx: sha256 mismatch: the manifest expects [0-9a-f]{64}, the file has [0-9a-f]{64}/);
  });

  it.each<DeployStep>(["validated", "staged", "package-in-place", "pointer-written"])(
    "a crash after step '%s' leaves the old pointer and a loadable current policy; the next deployment succeeds",
    (crashAt) => {
      store.deploy(a);
      const before = pointerBytes();
      expect(() =>
        store.deploy(b, {
          onStep: (s) => {
            if (s === crashAt) throw new Error(`simulated crash after ${s}`);
          },
        }),
      ).toThrow(`simulated crash after ${crashAt}`);
      expect(pointerBytes()).toBe(before);
      const p = store.loadCurrent();
      expect(p.id).toBe("policy-a");
      p.dispose();
      // Recovery: the next attempt cleans up leftovers (staging folders, pointer temp files) and completes.
      store.deploy(b);
      expect([currentId(), previousId()]).toEqual(["policy-b", "policy-a"]);
      expect(readdirSync(join(store.root, "packages")).filter((n) => n.startsWith(".staging-"))).toEqual([]);
      expect(readdirSync(store.root).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    },
  );

  it("a crash between the temporary pointer and the rename during rollback keeps the current policy", () => {
    store.deploy(a);
    store.deploy(b);
    const before = pointerBytes();
    expect(() => store.rollback({ onStep: (s) => { if (s === "pointer-written") throw new Error("crash"); } })).toThrow("crash");
    expect(pointerBytes()).toBe(before);
    expect(currentId()).toBe("policy-b");
  });

  it("re-deploying the current package changes nothing but the time; re-deploying the previous one swaps them", () => {
    store.deploy(a);
    store.deploy(b);
    store.deploy(b);
    expect([currentId(), previousId()]).toEqual(["policy-b", "policy-a"]);
    store.deploy(a);
    expect([currentId(), previousId()]).toEqual(["policy-a", "policy-b"]);
    expect(readdirSync(join(store.root, "packages"))).toHaveLength(2);
  });

  it("rejects a pointer file that is not one, naming it", () => {
    store.deploy(a);
    writeFileSync(store.pointerFile, JSON.stringify({ format_version: 1, current: "../../etc", previous: null, deployed_at: "x" }));
    expect(() => store.loadCurrent()).toThrow(new RegExp(`${POINTER_FILE}: not a policy store pointer`));
    expect(existsSync(store.pointerFile)).toBe(true);
  });
});
