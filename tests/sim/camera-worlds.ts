/**
 * Small literal worlds for the camera tests (not a test file itself). Walls are listed as solids
 * explicitly (`enclosed: false`), since adding boundary walls is the world loader's job.
 */
import type { DetectableObject, Rgb, Solid, World } from "../../sim/world/types";

export const RED: Rgb = { r: 1, g: 0, b: 0 };
export const GREEN: Rgb = { r: 0, g: 1, b: 0 };
export const BLUE: Rgb = { r: 0, g: 0, b: 1 };
export const GREY: Rgb = { r: 0.7, g: 0.7, b: 0.7 };

/** An axis-aligned box solid. */
export function box(name: string, cx: number, cy: number, sx: number, sy: number, height: number, color: Rgb, yaw = 0): Solid {
  return { name, shape: { kind: "box", center: { x: cx, y: cy }, size: { x: sx, y: sy }, yaw }, height, color };
}

/** A detectable box object. */
export function boxObject(
  name: string,
  className: string,
  cx: number,
  cy: number,
  sx: number,
  sy: number,
  height: number,
  color: Rgb,
  yaw = 0,
): DetectableObject {
  return { ...box(name, cx, cy, sx, sy, height, color, yaw), className };
}

/** A detectable cylinder object. */
export function cylinderObject(name: string, className: string, cx: number, cy: number, radius: number, height: number, color: Rgb): DetectableObject {
  return { name, className, shape: { kind: "cylinder", center: { x: cx, y: cy }, radius }, height, color };
}

/** A world with nothing but the given objects and solids on an open floor. */
export function openWorld(objects: DetectableObject[], solids: Solid[] = []): World {
  return {
    name: "camera-test", // shows up nowhere but error messages
    bounds: { min: { x: -20, y: -20 }, max: { x: 20, y: 20 } }, // generous: nothing touches them
    enclosed: false, // no boundary walls: the camera sees floor up to the horizon
    floorColor: { r: 0.5, g: 0.5, b: 0.5 }, // mid grey floor
    solids, // static geometry (none unless given)
    objects, // the detectable things under test
    spawns: [{ x: 0, y: 0, yaw: 0 }], // robot at the origin facing +x
    goals: [], // the camera does not care about goals
  };
}

const WALL: Rgb = { r: 0.85, g: 0.83, b: 0.78 };
const WALL_H = 2.5;
const T = 0.1; // wall thickness

/**
 * An office floor 14 m x 10 m: outer walls, a corridor wall with doors splitting off three rooms,
 * desks, a shelf, pillars, and detectable chairs, people, plants, a bin and a ball — about three
 * dozen solids and objects, like the shipped office world.
 */
