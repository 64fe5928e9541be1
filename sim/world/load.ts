/**
 * Loading world YAML files into `World`: YAML parse, JSON-schema validation (ajv), conversion
 * (defaults, wall shorthands, boundary walls) and semantic checks. Every failure is a
 * WorldFileError naming the file and the JSON pointer of the offending field, e.g.
 *   sim/worlds/office.yaml: /solids/3/shape/size/x: expected a number > 0, found -1
 */
import * as fs from "fs";
import Ajv, { type ErrorObject } from "ajv";
import YAML from "yaml";
import { circleCollides, compileScene, pointInside, signedArea2 } from "../geometry";
import type { Rgb, Shape, Solid, Vec2, World } from "./types";
import { WORLD_SCHEMA, type WorldFile, type WorldFileShape } from "./schema";

export class WorldFileError extends Error {
  constructor(
    /** The file as the caller named it. */
    readonly file: string,
    /** JSON pointer of the offending field ("" for the whole document). */
    readonly pointer: string,
    /** What is wrong, e.g. "expected a number > 0, found -1". */
    readonly detail: string,
  ) {
    super(`${file}: ${pointer || "/"}: ${detail}`);
    this.name = "WorldFileError";
  }
}

export interface ParseWorldOptions {
  /** Name of the source, used in errors. */
  file: string;
  /** Free radius (m) a spawn pose needs around it; default 0.105 (the TurtleBot3 footprint). */
  spawnClearanceM?: number;
}

const DEFAULT_SPAWN_CLEARANCE_M = 0.105;
const DEFAULT_SOLID_COLOR = "#a0a0a0";
const DEFAULT_FLOOR_COLOR = "#8c8c84";
const DEFAULT_BOUNDARY = { height: 1.0, thickness: 0.1, color: "#c8c8c8" };

const ajv = new Ajv({ discriminator: true, verbose: true, allErrors: false, strict: true });
const validateSchema = ajv.compile(WORLD_SCHEMA);

/** Reads and parses a world YAML file. */
export function loadWorld(path: string, options: Omit<ParseWorldOptions, "file"> = {}): World {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new WorldFileError(path, "", `cannot read the file: ${(e as Error).message}`);
  }
  return parseWorld(text, { ...options, file: path });
}

