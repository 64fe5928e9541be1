import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { locateWasmDir, selectBackend } from "../../../nodes/learner/ml/backend";

function hasPackage(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe("selectBackend", () => {
  it("locates the wasm binaries in the installed package", () => {
    const dir = locateWasmDir();
    expect(dir).not.toBeNull();
    expect(fs.existsSync(path.join(dir as string, "tfjs-backend-wasm-simd.wasm"))).toBe(true);
  });

  it("takes the first available of tfjs-node-gpu, tfjs-node, wasm, cpu and logs why others were skipped", async () => {
    const lines: string[] = [];
    const sel = await selectBackend({ log: (l) => lines.push(l) });
    const nodeBackend = hasPackage("@tensorflow/tfjs-node-gpu") || hasPackage("@tensorflow/tfjs-node");
    if (!nodeBackend) {
      expect(sel.name).toBe("wasm");
      expect(sel.skipped.map((s) => s.name)).toEqual(["tfjs-node-gpu", "tfjs-node"]);
      expect(sel.skipped[0].reason).toMatch(/tfjs-node-gpu not loadable/);
      expect(lines.filter((l) => l.startsWith("skipped"))).toHaveLength(2);
    }
    expect(tf.getBackend()).toBe(sel.tfBackend);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^using ${sel.name}`));
  });

  it("honours a preference list and skips unknown names with a reason", async () => {
    const sel = await selectBackend({ prefer: ["quantum", "cpu"], log: () => {} });
    expect(sel.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(sel.skipped).toEqual([{ name: "quantum", reason: expect.stringMatching(/unknown backend 'quantum'/) }]);
    await expect(selectBackend({ prefer: ["quantum"], log: () => {} })).rejects.toThrow(/no TensorFlow.js backend available: quantum/);
  });
});
