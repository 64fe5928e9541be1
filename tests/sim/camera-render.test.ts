/**
 * The renderer and its ground truth, against geometry computed by hand from the pinhole model.
 *
 * Camera: TURTLEBOT3_LIKE (320x240, fx = fy = 265.235, cx = 160, cy = 120), mounted 0.06 m ahead
 * of base_link at 0.15 m; with the robot at the origin facing +x the optical centre is at
 * (0.06, 0, 0.15). A pixel (i, j) belongs to a surface when its centre (i + 0.5, j + 0.5) does, so
 * a surface spanning u in [uA, uB) covers columns ceil(uA - 0.5) .. ceil(uB - 0.5) - 1.
 */
import { compileScene } from "../../sim/geometry/scene";
import { TURTLEBOT3_LIKE } from "../../sim/robot/spec";
import {
  CameraRenderer,
  boxesFromOwnerIds,
  createRenderTarget,
  intrinsicsFromSpec,
  projectPoint,
  render,
  resolveRenderOptions,
  toGroundTruthBoxMsg,
  BoxAccumulator,
  type CameraFrame,
} from "../../sim/camera";
import { BLUE, GREEN, RED, box, boxObject, cylinderObject, officeWorld, openWorld } from "./camera-worlds";

const FX = 265.2349695; // 160 / tan(1.085595 / 2)
const CAM_X = 0.06; // optical centre x with the robot at the origin
const CAM_Z = 0.15; // optical centre height
const ORIGIN = { x: 0, y: 0, yaw: 0 };
const NO_FOG = { fogDistanceM: Infinity };

function firstCell(a: number): number {
  return Math.ceil(a - 0.5);
}
function endCell(b: number): number {
  return Math.ceil(b - 0.5);
}
function boxOf(frame: CameraFrame, name: string) {
  return frame.boxes.find((b) => b.name === name);
}
function pixel(frame: CameraFrame, i: number, j: number): [number, number, number] {
  const q = (j * frame.width + i) * 3;
  return [frame.image[q]!, frame.image[q + 1]!, frame.image[q + 2]!];
}
function owner(frame: CameraFrame, i: number, j: number): number {
  return frame.ownerIds[j * frame.width + i]!;
}

