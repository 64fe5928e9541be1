/**
 * bench/train-cnn: images per second training the shipped detector's network — buildDetectorNet
 * (nodes/learner/detector/model.ts) at the input size and class count of its manifest
 * (models/kestrel_sim_detector.json), with its real loss (nodes/learner/detector/loss.ts) and Adam, one
 * step exactly as trainDetector takes it — with TF.js on the selected backend (wasm + Kestrel's
 * convolution-gradient kernels here), and, as a peer, the same network, weights, batch, loss and
 * optimizer in PyTorch on CPU (Debian python3-torch, /usr/bin/python3) at the same thread count.
 * Goal (issue 4 item 8): within 3x of PyTorch.
 *
 *   npm run bench:train-cnn [-- --steps 8 --batch 16 --repeats 3 --manifest models/kestrel_sim_detector.json]
 *   npm run bench:train-cnn -- --profile      (per-kernel CPU time of a TF.js training step, then exit)
 *   npm run bench:train-cnn -- --native off   (pure wasm: no ONNX Runtime kernels, see below)
 *
 * On wasm, Kestrel runs the convolutions and their gradients on ONNX Runtime's native CPU kernels
 * (nodes/learner/ml/native-kernels.ts, one intra-op thread) when onnxruntime-node loads; `--native off`
 * measures the pure-wasm formulations (XNNPACK + JS) instead. Both report the same thread count.
 *
 * The peer is generated, not written by hand: the TF.js model's layer list is turned into a graph spec
 * (conv / upsample / concat / reshape with TF's exact 'same' padding) that a small PyTorch interpreter
 * runs, and the initial weights, images and targets are handed over as float32 files — so the peer
 * follows any change to the architecture or input size, and both sides print their first-step loss on
 * identical inputs as a check that they are the same computation. Repeats alternate TF.js and PyTorch
 * blocks (the machine is shared; alternating spreads the noise over both) and report the range.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../nodes/learner/ml/backend";
import { nativeKernelsAvailable, nativeKernelsStatus, setNativeKernelsEnabled } from "../nodes/learner/ml/native-kernels";
import { detectionLoss } from "../nodes/learner/detector/loss";
import { buildDetectorNet, DETECTOR_STRIDE, type DetectorNet } from "../nodes/learner/detector/model";
import { assignTargets, gridOffsets, targetWidth } from "../nodes/learner/detector/target";

interface Args {
  steps: number;
  batch: number;
  warmup: number;
  repeats: number;
  manifest: string;
  profile: boolean;
  native: boolean;
  prefer?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { steps: 8, batch: 16, warmup: 2, repeats: 3, manifest: "models/kestrel_sim_detector.json", profile: false, native: true };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1] ?? "";
    if (argv[i] === "--steps") args.steps = Number(v);
    else if (argv[i] === "--batch") args.batch = Number(v);
    else if (argv[i] === "--warmup") args.warmup = Number(v);
    else if (argv[i] === "--repeats") args.repeats = Number(v);
    else if (argv[i] === "--manifest") args.manifest = v;
    else if (argv[i] === "--backend") args.prefer = v.split(",");
    else if (argv[i] === "--profile") args.profile = true;
    else if (argv[i] === "--native") args.native = v !== "off";
  }
  return args;
}

// ---------------------------------------------------------------------------------------------------
// The network, from the manifest

interface DetectorShape {
  inputWidth: number;
  inputHeight: number;
  numClasses: number;
}

/** Input size and class count of the shipped detector, read from its manifest (so a retrained size follows). */
export function readDetectorShape(manifestPath: string): DetectorShape {
  const m = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { input: { width: number; height: number }; classes: string[] };
  return { inputWidth: m.input.width, inputHeight: m.input.height, numClasses: m.classes.length };
}

