import { MessageDecodeError, MessageTypeError, deserialize, serialize } from "../../msgs";

const header = { stamp: { sec: 1, nanosec: 2 }, frame_id: "map" };
const twist = { linear: { x: 0.5, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.3 } };
// Partial messages are legal at run time (defaults) but not in the generated types: go untyped.
const loose = (type: string, message: object): Uint8Array => serialize(type, message);

function typeError(type: string, message: unknown): MessageTypeError {
  try {
    serialize(type, message);
  } catch (err) {
    if (err instanceof MessageTypeError) return err;
    throw err;
  }
  throw new Error("serialize did not throw");
}

describe("serialize", () => {
  // [case, type, message, path, expected (substring), found (substring)]
  const cases: Array<[string, string, unknown, string, string, string]> = [
    ["a string where float64 is expected", "geometry_msgs/msg/Twist", { ...twist, linear: { x: "fast", y: 0, z: 0 } }, "linear.x", "float64 (number)", 'string "fast"'],
    ["a missing nested message", "geometry_msgs/msg/Twist", { linear: twist.linear }, "angular", "geometry_msgs/msg/Vector3 (object)", "undefined"],
    ["a null nested message", "geometry_msgs/msg/TwistStamped", { header: null, twist }, "header", "std_msgs/msg/Header (object)", "null"],
    ["an array where a scalar is expected", "std_msgs/msg/Float64", { data: [1, 2] }, "data", "float64 (number)", "array(2)"],
    ["a uint8 out of range", "sensor_msgs/msg/Image", { header, height: 1, width: 1, encoding: "mono8", is_bigendian: 300, step: 1, data: [0] }, "is_bigendian", "uint8 (integer 0..255)", "number 300"],
    ["a non-integer int32", "std_msgs/msg/Int32", { data: 1.5 }, "data", "int32", "number 1.5"],
    ["a number where bool is expected", "std_msgs/msg/Bool", { data: 1 }, "data", "bool (boolean)", "number 1"],
    ["a negative uint32 stamp", "std_msgs/msg/Header", { stamp: { sec: 1, nanosec: -1 }, frame_id: "" }, "stamp.nanosec", "uint32", "number -1"],
    ["a scalar where an array is expected", "sensor_msgs/msg/LaserScan", { header, ranges: 1.0 }, "ranges", "float32[] (Float32Array or number array)", "number 1"],
    ["a bad array element", "nav_msgs/msg/Path", { header, poses: [{ header, pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: "1" } } }] }, "poses[0].pose.orientation.w", "float64", 'string "1"'],
    ["a fixed-size array of the wrong length", "geometry_msgs/msg/PoseWithCovariance", { pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }, covariance: new Float64Array(9) }, "covariance", "float64[36] (exactly 36 elements)", "Float64Array(9)"],
    ["a bigint where uint8 is expected", "std_msgs/msg/UInt8", { data: 1n }, "data", "uint8", "bigint 1n"],
    ["a string array holding a number", "sensor_msgs/msg/JointState", { header, name: ["a", 2] }, "name[1]", "string", "number 2"],
    ["a message that is not an object", "std_msgs/msg/String", "hello", "", "std_msgs/msg/String (object)", 'string "hello"'],
  ];

  it.each(cases)("rejects %s", (_case, type, message, path, expected, found) => {
    const err = typeError(type, message);
    expect(err.type).toBe(type);
    expect(err.path).toBe(path);
    expect(err.expected).toContain(expected);
    expect(err.message).toContain(path === "" ? `${type}: expected` : `${type}.${path}: expected`);
    expect(err.message).toContain(found);
  });

  it("accepts NaN and infinities for floats", () => {
    expect(() => serialize("geometry_msgs/msg/Twist", { linear: { x: NaN, y: Infinity, z: -Infinity }, angular: twist.angular })).not.toThrow();
  });

  it("defaults missing primitive, string and array fields to zero / empty, as rclnodejs does", () => {
    const explicit = serialize("sensor_msgs/msg/LaserScan", {
      header, angle_min: 0, angle_max: 0, angle_increment: 0, time_increment: 0, scan_time: 0,
      range_min: 0, range_max: 0, ranges: new Float32Array(0), intensities: new Float32Array(0),
    });
    expect(loose("sensor_msgs/msg/LaserScan", { header })).toEqual(explicit);
    expect(deserialize("geometry_msgs/msg/Vector3", loose("geometry_msgs/msg/Vector3", {}))).toEqual({ x: 0, y: 0, z: 0 });
    const cov = deserialize("geometry_msgs/msg/PoseWithCovariance", loose("geometry_msgs/msg/PoseWithCovariance", {
      pose: { position: {}, orientation: { w: 1 } },
    }));
    expect(cov.covariance).toEqual(new Float64Array(36));
  });

  it("accepts int64 as bigint or safe integer", () => {
    const bytes = loose("std_msgs/msg/Int64", { data: -5 });
    expect(deserialize("std_msgs/msg/Int64", bytes)).toEqual({ data: -5n });
    expect(serialize("std_msgs/msg/Int64", { data: -5n })).toEqual(bytes);
  });
});

describe("deserialize", () => {
  const scan = loose("sensor_msgs/msg/LaserScan", { header, ranges: new Float32Array([1, 2, 3]) });
  const odd = Buffer.from(scan);
  // [case, type, bytes, offset, reason (substring)]
  const cases: Array<[string, string, Uint8Array, number, string]> = [
    ["empty bytes", "std_msgs/msg/String", new Uint8Array(0), 0, "shorter than the 4-byte CDR header"],
    ["a bad encapsulation header", "std_msgs/msg/String", Uint8Array.from([0x00, 0x07, 0, 0, 1, 0, 0, 0, 0]), 0, "unsupported encapsulation 0x0007"],
    ["a truncated float", "geometry_msgs/msg/Twist", serialize("geometry_msgs/msg/Twist", twist).subarray(0, 30), 28, "truncated"],
    ["a string longer than the bytes", "std_msgs/msg/String", Uint8Array.from([0, 1, 0, 0, 0xff, 0, 0, 0, 0x41, 0]), 8, "string of 255 bytes"],
    ["a huge sequence length", "sensor_msgs/msg/LaserScan", withUint32(odd, scan.byteLength - 20, 0xfffffff0), scan.byteLength - 16, "sequence length"],
    ["a truncated array inside a bigger buffer", "sensor_msgs/msg/LaserScan", Buffer.concat([scan, Buffer.alloc(64)]).subarray(0, scan.byteLength - 6), scan.byteLength - 16, "truncated"],
  ];

  it.each(cases)("rejects %s with the type and byte offset", (_case, type, bytes, offset, reason) => {
    let error: unknown;
    try {
      deserialize(type, bytes);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MessageDecodeError);
    const err = error as MessageDecodeError;
    expect(err.type).toBe(type);
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(`cannot decode ${type}`);
    expect(err.message).toContain(reason);
    expect(err.message).toContain(`byte offset ${offset}`);
  });

  it("names the field being read", () => {
    expect(() => deserialize("geometry_msgs/msg/Twist", serialize("geometry_msgs/msg/Twist", twist).subarray(0, 30))).toThrow(/field angular\.x/);
  });

  it("never crashes on random garbage", () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 4 + Math.floor(random() * 120) }, () => Math.floor(random() * 256));
      bytes[0] = 0;
      bytes[1] = 1;
      try {
        deserialize("nav_msgs/msg/Odometry", bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(MessageDecodeError);
      }
    }
  });
});

function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(value, offset);
  return copy;
}
