/**
 * The planner node (`ros2 run kestrel planner`): a thin wrapper that feeds /scan, /odom and
 * optionally /map into the costmap core, plans from the robot to /goal_pose with the search
 * cores, and publishes /costmap, /plan and /planner/status. All algorithms live in costmap/,
 * search/ and smooth.ts.
 */
import type { Subscription } from "rxjs";
import { kestrel_msgs, type geometry_msgs, type nav_msgs, type sensor_msgs } from "../../msgs/generated/types";
import { defineNode, type NodeDefinition } from "../../ros/definition";
import type { RosNode } from "../../ros/node";
import type { NodeParameters } from "../../ros/parameters/declare";
import { TfBuffer } from "../../ros/tf/buffer";
import { quaternionFromYaw, yawFromQuaternion, type Transform } from "../../ros/tf/math";
import { costsToOccupancy } from "./costmap/cost";
import { Costmap, type CostmapParams } from "./costmap/costmap";
import { worldToCell, type GridGeometry } from "./costmap/grid";
import type { Pose2D } from "./costmap/obstacle-layer";
import { projectStaticMap } from "./costmap/static-layer";
import { PLANNER_PARAMETERS, type PlannerParams } from "./params";
import { AStarPlanner } from "./search/astar";
import { JumpPointPlanner } from "./search/jps";
import type { PlanningGrid, SearchResult } from "./search/types";
import { resample, segmentIsClear, smoothPath } from "./smooth";
import { describeFailure } from "./status";
import { laserScanProblem, poseProblem } from "../../msgs/checks";

const STATUS = kestrel_msgs.msg.PlannerStatus;

function pose2dOf(t: Transform): Pose2D {
  return { x: t.translation.x, y: t.translation.y, yaw: yawFromQuaternion(t.rotation) };
}

function costmapParamsOf(p: PlannerParams): CostmapParams {
  return {
    inflation: { inscribedRadiusM: p.robot_radius_m, inflationRadiusM: p.inflation_radius_m, costScalingFactor: p.cost_scaling_factor },
    logOdds: { hit: p.log_odds_hit, miss: p.log_odds_miss, min: p.log_odds_min, max: p.log_odds_max, occupiedThreshold: p.log_odds_occupied },
    trackUnknownSpace: p.track_unknown_space,
  };
}

class PlannerRuntime {
  private readonly geometry: GridGeometry;
  private readonly costmap: Costmap;
  private readonly grid: PlanningGrid;
  private readonly astar = new AStarPlanner();
  private readonly jps = new JumpPointPlanner();
  private readonly tf = new TfBuffer();
  private readonly subs: Subscription[] = [];
  private readonly costmapPub;
  private readonly planPub;
  private readonly statusPub;
  private robot: Pose2D | undefined;
  private goal: { pose: Pose2D; orientation: geometry_msgs.msg.Quaternion } | undefined;
  private reached = false;
  private dirty = true;
  private staticMap: nav_msgs.msg.OccupancyGrid | undefined;
  /** The published path in cell coordinates [x0, y0, ...] (empty when none). */
  private path: Float64Array = new Float64Array(0);
  private lastStatus = { status: -1, message: "" };
  private readonly warnedAt = new Map<string, number>();
  private counts = { scans: 0, plans: 0, failures: 0, rejected: 0 };

