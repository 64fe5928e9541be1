/**
 * A fast navigation expert over VecEnv state, for behaviour cloning and DAgger labels.
 *
 * The real stack (sim node, planner, controller on the bus) needs milliseconds per step; this
 * expert needs microseconds, so the learners can label thousands of states per second. It is the
 * same recipe as the stack, on privileged state (the ground-truth pose and the world's geometry):
 *   1. the world rasterised once into a cost grid (cell centre within the robot's radius plus a
 *      margin of a solid → lethal; closer than `inflationM` → a cost falling off with clearance),
 *   2. a cost-aware A* path (nodes/planner/search AStarPlanner) from the robot's cell to the
 *      goal's, replanned when the robot strays from it or the episode changes,
 *   3. pure pursuit on it (nodes/controller/pursuit free functions: closest pose, lookahead point,
 *      curvature, curvature regulation), rotating in place when the carrot is behind.
 * Pure apart from the per-robot path cache; no I/O. The path cache (GridPlanner) is also the
 * path source of the policy observation in the VecEnv (nodes/learner/algos/env.ts).
 */
import { AStarPlanner } from "../../planner/search/astar";
import type { PlanningGrid } from "../../planner/search/types";
import { closestPoseIndex, findLookaheadPoint, toRobotFrame } from "../../controller/pursuit/geometry";
import { curvatureConstraint, pursuitCurvature } from "../../controller/pursuit/regulation";
import type { Path2D } from "../../controller/types";
import { compileScene, worldCostGrid, type Scene } from "../../../sim/geometry";
import type { VecEnv } from "../../../sim/env/vec-env";
import type { World } from "../../../sim/world/types";

export interface ExpertConfig {
  /** Grid cell size (m). */
  resolutionM: number;
  /** Clearance added to the robot's radius below which a cell is lethal (m). */
  marginM: number;
  /** Clearance (m) beyond the lethal band over which cells carry a decaying cost. */
  inflationM: number;
  /** A* cost weight: step · (1 + w · cost / 252). */
  costWeight: number;
  /** Pure pursuit lookahead distance (m). */
  lookaheadM: number;
  /** Turns tighter than this radius slow the robot in proportion (m). */
  minRadiusM: number;
  /** |carrot bearing| above which the robot rotates in place (rad). */
  rotateThresholdRad: number;
  /** Angular speed used when rotating in place (rad/s). */
  rotateSpeed: number;
  /** Replan when the robot is farther than this from its path (m). */
  replanDistanceM: number;
}

export const DEFAULT_EXPERT_CONFIG: ExpertConfig = {
  resolutionM: 0.05,
  marginM: 0.06,
  inflationM: 0.45,
  costWeight: 4,
  lookaheadM: 0.45,
  minRadiusM: 0.35,
  rotateThresholdRad: 0.9,
  rotateSpeed: 1.5,
  replanDistanceM: 0.35,
};

/** A world rasterised for planning: the planning grid and its placement. */
export interface WorldGrid {
  grid: PlanningGrid;
  originX: number;
  originY: number;
  resolution: number;
}

/** Rasterises a world's free space into a planner cost grid (see the file comment). */
export function worldGrid(world: World, robotRadius: number, config: ExpertConfig = DEFAULT_EXPERT_CONFIG, scene: Scene = compileScene(world)): WorldGrid {
  const g = worldCostGrid(world, scene, { resolutionM: config.resolutionM, lethalM: robotRadius + config.marginM, inflationM: config.inflationM });
  return { grid: { width: g.width, height: g.height, costs: g.costs, version: 1 }, originX: g.originX, originY: g.originY, resolution: g.resolutionM };
}

interface RobotPlan {
  path: Path2D | null;
  index: number;
  goalX: number;
  goalY: number;
  /** Consecutive steps the search failed (no path): the robot then drives straight at the goal. */
  failed: boolean;
}

const gridCache = new WeakMap<World, Map<string, WorldGrid>>();

/**
 * The global planner of the VecEnv robots: a cost-aware A* path per robot on its world's grid,
 * kept while the robot stays near it and the goal is the same, replanned otherwise. It is the
 * path source of both the expert (which pursues it) and the policy's observation (layout
 * kestrel-nav-v2, whose lookahead points come from it), so the two see the same plan, as the
 * stack's controller and its policy modes both see /plan.
 */
export class GridPlanner {
  readonly config: ExpertConfig;
  private readonly grids: WorldGrid[];
  private readonly plans: RobotPlan[];
  private readonly planner = new AStarPlanner();
  /** Searches run so far (for benchmarks and tests). */
  searches = 0;

