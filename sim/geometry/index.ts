/** The simulator's geometry core: compile a World into a Scene, then ray-cast and query it. */
export { compileScene, boxCorners, shapeOutline, signedArea2 } from "./scene";
export type { Scene, SceneOwner, SceneGrid, CompileOptions } from "./scene";
export { raycastNearest, raycastAll } from "./raycast";
export type { RayHit } from "./raycast";
export { nearestSurface, circleCollides, pointInside, makeSurfacePoint } from "./proximity";
export type { SurfacePoint } from "./proximity";
export { worldCostGrid } from "./cost-grid";
export type { CostGridOptions, WorldCostGrid } from "./cost-grid";