/** One node of the peer's graph (NHWC semantics; the peer runs it in NCHW). */
type PeerOp =
  | { op: "input"; name: string }
  | { op: "conv"; name: string; in: string; cin: number; cout: number; k: [number, number]; stride: [number, number]; pad: [number, number, number, number]; act: string; bias: boolean }
  | { op: "upsample"; name: string; in: string; size: [number, number] }
  | { op: "concat"; name: string; ins: string[] }
  | { op: "reshape"; name: string; in: string; target: number[] };

interface KerasLayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[][][];
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);

/**
 * The TF.js model as a list of peer ops, in the model's topological order. TF 'same' padding is
 * asymmetric for even inputs and stride 2 (the extra row/column goes at the bottom/right), so each
 * conv carries its exact [top, bottom, left, right] from computeConv2DInfo. Unknown layer classes
 * throw: a new layer type must be taught to the peer rather than silently benchmarked as something else.
 */
export function peerGraph(model: tf.LayersModel): { ops: PeerOp[]; output: string } {
  const json = model.toJSON(null, false) as unknown as { config: { layers: KerasLayerJson[]; output_layers: unknown[][] } };
  const ops: PeerOp[] = [];
  for (const l of json.config.layers) {
    const ins = (l.inbound_nodes[0] ?? []).map((n) => String(n[0]));
    const layer = model.getLayer(l.name);
    const c = l.config;
    switch (l.class_name) {
      case "InputLayer":
        ops.push({ op: "input", name: l.name });
        break;
      case "Conv2D": {
        const inShape = (layer.input as tf.SymbolicTensor).shape;
        const [b, h, w, cin] = inShape as number[];
        const k = pair(c["kernel_size"]);
        const stride = pair(c["strides"]);
        if (c["data_format"] === "channels_first") throw new Error(`${l.name}: channels_first is not supported by the peer`);
        if (pair(c["dilation_rate"] ?? 1).some((d) => d !== 1)) throw new Error(`${l.name}: dilation is not supported by the peer`);
        const info = tf.backend_util.computeConv2DInfo([b ?? 1, h!, w!, cin!], [k[0], k[1], cin!, Number(c["filters"])], stride, 1, c["padding"] as "same" | "valid");
        const p = info.padInfo;
        ops.push({ op: "conv", name: l.name, in: ins[0]!, cin: cin!, cout: Number(c["filters"]), k, stride, pad: [p.top, p.bottom, p.left, p.right], act: String(c["activation"] ?? "linear"), bias: c["use_bias"] !== false });
        break;
      }
      case "UpSampling2D":
        if ((c["interpolation"] ?? "nearest") !== "nearest") throw new Error(`${l.name}: only nearest upsampling is supported by the peer`);
        ops.push({ op: "upsample", name: l.name, in: ins[0]!, size: pair(c["size"]) });
        break;
      case "Concatenate": {
        const axis = Number(c["axis"] ?? -1);
        if (axis !== -1 && axis !== 3) throw new Error(`${l.name}: only channel concatenation is supported by the peer`);
        ops.push({ op: "concat", name: l.name, ins });
        break;
      }
      case "Reshape":
        ops.push({ op: "reshape", name: l.name, in: ins[0]!, target: (c["target_shape"] as number[]).map(Number) });
        break;
      default:
        throw new Error(`bench/train-cnn: layer ${l.name} (${l.class_name}) has no PyTorch peer; add it to peerGraph and PEER_SCRIPT`);
    }
  }
  const output = String(json.config.output_layers[0]![0]);
  return { ops, output };
}

// ---------------------------------------------------------------------------------------------------
// A fixed synthetic batch with realistic targets

