import * as fs from "fs";
import { defaultRegistry } from "../../msgs";
import { bagInfoText, metadataYaml, openBag, parseMetadata, typeDescriptionHash } from "../../ros/bag";
import { sharedData } from "../support/shared-data";

const counts = (topics: { name: string; messageCount: number }[]): Record<string, number> =>
  Object.fromEntries(topics.map((t) => [t.name, t.messageCount]));

const JAZZY_COUNTS = {
  "/scan": 50, "/camera/image_raw": 50, "/camera/camera_info": 50, "/odom": 50, "/cmd_vel": 50,
  "/tf": 50, "/detections": 50, "/plan": 10, "/map": 1, "/goal_pose": 1,
};

describe("real rosbag2 bags", () => {
  it("talker.mcap: 10 /topic, 10 /rosout, decoded", async () => {
    const bag = await openBag(sharedData("bags", "rosbag2_talker_mcap"), { decode: true });
    expect(bag.problems).toEqual([]);
    expect(counts(bag.info.topics)).toEqual({ "/topic": 10, "/rosout": 10, "/parameter_events": 0 });
    const texts = (await bag.readAll({ topics: ["/topic"] })).map((m) => (m.decoded as { data: string }).data);
    expect(texts).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
    expect(bag.info.durationNs).toBe(4531096768n);
  });

  it("service events: the two .srv-schema channels are reported and skipped, the topics read", async () => {
    const bag = await openBag(sharedData("bags", "rosbag2_topics_and_service_events_mcap"), { decode: true });
    expect(bag.problems.map((p) => p.topic).sort()).toEqual(["/test_service1/_service_event", "/test_service2/_service_event"]);
    for (const p of bag.problems) {
      expect(p.type).toBe("test_msgs/srv/BasicTypes_Event");
      expect(p.reason).toMatch(/---/);
    }
    const messages = await bag.readAll();
    expect(messages.map((m) => m.topic).sort()).toEqual(["/test_topic1", "/test_topic2"]);
    expect((messages[0]!.decoded as { string_value: string }).string_value).toBeDefined();
  });

  it("Humble db3: counts, /performance_metrics reported (no definition), the rest decodes", async () => {
    const bag = await openBag(sharedData("bags", "tb3_walker_gazebo_db3"), { decode: true });
    expect(bag.info.storageIdentifier).toBe("sqlite3");
    expect(bag.info.rosDistro).toBe("humble");
    expect(counts(bag.info.topics)).toMatchObject({
      "/scan": 102, "/cmd_vel": 101, "/odom": 599, "/imu": 3869, "/joint_states": 598, "/tf": 958,
      "/tf_static": 1, "/clock": 261, "/rosout": 21, "/robot_description": 1, "/performance_metrics": 131,
    });
    const perf = bag.problems.find((p) => p.topic === "/performance_metrics")!;
    expect(perf.type).toBe("gazebo_msgs/msg/PerformanceMetrics");
    expect(perf.reason).toMatch(/no definition/);
    const messages = await bag.readAll();
    expect(messages.filter((m) => m.topic === "/performance_metrics")).toHaveLength(0);
    expect(messages).toHaveLength(6642 - 131);
    const scan = messages.find((m) => m.topic === "/scan")!.decoded as { ranges: Float32Array };
    expect(scan.ranges).toHaveLength(360);
    const cmd = messages.find((m) => m.topic === "/cmd_vel")!.decoded as { angular: { z: number } };
    expect(cmd.angular.z).toBeCloseTo(0.3);
    // Nanosecond timestamps survive (beyond 2^53).
    expect(messages[0]!.logTimeNs).toBe(bag.info.startNs);
    expect(bag.info.startNs).toBe(1701316731782245423n);
  });

  for (const [dir, storage] of [["jazzy_kestrel_topics_mcap", "mcap"], ["jazzy_kestrel_topics_db3", "sqlite3"]] as const) {
    it(`${dir}: 362 messages, every one decodes, per-topic counts`, async () => {
      const bag = await openBag(sharedData("bags", dir), { decode: true });
      expect(bag.problems).toEqual([]);
      expect(bag.info.storageIdentifier).toBe(storage);
      expect(bag.info.rosDistro).toBe("jazzy");
      expect(counts(bag.info.topics)).toEqual(JAZZY_COUNTS);
      const messages = await bag.readAll();
      expect(messages).toHaveLength(362);
      expect(messages.every((m) => m.decoded !== undefined)).toBe(true);
      const scanQos = bag.info.topics.find((t) => t.name === "/scan")!.offeredQos[0]!;
      expect(scanQos.reliability).toBe("best_effort");
      expect(bag.info.topics.find((t) => t.name === "/map")!.offeredQos[0]!.durability).toBe("transient_local");
    });

    it(`${dir}: bag info prints like ros2 bag info`, async () => {
      const bag = await openBag(sharedData("bags", dir));
      const text = bagInfoText(bag.info, bag.problems);
      expect(text).toMatch(new RegExp(`^Files: +kestrel_topics_${storage === "mcap" ? "mcap_0.mcap" : "db3_0.db3"}$`, "m"));
      expect(text).toMatch(new RegExp(`^Storage id: +${storage}$`, "m"));
      expect(text).toMatch(/^ROS Distro: +jazzy$/m);
      expect(text).toMatch(/^Messages: +362$/m);
      expect(text).toMatch(/^Duration: +4\.90\d+s$/m);
      expect(text).toMatch(/^Start: .*\(1795991109\.27\d+\)$/m);
      expect(text).toMatch(/Topic: \/scan \| Type: sensor_msgs\/msg\/LaserScan \| Count: 50 \| Serialization Format: cdr/);
      expect(text).toMatch(/Topic: \/map \| Type: nav_msgs\/msg\/OccupancyGrid \| Count: 1 \| Serialization Format: cdr/);
      expect(text).toMatch(/^Bag size: +\d+(\.\d)? KiB$/m);
    });
  }

  it("type description hashes: Kestrel computes the RIHS01 hash Jazzy stored for every topic", async () => {
    const meta = parseMetadata(fs.readFileSync(sharedData("bags", "jazzy_kestrel_topics_mcap", "metadata.yaml"), "utf8"));
    expect(meta.topics).toHaveLength(10);
    for (const { topic } of meta.topics) expect(typeDescriptionHash(defaultRegistry(), topic.type)).toBe(topic.typeDescriptionHash);
  });

  it("metadata.yaml: parsing then writing reproduces Jazzy's file byte for byte", () => {
    for (const dir of ["jazzy_kestrel_topics_mcap", "jazzy_kestrel_topics_db3"]) {
      const text = fs.readFileSync(sharedData("bags", dir, "metadata.yaml"), "utf8");
      expect(metadataYaml(parseMetadata(text))).toBe(text);
    }
  });
});
