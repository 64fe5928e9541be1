/** Hand-drawn grids for planner tests: '#' lethal, 'i' inscribed, '?' unknown, digits d → cost d·25, else free. Row 0 is the first line (y = 0). */
import type { PlanningGrid } from "../../nodes/planner/search/types";

export function gridFrom(rows: string[]): PlanningGrid {
  const height = rows.length;
  const width = rows[0]!.length;
  const costs = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) {
      const ch = row[x]!;
      costs[y * width + x] = ch === "#" ? 254 : ch === "i" ? 253 : ch === "?" ? 255 : /[0-9]/.test(ch) ? Number(ch) * 25 : 0;
    }
  });
  return { width, height, costs };
}

/** The cells of a path as [x, y] pairs. */
export function cellsOf(cells: ArrayLike<number>, width: number): Array<[number, number]> {
  return Array.from(cells, (c) => [c % width, Math.floor(c / width)] as [number, number]);
}