describe("a single box straight ahead", () => {
  // A 0.2 m deep, 0.2 m wide, 0.5 m tall red box whose front face is 2.0 m ahead of the optical
  // centre: centre x = 0.06 + 2.0 + 0.1 = 2.16.
  //   u edges: half-width 0.1 m at depth 2.0: 160 -/+ FX * 0.1 / 2.0 = 160 -/+ 13.26 = 146.74 .. 173.26
  //   -> columns 147 .. 172 (xMin 147, xMax 173).
  //   v edges: top 120 - FX * (0.5 - 0.15) / 2 = 73.58, bottom 120 + FX * 0.15 / 2 = 139.89
  //   -> rows 74 .. 139 (yMin 74, yMax 140).
  const world = openWorld([boxObject("crate", "box", 2.16, 0, 0.2, 0.2, 0.5, RED)]);
  const cam = new CameraRenderer(world, { render: NO_FOG });
  const frame = cam.render(ORIGIN);

  it("lands in the hand-computed columns and rows", () => {
    const uA = 160 - (FX * 0.1) / 2;
    const uB = 160 + (FX * 0.1) / 2;
    const vA = 120 - (FX * (0.5 - CAM_Z)) / 2;
    const vB = 120 + (FX * CAM_Z) / 2;
    expect(uA).toBeCloseTo(146.74, 2);
    expect(vA).toBeCloseTo(73.58, 2);
    expect(vB).toBeCloseTo(139.89, 2);
    const crate = 0; // the only owner
    // Every pixel inside the expected rectangle (1 px margin) is the crate; every pixel 1 px outside is not.
    for (let i = firstCell(uA) + 1; i < endCell(uB) - 1; i++) {
      for (let j = firstCell(vA) + 1; j < endCell(vB) - 1; j++) expect(owner(frame, i, j)).toBe(crate);
    }
    for (let j = 0; j < 240; j++) {
      expect(owner(frame, firstCell(uA) - 2, j)).toBe(-1);
      expect(owner(frame, endCell(uB) + 1, j)).toBe(-1);
    }
    for (let i = 0; i < 320; i++) {
      expect(owner(frame, i, firstCell(vA) - 2)).toBe(-1);
      expect(owner(frame, i, endCell(vB) + 1)).toBe(-1);
    }
  });

  it("has the matching ground-truth box", () => {
    expect(frame.boxes).toHaveLength(1);
    const b = frame.boxes[0]!;
    expect(b.name).toBe("crate");
    expect(b.className).toBe("box");
    // Hand numbers: columns 147..172, rows 74..139 (edges [147, 173) x [74, 140)), +-1 px.
    expect(Math.abs(b.xMin - 147)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.xMax - 173)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.yMin - 74)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.yMax - 140)).toBeLessThanOrEqual(1);
    // With the exact pixel-centre rule they are exact.
    expect([b.xMin, b.yMin, b.xMax, b.yMax]).toEqual([147, 74, 173, 140]);
    // vision_msgs form: centre and size.
    expect(b.sizeX).toBe(26);
    expect(b.sizeY).toBe(66);
    expect(b.centerX).toBe(160);
    expect(b.centerY).toBe(107);
    expect(b.pixelCount).toBe(26 * 66);
    expect(b.visibleFraction).toBe(1);
    // Optical centre (0.06, 0, 0.15) to object centre (2.16, 0, 0.25).
    expect(b.distanceM).toBeCloseTo(Math.hypot(2.1, 0.1), 9);
    const msg = toGroundTruthBoxMsg(b, 3);
    expect(msg).toEqual({
      class_name: "box",
      class_id: 3,
      bbox: { center: { position: { x: 160, y: 107 }, theta: 0 }, size_x: 26, size_y: 66 },
      distance_m: b.distanceM,
    });
  });

  it("agrees with projectPoint at the face corners", () => {
    const k = cam.intrinsics;
    const p = frame.cameraPose;
    const tl = projectPoint(p, k, 2.06, 0.1, 0.5); // top-left corner of the front face (left = +y)
    const br = projectPoint(p, k, 2.06, -0.1, 0);
    const b = frame.boxes[0]!;
    expect(Math.abs(b.xMin - tl.u)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.yMin - tl.v)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.xMax - br.u)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.yMax - br.v)).toBeLessThanOrEqual(1);
    expect(tl.depth).toBeCloseTo(2, 12);
  });

  it("writes the face depth and marks the rest floor or sky", () => {
    expect(frame.depth[100 * 320 + 160]).toBeCloseTo(2, 5);
    expect(frame.depth[10 * 320 + 10]).toBe(Infinity); // sky
    // Floor row 200: depth fy * camZ / (200.5 - 120).
    expect(frame.depth[200 * 320 + 5]).toBeCloseTo((FX * CAM_Z) / 80.5, 4);
    expect(owner(frame, 5, 200)).toBe(-1);
  });

  it("sees objects to the left (+y) in the left half of the image", () => {
    const left = new CameraRenderer(openWorld([boxObject("l", "box", 2.16, 0.5, 0.2, 0.2, 0.5, RED)]));
    const b = left.render(ORIGIN).boxes[0]!;
    // Front face (depth 2.0, y 0.4 .. 0.6): u from 160 - FX * 0.6 / 2.0 = 80.43 to 160 - FX * 0.4 / 2.0 = 106.95;
    // the side facing the axis (y = 0.4, depth 2.0 .. 2.2) shows too, out to 160 - FX * 0.4 / 2.2 = 111.78.
    expect(b.centerX).toBeLessThan(160);
    expect(Math.abs(b.xMin - 80)).toBeLessThanOrEqual(1);
    expect(Math.abs(b.xMax - 112)).toBeLessThanOrEqual(1);
  });

  it("renders the same box the same from any heading", () => {
    // The crate rotated with the whole scene by 90 deg: robot facing +y, crate at (0, 2.16) rotated.
    const turned = new CameraRenderer(openWorld([boxObject("crate", "box", 0, 2.16, 0.2, 0.2, 0.5, RED, Math.PI / 2)]), {
      render: NO_FOG,
    });
    const t = turned.render({ x: 0, y: 0, yaw: Math.PI / 2 });
    const b = t.boxes[0]!;
    expect([b.xMin, b.yMin, b.xMax, b.yMax]).toEqual([147, 74, 173, 140]);
  });
});

