import * as fs from "fs";
import * as path from "path";
import { kestrel_msgs } from "../../msgs";
import { startRecorder, EPISODE_TOPIC } from "../../nodes/recorder";
import { openBag, parseMetadata } from "../../ros/bag";
import { localStack } from "../support/local-stack";
import { readIndependently, recorderParams } from "./support";

const scan = (i: number) => ({
  header: { stamp: { sec: 100 + i, nanosec: 5 }, frame_id: "base_scan" },
  angle_min: -Math.PI, angle_max: Math.PI, angle_increment: (2 * Math.PI) / 8, time_increment: 0, scan_time: 0.1,
  range_min: 0.1, range_max: 10, ranges: Float32Array.from({ length: 8 }, (_, k) => i + k / 8), intensities: new Float32Array(0),
});

describe("recorder node", () => {
  for (const compression of ["zstd", "lz4", "none"] as const) {
    it(`records what was published; @mcap/core + rosmsg2-serialization read identical messages (${compression})`, async () => {
      const stack = localStack();
      const pubNode = stack.node("talker");
      const scanPub = pubNode.createPublisher("sensor_msgs/msg/LaserScan", "/scan", "qos_profile_sensor_data");
      const cmdPub = pubNode.createPublisher("geometry_msgs/msg/Twist", "/cmd_vel");
      const mapPub = pubNode.createPublisher("nav_msgs/msg/OccupancyGrid", "/map", { durability: "transient_local", depth: 1 });
      const map = { header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "map" }, info: { map_load_time: { sec: 0, nanosec: 0 }, resolution: 0.05, width: 2, height: 2, origin: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }, data: Int8Array.from([0, 100, -1, 0]) };
      mapPub.publish(map); // before the recorder exists: latched
      const node = stack.node("recorder");
      const rec = await startRecorder(node, recorderParams({ topics: ["/scan", "/cmd_vel", "/map"], compression, chunk_size_kb: 2 }));
      await stack.flush();
      rec.markEpisode({ event: "start", episodeId: "ep-1" });
      for (let i = 0; i < 40; i++) {
        scanPub.publish(scan(i));
        cmdPub.publish({ linear: { x: i / 10, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -i / 20 } });
        await stack.flush();
      }
      rec.markEpisode({ event: "end", episodeId: "ep-1", outcome: "success", returnValue: 12.5 });
      await stack.flush();
      rec.stop!();
      expect(rec.counts()).toEqual({ [EPISODE_TOPIC]: 2, "/cmd_vel": 40, "/map": 1, "/scan": 40 });
      expect(rec.summary!()).toMatch(/83 messages/);

      const file = path.join(rec.bagPath, "test_bag_0.mcap");
      const { profile, messages, compressions } = await readIndependently(file);
      expect(profile).toBe("ros2");
      expect(compressions).toEqual(new Set([compression === "none" ? "" : compression]));
      expect(messages).toHaveLength(83);
      for (const m of messages) {
        expect(m.schemaEncoding).toBe("ros2msg");
        expect(m.messageEncoding).toBe("cdr");
        expect(m.channelMetadata.get("offered_qos_profiles")).toMatch(/^- history: keep_last\n  depth: \d+\n  reliability: /);
        expect(m.channelMetadata.get("topic_type_hash")).toMatch(/^RIHS01_[0-9a-f]{64}$/);
      }
      const scans = messages.filter((m) => m.topic === "/scan").map((m) => m.decoded as ReturnType<typeof scan>);
      expect(scans.map((s) => s.header.stamp.sec)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
      expect(Array.from(scans[7]!.ranges)).toEqual(Array.from(scan(7).ranges));
      const cmds = messages.filter((m) => m.topic === "/cmd_vel").map((m) => m.decoded as { linear: { x: number }; angular: { z: number } });
      expect(cmds[13]).toEqual({ linear: { x: 1.3, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.65 } });
      const mapRead = messages.find((m) => m.topic === "/map")!;
      expect(Array.from((mapRead.decoded as { data: Int8Array }).data)).toEqual([0, 100, -1, 0]);
      expect(mapRead.channelMetadata.get("offered_qos_profiles")).toMatch(/durability: transient_local/);
      expect(messages.find((m) => m.topic === "/scan")!.channelMetadata.get("offered_qos_profiles")).toMatch(/reliability: best_effort/);
      const events = messages.filter((m) => m.topic === EPISODE_TOPIC).map((m) => m.decoded as { event: number; episode_id: string; outcome: string; return_value: number });
      expect(events.map((e) => e.event)).toEqual([kestrel_msgs.msg.EpisodeEvent.START, kestrel_msgs.msg.EpisodeEvent.END]);
      expect(events[1]).toMatchObject({ episode_id: "ep-1", outcome: "success", return_value: 12.5 });
      // Log times in ns, non-decreasing.
      for (let i = 1; i < messages.length; i++) expect(messages[i]!.logTime >= messages[i - 1]!.logTime).toBe(true);

      // metadata.yaml v9 beside the file, and our reader agrees.
      const meta = parseMetadata(fs.readFileSync(path.join(rec.bagPath, "metadata.yaml"), "utf8"));
      expect(meta).toMatchObject({ version: 9, storageIdentifier: "mcap", messageCount: 83, relativeFilePaths: ["test_bag_0.mcap"], rosDistro: "jazzy" });
      expect(meta.files[0]!.messageCount).toBe(83);
      expect(Object.fromEntries(meta.topics.map((t) => [t.topic.name, t.messageCount]))).toEqual(rec.counts());
      const bag = await openBag(rec.bagPath);
      expect(bag.problems).toEqual([]);
      expect(await bag.readAll()).toHaveLength(83);
    });
  }

  it("records every topic when none are listed (graph discovery)", async () => {
    const stack = localStack();
    const rec = await startRecorder(stack.node("recorder"), recorderParams({ discovery_period_s: 0.02 }));
    const pub = stack.node("late").createPublisher("std_msgs/msg/String", "/chatter");
    rec.discover();
    pub.publish({ data: "hi" });
    await stack.flush();
    rec.stop!();
    expect(rec.counts()["/chatter"]).toBe(1);
  });

  it("a message that fails to serialise is logged and skipped; the rest is kept", async () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("geometry_msgs/msg/Twist", "/cmd_vel");
    const rec = await startRecorder(stack.node("recorder"), recorderParams({ topics: ["/cmd_vel"] }));
    pub.publish({ linear: { x: 1, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    pub.publish({ linear: { x: "fast" as unknown as number, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    pub.publish({ linear: { x: 3, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    await stack.flush();
    rec.stop!();
    expect(rec.counts()["/cmd_vel"]).toBe(2);
    expect(rec.skipped()).toEqual({ "/cmd_vel": 1 });
    expect(stack.logs.some((l) => l.level === "ERROR" && /\/cmd_vel.*linear\.x/.test(l.message))).toBe(true);
    const read = await (await openBag(rec.bagPath, { decode: true })).readAll({ topics: ["/cmd_vel"] });
    expect(read.map((m) => (m.decoded as { linear: { x: number } }).linear.x)).toEqual([1, 3]);
  });

  it("splits by size into _0.mcap, _1.mcap, ... and every file reads back", async () => {
    const stack = localStack();
    const pub = stack.node("talker").createPublisher("std_msgs/msg/String", "/chatter");
    const rec = await startRecorder(stack.node("recorder"), recorderParams({ topics: ["/chatter"], compression: "none", chunk_size_kb: 4, max_bag_size_mb: 16 / 1024 }));
    for (let i = 0; i < 400; i++) pub.publish({ data: `message ${i} ${"x".repeat(100)}` });
    await stack.flush();
    rec.stop!();
    const files = fs.readdirSync(rec.bagPath).filter((f) => f.endsWith(".mcap")).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files[0]).toBe("test_bag_0.mcap");
    expect(files[1]).toBe("test_bag_1.mcap");
    const meta = parseMetadata(fs.readFileSync(path.join(rec.bagPath, "metadata.yaml"), "utf8"));
    expect(meta.relativeFilePaths).toEqual(files);
    expect(meta.files.reduce((n, f) => n + f.messageCount, 0)).toBe(400);
    let total = 0;
    for (const f of files) total += (await readIndependently(path.join(rec.bagPath, f))).messages.length;
    expect(total).toBe(400);
    const all = await (await openBag(rec.bagPath, { decode: true })).readAll();
    expect(all.map((m) => (m.decoded as { data: string }).data.split(" ")[1])).toEqual(Array.from({ length: 400 }, (_, i) => String(i)));
  });

  it("splits by duration", async () => {
    const { BagWriter } = await import("../../ros/bag");
    const dir = path.join(recorderParams({}).output_dir, "dur");
    const w = await BagWriter.open({ uri: dir, compression: "none", maxFileDurationNs: 1_000_000_000n });
    w.addTopic({ name: "/t", type: "std_msgs/msg/String", offeredQos: [], schemaText: "string data" });
    const data = new Uint8Array([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    for (let s = 0; s < 5; s++) w.write("/t", data, BigInt(s) * 600_000_000n + 1_000_000_000_000n);
    const meta = w.close();
    expect(meta.relativeFilePaths).toEqual(["dur_0.mcap", "dur_1.mcap", "dur_2.mcap"]);
    expect(meta.files.map((f) => f.messageCount)).toEqual([2, 2, 1]);
    expect((await openBag(dir)).info.messageCount).toBe(5);
  });
});
