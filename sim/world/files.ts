/**
 * Finding and loading a world for the simulator: a shipped world by name (`office` is
 * sim/worlds/office.yaml in package kestrel's share directory), a world YAML by path, or a
 * Moving AI `.map` grid at a chosen cell size.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageShareDir } from "../../ros/package-share";
import { loadWorld } from "./load";
import { worldFromMovingAiMap } from "./movingai";
import type { World } from "./types";

/** Cell size (m) of a Moving AI map when none is given: a 512x512 benchmark map becomes 128 m square. */
export const DEFAULT_MAP_CELL_SIZE_M = 0.25;

/** The shipped worlds' folder (sim/worlds/ in the package share directory). */
export function shippedWorldsDir(): string {
  return path.join(packageShareDir(), "sim", "worlds");
}

export function shippedWorldNames(): string[] {
  return fs
    .readdirSync(shippedWorldsDir())
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.replace(/\.yaml$/, ""))
    .sort();
}

/** A world name (no slash, no extension) becomes the shipped file; anything else is a path. */
export function resolveWorldPath(nameOrPath: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(nameOrPath)) {
    const shipped = path.join(shippedWorldsDir(), `${nameOrPath}.yaml`);
    if (!fs.existsSync(shipped)) {
      throw new Error(`world '${nameOrPath}': no such shipped world (shipped: ${shippedWorldNames().join(", ")}); or give a path`);
    }
    return shipped;
  }
  return nameOrPath;
}

/** Reads a world YAML (sim/world/load.ts) or a Moving AI `.map` (sim/world/movingai.ts). */
export function loadWorldFile(nameOrPath: string, options: { cellSize?: number } = {}): World {
  const worldPath = resolveWorldPath(nameOrPath);
  if (/\.map$/i.test(worldPath)) {
    let text: string;
    try {
      text = fs.readFileSync(worldPath, "utf8");
    } catch (e) {
      throw new Error(`${worldPath}: cannot read the map: ${(e as Error).message}`);
    }
    const cellSizeM = options.cellSize ?? DEFAULT_MAP_CELL_SIZE_M;
    if (!(cellSizeM > 0)) throw new Error(`${worldPath}: cell size: expected a positive number of metres, found ${options.cellSize}`);
    try {
      return worldFromMovingAiMap(text, { cellSizeM, name: path.basename(worldPath).replace(/\.map$/i, "") });
    } catch (e) {
      throw new Error(`${worldPath}: ${(e as Error).message}`);
    }
  }
  if (options.cellSize !== undefined) throw new Error(`${worldPath}: a cell size only applies to a Moving AI .map`);
  return loadWorld(worldPath);
}