  /** `worlds` as given to the VecEnv (one, or one per robot); `robotRadius` the footprint (m). */
  constructor(numEnvs: number, worlds: World | World[], robotRadius: number, config: Partial<ExpertConfig> = {}) {
    this.config = { ...DEFAULT_EXPERT_CONFIG, ...config };
    const list = Array.isArray(worlds) ? worlds : [worlds];
    const key = JSON.stringify(this.config) + robotRadius;
    this.grids = [];
    for (let i = 0; i < numEnvs; i++) {
      const world = list.length === 1 ? list[0]! : list[i]!;
      let perWorld = gridCache.get(world);
      if (!perWorld) gridCache.set(world, (perWorld = new Map()));
      let g = perWorld.get(key);
      if (!g) perWorld.set(key, (g = worldGrid(world, robotRadius, this.config)));
      this.grids.push(g);
    }
    this.plans = Array.from({ length: numEnvs }, () => ({ path: null, index: 0, goalX: NaN, goalY: NaN, failed: false }));
  }

  /** Forgets every cached path. */
  reset(): void {
    for (let i = 0; i < this.plans.length; i++) this.forget(i);
  }

  /** Forgets robot i's path (a new episode). */
  forget(i: number): void {
    const plan = this.plans[i]!;
    plan.path = null;
    plan.goalX = NaN;
    plan.goalY = NaN;
  }

  /**
   * Robot i's path to (gx, gy) from (x, y), replanned when there is none, the goal moved or the
   * robot strayed farther than replanDistanceM; `index` is the path pose nearest the robot.
   * null when the search fails (no path).
   */
  track(i: number, x: number, y: number, gx: number, gy: number): { path: Path2D; index: number } | null {
    const c = this.config;
    const plan = this.plans[i]!;
    const newGoal = !(Math.hypot(gx - plan.goalX, gy - plan.goalY) <= 0.05);
    let stray = false;
    if (plan.path && !newGoal) {
      plan.index = closestPoseIndex(plan.path, plan.index, x, y, 1.5);
      stray = Math.hypot(plan.path.xs[plan.index]! - x, plan.path.ys[plan.index]! - y) > c.replanDistanceM;
    }
    if (!plan.path || newGoal || stray) this.replan(i, x, y, gx, gy);
    return plan.path ? { path: plan.path, index: plan.index } : null;
  }

  /**
   * Whether robot i's grid connects (ax, ay) to (bx, by): both ends on traversable cells and an A*
   * path between them (for drawing reachable episodes).
   */
  reachable(i: number, ax: number, ay: number, bx: number, by: number): boolean {
    const g = this.grids[i]!;
    const a = cellAt(g, ax, ay);
    const b = cellAt(g, bx, by);
    if (!a || !b) return false;
    return this.planner.search(g.grid, a, b, { costWeight: 0 }).ok;
  }

  private replan(i: number, x: number, y: number, gx: number, gy: number): void {
    const plan = this.plans[i]!;
    const g = this.grids[i]!;
    plan.goalX = gx;
    plan.goalY = gy;
    plan.index = 0;
    const start = nearestFree(g, x, y);
    const goal = nearestFree(g, gx, gy);
    this.searches++;
    const result = start && goal ? this.planner.search(g.grid, start, goal, { costWeight: this.config.costWeight }) : null;
    if (!result || !result.ok) {
      plan.path = null;
      plan.failed = true;
      return;
    }
    plan.failed = false;
    const n = result.cells.length;
    const path: Path2D = { xs: new Float64Array(n + 1), ys: new Float64Array(n + 1), thetas: new Float64Array(n + 1), length: n + 1 };
    for (let k = 0; k < n; k++) {
      const cell = result.cells[k]!;
      path.xs[k] = g.originX + ((cell % g.grid.width) + 0.5) * g.resolution;
      path.ys[k] = g.originY + (Math.floor(cell / g.grid.width) + 0.5) * g.resolution;
    }
    path.xs[n] = gx; // end exactly on the goal
    path.ys[n] = gy;
    plan.path = path;
  }
}

/** The expert for every robot of a VecEnv. */
export class GridExpert {
  readonly config: ExpertConfig;
  /** The path source: the env's own (its observation's planner) when it has one, else private. */
  readonly planner: GridPlanner;
  private readonly shared: boolean;
  private readonly maxLinear: number;
  private readonly maxAngular: number;