describe("shading", () => {
  // Light from behind the camera and above: direction (-1, 0, 2)/sqrt(5). A face looking at the
  // camera has normal (-1, 0, 0): n.l = 1/sqrt(5) = 0.4472, intensity 0.42 + 0.58 * 0.4472 = 0.6794;
  // a top face: n.l = 2/sqrt(5) = 0.8944, intensity 0.42 + 0.58 * 0.8944 = 0.9388.
  const opts = { ...NO_FOG, lightDirection: { x: -1, y: 0, z: 2 }, ambient: 0.42, diffuse: 0.58 };

  it("colours a face-on pixel with the object's colour times its Lambert intensity", () => {
    const f = new CameraRenderer(openWorld([boxObject("crate", "box", 2.16, 0, 0.2, 0.2, 0.5, RED)]), { render: opts }).render(ORIGIN);
    expect(pixel(f, 160, 100)).toEqual([173, 0, 0]); // 255 * 0.6794 = 173.2
  });

  it("shows the top of a box lower than the camera as its top face", () => {
    // A 0.1 m tall green box from 1.0 m to 1.5 m ahead of the optical centre (x 1.06 .. 1.56).
    // Front face rows: v from 120 + FX * 0.05 / 1.0 = 133.26 to 120 + FX * 0.15 / 1.0 = 159.79 -> rows 133..159.
    // Top face rows: v from 120 + FX * 0.05 / 1.5 = 128.84 to 133.26 -> rows 129..132.
    const f = new CameraRenderer(openWorld([boxObject("step", "step", 1.31, 0, 0.5, 0.4, 0.1, GREEN)]), { render: opts }).render(
      ORIGIN,
    );
    expect(owner(f, 160, 128)).toBe(-1);
    for (let j = 129; j <= 132; j++) {
      expect(owner(f, 160, j)).toBe(0);
      expect(pixel(f, 160, j)).toEqual([0, 239, 0]); // 255 * 0.9388 = 239.4
      // Depth of the top face along this row: fy * (camZ - 0.1) / (v - cy), between 1.0 and 1.5.
      expect(f.depth[j * 320 + 160]).toBeCloseTo((FX * 0.05) / (j + 0.5 - 120), 4);
    }
    for (let j = 133; j <= 159; j++) {
      expect(owner(f, 160, j)).toBe(0);
      expect(pixel(f, 160, j)).toEqual([0, 173, 0]);
    }
    expect(owner(f, 160, 160)).toBe(-1);
    const b = f.boxes[0]!;
    expect([b.yMin, b.yMax]).toEqual([129, 160]);
  });

  it("shades a cylinder across its width so it reads as round", () => {
    // Light from the camera's right: faces turned right are brighter.
    const f = new CameraRenderer(openWorld([cylinderObject("drum", "barrel", 2.5, 0, 0.4, 1, BLUE)]), {
      render: { ...NO_FOG, lightDirection: { x: -0.3, y: -1, z: 0.2 } },
    }).render(ORIGIN);
    const b = f.boxes[0]!;
    const row = 100;
    const blues: number[] = [];
    for (let i = b.xMin; i < b.xMax; i++) blues.push(pixel(f, i, row)[2]);
    expect(new Set(blues).size).toBeGreaterThan(10);
    // Brightness rises towards the right-hand (lit) side.
    expect(blues[blues.length - 2]!).toBeGreaterThan(blues[1]!);
  });

  it("fades distant surfaces towards the fog colour", () => {
    const near = new CameraRenderer(openWorld([boxObject("a", "box", 2, 0, 0.2, 0.2, 1, RED)])).render(ORIGIN);
    const nearRed = pixel(near, 160, 110);
    const far = new CameraRenderer(openWorld([boxObject("a", "box", 15, 0, 0.2, 0.2, 1, RED)])).render(ORIGIN);
    const farRed = pixel(far, 160, 119);
    expect(owner(far, 160, 119)).toBe(0);
    // Default fog: colour (0.8, 0.86, 0.92), e-folding 40 m.
    const fog = [0.8 * 255, 0.86 * 255, 0.92 * 255];
    const dist = (c: number[]): number => Math.hypot(c[0]! - fog[0]!, c[1]! - fog[1]!, c[2]! - fog[2]!);
    expect(dist(farRed)).toBeLessThan(dist(nearRed) * 0.8);
    // Same face, same light: the far pixel is keep * near_unfogged + (1 - keep) * fog, keep = exp(-14.94 / 40).
    const keep = Math.exp(-(15 - 0.1 - CAM_X) / 40);
    const unfogged = 255 * 0.42; // the face looks away from the default light: ambient only
    expect(farRed[0]).toBeCloseTo(keep * unfogged + (1 - keep) * fog[0]!, -0.5);
  });
});

