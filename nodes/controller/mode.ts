/**
 * The seam between the controller node and what decides the command. A mode turns the latest
 * inputs into a desired velocity; the node then passes it through the safety layer and the
 * smoother, so no mode can bypass either. `pursuit` ships now; the learning issue adds `policy`
 * (a learned policy drives) and `shadow` (pursuit drives, the policy runs alongside and is
 * logged) by registering more factories with `createControllerNode({ modes })`.
 */
import type { Path2D, Pose2D, ScanPoints, Velocity2D } from "./types";
import { RegulatedPurePursuit, type PursuitParams, type PursuitState } from "./pursuit/rpp";
import { nearestPointDistance } from "./types";

export interface ControlInput {
  /** Robot pose in odom; undefined until a valid /odom arrives. */
  pose: Pose2D | undefined;
  /** Robot velocity from /odom. */
  velocity: Velocity2D;
  /** Latest valid scan in base_link, if any. */
  scan: ScanPoints | undefined;
  /** Node clock (s) and control period (s). */
  nowS: number;
  dt: number;
}

export interface ModeOutput {
  cmd: Velocity2D;
  /** True while the mode is driving toward a goal; false when idle or done (the node then stops publishing once at rest). */
  active: boolean;
  /** A short label for logs and summaries ("tracking", "goal_reached", ...). */
  state: string;
}

export interface ControllerMode<P = unknown> {
  readonly name: string;
  /** A new path (odom frame); undefined clears it. */
  setPath(path: Path2D | undefined): void;
  compute(input: ControlInput): ModeOutput;
  /** New parameter values (run-time changes). */
  configure(params: P): void;
}

/** What a mode factory gets: the node's parameters as the pursuit reads them. */
export interface ModeContext {
  pursuit: PursuitParams;
  footprintRadius: number;
}

export type ModeFactory = (context: ModeContext) => ControllerMode<ModeContext>;

/** Regulated Pure Pursuit as a controller mode. */
export class PursuitMode implements ControllerMode<ModeContext> {
  readonly name = "pursuit";
  private readonly rpp: RegulatedPurePursuit;
  private footprintRadius: number;
  lastState: PursuitState = "idle";

  constructor(context: ModeContext) {
    this.rpp = new RegulatedPurePursuit(context.pursuit);
    this.footprintRadius = context.footprintRadius;
  }

  configure(context: ModeContext): void {
    this.rpp.setParams(context.pursuit);
    this.footprintRadius = context.footprintRadius;
  }

  setPath(path: Path2D | undefined): void {
    this.rpp.setPath(path);
  }

  compute(input: ControlInput): ModeOutput {
    if (!input.pose) return { cmd: { linear: 0, angular: 0 }, active: this.rpp.hasPath(), state: "no_pose" };
    const obstacleDistance = input.scan ? nearestPointDistance(input.scan) - this.footprintRadius : Infinity;
    const out = this.rpp.compute({ pose: input.pose, velocity: input.velocity, obstacleDistance, dt: input.dt });
    this.lastState = out.state;
    return { cmd: out.cmd, active: out.state !== "idle" && out.state !== "goal_reached", state: out.state };
  }
}

export const DEFAULT_MODES: Readonly<Record<string, ModeFactory>> = Object.freeze({
  pursuit: (context: ModeContext) => new PursuitMode(context),
});
