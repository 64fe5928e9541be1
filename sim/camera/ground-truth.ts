/**
 * Ground-truth 2D boxes of the objects a camera frame shows, with occlusion accounted exactly.
 *
 * A box is the axis-aligned hull of the pixels whose owner id is the object (the renderer's
 * owner-id buffer), so anything hidden behind a nearer surface does not count. Box coordinates
 * are pixel-edge coordinates with the origin at the top-left corner of the top-left pixel
 * (kestrel_msgs/GroundTruthBox): xMin/yMin are the first covered column/row, xMax/yMax one past
 * the last (so sizeX = xMax - xMin is the width in pixels), and the centre is their midpoint.
 *
 * Two ways to get them: `BoxAccumulator` (used by the renderer: it records each final visible
 * span as it is drawn, allocation-free) and `boxesFromOwnerIds` (a plain scan of the buffer; the
 * reference the accumulator is tested against).
 */

import type { kestrel_msgs } from "../../msgs/generated/types";

/** What the camera needs to know about a scene owner (structurally the geometry's owner record). */
export interface OwnerInfo {
  name: string;
  height: number;
  color: { r: number; g: number; b: number };
  /** Present on detectable objects only. */
  className?: string | undefined;
}

export interface GroundTruthBox2D {
  /** Owner index in the scene (the value in the owner-id buffer). */
  owner: number;
  /** Object name (unique in the world) and class. */
  name: string;
  className: string;
  /** Pixel-edge box: [xMin, xMax) x [yMin, yMax). */
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  /** The same box as vision_msgs/BoundingBox2D wants it: centre and full size (pixels). */
  centerX: number;
  centerY: number;
  sizeX: number;
  sizeY: number;
  /** Pixels of the object visible in this frame. */
  pixelCount: number;
  /**
   * Pixels the object would cover in this frame with nothing in front of it (its own silhouette,
   * clipped to the image); visibleFraction = pixelCount / silhouettePixels (1 when unoccluded).
   * NaN where the producer does not know the silhouette (`boxesFromOwnerIds`).
   */
  silhouettePixels: number;
  visibleFraction: number;
  /** Distance from the camera optical centre to the object's centre (m); NaN when unknown. */
  distanceM: number;
}

function emptyBox(): GroundTruthBox2D {
  return {
    owner: -1,
    name: "",
    className: "",
    xMin: 0,
    yMin: 0,
    xMax: 0,
    yMax: 0,
    centerX: 0,
    centerY: 0,
    sizeX: 0,
    sizeY: 0,
    pixelCount: 0,
    silhouettePixels: NaN,
    visibleFraction: NaN,
    distanceM: NaN,
  };
}

function fillBox(
  b: GroundTruthBox2D,
  owner: number,
  info: OwnerInfo,
  xMin: number,
  yMin: number,
  xMax: number,
  yMax: number,
  pixels: number,
  silhouette: number,
  distanceM: number,
): void {
  b.owner = owner;
  b.name = info.name;
  b.className = info.className ?? "";
  b.xMin = xMin;
  b.yMin = yMin;
  b.xMax = xMax;
  b.yMax = yMax;
  b.sizeX = xMax - xMin;
  b.sizeY = yMax - yMin;
  b.centerX = (xMin + xMax) / 2;
  b.centerY = (yMin + yMax) / 2;
  b.pixelCount = pixels;
  b.silhouettePixels = silhouette;
  b.visibleFraction = silhouette > 0 ? Math.min(1, pixels / silhouette) : NaN;
  b.distanceM = distanceM;
}

/**
 * Per-owner running box of the visible pixels of detectable owners, reset each frame. Only owners
 * with a className are tracked. Holds its result boxes in a pool: `collect` returns the same array
 * (and the same box objects) every frame — copy what you keep.
 */
export class BoxAccumulator {
  private readonly detectable: Uint8Array;
  private readonly minX: Int32Array;
  private readonly maxX: Int32Array;
  private readonly minY: Int32Array;
  private readonly maxY: Int32Array;
  private readonly pixels: Int32Array;
  private readonly silhouette: Float64Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private readonly pool: GroundTruthBox2D[] = [];
  private readonly result: GroundTruthBox2D[] = [];

  constructor(readonly owners: readonly OwnerInfo[]) {
    const n = owners.length;
    this.detectable = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.detectable[i] = owners[i]!.className ? 1 : 0;
    this.minX = new Int32Array(n);
    this.maxX = new Int32Array(n);
    this.minY = new Int32Array(n);
    this.maxY = new Int32Array(n);
    this.pixels = new Int32Array(n);
    this.silhouette = new Float64Array(n);
    this.touched = new Int32Array(n);
  }

  isDetectable(owner: number): boolean {
    return this.detectable[owner] === 1;
  }