describe("occlusion", () => {
  // Near: a wide 0.3 m tall wall-like box, front face 1.5 m ahead (x 1.56 .. 1.76), 1.0 m wide.
  //   Its top edge: v = 120 - FX * (0.3 - 0.15) / 1.5 = 93.48 -> it covers rows 93 and below.
  // Far: a 1.5 m tall box, front face 4.0 m ahead (x 4.06), 0.6 m wide.
  //   Unoccluded: columns 160 -/+ FX * 0.3 / 4 = 140.11 .. 179.89 -> 140..179;
  //   rows from 120 - FX * 1.35 / 4 = 30.48 to 120 + FX * 0.15 / 4 = 129.95 -> 30..129.
  //   Visible: rows 30..92 only (the near box hides the rest): 63 of 100 rows.
  // Hidden: a 0.2 m ball-sized box 2.5 m ahead, all of it below the near box's top edge.
  const world = openWorld(
    [
      boxObject("near", "bench", 1.66, 0, 0.2, 1.0, 0.3, GREEN),
      boxObject("far", "person", 4.16, 0, 0.2, 0.6, 1.5, RED),
      boxObject("hidden", "sports ball", 2.66, 0, 0.2, 0.2, 0.2, BLUE),
    ],
    [box("backdrop_wall", 8, 0, 0.2, 10, 2.5, { r: 0.8, g: 0.8, b: 0.8 })],
  );
  const frame = new CameraRenderer(world).render(ORIGIN);

  it("clips the far object's box to its visible part", () => {
    const far = boxOf(frame, "far")!;
    expect([far.xMin, far.xMax]).toEqual([140, 180]);
    expect(far.yMin).toBe(30);
    expect(far.yMax).toBe(93); // not 130: rows 93..129 are the near box
    expect(far.pixelCount).toBe(40 * 63);
    expect(far.visibleFraction).toBeCloseTo(0.63, 9);
  });

  it("gives the near object its full box", () => {
    const near = boxOf(frame, "near")!;
    // columns 160 -/+ FX * 0.5 / 1.5 = 71.59 .. 248.41 -> 72..247; rows 93 .. (120 + FX*0.15/1.5 = 146.52) -> 146
    expect([near.xMin, near.yMin, near.xMax, near.yMax]).toEqual([72, 93, 248, 147]);
    expect(near.visibleFraction).toBe(1);
  });

  it("gives a fully hidden object no box", () => {
    expect(boxOf(frame, "hidden")).toBeUndefined();
    expect(Array.from(frame.ownerIds)).not.toContain(3); // owners: wall 0, near 1, far 2, hidden 3
  });

  it("hides what is behind a wall taller than everything", () => {
    const w = openWorld([boxObject("behind", "person", 5, 0, 0.3, 0.3, 1.7, RED)], [box("wall", 3, 0, 0.1, 6, 2.5, BLUE)]);
    expect(new CameraRenderer(w).render(ORIGIN).boxes).toEqual([]);
  });

  it("drops objects with fewer visible pixels than minBoxPixels", () => {
    const few = new CameraRenderer(world, { render: { minBoxPixels: 5000 } }).render(ORIGIN);
    expect(few.boxes.map((b) => b.name)).toEqual(["near"]); // near: 176 x 54 px; far: 2520 px
  });
});

