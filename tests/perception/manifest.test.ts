/** Manifest schema, the shipped yolox_nano manifest, sha256 checks, models whose I/O does not fit, and the sessions' default thread count. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { checkedDecoder } from "../../nodes/perception/detector";
import { loadManifest, manifestProblems, readVerifiedModel, resolveManifest } from "../../nodes/perception/manifest";
import { loadDetector, physicalCores } from "../../nodes/perception/session";
import { resolveManifestPath } from "../../nodes/perception/node";
import { sharedData } from "../support/shared-data";

const SHARED_MODEL = sharedData("models", "yolox_nano", "yolox_nano.onnx");
const shipped = () => loadManifest(resolveManifestPath("models/yolox_nano.json"));

describe("model manifest", () => {
  it("ships yolox_nano: BGR 0..255, top-left letterbox pad 114, yolox strides 8/16/32, 80 COCO classes, matching hash", () => {
    const m = shipped();
    expect(m.input).toMatchObject({ name: "images", width: 416, height: 416, layout: "NCHW", color: "bgr", scaling: { kind: "raw" }, resize: { mode: "letterbox", align: "top_left", pad: 114 } });
    expect(m.decoder).toEqual({ kind: "yolox", output: "output", strides: [8, 16, 32] });
    expect(m.classes).toHaveLength(80);
    expect(m.classes[62]).toBe("tvmonitor");
    expect(readVerifiedModel(m).length).toBeGreaterThan(1e6);
  });
  it("reports schema problems with their paths", () => {
    const problems = manifestProblems({ name: "x", file: "m.onnx", sha256: "abc", input: { name: "i", width: 0 }, decoder: { kind: "yolox", output: "o" }, classes: [], score_threshold: 2, nms_threshold: 0.5, max_detections: 10, extra: 1 });
    const text = problems.join("\n");
    expect(text).toMatch(/\/sha256: must match pattern/);
    expect(text).toMatch(/\/input: must have required property 'height'/);
    expect(text).toMatch(/\/input\/width: must be >= 1/);
    expect(text).toMatch(/\/decoder: must have required property 'strides'/);
    expect(text).toMatch(/\/score_threshold: must be <= 1/);
    expect(text).toMatch(/must NOT have additional properties 'extra'/);
    expect(() => resolveManifest({}, "/somewhere/bad.json")).toThrow(/model manifest \/somewhere\/bad.json is invalid/);
  });
  it("refuses a model whose sha256 differs, naming the file and both hashes", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-perception-"));
    const m = shipped();
    const json = { ...m, classes: m.classes, file: SHARED_MODEL, sha256: "0".repeat(64) } as Record<string, unknown>;
    delete json.manifestPath;
    delete json.modelPath;
    writeFileSync(join(dir, "bad.json"), JSON.stringify(json));
    const bad = loadManifest(join(dir, "bad.json"));
    expect(() => readVerifiedModel(bad)).toThrow(
      new RegExp(`model file ${SHARED_MODEL} fails its sha256 check \\(manifest ${join(dir, "bad.json")}\\): expected 0{64}, found ${m.sha256}`),
    );
  });
  it("resolves a class-names file relative to the manifest", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-perception-"));
    copyFileSync(sharedData("models", "yolox_nano", "coco_classes.txt"), join(dir, "names.txt"));
    const m = resolveManifest({ ...manifestJson(), classes: { file: "names.txt" } }, join(dir, "m.json"));
    expect(m.classes[0]).toBe("person");
    expect(m.modelPath).toBe(SHARED_MODEL);
  });
});

function manifestJson(over: Record<string, unknown> = {}): Record<string, unknown> {
  const m = shipped();
  return {
    name: m.name, file: SHARED_MODEL, sha256: m.sha256, input: m.input, decoder: m.decoder, classes: m.classes,
    score_threshold: m.score_threshold, nms_threshold: m.nms_threshold, max_detections: m.max_detections, ...over,
  };
}

describe("models whose outputs do not fit their decoder fail at load", () => {
  it("names the decoder, the expected and the found shapes (declared output metadata)", () => {
    const m = resolveManifest(manifestJson({ decoder: { kind: "yolov8" } }), "/m/yolo8.json");
    expect(() => checkedDecoder(m, { output: [1, 3549, 85] })).toThrow(/outputs do not fit the decoder: decoder 'yolov8' expects output 'output' of shape \[1,84,\?\].*but the model gives \[1,3549,85\]/);
  });
  it("the real yolox_nano with a wrong class count or stride list is refused when the session is created", async () => {
    const wrongClasses = resolveManifest(manifestJson({ classes: ["a", "b"] }), "/m/two.json");
    await expect(loadDetector(wrongClasses, { providers: ["cpu"], intraOpThreads: 1 })).rejects.toThrow(
      /outputs do not fit the decoder: decoder 'yolox' expects output 'output' of shape \[1,3549,7\] \(2 classes, strides 8,16,32 at 416x416\), but the model gives \[1,3549,85\]/,
    );
    const wrongStrides = resolveManifest(manifestJson({ decoder: { kind: "yolox", strides: [8, 16] } }), "/m/s.json");
    await expect(loadDetector(wrongStrides, { providers: ["cpu"], intraOpThreads: 1 })).rejects.toThrow(/\[1,3380,85\].*\[1,3549,85\]/);
    const wrongInput = resolveManifest(manifestJson({ input: { ...shipped().input, name: "image" } }), "/m/i.json");
    await expect(loadDetector(wrongInput, { providers: ["cpu"], intraOpThreads: 1 })).rejects.toThrow(/has no input 'image'.*'images' \[1,3,416,416\]/);
  });
  it("falls back from CUDA to CPU and says so", async () => {
    const loaded = await loadDetector(shipped(), { providers: ["cuda", "cpu"], intraOpThreads: 1 });
    // This machine has no CUDA provider library; a GPU machine with it installed would get cuda.
    if (loaded.provider === "cpu") {
      expect(loaded.failures.map((f) => f.provider)).toEqual(["cuda"]);
      expect(loaded.failures[0]!.error).toMatch(/cuda/i);
    }
    await loaded.session.release();
  });
});

describe(physicalCores, () => {
  /** A fake /sys/devices/system/cpu: one entry per logical CPU with its package and core id. */
  const sysfs = (cpus: Array<[pkg: number, core: number]>): string => {
    const root = mkdtempSync(join(tmpdir(), "kestrel-sysfs-"));
    cpus.forEach(([pkg, core], i) => {
      const topology = join(root, `cpu${i}`, "topology");
      mkdirSync(topology, { recursive: true });
      writeFileSync(join(topology, "physical_package_id"), `${pkg}\n`);
      writeFileSync(join(topology, "core_id"), `${core}\n`);
    });
    mkdirSync(join(root, "cpufreq")); // not a CPU: ignored
    return root;
  };
  it.each<[string, Array<[number, number]>, number]>([
    ["counts hyperthread siblings once", [[0, 0], [0, 0]], 1],
    ["tells cores of different packages apart", [[0, 0], [1, 0]], Math.min(2, availableParallelism())],
    ["never more than the CPUs this process may use", [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [0, 7], [0, 8]], Math.min(9, availableParallelism())],
  ])("%s", (_name, cpus, want) => {
    expect(physicalCores(sysfs(cpus))).toBe(want);
  });
  it("falls back to the available parallelism without a sysfs", () => {
    expect(physicalCores(join(tmpdir(), "no-such-sysfs"))).toBe(availableParallelism());
  });
});
