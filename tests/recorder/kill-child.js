// Child process for the SIGKILL test: transpiles TypeScript on require (no type check), runs the
// recorder on the embedded bus and publishes numbered messages until it is killed.
const ts = require("typescript");
const fs = require("fs");
require.extensions[".ts"] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: filename });
  module._compile(out.outputText, filename);
};
const { LocalTransport } = require("../../ros/transport/local/backend.ts");
const { RosNode } = require("../../ros/node.ts");
const { startRecorder } = require("../../nodes/recorder/index.ts");
(async () => {
  const [outDir] = process.argv.slice(2);
  const transport = new LocalTransport({ logSink: () => {} });
  const node = (name) => new RosNode(transport.createNode({ name, namespace: "", rosArgs: [] }));
  const pub = node("talker").createPublisher("std_msgs/msg/String", "/chatter");
  await startRecorder(node("recorder"), {
    topics: ["/chatter"], all: false, output_dir: outDir, bag_name: "killed", compression: "zstd",
    max_bag_size_mb: 0, max_bag_duration_s: 0, chunk_size_kb: 2, chunk_duration_s: 0.2, discovery_period_s: 0.05,
    latched_topics: [], ros_distro: "jazzy",
  });
  let i = 0;
  setInterval(() => {
    for (let k = 0; k < 5; k++) pub.publish({ data: `msg ${i++} ${"y".repeat(50)}` });
    process.stdout.write(`${i}\n`);
  }, 5);
})();
