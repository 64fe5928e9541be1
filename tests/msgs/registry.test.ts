import {
  MessageRegistry, UnknownMessageTypeError, defaultRegistry, fullTypeName, listMessageTypes,
  schemaText, showMessageType, splitTypeName, typeKey,
} from "../../msgs";
import { kestrel_msgs, visualization_msgs } from "../../msgs/generated/types";

describe("type names", () => {
  it.each([
    ["geometry_msgs/msg/Twist", "geometry_msgs/Twist", "geometry_msgs/msg/Twist"],
    ["geometry_msgs/Twist", "geometry_msgs/Twist", "geometry_msgs/msg/Twist"],
  ])("normalises %s", (input, key, full) => {
    expect(typeKey(input)).toBe(key);
    expect(fullTypeName(input)).toBe(full);
  });

  it.each(["Twist", "geometry_msgs/srv/Twist", "a/b/c/d", ""])("rejects %j", (name) => {
    expect(splitTypeName(name)).toBeUndefined();
    expect(() => typeKey(name)).toThrow(/invalid message type name/);
  });
});

describe("defaultRegistry", () => {
  it.each([
    "std_msgs/msg/Header", "builtin_interfaces/msg/Time", "geometry_msgs/msg/Twist", "sensor_msgs/msg/LaserScan",
    "sensor_msgs/msg/Image", "sensor_msgs/msg/CameraInfo", "nav_msgs/msg/OccupancyGrid", "tf2_msgs/msg/TFMessage",
    "rosgraph_msgs/msg/Clock", "visualization_msgs/msg/MarkerArray", "rcl_interfaces/msg/Log",
    "vision_msgs/msg/Detection2DArray", "vision_msgs/msg/BoundingBox2DArray", "kestrel_msgs/msg/GroundTruthBoxes",
    "kestrel_msgs/msg/Contact", "kestrel_msgs/msg/SafetyStatus", "kestrel_msgs/msg/PlannerStatus",
  ])("knows %s", (type) => {
    expect(listMessageTypes()).toContain(type);
    expect(defaultRegistry().has(type)).toBe(true);
  });

  it("leaves out packages Kestrel does not use", () => {
    expect(listMessageTypes().some((t) => t.startsWith("action_msgs/") || t.startsWith("trajectory_msgs/"))).toBe(false);
  });

  it("rejects an unknown type and names a missing nested type", () => {
    expect(() => defaultRegistry().get("foo_msgs/msg/Bar")).toThrow(UnknownMessageTypeError);
    const registry = new MessageRegistry();
    registry.addMsgText("my_msgs/msg/A", "B inner\n");
    expect(() => registry.dependencies("my_msgs/A")).toThrow("unknown message type 'my_msgs/msg/B' (referenced by my_msgs/msg/A.inner)");
  });

  it("reports a .msg parse error with the type", () => {
    expect(() => new MessageRegistry().addMsgText("my_msgs/msg/A", "float64 x y z\n")).toThrow(/my_msgs\/msg\/A/);
  });
});

describe("showMessageType", () => {
  it("prints a .msg source with nested types expanded, like ros2 interface show", () => {
    const text = showMessageType("kestrel_msgs/msg/GroundTruthBox");
    expect(text).toContain("# Distance from the camera optical center to the object's center, in meters.\nfloat64 distance_m");
    expect(text).toContain("vision_msgs/BoundingBox2D bbox\n\t# A 2D bounding box");
    expect(text).toContain("\tvision_msgs/Pose2D center\n\t\t# Represents a 2D pose");
    expect(text).toContain("\t\t\tfloat64 x\n");
    expect(text.endsWith("float64 distance_m")).toBe(true);
  });

  it("rebuilds the text of a standard type from its fields", () => {
    expect(showMessageType("geometry_msgs/msg/Twist")).toBe(
      "Vector3 linear\n\tfloat64 x\n\tfloat64 y\n\tfloat64 z\nVector3 angular\n\tfloat64 x\n\tfloat64 y\n\tfloat64 z",
    );
    const header = showMessageType("std_msgs/Header");
    expect(header).toBe("builtin_interfaces/Time stamp\n\tint32 sec\n\tuint32 nanosec\nstring frame_id");
    expect(defaultRegistry().show("std_msgs/msg/Header")).toBe(header);
    expect(showMessageType("sensor_msgs/msg/CameraInfo")).toContain("float64[9] k\n");
    expect(showMessageType("visualization_msgs/msg/Marker")).toContain("int32 ARROW=0\n");
  });
});

describe("schemaText", () => {
  it("writes a ros2msg schema that parses back to the same definitions", () => {
    const registry = defaultRegistry();
    for (const type of ["vision_msgs/msg/Detection2DArray", "nav_msgs/msg/Odometry", "kestrel_msgs/msg/SafetyStatus"]) {
      const text = schemaText(registry, type);
      const reparsed = MessageRegistry.fromSchema(type, text);
      for (const dep of registry.dependencies(type)) expect(reparsed.get(dep.key).fields).toEqual(dep.fields);
    }
    expect(schemaText(registry, "std_msgs/msg/Header")).toBe(
      `builtin_interfaces/Time stamp\nstring frame_id\n${"=".repeat(80)}\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n`,
    );
  });
});

describe("generated types", () => {
  it("exposes constants as values on the message name", () => {
    expect(kestrel_msgs.msg.SafetyStatus).toEqual({ OK: 0, SLOWDOWN: 1, STOP: 2 });
    expect(kestrel_msgs.msg.PlannerStatus.NO_PATH).toBe(3);
    expect(visualization_msgs.msg.Marker.LINE_STRIP).toBe(4);
  });
});
