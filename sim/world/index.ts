/** Worlds: types, the YAML loader and the Moving AI map converter. */
export * from "./types";
export { loadWorld, parseWorld, WorldFileError, parseColor, wallBox, boundaryWalls, polygonProblem } from "./load";
export type { ParseWorldOptions } from "./load";
export { worldFromMovingAiMap, parseMovingAiMap, mergeBlockedCells } from "./movingai";
export type { MovingAiGrid, MovingAiOptions } from "./movingai";
export { WORLD_SCHEMA } from "./schema";
