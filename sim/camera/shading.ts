/**
 * How the camera colours what it sees: render options (light, floor, sky, fog) and the shading
 * arithmetic, all over plain numbers. Colours travel as packed 24-bit integers 0xRRGGBB so the
 * renderer never allocates per pixel.
 *
 * Model: Lambert diffuse from one fixed directional light plus ambient, applied to the object's
 * sRGB colour (treated as linear; it is a simulator, not a photometric renderer), then mixed
 * towards the fog colour with exp(-depth / fogDistance). The floor is a two-tone checker in the
 * world's floor colour; the sky/ceiling is one flat colour.
 */

import type { Rgb } from "../world/types";

// Bound once: global lookups are slow inside jest's vm context (see render.ts).
const round = Math.round;
const exp = Math.exp;
const INF = Number.POSITIVE_INFINITY;

export interface RenderOptions {
  /** Direction *towards* the light in the world frame (normalised internally); z up. */
  lightDirection: { x: number; y: number; z: number };
  /** Ambient term and diffuse weight: intensity = ambient + diffuse * max(0, n . l). */
  ambient: number;
  diffuse: number;
  /** Floor base colour (the world's floorColor). */
  floorColor: Rgb;
  /** Side of one floor checker square (m); 0 disables the checker. */
  floorCheckerM: number;
  /** Relative brightness drop of the darker checker squares (0..1). */
  floorCheckerContrast: number;
  /** Flat colour above everything (sky or ceiling). */
  skyColor: Rgb;
  /** Colour things fade to with distance. */
  fogColor: Rgb;
  /** e-folding distance of the fog (m); Infinity disables fog. */
  fogDistanceM: number;
  /** Rays stop here (m); the floor beyond it is still drawn up to the horizon. */
  maxRangeM: number;
  /** Objects with fewer visible pixels get no ground-truth box. */
  minBoxPixels: number;
}

export const DEFAULT_RENDER_OPTIONS: Readonly<RenderOptions> = Object.freeze({
  lightDirection: Object.freeze({ x: 0.45, y: 0.3, z: 0.84 }),
  ambient: 0.42,
  diffuse: 0.58,
  floorColor: Object.freeze({ r: 0.6, g: 0.6, b: 0.6 }),
  floorCheckerM: 0.5,
  floorCheckerContrast: 0.12,
  skyColor: Object.freeze({ r: 0.8, g: 0.86, b: 0.92 }),
  fogColor: Object.freeze({ r: 0.8, g: 0.86, b: 0.92 }),
  fogDistanceM: 40,
  maxRangeM: 50,
  minBoxPixels: 12,
});

/** Fills unspecified options from the defaults (and normalises nothing else). */
export function resolveRenderOptions(partial: Partial<RenderOptions> = {}): RenderOptions {
  const o: RenderOptions = { ...DEFAULT_RENDER_OPTIONS, ...partial };
  if (!(o.maxRangeM > 0)) throw new RangeError(`maxRangeM must be > 0, got ${o.maxRangeM}`);
  if (!(o.fogDistanceM > 0)) throw new RangeError(`fogDistanceM must be > 0 (Infinity disables fog), got ${o.fogDistanceM}`);
  if (!(o.minBoxPixels >= 0)) throw new RangeError(`minBoxPixels must be >= 0, got ${o.minBoxPixels}`);
  return o;
}

/** Precomputed light: unit direction towards the light. */
export interface Light {
  x: number;
  y: number;
  z: number;
  ambient: number;
  diffuse: number;
}

export function makeLight(o: Pick<RenderOptions, "lightDirection" | "ambient" | "diffuse">): Light {
  const { x, y, z } = o.lightDirection;
  const n = Math.hypot(x, y, z);
  if (!(n > 0)) throw new RangeError("lightDirection must be non-zero");
  return { x: x / n, y: y / n, z: z / n, ambient: o.ambient, diffuse: o.diffuse };
}

/** Lambert intensity of a vertical face with outward unit normal (nx, ny, 0). */
export function wallIntensity(light: Light, nx: number, ny: number): number {
  const d = nx * light.x + ny * light.y;
  return light.ambient + light.diffuse * (d > 0 ? d : 0);
}

/** Lambert intensity of a horizontal top face (normal +z). */
export function topIntensity(light: Light): number {
  return light.ambient + light.diffuse * (light.z > 0 ? light.z : 0);
}

/** Fraction of the surface colour left after fog at `depthM` (1 = no fog). */
export function fogKeep(depthM: number, fogDistanceM: number): number {
  return fogDistanceM === INF ? 1 : exp(-depthM / fogDistanceM);
}

function toByte(x: number): number {
  const v = round(x * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Packs an Rgb (0..1) into 0xRRGGBB. */
export function packRgb(c: Rgb): number {
  return (toByte(c.r) << 16) | (toByte(c.g) << 8) | toByte(c.b);
}

/**
 * colour * intensity, mixed with the fog colour: keep * colour * intensity + (1 - keep) * fog,
 * packed 0xRRGGBB. All colour channels 0..1.
 */
export function shade(
  r: number,
  g: number,
  b: number,
  intensity: number,
  keep: number,
  fogR: number,
  fogG: number,
  fogB: number,
): number {
  const f = 1 - keep;
  const k = keep * intensity;
  return (toByte(r * k + fogR * f) << 16) | (toByte(g * k + fogG * f) << 8) | toByte(b * k + fogB * f);
}

/** Unpacks 0xRRGGBB into [r, g, b] bytes (for tests and tools). */
export function unpackRgb(packed: number): [number, number, number] {
  return [(packed >> 16) & 255, (packed >> 8) & 255, packed & 255];
}
