/**
 * Compiling a World into a Scene: the flat, typed-array form every ray cast and collision query
 * runs against. Each solid and detectable object becomes an owner; boxes and polygons become
 * line segments (their footprint edges, counter-clockwise, each with its outward unit normal),
 * cylinders become circles. A uniform grid over the primitives lets a query touch only the
 * primitives in the cells it passes through.
 *
 * The Scene holds scratch state (the ray mailbox and the `last*` hit fields), so one Scene must
 * not be queried from two threads at once — each worker compiles its own.
 */
import type { Rgb, Shape, Vec2, World } from "../world/types";

/** What a primitive belongs to: one per solid / detectable object of the world. */
export interface SceneOwner {
  name: string;
  /** Prism height above the floor (m). */
  height: number;
  color: Rgb;
  /** Set for detectable objects only. */
  className?: string;
  /** Which list of the World it came from, and its index there. */
  source: "solid" | "object";
  sourceIndex: number;
}

/** The uniform acceleration grid, in compressed-row form: the primitive ids of cell `c`
 *  are `items[start[c] .. start[c+1])`; an id below `segCount` is a segment, otherwise the
 *  circle `id - segCount`. */
export interface SceneGrid {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Edge length of a square cell (m). */
  cellSize: number;
  invCellSize: number;
  cols: number;
  rows: number;
  start: Int32Array;
  items: Int32Array;
}

export interface Scene {
  owners: SceneOwner[];
  segCount: number;
  /** Segment endpoints A and B (m), in counter-clockwise order around their owner's footprint. */
  segAx: Float64Array;
  segAy: Float64Array;
  segBx: Float64Array;
  segBy: Float64Array;
  /** Outward unit normal of each segment (points away from the owner's interior). */
  segNx: Float64Array;
  segNy: Float64Array;
  segOwner: Int32Array;
  circCount: number;
  circX: Float64Array;
  circY: Float64Array;
  circR: Float64Array;
  circOwner: Int32Array;
  grid: SceneGrid;
  /** Mailbox: the query number that last tested each primitive (segments, then circles). */
  stamps: Uint32Array;
  stampCounter: number;
  /** Out-fields of the last raycastNearest: owner index (-1 when nothing was hit) and the hit
   *  surface's outward unit normal. Read them right after the call; the next query overwrites. */
  lastOwner: number;
  lastNx: number;
  lastNy: number;
}

export interface CompileOptions {
  /** Grid cell edge (m); default 0.5, enlarged automatically to keep the grid under ~1M cells. */
  cellSizeM?: number;
}

const DEFAULT_CELL_SIZE_M = 0.5;
const MAX_GRID_CELLS = 1 << 20;

/** Corners of a box footprint, counter-clockwise. */
export function boxCorners(center: Vec2, size: Vec2, yaw: number): Vec2[] {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  const hx = size.x / 2;
  const hy = size.y / 2;
  const local: Array<[number, number]> = [
    [-hx, -hy],
    [hx, -hy],
    [hx, hy],
    [-hx, hy],
  ];
  return local.map(([lx, ly]) => ({ x: center.x + c * lx - s * ly, y: center.y + s * lx + c * ly }));
}

/** Twice the signed area of a polygon (positive when counter-clockwise). */
export function signedArea2(points: readonly Vec2[]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const q = points[(i + 1) % points.length];
    a += p.x * q.y - q.x * p.y;
  }
  return a;
}

/** The footprint outline of a box or polygon shape, counter-clockwise; null for a cylinder. */
export function shapeOutline(shape: Shape): Vec2[] | null {
  if (shape.kind === "box") return boxCorners(shape.center, shape.size, shape.yaw);
  if (shape.kind === "polygon") {
    return signedArea2(shape.points) >= 0 ? shape.points.slice() : shape.points.slice().reverse();
  }
  return null;
}

interface Builder {
  seg: number[]; // ax, ay, bx, by, nx, ny, owner per segment
  circ: number[]; // x, y, r, owner per circle
}