export function officeWorld(): World {
  const solids: Solid[] = [
    // Outer walls.
    box("wall_south", 7, 0, 14, T, WALL_H, WALL),
    box("wall_north", 7, 10, 14, T, WALL_H, WALL),
    box("wall_west", 0, 5, T, 10, WALL_H, WALL),
    box("wall_east", 14, 5, T, 10, WALL_H, WALL),
    // Corridor wall at y = 6 with three 1 m doors (at x = 2, 7, 12).
    box("corridor_a", 0.75, 6, 1.5, T, WALL_H, WALL),
    box("corridor_b", 4.5, 6, 4.0, T, WALL_H, WALL),
    box("corridor_c", 9.5, 6, 4.0, T, WALL_H, WALL),
    box("corridor_d", 13.25, 6, 1.5, T, WALL_H, WALL),
    // Room dividers north of the corridor.
    box("divider_1", 4.7, 8, T, 4, WALL_H, WALL),
    box("divider_2", 9.7, 8, T, 4, WALL_H, WALL),
    // Open-plan desks south of the corridor.
    box("desk_1", 3, 2, 1.6, 0.8, 0.75, { r: 0.55, g: 0.4, b: 0.25 }),
    box("desk_2", 3, 4, 1.6, 0.8, 0.75, { r: 0.55, g: 0.4, b: 0.25 }),
    box("desk_3", 7, 2, 1.6, 0.8, 0.75, { r: 0.55, g: 0.4, b: 0.25 }),
    box("desk_4", 7, 4, 1.6, 0.8, 0.75, { r: 0.55, g: 0.4, b: 0.25 }, 0.2),
    box("desk_5", 11, 2.5, 1.6, 0.8, 0.75, { r: 0.55, g: 0.4, b: 0.25 }),
    box("shelf", 13.6, 2.5, 0.5, 2.0, 1.8, { r: 0.3, g: 0.3, b: 0.35 }),
    box("cabinet", 0.4, 3, 0.6, 1.2, 1.1, { r: 0.6, g: 0.6, b: 0.65 }),
    { name: "pillar_1", shape: { kind: "cylinder", center: { x: 5, y: 3 }, radius: 0.2 }, height: WALL_H, color: { r: 0.9, g: 0.9, b: 0.9 } },
    { name: "pillar_2", shape: { kind: "cylinder", center: { x: 9, y: 3 }, radius: 0.2 }, height: WALL_H, color: { r: 0.9, g: 0.9, b: 0.9 } },
    {
      name: "sofa", // an L-shaped polygon in the north-east room
      shape: {
        kind: "polygon",
        points: [
          { x: 11, y: 8.8 },
          { x: 13.5, y: 8.8 },
          { x: 13.5, y: 9.8 },
          { x: 11, y: 9.8 },
        ],
      },
      height: 0.8,
      color: { r: 0.2, g: 0.35, b: 0.6 },
    },
    box("meeting_table", 7.2, 8.2, 2.0, 1.0, 0.74, { r: 0.45, g: 0.3, b: 0.2 }),
  ];
  const objects: DetectableObject[] = [
    cylinderObject("chair_1", "chair", 3, 1.3, 0.25, 0.9, { r: 0.1, g: 0.1, b: 0.1 }),
    cylinderObject("chair_2", "chair", 3, 4.7, 0.25, 0.9, { r: 0.1, g: 0.1, b: 0.1 }),
    cylinderObject("chair_3", "chair", 7, 1.3, 0.25, 0.9, { r: 0.1, g: 0.1, b: 0.1 }),
    cylinderObject("chair_4", "chair", 11, 1.8, 0.25, 0.9, { r: 0.8, g: 0.1, b: 0.1 }),
    boxObject("person_1", "person", 5.5, 1.5, 0.35, 0.5, 1.75, { r: 0.9, g: 0.6, b: 0.2 }),
    boxObject("person_2", "person", 10, 4.8, 0.35, 0.5, 1.7, { r: 0.3, g: 0.6, b: 0.9 }, 0.7),
    cylinderObject("plant_1", "potted plant", 1, 5.3, 0.3, 1.2, { r: 0.1, g: 0.6, b: 0.15 }),
    cylinderObject("plant_2", "potted plant", 13.3, 5.3, 0.3, 1.2, { r: 0.1, g: 0.6, b: 0.15 }),
    cylinderObject("bin", "bin", 8.5, 5.4, 0.18, 0.5, { r: 0.2, g: 0.5, b: 0.2 }),
    cylinderObject("ball", "sports ball", 6, 5, 0.11, 0.22, { r: 1, g: 0.9, b: 0 }),
    boxObject("suitcase", "suitcase", 12, 4, 0.4, 0.25, 0.65, { r: 0.5, g: 0.1, b: 0.5 }),
    boxObject("tv", "tv", 7.2, 9.8, 1.2, 0.1, 1.4, { r: 0.05, g: 0.05, b: 0.08 }),
  ];
  return {
    name: "camera-office", // test-only office floor
    bounds: { min: { x: 0, y: 0 }, max: { x: 14, y: 10 } }, // the outer walls sit on these
    enclosed: false, // outer walls are listed in `solids` already
    floorColor: { r: 0.62, g: 0.6, b: 0.55 }, // beige carpet
    solids, // walls, furniture, pillars
    objects, // what the detector should find
    spawns: [{ x: 1.5, y: 1, yaw: 0.35 }], // south-west corner looking across the desks
    goals: [], // not used by the camera
  };
}
