/**
 * The path part of observation layout kestrel-nav-v2 and the plan frame maths
 * (nodes/learner/policy/path-features.ts), as specifications.
 */
import {
  DEFAULT_LOOKAHEAD_M,
  invertTransform,
  lookupTransform,
  pathLookahead,
  projectOnPath,
  recordTransform,
  transformPoints,
  yawOfQuaternion,
  type TransformTable,
} from "../../../nodes/learner/policy/path-features";

const line = (pts: Array<[number, number]>) => ({ xs: pts.map((p) => p[0]), ys: pts.map((p) => p[1]), length: pts.length });

function lookahead(path: ReturnType<typeof line>, pose: { x: number; y: number; theta: number }, d: readonly number[] = DEFAULT_LOOKAHEAD_M): number[] {
  const out = new Array<number>(2 * d.length).fill(NaN);
  pathLookahead(path, pose, d, out);
  return out;
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 9));
}

describe("projectOnPath", () => {
  it("projects onto the nearest segment, between its vertices", () => {
    const p = projectOnPath(line([[0, 0], [2, 0], [2, 2]]), 1.2, 0.3);
    expect(p.index).toBe(0);
    expect(p.t).toBeCloseTo(0.6, 12);
    expect([p.x, p.y, p.distance]).toEqual([1.2, 0, 0.3]);
  });

  it("clamps to the path's start and end", () => {
    expect(projectOnPath(line([[0, 0], [1, 0]]), -1, 0)).toMatchObject({ index: 0, t: 0, x: 0, y: 0, distance: 1 });
    expect(projectOnPath(line([[0, 0], [1, 0]]), 3, 0)).toMatchObject({ index: 0, t: 1, x: 1, y: 0, distance: 2 });
  });

  it("takes the earlier pass where the path passes a point twice", () => {
    const p = projectOnPath(line([[0, 0], [2, 0], [2, 1], [0, 1]]), 1, 0.5);
    expect(p.index).toBe(0);
  });

  it("projects onto a one-point path and refuses an empty one", () => {
    expect(projectOnPath(line([[3, 4]]), 0, 0)).toMatchObject({ x: 3, y: 4, distance: 5 });
    expect(() => projectOnPath(line([]), 0, 0)).toThrow(/empty path/);
  });
});

describe("pathLookahead", () => {
  it("gives points at the arc lengths ahead of the nearest point, in the robot frame", () => {
    // A straight path along +x; the robot on it at x = 1 facing +x.
    expectClose(lookahead(line([[0, 0], [10, 0]]), { x: 1, y: 0, theta: 0 }), [0.4, 0, 0.8, 0, 1.6, 0, 2.4, 0]);
  });

  it("measures from the robot's projection, not from the path's first point", () => {
    // The robot 0.5 m left of the path: the points are ahead along it, to the robot's right.
    expectClose(lookahead(line([[0, 0], [10, 0]]), { x: 3, y: 0.5, theta: 0 }, [1]), [1, -0.5]);
  });

  it("rotates into the robot's heading (x forward, y left)", () => {
    // Facing +y (θ = π/2), a point 1 m further along +x is to the robot's right.
    expectClose(lookahead(line([[0, 0], [10, 0]]), { x: 0, y: 0, theta: Math.PI / 2 }, [1]), [0, -1]);
  });

  it("follows the path around a corner by arc length", () => {
    // Up x to (1, 0), then up y: 1.5 m of arc from the origin is (1, 0.5).
    expectClose(lookahead(line([[0, 0], [1, 0], [1, 5]]), { x: 0, y: 0, theta: 0 }, [0.5, 1.5]), [0.5, 0, 1, 0.5]);
  });

  it("does not depend on how densely the path is sampled", () => {
    const coarse = line([[0, 0], [4, 0], [4, 4]]);
    const fine = line([...Array.from({ length: 80 }, (_, i) => [i * 0.05, 0] as [number, number]), ...Array.from({ length: 81 }, (_, i) => [4, i * 0.05] as [number, number])]);
    const pose = { x: 3.3, y: 0.1, theta: 0.3 };
    const a = lookahead(coarse, pose);
    const b = lookahead(fine, pose);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 9));
  });

  it("gives the path's end for points beyond it (the goal)", () => {
    expectClose(lookahead(line([[0, 0], [1, 0]]), { x: 0.5, y: 0, theta: 0 }), [0.4, 0, 0.5, 0, 0.5, 0, 0.5, 0]);
    expectClose(lookahead(line([[2, 1]]), { x: 0, y: 0, theta: 0 }, [0.4, 0.8]), [2, 1, 2, 1]);
  });

  it("writes at the offset and nowhere else", () => {
    const out = new Float32Array(6).fill(-7);
    pathLookahead(line([[0, 0], [5, 0]]), { x: 0, y: 0, theta: 0 }, [1, 2], out, 1);
    expect(Array.from(out)).toEqual([-7, 1, 0, 2, 0, -7]);
  });
});

describe("planar transforms of a plan", () => {
  it("moves points from a child frame into its parent", () => {
    const moved = transformPoints(line([[1, 0], [0, 1]]), { x: 2, y: 3, yaw: Math.PI / 2 });
    expectClose([moved.xs[0]!, moved.ys[0]!, moved.xs[1]!, moved.ys[1]!], [2, 4, 1, 3]);
  });

  it("inverts a transform: T⁻¹(T(p)) = p", () => {
    const t = { x: 1.5, y: -0.7, yaw: 0.9 };
    const there = transformPoints(line([[0.3, 2.2]]), t);
    const back = transformPoints(there, invertTransform(t));
    expectClose([back.xs[0]!, back.ys[0]!], [0.3, 2.2]);
  });

  it("reads yaw from a z-rotation quaternion", () => {
    expect(yawOfQuaternion({ x: 0, y: 0, z: Math.sin(0.4), w: Math.cos(0.4) })).toBeCloseTo(0.8, 12);
  });

  it("brings a map-frame plan into odom through a recorded map -> odom transform", () => {
    // The sim latches map -> odom at the spawn pose: odom's origin at (2, 1) in map, rotated 90°.
    const table: TransformTable = new Map();
    recordTransform(table, {
      header: { frame_id: "map" },
      child_frame_id: "odom",
      transform: { translation: { x: 2, y: 1 }, rotation: { x: 0, y: 0, z: Math.sin(Math.PI / 4), w: Math.cos(Math.PI / 4) } },
    });
    const t = lookupTransform(table, "odom", "map")!;
    // The map point (2, 2) is 1 m along map +y from odom's origin: odom's +x.
    const p = transformPoints(line([[2, 2]]), t);
    expectClose([p.xs[0]!, p.ys[0]!], [1, 0]);
    // And the other way round through the same edge.
    const q = transformPoints(line([[1, 0]]), lookupTransform(table, "map", "odom")!);
    expectClose([q.xs[0]!, q.ys[0]!], [2, 2]);
  });

  it("is the identity for the same frame or an unnamed one, and undefined when nothing connects them", () => {
    const table: TransformTable = new Map();
    expect(lookupTransform(table, "odom", "/odom")).toEqual({ x: 0, y: 0, yaw: 0 });
    expect(lookupTransform(table, "odom", "")).toEqual({ x: 0, y: 0, yaw: 0 });
    expect(lookupTransform(table, "odom", "map")).toBeUndefined();
  });
});