  constructor(
    private readonly node: RosNode,
    private readonly params: NodeParameters<PlannerParams>,
  ) {
    const p = params.values;
    this.geometry = {
      width: Math.max(1, Math.round(p.width_m / p.resolution_m)),
      height: Math.max(1, Math.round(p.height_m / p.resolution_m)),
      resolution: p.resolution_m,
      originX: p.origin_x_m,
      originY: p.origin_y_m,
    };
    this.costmap = new Costmap(this.geometry, costmapParamsOf(p));
    this.grid = { width: this.geometry.width, height: this.geometry.height, costs: this.costmap.costs, version: 0 };
    this.costmapPub = node.createPublisher("nav_msgs/msg/OccupancyGrid", "costmap", { depth: 1, reliability: "reliable", durability: "transient_local" });
    this.planPub = node.createPublisher("nav_msgs/msg/Path", "plan", { depth: 1, reliability: "reliable", durability: "transient_local" });
    this.statusPub = node.createPublisher("kestrel_msgs/msg/PlannerStatus", "planner/status", { depth: 10, reliability: "reliable", durability: "transient_local" });

    this.subs.push(...this.tf.listen(node));
    this.subs.push(node.subscribe("sensor_msgs/msg/LaserScan", "scan", "qos_profile_sensor_data").subscribe((m) => this.guard("scan", () => this.onScan(m))));
    this.subs.push(node.subscribe("nav_msgs/msg/Odometry", "odom", "qos_profile_sensor_data").subscribe((m) => this.guard("odom", () => this.onOdom(m))));
    this.subs.push(node.subscribe("geometry_msgs/msg/PoseStamped", "goal_pose", { depth: 1 }).subscribe((m) => this.guard("goal_pose", () => this.onGoal(m))));
    if (p.use_static_map) {
      this.subs.push(
        node
          .subscribe("nav_msgs/msg/OccupancyGrid", "map", { depth: 1, reliability: "reliable", durability: "transient_local" })
          .subscribe((m) => this.guard("map", () => this.onMap(m))),
      );
    }
    params.onChange(() => {
      this.costmap.setParams(costmapParamsOf(this.params.values));
      this.dirty = true;
    });
    node.createTimer(1000 / p.update_rate_hz, () => this.guard("update", () => this.refresh(true)));
    node.createTimer(1000 / p.publish_rate_hz, () => this.guard("costmap", () => this.publishCostmap()));
    node.createTimer(1000 / p.replan_rate_hz, () => this.guard("replan", () => this.goal && !this.reached && this.plan("periodic replan")));
    this.publishStatus(STATUS.IDLE, "no goal yet", 0);
  }