/** A seeded LCG in [0, 1): the batch is the same on every run and for both sides. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Batch {
  x: Float32Array;
  t: Float32Array;
  grid: Float32Array;
  xShape: [number, number, number, number];
  tShape: [number, number, number];
}

/** Random images and 1..4 random boxes per image assigned with the detector's own assignTargets. */
function syntheticBatch(net: DetectorNet, batch: number): Batch {
  const { inputWidth: W, inputHeight: H, numClasses: C } = net.config;
  const rnd = lcg(42);
  const x = new Float32Array(batch * H * W * 3).map(() => rnd());
  const n = net.gridWidth * net.gridHeight;
  const tw = targetWidth(C);
  const t = new Float32Array(batch * n * tw);
  const grid = { gridWidth: net.gridWidth, gridHeight: net.gridHeight, stride: DETECTOR_STRIDE, numClasses: C };
  for (let b = 0; b < batch; b++) {
    const boxes = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
      const bw = 8 + rnd() * W * 0.4;
      const bh = 8 + rnd() * H * 0.4;
      const x1 = rnd() * (W - bw);
      const y1 = rnd() * (H - bh);
      return { x1, y1, x2: x1 + bw, y2: y1 + bh, classId: Math.floor(rnd() * C), hard: false };
    });
    assignTargets(boxes, grid, t.subarray(b * n * tw, (b + 1) * n * tw));
  }
  return { x, t, grid: gridOffsets(net.gridWidth, net.gridHeight), xShape: [batch, H, W, 3], tShape: [batch, n, tw] };
}

// ---------------------------------------------------------------------------------------------------
// TF.js side

interface Trainer {
  step(): Promise<number>;
  dispose(): void;
}

/** One trainDetector step (optimizer.minimize over the train model and detectionLoss) on a fixed batch. */
function tfjsTrainer(net: DetectorNet, batch: Batch): Trainer {
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor4d(batch.x, batch.xShape);
  const t = tf.tensor3d(batch.t, batch.tShape);
  const grid = tf.tensor2d(batch.grid, [batch.grid.length / 2, 2]);
  return {
    async step() {
      const cost = optimizer.minimize(() => {
        const pred = net.train.apply(x, { training: true }) as tf.Tensor;
        return detectionLoss(pred, t, grid, { stride: DETECTOR_STRIDE }).total;
      }, true)!;
      const v = (await cost.data())[0]!;
      cost.dispose();
      return v;
    },
    dispose() {
      tf.dispose([x, t, grid]);
      optimizer.dispose();
    },
  };
}

/** Images per wall-clock second, and per CPU second of this process (steadier on a shared machine). */
interface Rate {
  wall: number;
  cpu: number;
}

async function timeSteps(trainer: Trainer, steps: number, batch: number): Promise<Rate> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) await trainer.step();
  const c = process.cpuUsage(c0);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { wall: (steps * batch) / s, cpu: (steps * batch) / ((c.user + c.system) / 1e6) };
}

/**
 * Per-kernel time of a training step (tf.profile), as the minimum over `runs` profiled steps of each
 * kernel's per-step total: on a shared machine the minimum is the steadiest estimate. Kernel times
 * are CPU time of this process rather than wall time (the wasm backend runs kernels synchronously on
 * this thread), so other processes' load counts far less. Custom kernels (Kestrel's gradients) call
 * other kernels; those nested calls are listed too, so the rows do not add up to the step.
 */
