/**
 * The seam between the controller node and what decides the command. A mode turns the latest
 * inputs into a desired velocity; the node then passes it through the safety layer and the
 * smoother, so no mode can bypass either. Modes: `pursuit` (Regulated Pure Pursuit), `policy`
 * (a learned ONNX policy drives; pursuit stands in while none is loaded) and `shadow` (pursuit
 * drives, the policy runs alongside and is published on /cmd_vel_shadow) — see policy-mode.ts.
 * More can be registered with `createControllerNode({ modes })`.
 */
import type { ScanGeometry } from "../learner/policy/observation";
import type { Path2D, Pose2D, ScanPoints, Velocity2D } from "./types";
import { PolicyMode, ShadowMode, type PolicyHost } from "./policy-mode";
import { RegulatedPurePursuit, type PursuitParams, type PursuitState } from "./pursuit/rpp";
import { nearestPointDistance } from "./types";

/** The latest valid LaserScan as the laser measured it (for the policy observation). */
export interface LaserScanInput {
  ranges: ArrayLike<number>;
  geometry: ScanGeometry;
  /** The laser's yaw on base_link (rad). */
  laserYaw: number;
}

export interface ControlInput {
  /** Robot pose in odom; undefined until a valid /odom arrives. */
  pose: Pose2D | undefined;
  /** Robot velocity from /odom. */
  velocity: Velocity2D;
  /** Latest valid scan in base_link, if any. */
  scan: ScanPoints | undefined;
  /** The same scan as raw ranges in the laser frame (what learned policies observe), if any. */
  laserScan?: LaserScanInput | undefined;
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
  /**
   * The expert's (pursuit's) output on the same inputs, from modes whose command may not be the
   * expert's (policy): the node publishes it, through safety and smoother, on /cmd_vel_expert so
   * recorded episodes carry expert labels for the states the policy visits (DAgger on the robot).
   * The very same object as this output when the expert is what drives.
   */
  expert?: ModeOutput;
}

export interface ControllerMode<P = unknown> {
  readonly name: string;
  /** True for modes that run the learned policy: the node loads one for them. */
  readonly usesPolicy?: boolean;
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
  /** The node's policy holder, for modes that run a learned policy (absent: they fall back to pursuit). */
  policy?: PolicyHost | undefined;
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
  policy: (context: ModeContext) => new PolicyMode(context, new PursuitMode(context)),
  shadow: (context: ModeContext) => new ShadowMode(context, new PursuitMode(context)),
});