  /** Runs a handler; a thrown error is logged with the topic and the node keeps running. */
  private guard(topic: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.node.logger.error(`${topic}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private reject(topic: string, problem: string): void {
    this.counts.rejected++;
    this.node.logger.error(`/${topic}: ${problem}; message ignored`);
  }

  private warnThrottled(key: string, text: string): void {
    const now = Date.now();
    if ((this.warnedAt.get(key) ?? -Infinity) + 5000 > now) return;
    this.warnedAt.set(key, now);
    this.node.logger.warn(text);
  }

  /** A frame's pose in the global frame, through tf; the base frame falls back to the /odom pose. */
  private poseOf(frame: string): Pose2D | undefined {
    const global = this.params.values.global_frame;
    const f = frame.replace(/^\//, "");
    if (f === "" || f === global) return { x: 0, y: 0, yaw: 0 };
    try {
      return pose2dOf(this.tf.lookup(global, f).transform);
    } catch (error) {
      if (f === this.params.values.robot_base_frame && this.robot) return this.robot;
      this.warnThrottled(`tf:${f}`, `cannot place frame '${f}' in '${global}': ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private onScan(scan: sensor_msgs.msg.LaserScan): void {
    const problem = laserScanProblem(scan);
    if (problem) return this.reject("scan", problem);
    const laser = this.poseOf(scan.header.frame_id);
    if (!laser) return;
    const p = this.params.values;
    this.costmap.obstacles.integrate(
      laser,
      { angleMin: scan.angle_min, angleIncrement: scan.angle_increment, rangeMin: scan.range_min, rangeMax: scan.range_max, ranges: scan.ranges },
      costmapParamsOf(p).logOdds,
      { obstacleMaxRangeM: p.obstacle_max_range_m, raytraceMaxRangeM: p.raytrace_max_range_m },
    );
    this.counts.scans++;
    this.dirty = true;
  }

  private onOdom(odom: nav_msgs.msg.Odometry): void {
    const problem = poseProblem(odom.pose.pose, "pose.pose");
    if (problem) return this.reject("odom", problem);
    const frame = odom.header.frame_id.replace(/^\//, "");
    const local: Pose2D = { x: odom.pose.pose.position.x, y: odom.pose.pose.position.y, yaw: yawFromQuaternion(odom.pose.pose.orientation) };
    if (frame === "" || frame === this.params.values.global_frame) this.robot = local;
    else {
      const base = this.poseOf(frame);
      if (!base) return;
      const c = Math.cos(base.yaw);
      const s = Math.sin(base.yaw);
      this.robot = { x: base.x + c * local.x - s * local.y, y: base.y + s * local.x + c * local.y, yaw: base.yaw + local.yaw };
    }
    this.checkReached();
  }

  private onGoal(msg: geometry_msgs.msg.PoseStamped): void {
    const problem = poseProblem(msg.pose, "pose");
    if (problem) return this.reject("goal_pose", problem);
    const frame = msg.header.frame_id.replace(/^\//, "");
    const inFrame = this.poseOf(frame);
    if (!inFrame) {
      this.goal = undefined;
      this.clearPath();
      this.publishStatus(STATUS.NO_PATH, `goal frame '${frame}' cannot be transformed into '${this.params.values.global_frame}'`, 0);
      return;
    }
    const { x, y } = msg.pose.position;
    const c = Math.cos(inFrame.yaw);
    const s = Math.sin(inFrame.yaw);
    const yaw = inFrame.yaw + yawFromQuaternion(msg.pose.orientation);
    this.goal = { pose: { x: inFrame.x + c * x - s * y, y: inFrame.y + s * x + c * y, yaw }, orientation: quaternionFromYaw(yaw) };
    this.reached = false;
    this.plan("new goal");
  }

  private onMap(map: nav_msgs.msg.OccupancyGrid): void {
    const { width, height } = map.info;
    if (map.data.length !== width * height) return this.reject("map", `field data has ${map.data.length} cells but info says ${width}x${height}`);
    this.staticMap = map;
    this.dirty = true;
  }

  /** Recomputes the costmap when new data arrived; then replans if the path became blocked. */
  private refresh(checkBlocked: boolean): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.staticMap) {
      const m = this.staticMap;
      const mapInGlobal = this.poseOf(m.header.frame_id);
      if (mapInGlobal) {
        // The costmap frame's pose in the map frame: the inverse of the map's pose in the global frame.
        const c = Math.cos(mapInGlobal.yaw);
        const s = Math.sin(mapInGlobal.yaw);
        const gridInMap = { x: -(c * mapInGlobal.x + s * mapInGlobal.y), y: -(-s * mapInGlobal.x + c * mapInGlobal.y), yaw: -mapInGlobal.yaw };
        const mg: GridGeometry = {
          width: m.info.width,
          height: m.info.height,
          resolution: m.info.resolution,
          originX: m.info.origin.position.x,
          originY: m.info.origin.position.y,
        };
        this.costmap.staticCosts ??= new Uint8Array(this.geometry.width * this.geometry.height);
        projectStaticMap({ geometry: mg, data: m.data }, this.geometry, gridInMap, this.params.values.map_lethal_threshold, this.costmap.staticCosts);
      }
    }
    this.costmap.update();
    this.grid.version = (this.grid.version ?? 0) + 1;
    if (checkBlocked && this.goal && !this.reached && this.path.length >= 4 && this.pathBlocked()) this.plan("path blocked");
  }

  private pathBlocked(): boolean {
    const p = this.path;
    const allow = this.params.values.allow_unknown;
    for (let i = 2; i < p.length; i += 2) {
      if (!segmentIsClear(this.grid, p[i - 2]!, p[i - 1]!, p[i]!, p[i + 1]!, allow)) return true;
    }
    return false;
  }

  private checkReached(): void {
    if (!this.goal || this.reached || !this.robot) return;
    if (Math.hypot(this.goal.pose.x - this.robot.x, this.goal.pose.y - this.robot.y) <= this.params.values.goal_tolerance_m) {
      this.reached = true;
      this.clearPath();
      this.publishStatus(STATUS.REACHED, "goal reached", 0);
    }
  }

  private plan(reason: string): void {
    const goal = this.goal;
    if (!goal) return;
    if (!this.robot) {
      this.publishStatus(STATUS.PLANNING, "waiting for /odom to know where the robot is", 0);
      return;
    }
    this.checkReached();
    if (this.reached) return;
    this.refresh(false);
    const p = this.params.values;
    const g = this.geometry;
    const sc = worldToCell(g, this.robot.x, this.robot.y);
    const gc = worldToCell(g, goal.pose.x, goal.pose.y);
    const options = { costWeight: p.cost_weight, allowUnknown: p.allow_unknown, maxIterations: p.max_iterations, timeBudgetMs: p.time_budget_ms };
    const start = { x: sc.cx, y: sc.cy };
    const target = { x: gc.cx, y: gc.cy };
    const result: SearchResult = p.algorithm === "jps" ? this.jps.search(this.grid, start, target, options) : this.astar.search(this.grid, start, target, options);
    if (!result.ok) {
      this.counts.failures++;
      this.clearPath();
      const toWorld = (cx: number, cy: number): { x: number; y: number } =>
        cx === start.x && cy === start.y ? this.robot! : cx === target.x && cy === target.y ? goal.pose : { x: g.originX + (cx + 0.5) * g.resolution, y: g.originY + (cy + 0.5) * g.resolution };
      const { status, message } = describeFailure(result.failure, toWorld);
      if (message !== this.lastStatus.message) this.node.logger.warn(`no path (${reason}): ${message}`);
      this.publishStatus(status, message, 0);
      return;
    }
    this.counts.plans++;
    let pts = p.smooth_path ? smoothPath(this.grid, result.cells, { allowUnknown: p.allow_unknown }) : resample(cellPoints(result.cells, g.width), 1);
    if (pts.length < 4) pts = Float64Array.of(start.x + 0.5, start.y + 0.5, target.x + 0.5, target.y + 0.5);
    this.path = pts;
    const lengthM = this.publishPath(pts, goal);
    this.publishStatus(STATUS.FOLLOWING, `path of ${lengthM.toFixed(2)} m (${reason})`, lengthM);
  }

  /** Publishes the path (cell coordinates → metres; first pose the robot, last the goal); returns its length. */
  private publishPath(pts: Float64Array, goal: { pose: Pose2D; orientation: geometry_msgs.msg.Quaternion }): number {
    const g = this.geometry;
    const header = { stamp: this.node.now(), frame_id: this.params.values.global_frame };
    const n = pts.length / 2;
    const xy: Array<{ x: number; y: number }> = [];
    for (let i = 0; i < n; i++) xy.push({ x: g.originX + pts[2 * i]! * g.resolution, y: g.originY + pts[2 * i + 1]! * g.resolution });
    xy[0] = { x: this.robot!.x, y: this.robot!.y };
    xy[n - 1] = { x: goal.pose.x, y: goal.pose.y };
    let length = 0;
    const poses: geometry_msgs.msg.PoseStamped[] = xy.map((q, i) => {
      const next = xy[i + 1];
      if (next) length += Math.hypot(next.x - q.x, next.y - q.y);
      const orientation = next ? quaternionFromYaw(Math.atan2(next.y - q.y, next.x - q.x)) : goal.orientation;
      return { header, pose: { position: { x: q.x, y: q.y, z: 0 }, orientation } };
    });
    this.planPub.publish({ header, poses });
    return length;
  }

  private clearPath(): void {
    if (this.path.length === 0) return;
    this.path = new Float64Array(0);
    this.planPub.publish({ header: { stamp: this.node.now(), frame_id: this.params.values.global_frame }, poses: [] });
  }

  private publishStatus(status: number, message: string, pathLengthM: number): void {
    this.lastStatus = { status, message };
    this.statusPub.publish({ header: { stamp: this.node.now(), frame_id: this.params.values.global_frame }, status, message, path_length_m: pathLengthM });
  }

  private publishCostmap(): void {
    this.refresh(true);
    const g = this.geometry;
    const stamp = this.node.now();
    this.costmapPub.publish({
      header: { stamp, frame_id: this.params.values.global_frame },
      info: {
        map_load_time: stamp,
        resolution: g.resolution,
        width: g.width,
        height: g.height,
        origin: { position: { x: g.originX, y: g.originY, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      },
      data: costsToOccupancy(this.costmap.costs),
    });
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  summary(): string {
    const c = this.counts;
    return `${c.scans} scans, ${c.plans} plans, ${c.failures} failed plans, ${c.rejected} rejected messages; status ${this.lastStatus.message || "idle"}`;
  }
}

function cellPoints(cells: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(cells.length * 2);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    out[2 * i] = (c % width) + 0.5;
    out[2 * i + 1] = Math.floor(c / width) + 0.5;
  }
  return out;
}

export const plannerNode: NodeDefinition<PlannerParams> = defineNode<PlannerParams>({
  name: "planner",
  description: "Costmap (obstacle + static + inflation layers) from /scan, /odom and /map; A*/JPS plans to /goal_pose on /plan",
  parameters: PLANNER_PARAMETERS,
  start(node, params) {
    const runtime = new PlannerRuntime(node, params);
    return { stop: () => runtime.stop(), summary: () => runtime.summary() };
  },
});
