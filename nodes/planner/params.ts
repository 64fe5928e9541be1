/** The planner node's parameters: one JSON schema, each with a default and a one-line description. */
import type { ParameterSchema } from "../../ros/parameters/declare";

export interface PlannerParams extends Record<string, unknown> {
  global_frame: string;
  robot_base_frame: string;
  width_m: number;
  height_m: number;
  origin_x_m: number;
  origin_y_m: number;
  resolution_m: number;
  robot_radius_m: number;
  inflation_radius_m: number;
  cost_scaling_factor: number;
  log_odds_hit: number;
  log_odds_miss: number;
  log_odds_min: number;
  log_odds_max: number;
  log_odds_occupied: number;
  obstacle_max_range_m: number;
  raytrace_max_range_m: number;
  track_unknown_space: boolean;
  use_static_map: boolean;
  map_lethal_threshold: number;
  update_rate_hz: number;
  publish_rate_hz: number;
  replan_rate_hz: number;
  algorithm: string;
  cost_weight: number;
  allow_unknown: boolean;
  max_iterations: number;
  time_budget_ms: number;
  smooth_path: boolean;
  goal_tolerance_m: number;
}

export const PLANNER_PARAMETERS: ParameterSchema = {
  type: "object",
  properties: {
    global_frame: { type: "string", default: "odom", description: "Frame of the costmap and of /plan" },
    robot_base_frame: { type: "string", default: "base_link", description: "Robot base frame (its pose comes from /odom)" },
    width_m: { type: "number", default: 20, minimum: 0.1, description: "Costmap size along x, m" },
    height_m: { type: "number", default: 20, minimum: 0.1, description: "Costmap size along y, m" },
    origin_x_m: { type: "number", default: -10, description: "Global-frame x of the costmap's lower-left corner, m" },
    origin_y_m: { type: "number", default: -10, description: "Global-frame y of the costmap's lower-left corner, m" },
    resolution_m: { type: "number", default: 0.05, exclusiveMinimum: 0, description: "Costmap cell edge, m" },
    robot_radius_m: { type: "number", default: 0.22, minimum: 0, description: "Robot (circular footprint) radius = inscribed radius, m" },
    inflation_radius_m: { type: "number", default: 0.55, minimum: 0, description: "Distance from obstacles beyond which cost is 0, m (Nav2 inflation_radius)" },
    cost_scaling_factor: { type: "number", default: 3.0, minimum: 0, description: "Exponential decay rate of inflation cost, 1/m (Nav2 cost_scaling_factor)" },
    log_odds_hit: { type: "number", default: 0.85, exclusiveMinimum: 0, description: "Log-odds added to a cell holding a laser return" },
    log_odds_miss: { type: "number", default: -0.4, exclusiveMaximum: 0, description: "Log-odds added to a cell a laser ray passes through" },
    log_odds_min: { type: "number", default: -2.0, description: "Lower log-odds clamp" },
    log_odds_max: { type: "number", default: 3.5, description: "Upper log-odds clamp" },
    log_odds_occupied: { type: "number", default: 0.7, description: "Log-odds at or above which a cell is an obstacle" },
    obstacle_max_range_m: { type: "number", default: 5.0, exclusiveMinimum: 0, description: "Returns farther than this clear but do not mark, m" },
    raytrace_max_range_m: { type: "number", default: 6.0, exclusiveMinimum: 0, description: "Rays clear free space at most this far, m" },
    track_unknown_space: { type: "boolean", default: true, description: "Unobserved cells are unknown (-1 on /costmap) rather than free" },
    use_static_map: { type: "boolean", default: false, description: "Add a static layer from /map (transient-local)" },
    map_lethal_threshold: { type: "integer", default: 65, minimum: 0, maximum: 100, description: "/map occupancy at or above which a cell is lethal" },
    update_rate_hz: { type: "number", default: 5, exclusiveMinimum: 0, description: "Rate of costmap recomputation (inflation) and blocked-path checks, Hz" },
    publish_rate_hz: { type: "number", default: 1, exclusiveMinimum: 0, description: "Rate of /costmap publication, Hz" },
    replan_rate_hz: { type: "number", default: 1, exclusiveMinimum: 0, description: "Rate of periodic replanning while a goal is active, Hz" },
    algorithm: { type: "string", enum: ["astar", "jps"], default: "astar", description: "Search: cost-aware A* or Jump Point Search (uniform cost)" },
    cost_weight: { type: "number", default: 3.0, minimum: 0, description: "Traversal cost = step · (1 + cost_weight · cell_cost / 252)" },
    allow_unknown: { type: "boolean", default: true, description: "Plan through unknown cells" },
    max_iterations: { type: "integer", default: 2000000, minimum: 1, description: "Expansions before the search gives up (PlannerTimedOut)" },
    time_budget_ms: { type: "number", default: 500, exclusiveMinimum: 0, description: "Wall time before the search gives up (PlannerTimedOut), ms" },
    smooth_path: { type: "boolean", default: true, description: "Shortcut and smooth the path (never into inscribed/lethal cells)" },
    goal_tolerance_m: { type: "number", default: 0.25, minimum: 0, description: "Distance to the goal at which the goal is REACHED, m" },
  },
};