function addShape(b: Builder, shape: Shape, owner: number): void {
  const outline = shapeOutline(shape);
  if (outline === null) {
    if (shape.kind === "cylinder") b.circ.push(shape.center.x, shape.center.y, shape.radius, owner);
    return;
  }
  for (let i = 0; i < outline.length; i++) {
    const a = outline[i];
    const q = outline[(i + 1) % outline.length];
    const ex = q.x - a.x;
    const ey = q.y - a.y;
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    b.seg.push(a.x, a.y, q.x, q.y, ey / len, -ex / len, owner);
  }
}

/** Flattens a world's solids (first) and objects (after) into a Scene with its grid. */
export function compileScene(world: World, options: CompileOptions = {}): Scene {
  const owners: SceneOwner[] = [];
  const b: Builder = { seg: [], circ: [] };
  world.solids.forEach((s, i) => {
    owners.push({ name: s.name, height: s.height, color: s.color, source: "solid", sourceIndex: i });
    addShape(b, s.shape, owners.length - 1);
  });
  world.objects.forEach((o, i) => {
    owners.push({
      name: o.name,
      height: o.height,
      color: o.color,
      className: o.className,
      source: "object",
      sourceIndex: i,
    });
    addShape(b, o.shape, owners.length - 1);
  });
  const segCount = b.seg.length / 7;
  const circCount = b.circ.length / 4;
  const scene: Scene = {
    owners,
    segCount,
    segAx: new Float64Array(segCount),
    segAy: new Float64Array(segCount),
    segBx: new Float64Array(segCount),
    segBy: new Float64Array(segCount),
    segNx: new Float64Array(segCount),
    segNy: new Float64Array(segCount),
    segOwner: new Int32Array(segCount),
    circCount,
    circX: new Float64Array(circCount),
    circY: new Float64Array(circCount),
    circR: new Float64Array(circCount),
    circOwner: new Int32Array(circCount),
    grid: emptyGrid(),
    stamps: new Uint32Array(segCount + circCount),
    stampCounter: 0,
    lastOwner: -1,
    lastNx: 0,
    lastNy: 0,
  };
  for (let i = 0; i < segCount; i++) {
    const k = i * 7;
    scene.segAx[i] = b.seg[k];
    scene.segAy[i] = b.seg[k + 1];
    scene.segBx[i] = b.seg[k + 2];
    scene.segBy[i] = b.seg[k + 3];
    scene.segNx[i] = b.seg[k + 4];
    scene.segNy[i] = b.seg[k + 5];
    scene.segOwner[i] = b.seg[k + 6];
  }
  for (let i = 0; i < circCount; i++) {
    const k = i * 4;
    scene.circX[i] = b.circ[k];
    scene.circY[i] = b.circ[k + 1];
    scene.circR[i] = b.circ[k + 2];
    scene.circOwner[i] = b.circ[k + 3];
  }
  scene.grid = buildGrid(scene, options.cellSizeM ?? DEFAULT_CELL_SIZE_M);
  return scene;
}

function emptyGrid(): SceneGrid {
  return {
    minX: 0,
    minY: 0,
    maxX: 0,
    maxY: 0,
    cellSize: 1,
    invCellSize: 1,
    cols: 1,
    rows: 1,
    start: new Int32Array(2),
    items: new Int32Array(0),
  };
}

/** Axis-aligned bounds of primitive `id` (segment or circle). */
function primitiveBounds(scene: Scene, id: number, out: Float64Array): void {
  if (id < scene.segCount) {
    out[0] = Math.min(scene.segAx[id], scene.segBx[id]);
    out[1] = Math.min(scene.segAy[id], scene.segBy[id]);
    out[2] = Math.max(scene.segAx[id], scene.segBx[id]);
    out[3] = Math.max(scene.segAy[id], scene.segBy[id]);
  } else {
    const c = id - scene.segCount;
    out[0] = scene.circX[c] - scene.circR[c];
    out[1] = scene.circY[c] - scene.circR[c];
    out[2] = scene.circX[c] + scene.circR[c];
    out[3] = scene.circY[c] + scene.circR[c];
  }
}