  /** `worlds` as given to the VecEnv (one, or one per robot). */
  constructor(
    private readonly env: VecEnv,
    worlds: World | World[],
    config: Partial<ExpertConfig> = {},
  ) {
    this.config = { ...DEFAULT_EXPERT_CONFIG, ...config };
    const base = env.config.robot.base;
    this.maxLinear = base.maxLinear;
    this.maxAngular = base.maxAngular;
    // An env built by makeNavEnv carries the planner of its observation's path: pursue that very
    // path (same configuration only), so the labels agree with the path the policy is shown.
    const envPlanner = (env.extension as { planner?: unknown } | undefined)?.planner;
    this.shared = envPlanner instanceof GridPlanner && JSON.stringify(envPlanner.config) === JSON.stringify(this.config);
    this.planner = this.shared ? (envPlanner as GridPlanner) : new GridPlanner(env.config.numEnvs, worlds, base.footprintRadius, this.config);
  }

  /** Searches run so far (for benchmarks and tests). */
  get searches(): number {
    return this.planner.searches;
  }

  /** Forgets every cached path (call after env.reset; a shared planner already started over). */
  reset(): void {
    if (!this.shared) this.planner.reset();
  }

  /**
   * Expert commands [v, w] per robot for the env's current state, into `out` (numEnvs · 2).
   * `observations` are the env's latest (the goal is read from them).
   */
  act(observations: Float32Array, out: Float32Array = new Float32Array(this.env.config.numEnvs * 2)): Float32Array {
    const obsSize = this.env.obsSize;
    const beams = this.env.config.lidarBeams;
    for (let i = 0; i < this.env.config.numEnvs; i++) {
      const pose = this.env.robotState(i).pose;
      const d = observations[i * obsSize + beams]!;
      const b = observations[i * obsSize + beams + 1]!;
      const gx = pose.x + d * Math.cos(pose.yaw + b);
      const gy = pose.y + d * Math.sin(pose.yaw + b);
      const cmd = this.command(i, pose.x, pose.y, pose.yaw, gx, gy);
      out[2 * i] = cmd.v;
      out[2 * i + 1] = cmd.w;
    }
    return out;
  }

  /** The expert's command for robot i at a pose, heading to (gx, gy). */
  command(i: number, x: number, y: number, yaw: number, gx: number, gy: number): { v: number; w: number } {
    const c = this.config;
    const tracked = this.planner.track(i, x, y, gx, gy);
    let tx = gx;
    let ty = gy;
    if (tracked) {
      const carrot = findLookaheadPoint(tracked.path, tracked.index, x, y, c.lookaheadM);
      tx = carrot.x;
      ty = carrot.y;
    }
    const local = toRobotFrame(tx, ty, x, y, yaw);
    const angle = Math.atan2(local.y, local.x);
    if (Math.abs(angle) > c.rotateThresholdRad) return { v: 0, w: Math.sign(angle) * Math.min(c.rotateSpeed, this.maxAngular) };
    const kappa = pursuitCurvature(local.x, local.y);
    const v = curvatureConstraint(this.maxLinear, kappa, c.minRadiusM);
    const w = Math.max(-this.maxAngular, Math.min(this.maxAngular, v * kappa));
    return { v, w };
  }
}

/** The cell of (x, y) when it is traversable (below lethal), else null. */
function cellAt(g: WorldGrid, x: number, y: number): { x: number; y: number } | null {
  const cx = Math.floor((x - g.originX) / g.resolution);
  const cy = Math.floor((y - g.originY) / g.resolution);
  if (cx < 0 || cy < 0 || cx >= g.grid.width || cy >= g.grid.height) return null;
  return g.grid.costs[cy * g.grid.width + cx]! < 253 ? { x: cx, y: cy } : null;
}

/** The traversable cell nearest to (x, y) within 0.5 m (spiral by rings), or null. */
function nearestFree(g: WorldGrid, x: number, y: number): { x: number; y: number } | null {
  const cx = Math.floor((x - g.originX) / g.resolution);
  const cy = Math.floor((y - g.originY) / g.resolution);
  const { width, height, costs } = g.grid;
  const maxRing = Math.ceil(0.5 / g.resolution);
  for (let r = 0; r <= maxRing; r++) {
    let best: { x: number; y: number } | null = null;
    let bestCost = 253;
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const px = cx + dx;
        const py = cy + dy;
        if (px < 0 || py < 0 || px >= width || py >= height) continue;
        const c = costs[py * width + px]!;
        if (c < bestCost) {
          bestCost = c;
          best = { x: px, y: py };
        }
      }
    }
    if (best) return best;
  }
  return null;
}
