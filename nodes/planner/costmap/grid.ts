/** A planar grid's geometry: cell (0,0) has its lower-left corner at the origin, row-major, x = column. */

export interface GridGeometry {
  /** Cells along x. */
  width: number;
  /** Cells along y. */
  height: number;
  /** Cell edge, m. */
  resolution: number;
  /** World x of the lower-left corner of cell (0, 0), m. */
  originX: number;
  /** World y of the lower-left corner of cell (0, 0), m. */
  originY: number;
}

/** The cell holding a world point (may lie outside the grid; check with `inGrid`). */
export function worldToCell(g: GridGeometry, x: number, y: number): { cx: number; cy: number } {
  return { cx: Math.floor((x - g.originX) / g.resolution), cy: Math.floor((y - g.originY) / g.resolution) };
}

/** The world point at the centre of a cell. */
export function cellCenter(g: GridGeometry, cx: number, cy: number): { x: number; y: number } {
  return { x: g.originX + (cx + 0.5) * g.resolution, y: g.originY + (cy + 0.5) * g.resolution };
}

export function inGrid(g: { width: number; height: number }, cx: number, cy: number): boolean {
  return cx >= 0 && cy >= 0 && cx < g.width && cy < g.height;
}

/**
 * Bresenham's line from (x0,y0) to (x1,y1) in cells, both ends included, in order. `visit` returns
 * false to stop early. Cells outside any grid are visited too: the caller clips.
 */
export function bresenham(x0: number, y0: number, x1: number, y1: number, visit: (x: number, y: number) => boolean | void): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    if (visit(x, y) === false) return;
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