/** Parses world YAML text into a World, or throws a WorldFileError. */
export function parseWorld(text: string, options: ParseWorldOptions): World {
  const file = options.file;
  const doc = YAML.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}: ` : "";
    throw new WorldFileError(file, "", `invalid YAML: ${where}${err.message.split("\n")[0]}`);
  }
  const data: unknown = doc.toJS();
  if (!validateSchema(data)) {
    const e = (validateSchema.errors ?? [])[0];
    throw new WorldFileError(file, errorPointer(e), describeSchemaError(e));
  }
  const world = toWorld(data as WorldFile);
  checkSemantics(world, data as WorldFile, file, options.spawnClearanceM ?? DEFAULT_SPAWN_CLEARANCE_M);
  return world;
}

// ---------------------------------------------------------------------------------------------
// Schema errors

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "a mapping";
  return JSON.stringify(v);
}

function errorPointer(e: ErrorObject | undefined): string {
  if (!e) return "";
  if (e.keyword === "required") return `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === "additionalProperties") {
    return `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
  }
  if (e.keyword === "discriminator") return `${e.instancePath}/kind`;
  return e.instancePath;
}

function describeSchemaError(e: ErrorObject | undefined): string {
  if (!e) return "invalid world file";
  const p = e.params as Record<string, unknown>;
  const found = describeValue(e.data);
  switch (e.keyword) {
    case "type":
      return `expected ${p.type === "object" ? "a mapping" : p.type === "array" ? "a list" : `a ${String(p.type)}`}, found ${found}`;
    case "exclusiveMinimum":
      return `expected a number > ${String(p.limit)}, found ${found}`;
    case "minimum":
      return `expected a number >= ${String(p.limit)}, found ${found}`;
    case "required":
      return "missing required field";
    case "additionalProperties":
      return "unknown field";
    case "minItems":
      return `expected at least ${String(p.limit)} items, found ${found}`;
    case "minLength":
      return "expected a non-empty string";
    case "pattern":
      return `expected a colour "#rrggbb", found ${found}`;
    case "enum":
      return `expected one of ${(p.allowedValues as unknown[]).map(String).join(", ")}, found ${found}`;
    case "const":
      return `expected ${JSON.stringify(p.allowedValue)}, found ${found}`;
    case "discriminator":
      return `expected kind to be one of box, cylinder, polygon, found ${describeValue(p.tagValue ?? e.data)}`;
    default:
      return `${e.message ?? "invalid"}, found ${found}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** "#rrggbb" → Rgb with channels in 0..1. */
export function parseColor(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return { r: ((n >> 16) & 255) / 255, g: ((n >> 8) & 255) / 255, b: (n & 255) / 255 };
}

function toShape(s: WorldFileShape): Shape {
  if (s.kind === "box") return { kind: "box", center: { ...s.center }, size: { ...s.size }, yaw: s.yaw ?? 0 };
  if (s.kind === "cylinder") return { kind: "cylinder", center: { ...s.center }, radius: s.radius };
  const points = s.points.map((p) => ({ ...p }));
  return { kind: "polygon", points: signedArea2(points) >= 0 ? points : points.reverse() };
}

/** A straight wall from `from` to `to` as a box of the given thickness. */
export function wallBox(from: Vec2, to: Vec2, thickness: number): Shape {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  return {
    kind: "box",
    center: { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 },
    size: { x: Math.max(length, 1e-6), y: thickness },
    yaw: Math.atan2(to.y - from.y, to.x - from.x),
  };
}

/** Four walls just outside the bounds, so the free area is exactly the bounds. */
export function boundaryWalls(world: Pick<World, "bounds">, height: number, thickness: number, color: Rgb): Solid[] {
  const { min, max } = world.bounds;
  const w = max.x - min.x;
  const h = max.y - min.y;
  const cx = (min.x + max.x) / 2;
  const cy = (min.y + max.y) / 2;
  const t = thickness;
  const box = (name: string, x: number, y: number, sx: number, sy: number): Solid => ({
    name,
    shape: { kind: "box", center: { x, y }, size: { x: sx, y: sy }, yaw: 0 },
    height,
    color,
  });
  return [
    box("boundary_south", cx, min.y - t / 2, w + 2 * t, t),
    box("boundary_north", cx, max.y + t / 2, w + 2 * t, t),
    box("boundary_west", min.x - t / 2, cy, t, h),
    box("boundary_east", max.x + t / 2, cy, t, h),
  ];
}

function toWorld(f: WorldFile): World {
  const solids: Solid[] = [];
  for (const w of f.walls ?? []) {
    solids.push({ name: w.name, shape: wallBox(w.from, w.to, w.thickness), height: w.height, color: parseColor(w.color ?? DEFAULT_SOLID_COLOR) });
  }
  for (const s of f.solids ?? []) {
    solids.push({ name: s.name, shape: toShape(s.shape), height: s.height, color: parseColor(s.color ?? DEFAULT_SOLID_COLOR) });
  }
  const world: World = {
    name: f.name,
    bounds: { min: { ...f.bounds.min }, max: { ...f.bounds.max } },
    enclosed: f.enclosed ?? false,
    floorColor: parseColor(f.floorColor ?? DEFAULT_FLOOR_COLOR),
    solids,
    objects: (f.objects ?? []).map((o) => ({
      name: o.name,
      className: o.className,
      shape: toShape(o.shape),
      height: o.height,
      color: parseColor(o.color),
    })),
    spawns: f.spawns.map((s) => ({ x: s.x, y: s.y, yaw: s.yaw ?? 0 })),
    goals: (f.goals ?? []).map((g) => ({ name: g.name, center: { ...g.center }, radius: g.radius })),
  };
  if (world.enclosed) {
    const b = { ...DEFAULT_BOUNDARY, ...f.boundary };
    world.solids.push(...boundaryWalls(world, b.height, b.thickness, parseColor(b.color)));
  }
  return world;
}

// ---------------------------------------------------------------------------------------------
// Semantic checks

/** Whether segments p1-p2 and p3-p4 intersect (touching counts). */
function segmentsIntersect(p1: Vec2, p2: Vec2, p3: Vec2, p4: Vec2): boolean {
  const orient = (a: Vec2, b: Vec2, c: Vec2): number => Math.sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
  const onSeg = (a: Vec2, b: Vec2, c: Vec2): boolean =>
    Math.min(a.x, b.x) <= c.x && c.x <= Math.max(a.x, b.x) && Math.min(a.y, b.y) <= c.y && c.y <= Math.max(a.y, b.y);
  const d1 = orient(p3, p4, p1);
  const d2 = orient(p3, p4, p2);
  const d3 = orient(p1, p2, p3);
  const d4 = orient(p1, p2, p4);
  if (d1 !== d2 && d3 !== d4) return true;
  return (d1 === 0 && onSeg(p3, p4, p1)) || (d2 === 0 && onSeg(p3, p4, p2)) || (d3 === 0 && onSeg(p1, p2, p3)) || (d4 === 0 && onSeg(p1, p2, p4));
}

/** A description of why a polygon is not simple, or null when it is. */
export function polygonProblem(points: readonly Vec2[]): string | null {
  const n = points.length;
  if (n < 3) return `a polygon needs at least 3 points, found ${n}`;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const a1 = points[i];
      const a2 = points[(i + 1) % n];
      const b1 = points[j];
      const b2 = points[(j + 1) % n];
      if (adjacent) {
        // Adjacent edges share one vertex; they must not overlap beyond it.
        const shared = j === i + 1 ? a2 : a1;
        const otherA = j === i + 1 ? a1 : a2;
        const otherB = j === i + 1 ? b2 : b1;
        const cross = (otherA.x - shared.x) * (otherB.y - shared.y) - (otherA.y - shared.y) * (otherB.x - shared.x);
        const dot = (otherA.x - shared.x) * (otherB.x - shared.x) + (otherA.y - shared.y) * (otherB.y - shared.y);
        if (cross === 0 && dot > 0) return `polygon is not simple: edges ${i} and ${j} overlap`;
        continue;
      }
      if (segmentsIntersect(a1, a2, b1, b2)) return `polygon is not simple: edges ${i} and ${j} cross`;
    }
  }
  if (Math.abs(signedArea2(points)) < 1e-12) return "polygon has zero area";
  return null;
}

