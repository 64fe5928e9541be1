/**
 * Readers for the Moving AI grid benchmark formats (Sturtevant 2012): `.map` (octile) and
 * `.scen` (version 1). A map becomes a PlanningGrid with cost 0 for passable and LETHAL for
 * blocked cells, row y of the file being grid row y (the format's (0,0) is top left).
 */
import * as fs from "fs";
import { FREE_SPACE, LETHAL_OBSTACLE } from "../costmap/cost";
import type { PlanningGrid } from "./types";

export interface Scenario {
  bucket: number;
  startX: number;
  startY: number;
  goalX: number;
  goalY: number;
  /** Optimal length: 8-connected, diagonal √2, no corner cutting. */
  optimal: number;
}

const PASSABLE = new Set([".", "G", "S"]);

export function parseMovingAiMap(text: string, source = "map"): PlanningGrid {
  const lines = text.split(/\r?\n/);
  let height = -1;
  let width = -1;
  let row = 0;
  for (; row < lines.length; row++) {
    const [key, value] = lines[row]!.trim().split(/\s+/);
    if (key === "height") height = Number(value);
    else if (key === "width") width = Number(value);
    else if (key === "map") break;
  }
  if (!(height > 0 && width > 0)) throw new Error(`${source}: missing or bad 'height'/'width' header`);
  const costs = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const line = lines[row + 1 + y];
    if (line === undefined || line.length < width) throw new Error(`${source}: line ${row + 2 + y}: expected ${width} cells`);
    for (let x = 0; x < width; x++) costs[y * width + x] = PASSABLE.has(line[x]!) ? FREE_SPACE : LETHAL_OBSTACLE;
  }
  return { width, height, costs, version: 0 };
}

export function parseMovingAiScenarios(text: string, source = "scen"): Scenario[] {
  const out: Scenario[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("version")) continue;
    const f = line.split(/\s+/);
    if (f.length < 9) throw new Error(`${source}: line ${i + 1}: expected 9 fields, found ${f.length}`);
    const n = f.slice(f.length - 5).map(Number);
    out.push({ bucket: Number(f[0]), startX: n[0]!, startY: n[1]!, goalX: n[2]!, goalY: n[3]!, optimal: n[4]! });
  }
  return out;
}

export function loadMovingAi(mapPath: string): { grid: PlanningGrid; scenarios: Scenario[] } {
  return {
    grid: parseMovingAiMap(fs.readFileSync(mapPath, "utf8"), mapPath),
    scenarios: parseMovingAiScenarios(fs.readFileSync(`${mapPath}.scen`, "utf8"), `${mapPath}.scen`),
  };
}
