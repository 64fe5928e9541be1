/**
 * Policy packages: loading with the sha256 and shape checks, act() against hand computation,
 * the manifest schema, and the in-thread inference cost.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkManifest, loadPolicySync, MANIFEST_FILE, MODEL_FILE, type PolicyManifest } from "../../../nodes/learner/policy";
import { fixOrtForJest, goalSeekingLayers, mlpForward, tempDir, testManifest, twoLayerMlp, writeTestPackage, type Layer } from "./support";

fixOrtForJest();

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const obsOf = (f: (i: number) => number, n = 40) => Float32Array.from({ length: n }, (_, i) => f(i));

describe("loadPolicy", () => {
  it("loads a good package and reports its manifest", () => {
    writeTestPackage(t.dir);
    const p = loadPolicySync(t.dir);
    expect(p.id).toBe("test-policy");
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.observationSize).toBe(40);
    expect(p.observationSpec).toEqual({ lidarBeams: 36, maxRange: 3.5, layout: "kestrel-nav-v1" });
    p.dispose();
  });

  it("refuses a model whose sha256 differs from the manifest, naming the file, expected and found hashes", () => {
    writeTestPackage(t.dir);
    const model = readFileSync(join(t.dir, MODEL_FILE));
    const expected = (JSON.parse(readFileSync(join(t.dir, MANIFEST_FILE), "utf8")) as PolicyManifest).model.sha256;
    model[model.length - 1] ^= 0x01; // one flipped bit in the last weight
    writeFileSync(join(t.dir, MODEL_FILE), model);
    expect(() => loadPolicySync(t.dir)).toThrow(
      new RegExp(`${join(t.dir, MODEL_FILE).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: sha256 mismatch: the manifest expects ${expected}, the file has [0-9a-f]{64}`),
    );
  });

  it("refuses a model whose input shape does not match observation.size, naming the input and both shapes", () => {
    const layers = goalSeekingLayers(30, 26); // a 30-input model
    writeTestPackage(t.dir, { layers });
    const manifest = JSON.parse(readFileSync(join(t.dir, MANIFEST_FILE), "utf8")) as PolicyManifest;
    manifest.observation = { ...manifest.observation, size: 40, lidar_beams: 36 };
    manifest.normalization = { mean: new Array(40).fill(0), std: new Array(40).fill(1) };
    writeFileSync(join(t.dir, MANIFEST_FILE), JSON.stringify(manifest));
    expect(() => loadPolicySync(t.dir)).toThrow(/input 'observation' has shape \[batch, 30\], expected \[N, 40\] \(N = 1 or symbolic\) for observation.size 40/);
  });

  it("refuses a model whose output or input name is not the manifest's, listing what the model has", () => {
    writeTestPackage(t.dir, { model: { outputName: "logits" } });
    const manifest = JSON.parse(readFileSync(join(t.dir, MANIFEST_FILE), "utf8")) as PolicyManifest;
    manifest.model.output = "action";
    writeFileSync(join(t.dir, MANIFEST_FILE), JSON.stringify(manifest));
    expect(() => loadPolicySync(t.dir)).toThrow(/model has no output 'action' \(manifest model.output\); its outputs are 'logits'/);
  });

  it("refuses an output of the wrong width", () => {
    const layers: Layer[] = [{ inputs: 40, outputs: 3, weights: new Array(120).fill(0.01), bias: [0, 0, 0], tanh: true }];
    writeTestPackage(t.dir, { layers });
    expect(() => loadPolicySync(t.dir)).toThrow(/output .action. has shape \[batch, 3\], expected \[N, 2\] \(N = 1 or symbolic\) for \[v, w\]/);
  });

  it("refuses a manifest that fails the schema, naming the file and each field", () => {
    writeTestPackage(t.dir);
    const manifest = JSON.parse(readFileSync(join(t.dir, MANIFEST_FILE), "utf8")) as Record<string, any>;
    manifest.normalization.std[3] = 0;
    delete manifest.provenance.seed;
    writeFileSync(join(t.dir, MANIFEST_FILE), JSON.stringify(manifest));
    expect(() => loadPolicySync(t.dir)).toThrow(/manifest\.json: invalid policy manifest: .*normalization\.std\.3: must be > 0.*provenance: must have required property 'seed'/);
  });

  it("checks the observation arithmetic the schema cannot (size = beams + 4, mean/std lengths, bounds)", () => {
    const m = { ...testManifest(), model: { file: "policy.onnx", sha256: "0".repeat(64), input: "x", output: "y" } };
    m.observation = { ...m.observation, lidar_beams: 30 };
    m.action = { ...m.action, linear: { min: 0.3, max: 0.2 } };
    expect(() => checkManifest(m, "m.json")).toThrow(/observation.size 40 must be lidar_beams \+ 4 = 34.*action.linear: min 0.3 must be below max 0.2/);
  });

  it("checks a kestrel-nav-v2 manifest: size = beams + 2 + 2 · lookahead points, and lookahead_m required", () => {
    const base = { ...testManifest({}, 46), model: { file: "policy.onnx", sha256: "0".repeat(64), input: "x", output: "y" } };
    const v2 = { ...base, observation: { ...base.observation, layout: "kestrel-nav-v2", lidar_beams: 36, lookahead_m: [0.4, 0.8, 1.6, 2.4] } };
    expect(checkManifest(v2, "m.json").observation.lookahead_m).toEqual([0.4, 0.8, 1.6, 2.4]);
    expect(() => checkManifest({ ...v2, observation: { ...v2.observation, lookahead_m: [0.4] } }, "m.json")).toThrow(/observation.size 46 must be lidar_beams \+ 2 \+ 2 · 1 lookahead points = 40 \(layout kestrel-nav-v2\)/);
    const { lookahead_m: _drop, ...noLookahead } = v2.observation;
    void _drop;
    expect(() => checkManifest({ ...v2, observation: noLookahead }, "m.json")).toThrow(/observation.lookahead_m is required by layout kestrel-nav-v2/);
  });

  it("refuses a package whose observation layout this Kestrel does not know, naming it", () => {
    writeTestPackage(t.dir);
    const file = join(t.dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    manifest.observation.layout = "kestrel-nav-v9";
    writeFileSync(file, JSON.stringify(manifest));
    expect(() => loadPolicySync(t.dir)).toThrow(/manifest\.json: unknown observation layout 'kestrel-nav-v9': this Kestrel builds kestrel-nav-v1, kestrel-nav-v2/);
  });

  it("refuses an unreadable model with the file named", () => {
    expect(() => loadPolicySync(join(t.dir, "nothing-here"))).toThrow(/nothing-here\/manifest\.json: cannot read the policy manifest/);
  });
});

describe("Policy.act", () => {
  it("matches the MLP computed by hand: normalised input, tanh outputs scaled onto the action bounds", () => {
    const layers = twoLayerMlp(40, 8);
    const mean = Array.from({ length: 40 }, (_, i) => 0.1 * i);
    const std = Array.from({ length: 40 }, (_, i) => 0.5 + 0.05 * i);
    writeTestPackage(t.dir, { layers, manifest: { normalization: { mean, std } } });
    const p = loadPolicySync(t.dir);
    for (const seed of [0, 1, 2]) {
      const obs = obsOf((i) => Math.sin(i * 1.3 + seed) * 2 + 0.1 * i);
      const x = Array.from(obs, (o, i) => (o - mean[i]!) / std[i]!);
      const [a0, a1] = mlpForward(layers, x) as [number, number];
      const a = p.act(obs);
      expect(a.v).toBeCloseTo(((a0 + 1) / 2) * 0.22, 5);
      expect(a.w).toBeCloseTo(a1 * 2.84, 5);
    }
    p.dispose();
  });

  it("drives the goal-seeking test policy toward the goal: v = (tanh d + 1)/2 vmax, w = tanh(2 bearing) wmax", () => {
    writeTestPackage(t.dir);
    const p = loadPolicySync(t.dir);
    const obs = new Float32Array(40).fill(3.5);
    obs[36] = 1.5;
    obs[37] = -0.4;
    const a = p.act(obs);
    expect(a.v).toBeCloseTo(((Math.tanh(1.5) + 1) / 2) * 0.22, 6);
    expect(a.w).toBeCloseTo(Math.tanh(-0.8) * 2.84, 5);
    p.dispose();
  });

  it("with squash 'clip' clamps raw outputs into the bounds", () => {
    const weights = new Array(80).fill(0);
    weights[36 * 2] = 1; // v = obs[36]
    weights[37 * 2 + 1] = 10; // w = 10 · obs[37]
    writeTestPackage(t.dir, { layers: [{ inputs: 40, outputs: 2, weights, bias: [0, 0], tanh: false }], manifest: { action: { size: 2, linear: { min: 0, max: 0.22 }, angular: { min: -1, max: 1 }, squash: "clip" } } });
    const p = loadPolicySync(t.dir);
    const obs = new Float32Array(40);
    obs[36] = 0.1;
    obs[37] = 0.05;
    expect(p.act(obs)).toEqual({ v: expect.closeTo(0.1, 6), w: expect.closeTo(0.5, 6) });
    obs[36] = 5;
    obs[37] = -3;
    expect(p.act(obs)).toEqual({ v: 0.22, w: -1 });
    obs[36] = -1;
    expect(p.act(obs).v).toBe(0);
    p.dispose();
  });

  it("rejects an observation of the wrong length, naming both sizes", () => {
    writeTestPackage(t.dir);
    const p = loadPolicySync(t.dir);
    expect(() => p.act(new Float32Array(39))).toThrow(/observation has 39 values, the manifest says 40/);
    p.dispose();
  });

  it("runs a 40-64-64-2 MLP in-thread well inside a 20 Hz control period (median < 2 ms; typically ~10-30 µs)", () => {
    const h = 64;
    const layers: Layer[] = [
      { inputs: 40, outputs: h, weights: Array.from({ length: 40 * h }, (_, i) => Math.sin(i) * 0.1), bias: new Array(h).fill(0), tanh: true },
      { inputs: h, outputs: h, weights: Array.from({ length: h * h }, (_, i) => Math.cos(i) * 0.1), bias: new Array(h).fill(0), tanh: true },
      { inputs: h, outputs: 2, weights: Array.from({ length: h * 2 }, (_, i) => Math.sin(i * 0.3) * 0.1), bias: [0, 0], tanh: true },
    ];
    writeTestPackage(t.dir, { layers });
    const p = loadPolicySync(t.dir);
    const obs = obsOf((i) => Math.cos(i));
    for (let i = 0; i < 200; i++) p.act(obs); // warm-up
    const n = 2000;
    const us: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      p.act(obs);
      us.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    us.sort((a, b) => a - b);
    const median = us[n / 2]!;
    const p99 = us[Math.floor(n * 0.99)]!;
    // eslint-disable-next-line no-console
    console.log(`policy act() 40-64-64-2 MLP, ONNX Runtime CPU in-thread: median ${median.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs`);
    expect(median).toBeLessThan(2000);
    p.dispose();
  });
});