describe("ground truth from the owner-id buffer", () => {
  it("matches a plain scan of the owner ids in a cluttered office, from many poses", () => {
    const world = officeWorld();
    const cam = new CameraRenderer(world, { render: { minBoxPixels: 1 } });
    let seen = 0;
    for (let n = 0; n < 40; n++) {
      const pose = { x: 0.8 + ((n * 1.37) % 12.4), y: 0.6 + ((n * 0.91) % 8.6), yaw: n * 0.77 };
      const f = cam.render(pose);
      const ref = boxesFromOwnerIds(f.ownerIds, f.width, f.height, cam.scene.owners, 1);
      const got = f.boxes.map((b) => [b.owner, b.xMin, b.yMin, b.xMax, b.yMax, b.pixelCount]);
      expect(got).toEqual(ref.map((b) => [b.owner, b.xMin, b.yMin, b.xMax, b.yMax, b.pixelCount]));
      for (const b of f.boxes) {
        expect(b.visibleFraction).toBeGreaterThan(0);
        expect(b.visibleFraction).toBeLessThanOrEqual(1);
        expect(b.silhouettePixels).toBeGreaterThanOrEqual(b.pixelCount);
        expect(b.className).not.toBe("");
      }
      seen += f.boxes.length;
    }
    expect(seen).toBeGreaterThan(20);
  });
});

describe("determinism and robustness", () => {
  it("renders identical frames for identical poses, whatever came before", () => {
    const world = officeWorld();
    const a = new CameraRenderer(world);
    const b = new CameraRenderer(officeWorld());
    const pose = world.spawns[0]!;
    const f1 = a.render(pose);
    const first = Uint8Array.from(f1.image);
    const firstIds = Int32Array.from(f1.ownerIds);
    const firstBoxes = JSON.stringify(f1.boxes);
    a.render({ x: 7, y: 3, yaw: 2 });
    const f2 = a.render(pose);
    expect(Buffer.compare(Buffer.from(f2.image), Buffer.from(first))).toBe(0);
    expect(Buffer.compare(Buffer.from(f2.ownerIds.buffer), Buffer.from(firstIds.buffer))).toBe(0);
    expect(JSON.stringify(f2.boxes)).toBe(firstBoxes);
    expect(Buffer.compare(Buffer.from(b.render(pose).image), Buffer.from(first))).toBe(0);
  });

  it("copes with a camera inside a solid and with a short max range", () => {
    const world = openWorld([boxObject("crate", "box", 3, 0, 0.4, 0.4, 0.5, RED)], [box("room", 0, 0, 2, 2, 1, GREEN)]);
    const inside = new CameraRenderer(world).render(ORIGIN); // back faces of the room are not drawn
    expect(boxOf(inside, "crate")).toBeDefined();
    const short = new CameraRenderer(world, { render: { maxRangeM: 2 } }).render(ORIGIN);
    expect(boxOf(short, "crate")).toBeUndefined();
    expect(short.image.every((v) => v >= 0)).toBe(true);
  });

  it("renders through the plain function with an explicit target", () => {
    const world = openWorld([boxObject("crate", "box", 2.16, 0, 0.2, 0.2, 0.5, RED)]);
    const scene = compileScene(world);
    const k = intrinsicsFromSpec(TURTLEBOT3_LIKE.camera);
    const target = createRenderTarget(k.width, k.height);
    const acc = new BoxAccumulator(scene.owners);
    render(scene, { x: CAM_X, y: 0, z: CAM_Z, yaw: 0 }, k, resolveRenderOptions({ floorColor: world.floorColor }), target, acc);
    const b = acc.collect(1)[0]!;
    expect([b.xMin, b.yMin, b.xMax, b.yMax]).toEqual([147, 74, 173, 140]);
    expect(() => render(scene, { x: 0, y: 0, z: 0.15, yaw: 0 }, { ...k, width: 10 }, resolveRenderOptions(), target)).toThrow(/320x240/);
  });
});