async function profileStep(trainer: Trainer, runs = 5): Promise<void> {
  const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  const wallTime = backend.time;
  backend.time = async (f) => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return { kernelMs: (c.user + c.system) / 1000 };
  };
  const best = new Map<string, { ms: number; calls: number }>();
  const steps: number[] = [];
  let calls: { name: string; ms: number; shapes: string }[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const info = await tf.profile(() => trainer.step());
      const c = process.cpuUsage(c0);
      steps.push((c.user + c.system) / 1000);
      const totals = new Map<string, { ms: number; calls: number }>();
      for (const k of info.kernels) {
        const e = totals.get(k.name) ?? { ms: 0, calls: 0 };
        e.ms += Number(k.kernelTimeMs);
        e.calls++;
        totals.set(k.name, e);
      }
      for (const [name, e] of totals) if (!best.has(name) || best.get(name)!.ms > e.ms) best.set(name, e);
      if (r === runs - 1) calls = info.kernels.map((k) => ({ name: k.name, ms: Number(k.kernelTimeMs), shapes: `in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}` }));
    }
  } finally {
    backend.time = wallTime;
  }
  console.log(`step: ${Math.min(...steps).toFixed(1)} ms CPU min over ${runs} profiled steps (median ${median(steps).toFixed(1)}; profiling adds a little)`);
  console.log(`kernel CPU time per step (min over the steps; custom kernels include the kernels they call):`);
  const rows = [...best.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [name, e] of rows.slice(0, 40)) console.log(`  ${name.padEnd(34)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(5)} calls`);
  const topCalls = Number(process.env["KESTREL_PROFILE_CALLS"] ?? 0);
  if (topCalls > 0) {
    console.log(`slowest kernel calls of the last step:`);
    for (const k of calls.sort((a, b) => b.ms - a.ms).slice(0, topCalls)) console.log(`  ${k.name.padEnd(28)} ${k.ms.toFixed(2).padStart(7)} ms  ${k.shapes}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// PyTorch peer

const PEER_SCRIPT = String.raw`
import sys, time, json, os
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:
    print(json.dumps({"error": "import torch failed: %s" % e})); sys.exit(0)
d = sys.argv[1]
cfg = json.load(open(os.path.join(d, "spec.json")))
torch.set_num_threads(cfg["threads"])
def load(name, shape):
    return torch.frombuffer(bytearray(open(os.path.join(d, name), "rb").read()), dtype=torch.float32).reshape(shape)

class Net(nn.Module):
    def __init__(self, ops):
        super().__init__()
        self.ops = ops
        self.convs = nn.ModuleDict()
        for o in ops:
            if o["op"] == "conv":
                t, b, l, r = o["pad"]
                sym = t == b and l == r
                # TF 'same' padding can be asymmetric: pad explicitly then, else let the conv pad.
                self.convs[o["name"]] = nn.Conv2d(o["cin"], o["cout"], tuple(o["k"]), stride=tuple(o["stride"]),
                                                  padding=(t, l) if sym else 0, bias=o["bias"])
    def forward(self, x):
        v = {}
        for o in self.ops:
            k = o["op"]
            if k == "input": y = x
            elif k == "conv":
                t, b, l, r = o["pad"]
                a = v[o["in"]]
                if not (t == b and l == r): a = F.pad(a, (l, r, t, b))
                y = self.convs[o["name"]](a)
                if o["act"] == "relu": y = F.relu(y)
                elif o["act"] != "linear": raise ValueError("activation " + o["act"])
            elif k == "upsample": y = F.interpolate(v[o["in"]], scale_factor=tuple(float(s) for s in o["size"]), mode="nearest")
            elif k == "concat": y = torch.cat([v[i] for i in o["ins"]], 1)
            elif k == "reshape":
                a = v[o["in"]]
                y = a.permute(0, 2, 3, 1).reshape(a.shape[0], *o["target"])  # NHWC element order, as TF.js
            v[o["name"]] = y
        return v[cfg["output"]]

net = Net(cfg["ops"])
off = 0
wbuf = load("weights.bin", (-1,))
with torch.no_grad():
    for o in cfg["ops"]:
        if o["op"] != "conv": continue
        kh, kw = o["k"]; n = kh * kw * o["cin"] * o["cout"]
        w = wbuf[off:off + n].reshape(kh, kw, o["cin"], o["cout"]).permute(3, 2, 0, 1); off += n
        net.convs[o["name"]].weight.copy_(w)
        if o["bias"]:
            net.convs[o["name"]].bias.copy_(wbuf[off:off + o["cout"]]); off += o["cout"]

x = load("x.bin", cfg["xShape"]).permute(0, 3, 1, 2).contiguous()
t = load("t.bin", cfg["tShape"])
grid = load("grid.bin", (-1, 2))
stride, F_ = cfg["stride"], cfg["targetFields"]

def bce(x, z): return F.relu(x) - x * z + torch.log1p(torch.exp(-x.abs()))
def giou(a, b):
    ax1, ay1, ax2, ay2 = a.unbind(-1); bx1, by1, bx2, by2 = b.unbind(-1)
    iw = F.relu(torch.minimum(ax2, bx2) - torch.maximum(ax1, bx1))
    ih = F.relu(torch.minimum(ay2, by2) - torch.maximum(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter + 1e-7
    hull = (torch.maximum(ax2, bx2) - torch.minimum(ax1, bx1)) * (torch.maximum(ay2, by2) - torch.minimum(ay1, by1)) + 1e-7
    return inter / union - (hull - union) / hull
def detection_loss(p):  # port of nodes/learner/detector/loss.ts detectionLoss (iouWeight 5)
    pos, objw = t[..., 0], t[..., 1]
    npos = torch.clamp(pos.sum(), min=1)
    obj = (objw * bce(p[..., 4], pos)).sum() / npos
    cls = (pos * bce(p[..., 5:], t[..., F_:]).sum(2)).sum() / npos
    centre = (p[..., 0:2] + grid) * stride
    half = torch.exp(torch.clamp(p[..., 2:4], -8, 6)) * (stride / 2)
    boxes = torch.cat([centre - half, centre + half], -1)
    iou = (pos * (1 - giou(boxes, t[..., 2:6]))).sum() / npos
    return obj + cls + iou * 5

opt = torch.optim.Adam(net.parameters(), lr=1e-3)
def step():
    opt.zero_grad(); loss = detection_loss(net(x)); loss.backward(); opt.step(); return loss.item()
first = step()
for _ in range(cfg["warmup"] - 1): step()
rates, cpu = [], []
for _ in range(cfg["repeats"]):
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(cfg["steps"]): step()
    rates.append(cfg["steps"] * x.shape[0] / (time.perf_counter() - t0))
    cpu.append(cfg["steps"] * x.shape[0] / (time.process_time() - c0))
print(json.dumps({"rates": rates, "cpu": cpu, "firstLoss": first, "params": sum(p.numel() for p in net.parameters()),
                  "torch": torch.__version__, "threads": torch.get_num_threads()}))
`;

interface PeerResult {
  rates?: number[];
  cpu?: number[];
  firstLoss?: number;
  params?: number;
  torch?: string;
  threads?: number;
  error?: string;
}

/** Writes the spec, the initial weights (TF.js order and layout) and the batch for the peer. */
function writePeerInputs(dir: string, net: DetectorNet, batch: Batch, cfg: Record<string, unknown>): void {
  const f32 = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const weights = net.train.weights.map((w) => w.read().dataSync() as Float32Array);
  fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.concat(weights.map(f32)));
  fs.writeFileSync(path.join(dir, "x.bin"), f32(batch.x));
  fs.writeFileSync(path.join(dir, "t.bin"), f32(batch.t));
  fs.writeFileSync(path.join(dir, "grid.bin"), f32(batch.grid));
  fs.writeFileSync(path.join(dir, "spec.json"), JSON.stringify(cfg));
  fs.writeFileSync(path.join(dir, "peer.py"), PEER_SCRIPT);
}

function runPeer(dir: string): PeerResult {
  const python = "/usr/bin/python3";
  if (!fs.existsSync(python)) return { error: "peer unavailable: /usr/bin/python3 not found (install python3-torch)" };
  const r = spawnSync(python, [path.join(dir, "peer.py"), dir], { encoding: "utf8", timeout: 600_000 });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(line) as PeerResult;
    return parsed.error ? { error: `peer unavailable: install python3-torch (${parsed.error})` } : parsed;
  } catch {
    return { error: `peer failed: ${(r.stderr || r.error?.message || "no output").toString().trim().split("\n").slice(-3).join(" | ")}` };
  }
}

// ---------------------------------------------------------------------------------------------------

const range = (v: number[]): string => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  setNativeKernelsEnabled(args.native);
  const sel = await selectBackend({ prefer: args.prefer, log: (l) => console.log(`backend: ${l}`) });
  const kernels =
    sel.name !== "wasm" ? "" : nativeKernelsAvailable() ? ", convolutions on ONNX Runtime native kernels (1 intra-op thread)" : `, pure wasm kernels (native: ${nativeKernelsStatus()})`;
  const shape = readDetectorShape(args.manifest);
  const net = buildDetectorNet({ ...shape, seed: 1 });
  const batch = syntheticBatch(net, args.batch);
  const graph = peerGraph(net.train);
  const convs = graph.ops.filter((o) => o.op === "conv").length;
  console.log(
    `network: buildDetectorNet ${shape.inputWidth}x${shape.inputHeight}x3 (from ${args.manifest}), ${shape.numClasses} classes, ${convs} convs, ${net.train.countParams()} parameters; batch ${args.batch}, detectionLoss, Adam(1e-3)`,
  );

  // The peer reads the initial weights, so write them before TF.js takes a step.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-bench-"));
  const trainer = tfjsTrainer(net, batch);
  try {
    writePeerInputs(dir, net, batch, { ...graph, threads: sel.threads, steps: args.steps, warmup: args.warmup, repeats: 1, xShape: batch.xShape, tShape: batch.tShape, stride: DETECTOR_STRIDE, targetFields: 6 });
    const firstTf = await trainer.step();
    for (let i = 1; i < args.warmup; i++) await trainer.step();
    if (args.profile) {
      await profileStep(trainer);
      return;
    }
    const tfRates: Rate[] = [];
    const ptRates: Rate[] = [];
    let peer: PeerResult = {};
    for (let r = 0; r < args.repeats; r++) {
      tfRates.push(await timeSteps(trainer, args.steps, args.batch));
      if (peer.error) continue;
      peer = runPeer(dir);
      peer.rates?.forEach((wall, i) => ptRates.push({ wall, cpu: peer.cpu?.[i] ?? NaN }));
    }
    const tfWall = tfRates.map((r) => r.wall);
    const tfCpu = tfRates.map((r) => r.cpu);
    console.log(
      `tfjs ${tf.version.tfjs} (${sel.name}${kernels}, ${sel.threads} thread(s)): ${median(tfWall).toFixed(1)} images/s median (range ${range(tfWall)}), ${median(tfCpu).toFixed(1)} images per CPU-second (range ${range(tfCpu)}); ${args.repeats} x ${args.steps} steps; first-step loss ${firstTf.toFixed(5)}`,
    );
    if (peer.error) {
      console.log(peer.error);
      return;
    }
    const ptWall = ptRates.map((r) => r.wall);
    const ptCpu = ptRates.map((r) => r.cpu);
    console.log(
      `pytorch ${peer.torch} (cpu, ${peer.threads} thread(s), ${peer.params} parameters): ${median(ptWall).toFixed(1)} images/s median (range ${range(ptWall)}), ${median(ptCpu).toFixed(1)} images per CPU-second (range ${range(ptCpu)}); first-step loss ${peer.firstLoss?.toFixed(5)}`,
    );
    // Each repeat's PyTorch block ran right after its TF.js block: pair them for the per-repeat range.
    const ratios = tfWall.map((v, i) => (ptWall[i] ?? median(ptWall)) / v);
    const ratio = median(ptWall) / median(tfWall);
    const cpuRatio = median(ptCpu) / median(tfCpu);
    console.log(
      `ratio pytorch/tfjs at ${sel.threads} thread(s): ${ratio.toFixed(2)}x wall-clock (per repeat ${range(ratios)}), ${cpuRatio.toFixed(2)}x per CPU-second; goal <= 3x: ${ratio <= 3 ? "OK" : "MISSED"}`,
    );
  } finally {
    trainer.dispose();
    net.train.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
