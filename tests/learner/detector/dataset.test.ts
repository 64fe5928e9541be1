import { buildDataset, classesOfWorlds, labelOf, loadShippedWorlds, renderFrames, renderWorldFrames, type SimFrame } from "../../../nodes/learner/detector/dataset";
import { CameraRenderer } from "../../../sim/camera";
import { circleCollides } from "../../../sim/geometry";

const worlds = loadShippedWorlds();
const classes = classesOfWorlds(worlds);

describe("detector dataset", () => {
  it("lists the detectable classes of the shipped worlds, sorted", () => {
    expect(worlds.map((w) => w.name)).toEqual(["cluttered", "office", "warehouse"]);
    expect(classes).toEqual(["bottle", "chair", "couch", "dining table", "person", "potted plant", "suitcase"]);
  });

  it("renders the same frames for the same seed and different ones for another seed", () => {
    const take = (seed: number): SimFrame[] => [...renderFrames(worlds[1]!, classes, seed, 4)];
    const a = take(11);
    const b = take(11);
    const c = take(12);
    expect(b.map((f) => f.pose)).toEqual(a.map((f) => f.pose));
    expect(b.map((f) => f.labels)).toEqual(a.map((f) => f.labels));
    a.forEach((f, i) => expect(Buffer.compare(Buffer.from(f.image), Buffer.from(b[i]!.image))).toBe(0));
    expect(c.map((f) => f.pose)).not.toEqual(a.map((f) => f.pose));
  });

  it("samples free poses and labels boxes from the camera's ground truth", () => {
    const world = worlds[0]!;
    const renderer = new CameraRenderer(world);
    let boxes = 0;
    for (const f of renderFrames(world, classes, 3, 20)) {
      expect(circleCollides(renderer.scene, f.pose.x, f.pose.y, 0.2)).toBe(-1);
      expect(f.image.length).toBe(320 * 240 * 3);
      const truth = renderer.render(f.pose).boxes;
      expect(f.labels).toEqual(truth.map((b) => labelOf(b, classes)));
      for (const l of f.labels) {
        expect(l.x1).toBeGreaterThanOrEqual(0);
        expect(l.x2).toBeLessThanOrEqual(320);
        expect(l.y2).toBeLessThanOrEqual(240);
        expect(l.x2).toBeGreaterThan(l.x1);
      }
      boxes += f.labels.length;
    }
    expect(boxes).toBeGreaterThanOrEqual(10); // poses are biased to face objects
  });

  it("marks small boxes hard", () => {
    const base = { owner: 0, name: "b", className: "bottle", xMin: 10, yMin: 10, xMax: 13, yMax: 40, centerX: 0, centerY: 0, sizeX: 3, sizeY: 30, pixelCount: 90, silhouettePixels: 90, visibleFraction: 1, distanceM: 3 };
    expect(labelOf(base, classes)).toEqual({ x1: 10, y1: 10, x2: 13, y2: 40, classId: 0, hard: true });
    expect(labelOf({ ...base, xMax: 15, sizeX: 5 }, classes)!.hard).toBe(false);
    expect(labelOf({ ...base, xMax: 15, sizeX: 5, pixelCount: 30 }, classes)!.hard).toBe(true);
    expect(labelOf({ ...base, className: "zebra" }, classes)).toBeUndefined();
  });

  it("builds a deterministic downsized dataset over every world", () => {
    const opts = { seed: 5, framesPerWorld: 3, width: 160, height: 128 };
    const a = buildDataset(worlds, classes, opts);
    const b = buildDataset(worlds, classes, opts);
    expect(a.count).toBe(9);
    expect(a.images.length).toBe(9 * 160 * 128 * 3);
    expect(Buffer.compare(Buffer.from(a.images), Buffer.from(b.images))).toBe(0);
    expect(b.labels).toEqual(a.labels);
    const full = [...renderWorldFrames(worlds, classes, 5, 3)];
    full.forEach((f, i) => {
      expect(a.labels[i]).toEqual(f.labels.map((l) => ({ ...l, x1: l.x1 / 2, x2: l.x2 / 2, y1: l.y1 * (128 / 240), y2: l.y2 * (128 / 240) })));
    });
  });
});