function inBounds(world: World, p: Vec2): boolean {
  const { min, max } = world.bounds;
  return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y;
}

function checkSemantics(world: World, f: WorldFile, file: string, clearance: number): void {
  const fail = (pointer: string, detail: string): never => {
    throw new WorldFileError(file, pointer, detail);
  };
  const { min, max } = world.bounds;
  if (!(max.x > min.x)) fail("/bounds/max/x", `expected a number > bounds.min.x (${min.x}), found ${max.x}`);
  if (!(max.y > min.y)) fail("/bounds/max/y", `expected a number > bounds.min.y (${min.y}), found ${max.y}`);

  // Where each named thing came from in the file, in the order toWorld emitted them.
  const sources: string[] = [
    ...(f.walls ?? []).map((_, i) => `/walls/${i}`),
    ...(f.solids ?? []).map((_, i) => `/solids/${i}`),
    ...(f.objects ?? []).map((_, i) => `/objects/${i}`),
  ];
  const seen = new Map<string, string>();
  const named = [...world.solids, ...world.objects];
  named.forEach((s, i) => {
    const where = sources[i] ?? "/enclosed";
    const before = seen.get(s.name);
    if (before !== undefined) fail(`${where}/name`, `duplicate name "${s.name}" (also at ${before})`);
    seen.set(s.name, where);
  });
  const goalNames = new Map<string, number>();
  world.goals.forEach((g, i) => {
    if (goalNames.has(g.name)) fail(`/goals/${i}/name`, `duplicate goal name "${g.name}" (also /goals/${goalNames.get(g.name)})`);
    goalNames.set(g.name, i);
    if (!inBounds(world, g.center)) fail(`/goals/${i}/center`, `goal centre (${g.center.x}, ${g.center.y}) lies outside the bounds`);
  });

  (f.solids ?? []).forEach((s, i) => {
    if (s.shape.kind !== "polygon") return;
    const problem = polygonProblem(s.shape.points);
    if (problem) fail(`/solids/${i}/shape/points`, problem);
  });
  (f.objects ?? []).forEach((o, i) => {
    if (o.shape.kind !== "polygon") return;
    const problem = polygonProblem(o.shape.points);
    if (problem) fail(`/objects/${i}/shape/points`, problem);
  });

  const scene = compileScene(world);
  world.spawns.forEach((s, i) => {
    if (!inBounds(world, s)) fail(`/spawns/${i}`, `spawn (${s.x}, ${s.y}) lies outside the bounds`);
    const inside = pointInside(scene, s.x, s.y);
    if (inside >= 0) fail(`/spawns/${i}`, `spawn (${s.x}, ${s.y}) lies inside "${scene.owners[inside].name}"`);
    const hit = clearance > 0 ? circleCollides(scene, s.x, s.y, clearance) : -1;
    if (hit >= 0) fail(`/spawns/${i}`, `spawn (${s.x}, ${s.y}) is within ${clearance} m of "${scene.owners[hit].name}"`);
  });
}