  reset(): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const o = this.touched[i]!;
      this.pixels[o] = 0;
      this.silhouette[o] = 0;
    }
    this.touchedCount = 0;
  }

  private touch(owner: number): void {
    if (this.pixels[owner] === 0 && this.silhouette[owner] === 0) {
      this.touched[this.touchedCount++] = owner;
      this.minX[owner] = 0x7fffffff;
      this.minY[owner] = 0x7fffffff;
      this.maxX[owner] = -1;
      this.maxY[owner] = -1;
    }
  }

  /** Rows [y0, y1) of column `col` are visible pixels of `owner` (y1 > y0). */
  addSpan(owner: number, col: number, y0: number, y1: number): void {
    if (this.detectable[owner] !== 1) return;
    this.touch(owner);
    if (col < this.minX[owner]!) this.minX[owner] = col;
    if (col > this.maxX[owner]!) this.maxX[owner] = col;
    if (y0 < this.minY[owner]!) this.minY[owner] = y0;
    if (y1 - 1 > this.maxY[owner]!) this.maxY[owner] = y1 - 1;
    this.pixels[owner] = this.pixels[owner]! + (y1 - y0);
  }

  /** `count` pixels of `owner`'s unoccluded silhouette lie in some column. */
  addSilhouette(owner: number, count: number): void {
    if (this.detectable[owner] !== 1 || count <= 0) return;
    this.touch(owner);
    this.silhouette[owner] = this.silhouette[owner]! + count;
  }

  /**
   * The boxes of owners with at least `minPixels` visible pixels, in ascending owner order.
   * `distanceOf(owner)` gives distanceM (optional).
   */
  collect(minPixels: number, distanceOf?: (owner: number) => number): GroundTruthBox2D[] {
    const out = this.result;
    out.length = 0;
    // Ascending owner order keeps the output deterministic whatever order columns touched them.
    const t = this.touched;
    for (let i = 1; i < this.touchedCount; i++) {
      const v = t[i]!;
      let j = i - 1;
      while (j >= 0 && t[j]! > v) {
        t[j + 1] = t[j]!;
        j--;
      }
      t[j + 1] = v;
    }
    for (let i = 0; i < this.touchedCount; i++) {
      const o = t[i]!;
      const px = this.pixels[o]!;
      if (px === 0 || px < minPixels) continue;
      let b = this.pool[out.length];
      if (!b) {
        b = emptyBox();
        this.pool.push(b);
      }
      fillBox(
        b,
        o,
        this.owners[o]!,
        this.minX[o]!,
        this.minY[o]!,
        this.maxX[o]! + 1,
        this.maxY[o]! + 1,
        px,
        this.silhouette[o]!,
        distanceOf ? distanceOf(o) : NaN,
      );
      out.push(b);
    }
    return out;
  }
}

/**
 * Reference: boxes of detectable owners straight from an owner-id buffer (row-major, width x
 * height, -1 for floor/sky). Fresh objects; silhouettePixels/visibleFraction/distanceM are NaN.
 */
export function boxesFromOwnerIds(
  ownerIds: Int32Array,
  width: number,
  height: number,
  owners: readonly OwnerInfo[],
  minPixels = 1,
): GroundTruthBox2D[] {
  const n = owners.length;
  const minX = new Int32Array(n).fill(0x7fffffff);
  const minY = new Int32Array(n).fill(0x7fffffff);
  const maxX = new Int32Array(n).fill(-1);
  const maxY = new Int32Array(n).fill(-1);
  const count = new Int32Array(n);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const o = ownerIds[row + x]!;
      if (o < 0 || o >= n) continue;
      count[o]!++;
      if (x < minX[o]!) minX[o] = x;
      if (x > maxX[o]!) maxX[o] = x;
      if (y < minY[o]!) minY[o] = y;
      if (y > maxY[o]!) maxY[o] = y;
    }
  }
  const out: GroundTruthBox2D[] = [];
  for (let o = 0; o < n; o++) {
    const info = owners[o]!;
    if (!info.className || count[o] === 0 || count[o]! < minPixels) continue;
    const b = emptyBox();
    fillBox(b, o, info, minX[o]!, minY[o]!, maxX[o]! + 1, maxY[o]! + 1, count[o]!, NaN, NaN);
    out.push(b);
  }
  return out;
}

/**
 * The kestrel_msgs/GroundTruthBox for a box. `classId` is the class's index in the detector's
 * label list, -1 when absent.
 */
export function toGroundTruthBoxMsg(b: GroundTruthBox2D, classId = -1): kestrel_msgs.msg.GroundTruthBox {
  return {
    class_name: b.className,
    class_id: classId,
    bbox: {
      center: { position: { x: b.centerX, y: b.centerY }, theta: 0 },
      size_x: b.sizeX,
      size_y: b.sizeY,
    },
    distance_m: b.distanceM,
  };
}
