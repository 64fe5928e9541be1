/**
 * Moving AI grid maps (`.map`, Sturtevant 2012) as Worlds. Format: four header lines
 * (`type octile`, `height H`, `width W`, `map`) then H rows of W characters; '.', 'G', 'S' are
 * passable, '@', 'O', 'T', 'W' blocked. Cell (col, row) covers
 *   x ∈ [col·c, (col+1)·c],  y ∈ [(H-1-row)·c, (H-row)·c]
 * for cell size c, so row 0 (the top of the file) is the largest y. Blocked cells are merged into
 * rectangles: horizontal runs per row, and identical runs in consecutive rows joined vertically.
 * The world is enclosed; the spawn is the free cell nearest the map centre that has room for the
 * footprint, and the single goal is the cell reachable from it (with the same room) farthest away.
 */
import type { Rgb, Solid, World } from "./types";
import { boundaryWalls } from "./load";

export interface MovingAiGrid {
  width: number;
  height: number;
  /** Row-major, row 0 = the file's first map line; 1 = blocked. */
  blocked: Uint8Array;
}

export interface MovingAiOptions {
  /** Edge length of one grid cell (m). */
  cellSizeM: number;
  name: string;
  /** Free radius (m) the spawn and goal need; default 0.105 (the TurtleBot3 footprint). */
  clearanceM?: number;
  /** Height of the obstacle prisms (m); default 1.0. */
  obstacleHeightM?: number;
}

const BLOCKED = new Set(["@", "O", "T", "W"]);
const PASSABLE = new Set([".", "G", "S"]);
const OBSTACLE_COLOR: Rgb = { r: 0.45, g: 0.42, b: 0.4 };
const FLOOR_COLOR: Rgb = { r: 0.75, g: 0.72, b: 0.65 };

/** Parses the text of a `.map` file; throws with the line number on malformed input. */
export function parseMovingAiMap(text: string): MovingAiGrid {
  const lines = text.split(/\r?\n/);
  const header = (i: number, key: string): string => {
    const m = (lines[i] ?? "").trim().split(/\s+/);
    if (m[0] !== key) throw new Error(`Moving AI map line ${i + 1}: expected "${key}", found "${lines[i] ?? ""}"`);
    return m[1] ?? "";
  };
  header(0, "type");
  const height = Number(header(1, "height"));
  const width = Number(header(2, "width"));
  if (!Number.isInteger(height) || height <= 0 || !Number.isInteger(width) || width <= 0) {
    throw new Error(`Moving AI map: bad size ${width}x${height}`);
  }
  if ((lines[3] ?? "").trim() !== "map") throw new Error(`Moving AI map line 4: expected "map"`);
  const blocked = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const line = lines[4 + row];
    if (line === undefined || line.length < width) throw new Error(`Moving AI map line ${5 + row}: expected ${width} cells`);
    for (let col = 0; col < width; col++) {
      const ch = line[col];
      if (BLOCKED.has(ch)) blocked[row * width + col] = 1;
      else if (!PASSABLE.has(ch)) throw new Error(`Moving AI map line ${5 + row}, column ${col + 1}: unknown cell "${ch}"`);
    }
  }
  return { width, height, blocked };
}

/** Rectangles (in cells: col, row of the top-left cell, width, height) covering the blocked cells. */
export function mergeBlockedCells(grid: MovingAiGrid): Array<{ col: number; row: number; cols: number; rows: number }> {
  const done: Array<{ col: number; row: number; cols: number; rows: number }> = [];
  let open = new Map<string, { col: number; row: number; cols: number; rows: number }>();
  for (let row = 0; row < grid.height; row++) {
    const next = new Map<string, { col: number; row: number; cols: number; rows: number }>();
    let col = 0;
    while (col < grid.width) {
      if (!grid.blocked[row * grid.width + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < grid.width && grid.blocked[row * grid.width + col]) col++;
      const key = `${start}:${col}`;
      const rect = open.get(key);
      if (rect) {
        rect.rows++;
        open.delete(key);
        next.set(key, rect);
      } else next.set(key, { col: start, row, cols: col - start, rows: 1 });
    }
    for (const r of open.values()) done.push(r);
    open = next;
  }
  for (const r of open.values()) done.push(r);
  return done;
}

/** Cells whose centre has `radiusCells` of free cells all around (a square neighbourhood). */
function roomyCells(grid: MovingAiGrid, radiusCells: number): Uint8Array {
  const { width, height, blocked } = grid;
  // Row-wise then column-wise "any blocked within k" (separable dilation).
  const rowDil = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let b = 0;
      for (let k = Math.max(0, c - radiusCells); k <= Math.min(width - 1, c + radiusCells) && !b; k++) b = blocked[r * width + k];
      rowDil[r * width + c] = b;
    }
  }
  const roomy = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (r < radiusCells || c < radiusCells || r >= height - radiusCells || c >= width - radiusCells) continue;
      let b = 0;
      for (let k = r - radiusCells; k <= r + radiusCells && !b; k++) b = rowDil[k * width + c];
      roomy[r * width + c] = b ? 0 : 1;
    }
  }
  return roomy;
}

