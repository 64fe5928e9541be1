/**
 * Training and evaluation frames for the sim detector, rendered by the embedded sim camera and
 * labelled by its exact ground-truth boxes (sim/camera: the hull of each detectable object's
 * visible pixels, with its className).
 *
 * Poses: the robot's base_link on a free spot (its 0.2 m footprint clear of every solid, inside the
 * bounds), and biased to face objects: most poses stand 0.6..6 m from a random object of the world,
 * heading at it plus noise (so most frames show objects, at many scales and partly cut by the image
 * edge); the rest are uniform free poses with a random heading (background frames). Everything
 * draws from a seeded Rng (sim/random.ts), so a seed reproduces the same frames exactly; each world
 * gets its own stream (mixSeed(seed, world index)).
 *
 * Labels: a box is "hard" (ignored for training negatives and in mAP) when its object shows fewer
 * than `minPixels` pixels or a side shorter than `minSide` pixels in the 320x240 frame.
 */
import { CameraRenderer, footprintCenter, type GroundTruthBox2D } from "../../../sim/camera";
import { circleCollides } from "../../../sim/geometry";
import { mixSeed, Rng } from "../../../sim/random";
import type { Pose2D, World } from "../../../sim/world/types";
import { loadWorldFile, shippedWorldNames } from "../../../sim/world/files";
import { Preprocessor } from "../../perception/preprocess";

/** The detectable classes across the shipped worlds, in class-id order (sorted). */
export function classesOfWorlds(worlds: readonly World[]): string[] {
  const set = new Set<string>();
  for (const w of worlds) for (const o of w.objects) set.add(o.className);
  return [...set].sort();
}

export function loadShippedWorlds(): World[] {
  return shippedWorldNames().map((n) => loadWorldFile(n));
}

/** A labelled box in some image's pixels (pixel-edge coordinates, x2/y2 exclusive). */
export interface LabelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId: number;
  /** Too small / too hidden to count: neither a required detection nor a false positive. */
  hard: boolean;
}

export interface LabelRule {
  /** Visible pixels (in the camera frame) below which a box is hard (default 40). */
  minPixels: number;
  /** Shortest side (camera pixels) below which a box is hard (default 4). */
  minSide: number;
}
export const DEFAULT_LABEL_RULE: LabelRule = { minPixels: 40, minSide: 4 };

export function labelOf(b: GroundTruthBox2D, classes: readonly string[], rule: LabelRule = DEFAULT_LABEL_RULE): LabelBox | undefined {
  const classId = classes.indexOf(b.className);
  if (classId < 0) return undefined;
  const hard = b.pixelCount < rule.minPixels || Math.min(b.sizeX, b.sizeY) < rule.minSide;
  return { x1: b.xMin, y1: b.yMin, x2: b.xMax, y2: b.yMax, classId, hard };
}

export interface PoseOptions {
  /** Robot footprint radius kept clear of solids (m). */
  clearance: number;
  /** Fraction of poses that face an object (the rest are uniform free poses). */
  faceObjects: number;
  minDistance: number;
  maxDistance: number;
  /** Heading noise (rad, standard deviation) around the direction to the object. */
  yawNoise: number;
}
export const DEFAULT_POSE_OPTIONS: PoseOptions = { clearance: 0.2, faceObjects: 0.8, minDistance: 0.6, maxDistance: 6, yawNoise: 0.35 };

