/**
 * The JSON schema of a world YAML file (validated with ajv). A file looks like:
 *
 *   name: office
 *   bounds: { min: { x: 0, y: 0 }, max: { x: 20, y: 12 } }
 *   enclosed: true                    # add four boundary walls just outside the bounds
 *   boundary: { height: 1.2, thickness: 0.15, color: "#c8c8c8" }   # optional
 *   floorColor: "#8a8a80"             # optional
 *   walls:                            # optional shorthand: a straight wall from A to B
 *     - { name: w1, from: { x: 0, y: 5 }, to: { x: 8, y: 5 }, thickness: 0.1, height: 1.2 }
 *   solids:
 *     - name: pillar
 *       shape: { kind: cylinder, center: { x: 4, y: 4 }, radius: 0.2 }
 *       height: 2.5
 *       color: "#808080"              # optional, "#rrggbb"
 *   objects:                          # solids with a class to detect (COCO class names)
 *     - { name: p1, className: person, shape: {...}, height: 1.7, color: "#3060c0" }
 *   spawns: [ { x: 1, y: 1, yaw: 0 } ]
 *   goals: [ { name: g1, center: { x: 18, y: 10 }, radius: 0.5 } ]
 *
 * Shapes: box { center, size: {x, y}, yaw? }, cylinder { center, radius },
 * polygon { points: [ {x, y}, ... ] } (>= 3 points, simple; either winding).
 */

const finite = { type: "number" } as const;
const positive = { type: "number", exclusiveMinimum: 0 } as const;
const vec2 = {
  type: "object",
  required: ["x", "y"],
  additionalProperties: false,
  properties: { x: finite, y: finite },
} as const;
const size2 = {
  type: "object",
  required: ["x", "y"],
  additionalProperties: false,
  properties: { x: positive, y: positive },
} as const;
const color = { type: "string", pattern: "^#[0-9a-fA-F]{6}$" } as const;
const name = { type: "string", minLength: 1 } as const;

const shape = {
  type: "object",
  required: ["kind"],
  properties: { kind: { enum: ["box", "cylinder", "polygon"] } },
  discriminator: { propertyName: "kind" },
  oneOf: [
    {
      type: "object",
      required: ["kind", "center", "size"],
      additionalProperties: false,
      properties: { kind: { const: "box" }, center: vec2, size: size2, yaw: finite },
    },
    {
      type: "object",
      required: ["kind", "center", "radius"],
      additionalProperties: false,
      properties: { kind: { const: "cylinder" }, center: vec2, radius: positive },
    },
    {
      type: "object",
      required: ["kind", "points"],
      additionalProperties: false,
      properties: { kind: { const: "polygon" }, points: { type: "array", minItems: 3, items: vec2 } },
    },
  ],
} as const;

const solid = {
  type: "object",
  required: ["name", "shape", "height"],
  additionalProperties: false,
  properties: { name, shape, height: positive, color },
} as const;

const object = {
  type: "object",
  required: ["name", "className", "shape", "height", "color"],
  additionalProperties: false,
  properties: { name, className: name, shape, height: positive, color },
} as const;

const wall = {
  type: "object",
  required: ["name", "from", "to", "thickness", "height"],
  additionalProperties: false,
  properties: { name, from: vec2, to: vec2, thickness: positive, height: positive, color },
} as const;

export const WORLD_SCHEMA = {
  $id: "kestrel/world.schema.json",
  type: "object",
  required: ["name", "bounds", "spawns"],
  additionalProperties: false,
  properties: {
    name,
    bounds: {
      type: "object",
      required: ["min", "max"],
      additionalProperties: false,
      properties: { min: vec2, max: vec2 },
    },
    enclosed: { type: "boolean" },
    boundary: {
      type: "object",
      additionalProperties: false,
      properties: { height: positive, thickness: positive, color },
    },
    floorColor: color,
    walls: { type: "array", items: wall },
    solids: { type: "array", items: solid },
    objects: { type: "array", items: object },
    spawns: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["x", "y"],
        additionalProperties: false,
        properties: { x: finite, y: finite, yaw: finite },
      },
    },
    goals: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "center", "radius"],
        additionalProperties: false,
        properties: { name, center: vec2, radius: positive },
      },
    },
  },
} as const;

/** The file's shape after schema validation (before defaults and conversion to World). */
export interface WorldFileVec2 {
  x: number;
  y: number;
}
export type WorldFileShape =
  | { kind: "box"; center: WorldFileVec2; size: WorldFileVec2; yaw?: number }
  | { kind: "cylinder"; center: WorldFileVec2; radius: number }
  | { kind: "polygon"; points: WorldFileVec2[] };
export interface WorldFile {
  name: string;
  bounds: { min: WorldFileVec2; max: WorldFileVec2 };
  enclosed?: boolean;
  boundary?: { height?: number; thickness?: number; color?: string };
  floorColor?: string;
  walls?: Array<{ name: string; from: WorldFileVec2; to: WorldFileVec2; thickness: number; height: number; color?: string }>;
  solids?: Array<{ name: string; shape: WorldFileShape; height: number; color?: string }>;
  objects?: Array<{ name: string; className: string; shape: WorldFileShape; height: number; color: string }>;
  spawns: Array<{ x: number; y: number; yaw?: number }>;
  goals?: Array<{ name: string; center: WorldFileVec2; radius: number }>;
}
