/**
 * CameraRenderer as the sim node and the training env use it: buffers reused frame after frame,
 * CameraInfo for its camera, the shipped office world rendered (and written to a PNG under /tmp
 * for a person to look at), and a speed sanity check.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inflateSync } from "zlib";
import { loadWorld } from "../../sim/world";
import { CameraRenderer, footprintCenter } from "../../sim/camera";
import { crc32, encodePngRgb8, writePngRgb8 } from "../support/png";
import { officeWorld } from "./camera-worlds";

const OFFICE_YAML = path.join(__dirname, "../../sim/worlds/office.yaml");

describe("CameraRenderer", () => {
  it("renders 100 frames into the same buffers", () => {
    const world = officeWorld();
    const cam = new CameraRenderer(world);
    const first = cam.render(world.spawns[0]!);
    const { image, ownerIds, depth, boxes } = first;
    expect(image).toBeInstanceOf(Uint8Array);
    expect(image.length).toBe(320 * 240 * 3);
    expect(ownerIds.length).toBe(320 * 240);
    for (let n = 0; n < 100; n++) {
      const f = cam.render({ x: 1 + (n % 12), y: 1 + (n % 8), yaw: n * 0.3 });
      expect(f).toBe(first);
      expect(f.image).toBe(image);
      expect(f.ownerIds).toBe(ownerIds);
      expect(f.depth).toBe(depth);
      expect(f.boxes).toBe(boxes);
    }
  });

  it("publishes CameraInfo in the spec's optical frame", () => {
    const cam = new CameraRenderer(officeWorld());
    const info = cam.cameraInfo({ sec: 3, nanosec: 0 });
    expect(info.header.frame_id).toBe("camera_optical_frame");
    expect(info.width).toBe(320);
    expect(info.k[0]).toBeCloseTo(265.235, 3);
  });

  it("uses the world's floor colour unless told otherwise", () => {
    const world = officeWorld();
    expect(new CameraRenderer(world).options.floorColor).toEqual(world.floorColor);
    const red = { r: 1, g: 0, b: 0 };
    expect(new CameraRenderer(world, { render: { floorColor: red } }).options.floorColor).toEqual(red);
  });

  it("knows object centres for distances (polygon centroid by area)", () => {
    const c = footprintCenter({
      kind: "polygon",
      points: [
        { x: 0, y: 0 },
        { x: 4, y: 0 },
        { x: 4, y: 2 },
        { x: 0, y: 2 },
      ],
    });
    expect(c).toEqual({ x: 2, y: 1 });
  });
});

describe("the shipped office world", () => {
  const world = loadWorld(OFFICE_YAML);
  const cam = new CameraRenderer(world);

  it("renders a room and the corridor with walls, floor, sky and labelled objects (PNGs under /tmp)", () => {
    // In the south-west room at (1.6, 3.2), facing south-east (yaw -0.9) towards chair_1 (red,
    // 3.6, 1.25) standing in front of desk_sw (brown, 3.6, 0.5); the room's walls fill the top.
    const room = cam.render({ x: 1.6, y: 3.2, yaw: -0.9 });
    writePngRgb8(path.join(os.tmpdir(), "kestrel-camera-office-room.png"), room.image, room.width, room.height);
    const chair = room.boxes.find((b) => b.name === "chair_1")!;
    expect(chair.className).toBe("chair");
    expect(chair.visibleFraction).toBe(1);
    expect(chair.distanceM).toBeGreaterThan(2);
    expect(chair.distanceM).toBeLessThan(3);
    const wallOwner = room.ownerIds[0]!; // top-left pixel: a 2.5 m wall, no sky this close
    expect(cam.scene.owners[wallOwner]!.className).toBeUndefined();
    expect(room.depth[239 * 320 + 5]).toBeLessThan(0.5); // bottom rows: floor just ahead
    expect(room.ownerIds[239 * 320 + 5]).toBe(-1);

    // Spawn 0: the west end of the corridor looking east along it (20 m): sky above the far walls.
    const corridor = cam.render(world.spawns[0]!);
    const out = path.join(os.tmpdir(), "kestrel-camera-office-corridor.png");
    writePngRgb8(out, corridor.image, corridor.width, corridor.height);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
    expect(corridor.depth[60 * 320 + 160]).toBe(Infinity); // sky down the corridor
    expect(new Set(corridor.ownerIds).size).toBeGreaterThan(4);
  });

  it("sees objects from every spawn pose somewhere around it", () => {
    let found = 0;
    for (const s of world.spawns) {
      for (let a = 0; a < 8; a++) found += cam.render({ x: s.x, y: s.y, yaw: s.yaw + (a * Math.PI) / 4 }).boxes.length;
    }
    expect(found).toBeGreaterThan(0);
  });

  it("renders quickly (sanity bound; bench/sim measures the real figure)", () => {
    const poses = Array.from({ length: 32 }, (_, i) => ({ x: 1 + ((i * 2.3) % 18), y: 0.8 + ((i * 1.7) % 10.4), yaw: i * 0.9 }));
    for (let i = 0; i < 50; i++) cam.render(poses[i % 32]!);
    const n = 300;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) cam.render(poses[i % 32]!);
    const fps = n / (Number(process.hrtime.bigint() - t0) / 1e9);
    // Plain node does >1000 frames/s here; under jest (vm context, coverage, a busy 2-core box)
    // only a loose bound is safe.
    expect(fps).toBeGreaterThan(30);
  });
});

describe("the PNG encoder (test support)", () => {
  it("writes a valid PNG that decodes back to the same pixels", () => {
    const w = 5;
    const h = 3;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) & 255);
    const png = encodePngRgb8(rgb, w, h);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Walk the chunks, check each CRC, collect IDAT.
    let off = 8;
    const idat: Buffer[] = [];
    const types: string[] = [];
    while (off < png.length) {
      const len = png.readUInt32BE(off);
      const type = png.toString("ascii", off + 4, off + 8);
      types.push(type);
      expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
      if (type === "IHDR") {
        expect(png.readUInt32BE(off + 8)).toBe(w);
        expect(png.readUInt32BE(off + 12)).toBe(h);
      }
      if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
      off += 12 + len;
    }
    expect(types).toEqual(["IHDR", "IDAT", "IEND"]);
    const raw = inflateSync(Buffer.concat(idat));
    for (let y = 0; y < h; y++) {
      expect(raw[y * (w * 3 + 1)]).toBe(0);
      expect(Array.from(raw.subarray(y * (w * 3 + 1) + 1, (y + 1) * (w * 3 + 1)))).toEqual(Array.from(rgb.subarray(y * w * 3, (y + 1) * w * 3)));
    }
    // The well-known CRC of "IEND".
    expect(crc32(Buffer.from("IEND", "ascii"))).toBe(0xae426082);
  });
});
