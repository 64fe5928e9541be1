/** TfBuffer: lookups across a REP-105 tree (map -> odom -> base_link -> laser) as tf2 answers them. */
import { quaternionFromYaw, transformPoint, yawFromQuaternion } from "../../ros/tf/math";
import { TfBuffer, TransformLookupError } from "../../ros/tf/buffer";

function edge(parent: string, child: string, x: number, y: number, yaw: number, sec = 1) {
  return {
    header: { stamp: { sec, nanosec: 0 }, frame_id: parent },
    child_frame_id: child,
    transform: { translation: { x, y, z: 0 }, rotation: quaternionFromYaw(yaw) },
  };
}

/** odom -> base_link: robot at (2, 1) facing +y; base_link -> laser: 0.1 m behind the centre. */
function tree(): TfBuffer {
  const tf = new TfBuffer();
  tf.add({ transforms: [edge("odom", "base_link", 2, 1, Math.PI / 2, 5)] }, false);
  tf.add({ transforms: [edge("base_link", "laser", -0.1, 0, 0)] }, true);
  tf.add({ transforms: [edge("map", "odom", 10, 0, 0, 4)] }, false);
  return tf;
}

describe("TfBuffer", () => {
  it("chains transforms from a child frame up to an ancestor", () => {
    const { transform, stamp } = tree().lookup("odom", "laser");
    const p = transformPoint(transform, { x: 1, y: 0, z: 0 }); // 1 m ahead of the laser
    expect(p.x).toBeCloseTo(2);
    expect(p.y).toBeCloseTo(1.9);
    expect(yawFromQuaternion(transform.rotation)).toBeCloseTo(Math.PI / 2);
    expect(stamp).toEqual({ sec: 5, nanosec: 0 });
  });

  it("goes down the tree as well (inverse)", () => {
    const p = transformPoint(tree().lookup("laser", "odom").transform, { x: 2, y: 1.9, z: 0 });
    expect(p.x).toBeCloseTo(1);
    expect(p.y).toBeCloseTo(0);
  });

  it("reports the oldest dynamic stamp along the chain", () => {
    expect(tree().lookup("map", "laser").stamp).toEqual({ sec: 4, nanosec: 0 });
  });

  it("accepts frame ids with a leading slash, as tf2 does", () => {
    expect(() => tree().lookup("/odom", "/base_link")).not.toThrow();
  });

  it("refuses frames that are not connected, listing the known ones", () => {
    expect(() => tree().lookup("odom", "camera_link")).toThrow(TransformLookupError);
    expect(() => tree().lookup("odom", "camera_link")).toThrow(/known frames: base_link, laser, map, odom/);
  });
});