/** Whether primitive `id` touches the axis-aligned rectangle (slightly padded). */
function primitiveTouchesRect(scene: Scene, id: number, x0: number, y0: number, x1: number, y1: number): boolean {
  const pad = 1e-9 * (1 + Math.abs(x0) + Math.abs(y0) + (x1 - x0));
  x0 -= pad;
  y0 -= pad;
  x1 += pad;
  y1 += pad;
  if (id < scene.segCount) {
    // Separating axis along the segment's normal: all four corners strictly on one side.
    const ax = scene.segAx[id];
    const ay = scene.segAy[id];
    const ex = scene.segBx[id] - ax;
    const ey = scene.segBy[id] - ay;
    const s1 = ex * (y0 - ay) - ey * (x0 - ax);
    const s2 = ex * (y0 - ay) - ey * (x1 - ax);
    const s3 = ex * (y1 - ay) - ey * (x0 - ax);
    const s4 = ex * (y1 - ay) - ey * (x1 - ax);
    return !((s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) || (s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0));
  }
  const c = id - scene.segCount;
  const cx = scene.circX[c];
  const cy = scene.circY[c];
  const qx = Math.min(Math.max(cx, x0), x1);
  const qy = Math.min(Math.max(cy, y0), y1);
  const r = scene.circR[c];
  return (qx - cx) * (qx - cx) + (qy - cy) * (qy - cy) <= r * r;
}

/** Builds the uniform grid over every primitive (two passes: count, then fill). */
function buildGrid(scene: Scene, requestedCellSize: number): SceneGrid {
  const n = scene.segCount + scene.circCount;
  if (n === 0) return emptyGrid();
  const bb = new Float64Array(4);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let id = 0; id < n; id++) {
    primitiveBounds(scene, id, bb);
    minX = Math.min(minX, bb[0]);
    minY = Math.min(minY, bb[1]);
    maxX = Math.max(maxX, bb[2]);
    maxY = Math.max(maxY, bb[3]);
  }
  const margin = 1e-6 * (1 + Math.max(maxX - minX, maxY - minY));
  minX -= margin;
  minY -= margin;
  maxX += margin;
  maxY += margin;
  let cellSize = requestedCellSize;
  const area = (maxX - minX) * (maxY - minY);
  if (area / (cellSize * cellSize) > MAX_GRID_CELLS) cellSize = Math.sqrt(area / MAX_GRID_CELLS);
  const cols = Math.max(1, Math.ceil((maxX - minX) / cellSize));
  const rows = Math.max(1, Math.ceil((maxY - minY) / cellSize));
  maxX = minX + cols * cellSize;
  maxY = minY + rows * cellSize;
  const counts = new Int32Array(cols * rows + 1);
  const visit = (fill: ((cell: number, id: number) => void) | null): void => {
    for (let id = 0; id < n; id++) {
      primitiveBounds(scene, id, bb);
      const c0 = Math.max(0, Math.floor((bb[0] - minX) / cellSize));
      const c1 = Math.min(cols - 1, Math.floor((bb[2] - minX) / cellSize));
      const r0 = Math.max(0, Math.floor((bb[1] - minY) / cellSize));
      const r1 = Math.min(rows - 1, Math.floor((bb[3] - minY) / cellSize));
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const x0 = minX + c * cellSize;
          const y0 = minY + r * cellSize;
          if (!primitiveTouchesRect(scene, id, x0, y0, x0 + cellSize, y0 + cellSize)) continue;
          const cell = r * cols + c;
          if (fill) fill(cell, id);
          else counts[cell + 1]++;
        }
      }
    }
  };
  visit(null);
  for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
  const start = counts.slice();
  const items = new Int32Array(counts[cols * rows]);
  const cursor = counts.slice(0, cols * rows);
  visit((cell, id) => {
    items[cursor[cell]++] = id;
  });
  return { minX, minY, maxX, maxY, cellSize, invCellSize: 1 / cellSize, cols, rows, start, items };
}

/** Starts a new mailbox query and returns its stamp (resets the mailbox on wrap-around). */
export function nextStamp(scene: Scene): number {
  if (scene.stampCounter >= 0xfffffffe) {
    scene.stamps.fill(0);
    scene.stampCounter = 0;
  }
  return ++scene.stampCounter;
}