/** Converts a Moving AI map's text into a World (see the file comment for the conventions). */
export function worldFromMovingAiMap(text: string, options: MovingAiOptions): World {
  const grid = parseMovingAiMap(text);
  const c = options.cellSizeM;
  if (!(c > 0)) throw new Error(`worldFromMovingAiMap: cellSizeM must be > 0, found ${c}`);
  const height = options.obstacleHeightM ?? 1.0;
  const solids: Solid[] = mergeBlockedCells(grid).map((r, i) => ({
    name: `block_${i}`,
    shape: {
      kind: "box",
      center: { x: (r.col + r.cols / 2) * c, y: (grid.height - r.row - r.rows / 2) * c },
      size: { x: r.cols * c, y: r.rows * c },
      yaw: 0,
    },
    height,
    color: OBSTACLE_COLOR,
  }));
  const world: World = {
    name: options.name,
    bounds: { min: { x: 0, y: 0 }, max: { x: grid.width * c, y: grid.height * c } },
    enclosed: true,
    floorColor: FLOOR_COLOR,
    solids,
    objects: [],
    spawns: [],
    goals: [],
  };
  world.solids.push(...boundaryWalls(world, height, c, OBSTACLE_COLOR));
  placeSpawnAndGoal(world, grid, c, options.clearanceM ?? 0.105);
  return world;
}

/** Picks the roomy free cell nearest the centre as spawn and the farthest reachable one as goal. */
function placeSpawnAndGoal(world: World, grid: MovingAiGrid, c: number, clearance: number): void {
  const { width, height } = grid;
  const radiusCells = Math.max(0, Math.ceil(clearance / c - 0.5));
  const roomy = roomyCells(grid, radiusCells);
  let spawn = -1;
  let bestD = Infinity;
  for (let i = 0; i < width * height; i++) {
    if (!roomy[i]) continue;
    const d = (Math.floor(i / width) - height / 2) ** 2 + ((i % width) - width / 2) ** 2;
    if (d < bestD) {
      bestD = d;
      spawn = i;
    }
  }
  if (spawn < 0) throw new Error(`worldFromMovingAiMap: no free cell has ${clearance} m of room at cell size ${c} m`);
  const dist = new Int32Array(width * height).fill(-1);
  const queue = new Int32Array(width * height);
  let head = 0;
  let tail = 0;
  queue[tail++] = spawn;
  dist[spawn] = 0;
  let goal = spawn;
  while (head < tail) {
    const i = queue[head++];
    if (dist[i] > dist[goal]) goal = i;
    const r = Math.floor(i / width);
    const col = i % width;
    const visit = (j: number): void => {
      if (roomy[j] && dist[j] < 0) {
        dist[j] = dist[i] + 1;
        queue[tail++] = j;
      }
    };
    if (col > 0) visit(i - 1);
    if (col < width - 1) visit(i + 1);
    if (r > 0) visit(i - width);
    if (r < height - 1) visit(i + width);
  }
  const centre = (i: number): { x: number; y: number } => ({
    x: ((i % width) + 0.5) * c,
    y: (height - Math.floor(i / width) - 0.5) * c,
  });
  const s = centre(spawn);
  const g = centre(goal);
  world.spawns.push({ x: s.x, y: s.y, yaw: Math.atan2(g.y - s.y, g.x - s.x) });
  world.goals.push({ name: "farthest", center: g, radius: Math.max(c, 0.3) });
}
