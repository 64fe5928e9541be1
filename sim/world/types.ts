/**
 * The simulator's world as plain data: a 2.5D floor plan (every solid is a vertical prism with a
 * height), objects to detect, spawn poses and goal regions. Units are SI (metres, radians),
 * frame REP-103: x forward/east, y left/north, z up, yaw counter-clockwise from +x.
 * World YAML files (sim/worlds/*.yaml) parse into this after schema validation (world/load.ts);
 * a Moving AI map converts into it too. Every consumer (lidar, camera, robot collisions, the
 * SDF exporter) reads only these types.
 */

export interface Vec2 {
  x: number;
  y: number;
}

/** A pose on the floor plane. */
export interface Pose2D {
  x: number;
  y: number;
  /** Heading in radians, counter-clockwise from +x. */
  yaw: number;
}

/** sRGB colour, each channel 0..1. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** An axis-aligned-then-rotated box footprint extruded to `height`. */
export interface BoxShape {
  kind: "box";
  /** Centre of the footprint. */
  center: Vec2;
  /** Full extents along the box's own x and y axes. */
  size: Vec2;
  /** Rotation of the box about z. */
  yaw: number;
}

export interface CylinderShape {
  kind: "cylinder";
  center: Vec2;
  radius: number;
}

/** A simple (non-self-intersecting) polygon footprint, vertices counter-clockwise. */
export interface PolygonShape {
  kind: "polygon";
  points: Vec2[];
}

export type Shape = BoxShape | CylinderShape | PolygonShape;

/** Anything solid: walls, shelving, furniture. The robot collides with it; sensors see it. */
export interface Solid {
  /** Unique within the world; used in contact reports and SDF model names. */
  name: string;
  shape: Shape;
  /** Height of the prism above the floor, metres. */
  height: number;
  color: Rgb;
}

/** A solid the perception stack should detect: it carries a class name. */
export interface DetectableObject extends Solid {
  /** Class name, e.g. "person", "chair" (COCO names where one fits). */
  className: string;
}

/** Where a goal counts as reached. */
export interface GoalRegion {
  name: string;
  center: Vec2;
  radius: number;
}

export interface WorldBounds {
  min: Vec2;
  max: Vec2;
}

export interface World {
  name: string;
  /** Everything lies within; the boundary itself is walled when `enclosed` is true. */
  bounds: WorldBounds;
  /** Whether the bounds are solid walls (they are added to `solids` by the loader). */
  enclosed: boolean;
  floorColor: Rgb;
  /** Walls, shelves and other static geometry. */
  solids: Solid[];
  /** Objects with a class, for detection (also solid). */
  objects: DetectableObject[];
  /** Robot start poses; the first is the default. */
  spawns: Pose2D[];
  goals: GoalRegion[];
}
