/**
 * bench/train-cnn: images per second training a small detector-sized CNN with TF.js on the selected
 * backend (wasm + Kestrel's convolution-gradient kernels here; tfjs-node where installed), and, as a peer,
 * the same network, batch and optimizer in PyTorch on CPU (Debian python3-torch, /usr/bin/python3) with the
 * same number of threads as the TF.js backend computes with. Goal (issue 4): within 3x of PyTorch.
 *
 *   npm run bench:train-cnn [-- --steps 10 --batch 16]
 *
 * Network (~100k parameters), input 96x128x3 NHWC:
 *   conv3x3/2 16 relu -> conv3x3/2 32 relu -> conv3x3/2 64 relu -> conv3x3/2 64 relu -> conv3x3/1 64 relu
 *   -> conv1x1 8 (a 6x8 grid of box/objectness/class outputs), MSE loss, Adam(1e-3).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../nodes/learner/ml/backend";

interface Args {
  steps: number;
  batch: number;
  warmup: number;
  prefer?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { steps: 10, batch: 16, warmup: 2 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === "--steps") args.steps = Number(v);
    else if (argv[i] === "--batch") args.batch = Number(v);
    else if (argv[i] === "--warmup") args.warmup = Number(v);
    else if (argv[i] === "--backend") args.prefer = v.split(",");
  }
  return args;
}

const H = 96;
const W = 128;
const LAYERS: { filters: number; kernel: number; stride: number }[] = [
  { filters: 16, kernel: 3, stride: 2 },
  { filters: 32, kernel: 3, stride: 2 },
  { filters: 64, kernel: 3, stride: 2 },
  { filters: 64, kernel: 3, stride: 2 },
  { filters: 64, kernel: 3, stride: 1 },
];
const HEAD = 8;

function buildModel(): tf.Sequential {
  const model = tf.sequential();
  LAYERS.forEach((l, i) =>
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [H, W, 3] } : {}),
        filters: l.filters,
        kernelSize: l.kernel,
        strides: l.stride,
        padding: "same",
        activation: "relu",
      }),
    ),
  );
  model.add(tf.layers.conv2d({ filters: HEAD, kernelSize: 1 }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  return model;
}

async function benchTfjs(args: Args): Promise<{ ips: number; params: number; msPerStep: number }> {
  const model = buildModel();
  const xs = tf.randomUniform([args.batch, H, W, 3]);
  const outShape = model.outputs[0].shape.slice(1) as number[];
  const ys = tf.randomUniform([args.batch, ...outShape]);
  for (let i = 0; i < args.warmup; i++) await model.trainOnBatch(xs, ys);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < args.steps; i++) await model.trainOnBatch(xs, ys);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const params = model.countParams();
  tf.dispose([xs, ys]);
  model.dispose();
  return { ips: (args.steps * args.batch) / (ms / 1000), params, msPerStep: ms / args.steps };
}

const PEER_SCRIPT = String.raw`
import sys, time, json
try:
    import torch
    import torch.nn as nn
except Exception as e:
    print(json.dumps({"error": "import torch failed: %s" % e})); sys.exit(0)
threads, batch, steps, warmup = (int(a) for a in sys.argv[1:5])
layers = json.loads(sys.argv[5]); head = int(sys.argv[6]); H, W = int(sys.argv[7]), int(sys.argv[8])
torch.set_num_threads(threads)
torch.manual_seed(0)
mods, cin = [], 3
for l in layers:
    mods += [nn.Conv2d(cin, l["filters"], l["kernel"], stride=l["stride"], padding=l["kernel"] // 2), nn.ReLU()]
    cin = l["filters"]
mods.append(nn.Conv2d(cin, head, 1))
net = nn.Sequential(*mods)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(batch, 3, H, W)
with torch.no_grad():
    y = torch.rand_like(net(x))
loss_fn = nn.MSELoss()
def step():
    opt.zero_grad(); loss = loss_fn(net(x), y); loss.backward(); opt.step()
for _ in range(warmup): step()
t0 = time.perf_counter()
for _ in range(steps): step()
dt = time.perf_counter() - t0
print(json.dumps({"ips": steps * batch / dt, "params": sum(p.numel() for p in net.parameters()),
                  "torch": torch.__version__, "threads": torch.get_num_threads()}))
`;

interface PeerResult {
  ips?: number;
  params?: number;
  torch?: string;
  threads?: number;
  error?: string;
}

function benchTorch(args: Args, threads: number): PeerResult {
  const python = "/usr/bin/python3";
  if (!fs.existsSync(python)) return { error: "peer unavailable: /usr/bin/python3 not found (install python3-torch)" };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-bench-")), "train_cnn_peer.py");
  fs.writeFileSync(file, PEER_SCRIPT);
  try {
    const r = spawnSync(
      python,
      [file, String(threads), String(args.batch), String(args.steps), String(args.warmup), JSON.stringify(LAYERS), String(HEAD), String(H), String(W)],
      { encoding: "utf8", timeout: 600_000 },
    );
    const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
    let parsed: PeerResult;
    try {
      parsed = JSON.parse(line) as PeerResult;
    } catch {
      return { error: `peer failed: ${(r.stderr || r.error?.message || "no output").toString().trim().split("\n").pop()}` };
    }
    if (parsed.error) return { error: `peer unavailable: install python3-torch (${parsed.error})` };
    return parsed;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sel = await selectBackend({ prefer: args.prefer, log: (l) => console.log(`backend: ${l}`) });
  const t = await benchTfjs(args);
  console.log(`network: input ${H}x${W}x3, ${LAYERS.length + 1} conv layers, ${t.params} parameters, batch ${args.batch}, Adam, MSE`);
  console.log(`tfjs (${sel.name}, ${sel.threads} thread(s)): ${t.ips.toFixed(1)} images/s  (${t.msPerStep.toFixed(1)} ms/step, ${args.steps} steps)`);

  const cores = os.cpus().length;
  const matched = benchTorch(args, sel.threads);
  if (matched.error) {
    console.log(matched.error);
    return;
  }
  const ratio = (matched.ips as number) / t.ips;
  console.log(`pytorch ${matched.torch} (cpu, ${matched.threads} thread(s), ${matched.params} parameters): ${(matched.ips as number).toFixed(1)} images/s`);
  console.log(`ratio pytorch/tfjs at ${sel.threads} thread(s): ${ratio.toFixed(2)}x  (goal: <= 3x) ${ratio <= 3 ? "OK" : "MISSED"}`);
  if (cores > sel.threads) {
    const all = benchTorch(args, cores);
    if (!all.error) {
      console.log(`pytorch at all ${cores} cores: ${(all.ips as number).toFixed(1)} images/s (ratio ${((all.ips as number) / t.ips).toFixed(2)}x; the wasm backend has no threads under Node)`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