/** A random free robot pose in `world`, biased to face its objects. */
export function samplePose(world: World, renderer: CameraRenderer, rng: Rng, opts: PoseOptions = DEFAULT_POSE_OPTIONS): Pose2D {
  const { min, max } = world.bounds;
  const free = (x: number, y: number): boolean =>
    x > min.x + opts.clearance && x < max.x - opts.clearance && y > min.y + opts.clearance && y < max.y - opts.clearance &&
    circleCollides(renderer.scene, x, y, opts.clearance) < 0;
  if (world.objects.length > 0 && rng.uniform() < opts.faceObjects) {
    for (let attempt = 0; attempt < 60; attempt++) {
      const obj = world.objects[rng.int(world.objects.length)]!;
      const c = footprintCenter(obj.shape);
      const d = rng.range(opts.minDistance, opts.maxDistance);
      const a = rng.range(-Math.PI, Math.PI);
      const x = c.x + d * Math.cos(a);
      const y = c.y + d * Math.sin(a);
      if (!free(x, y)) continue;
      return { x, y, yaw: Math.atan2(c.y - y, c.x - x) + rng.gaussian(0, opts.yawNoise) };
    }
  }
  for (let attempt = 0; attempt < 1000; attempt++) {
    const x = rng.range(min.x, max.x);
    const y = rng.range(min.y, max.y);
    if (free(x, y)) return { x, y, yaw: rng.range(-Math.PI, Math.PI) };
  }
  throw new Error(`world '${world.name}': found no free pose in 1000 tries`);
}

/** One rendered camera frame (320x240 rgb8, copied) with its labels in camera pixels. */
export interface SimFrame {
  world: string;
  pose: Pose2D;
  width: number;
  height: number;
  image: Uint8Array;
  labels: LabelBox[];
}

/** `count` frames of `world` from seed `seed` (deterministic). */
export function* renderFrames(world: World, classes: readonly string[], seed: number, count: number, rule: LabelRule = DEFAULT_LABEL_RULE): Generator<SimFrame> {
  const renderer = new CameraRenderer(world);
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const pose = samplePose(world, renderer, rng);
    const f = renderer.render(pose);
    const labels: LabelBox[] = [];
    for (const b of f.boxes) {
      const l = labelOf(b, classes, rule);
      if (l) labels.push(l);
    }
    yield { world: world.name, pose, width: f.width, height: f.height, image: f.image.slice(), labels };
  }
}

/** Frames spread evenly over `worlds`, world k from stream mixSeed(seed, k). */
export function* renderWorldFrames(worlds: readonly World[], classes: readonly string[], seed: number, framesPerWorld: number): Generator<SimFrame> {
  for (let k = 0; k < worlds.length; k++) yield* renderFrames(worlds[k]!, classes, mixSeed(seed, k), framesPerWorld);
}

/** A training set held compactly: model-input-sized rgb bytes (NHWC) plus labels in model pixels. */
export interface DetectionDataset {
  width: number;
  height: number;
  classes: string[];
  /** count x height x width x 3 bytes. */
  images: Uint8Array;
  labels: LabelBox[][];
  count: number;
}

/**
 * Renders `framesPerWorld` frames of every world and downsizes them to the model input with the
 * perception node's own Preprocessor (stretch, bilinear), labels scaled alike.
 */
export function buildDataset(
  worlds: readonly World[],
  classes: readonly string[],
  opts: { seed: number; framesPerWorld: number; width: number; height: number; onProgress?: (done: number, total: number) => void },
): DetectionDataset {
  const { width, height } = opts;
  const total = worlds.length * opts.framesPerWorld;
  const images = new Uint8Array(total * width * height * 3);
  const labels: LabelBox[][] = [];
  const pre = new Preprocessor({ name: "images", width, height, layout: "NHWC", color: "rgb", scaling: { kind: "raw" }, resize: { mode: "stretch" } });
  let i = 0;
  for (const f of renderWorldFrames(worlds, classes, opts.seed, opts.framesPerWorld)) {
    const g = pre.run({ width: f.width, height: f.height, encoding: "rgb8", step: f.width * 3, data: f.image });
    const t = pre.tensor;
    const o = i * t.length;
    for (let j = 0; j < t.length; j++) images[o + j] = Math.round(t[j]!);
    labels.push(
      f.labels.map((l) => ({ x1: l.x1 * g.scaleX, y1: l.y1 * g.scaleY, x2: l.x2 * g.scaleX, y2: l.y2 * g.scaleY, classId: l.classId, hard: l.hard })),
    );
    i++;
    if (opts.onProgress && (i % 200 === 0 || i === total)) opts.onProgress(i, total);
  }
  return { width, height, classes: [...classes], images, labels, count: total };
}
