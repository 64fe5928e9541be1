import * as fs from "fs";
import { MessageCodec, codecFor, defaultRegistry, deserialize, serialize } from "../../msgs";
import { sharedData } from "../support/shared-data";
import { shapeGolden } from "./golden-shape";

interface GoldenVector {
  name: string;
  type: string;
  message: Record<string, unknown>;
  cdr_hex: string;
}

const golden = JSON.parse(fs.readFileSync(sharedData("cdr", "ros2_jazzy_golden.json"), "utf8")) as { vectors: GoldenVector[] };
const vectors = golden.vectors.map((v) => [v.name, v] as const);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("CDR against ROS 2 Jazzy golden vectors", () => {
  it("has the 25 vectors", () => {
    expect(vectors).toHaveLength(25);
  });

  it.each(vectors)("decodes %s to its message", (_name, vector) => {
    const expected = shapeGolden(defaultRegistry(), vector.type, vector.message);
    const decoded = deserialize(vector.type, Buffer.from(vector.cdr_hex, "hex"));
    expect(decoded).toEqual(expected);
  });

  it.each(vectors)("encodes %s to exactly ROS 2's bytes", (_name, vector) => {
    const message = shapeGolden(defaultRegistry(), vector.type, vector.message);
    expect(hex(serialize(vector.type, message))).toBe(vector.cdr_hex);
  });

  it.each(vectors)("encodes %s from plain number arrays too", (_name, vector) => {
    // The golden JSON itself (number arrays, float NaN as strings aside) is valid input.
    const plain = JSON.parse(JSON.stringify(vector.message), (_k, v: unknown) =>
      v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v,
    ) as Record<string, unknown>;
    expect(hex(serialize(vector.type, plain))).toBe(vector.cdr_hex);
  });
});

describe("MessageCodec", () => {
  it("is cached per type and accepts both name forms", () => {
    expect(codecFor("geometry_msgs/msg/Twist")).toBe(codecFor("geometry_msgs/msg/Twist"));
    expect(codecFor("geometry_msgs/Twist").type).toBe("geometry_msgs/msg/Twist");
    expect(codecFor("geometry_msgs/Twist")).toBeInstanceOf(MessageCodec);
  });

  it("encodes non-ASCII strings by UTF-8 byte length", () => {
    const bytes = serialize("std_msgs/msg/String", { data: "é✓" });
    // length 6 = 2 + 3 bytes of UTF-8 + NUL
    expect(hex(bytes)).toBe("00010000" + "06000000" + "c3a9e29c9300");
    expect(deserialize("std_msgs/msg/String", bytes)).toEqual({ data: "é✓" });
  });

  it("round-trips every kestrel_msgs type with constants", () => {
    const status = {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: "base_link" },
      state: 2, reason: "scan stale for 0.6 s", speed_scale: 0, source: "scan",
    };
    expect(deserialize("kestrel_msgs/msg/SafetyStatus", serialize("kestrel_msgs/msg/SafetyStatus", status))).toEqual(status);
    const boxes = {
      header: { stamp: { sec: 3, nanosec: 4 }, frame_id: "camera_optical_frame" },
      boxes: [{ class_name: "chair", class_id: 56, bbox: { center: { position: { x: 10, y: 20 }, theta: 0 }, size_x: 5, size_y: 6 }, distance_m: 2.5 }],
    };
    expect(deserialize("kestrel_msgs/msg/GroundTruthBoxes", serialize("kestrel_msgs/msg/GroundTruthBoxes", boxes))).toEqual(boxes);
  });
});
