/**
 * The learned-policy controller modes.
 *
 *   policy  the ONNX policy drives from the same observation VecEnv builds in training
 *           (nodes/learner/policy/observation.ts, the layout its manifest names): the goal is the
 *           END of the current path (VecEnv's goal is the goal itself), and, in layout
 *           kestrel-nav-v2, the path's lookahead points in the robot frame come from the current
 *           /plan (path-features.ts pathLookahead, the function VecEnv's path source uses). The
 *           node hands the modes the path already in the odom frame, the frame of the pose. Its command goes
 *           through the safety layer and the smoother like any mode's. With no policy loaded it
 *           never drives blind: pursuit drives instead (state "pursuit_fallback"), and the node
 *           logs why; as soon as a policy is loaded the policy drives.
 *           Pursuit (the expert) also runs every cycle on the same inputs, its output returned as
 *           ModeOutput.expert: the node publishes it on /cmd_vel_expert, the label the learner
 *           trains on for the states the policy drives into. Pursuit's state (closest path index,
 *           goal latch) only follows the robot; the policy reads none of it, so this cannot change
 *           how the policy drives, and a fallback to pursuit starts from where the robot is.
 *   shadow  pursuit drives; the policy runs on the same inputs each cycle and its raw command
 *           (bounded by the manifest, before safety and smoothing) is published on
 *           /cmd_vel_shadow for comparison.
 *
 * Both get the policy from the node through ModeContext.policy (a PolicyHost): the node loads
 * and reloads it; the modes only read the current one, so a reload takes effect on the next
 * cycle without re-creating the mode.
 */
import { goalInRobotFrame, observationFromScan } from "../learner/policy/observation";
import type { Policy } from "../learner/policy/package";
import type { ControlInput, ControllerMode, ModeContext, ModeOutput } from "./mode";
import type { Path2D, Velocity2D } from "./types";

/** What the node gives policy modes. */
export interface PolicyHost {
  /** The loaded, verified policy; undefined when none could be loaded. */
  readonly policy: Policy | undefined;
  /** Why there is none (for the fallback log line). */
  readonly unavailableReason: string;
  /** Publishes a shadow command on /cmd_vel_shadow. */
  publishShadow(cmd: Velocity2D): void;
  warn(text: string): void;
  info(text: string): void;
}

/** A mode that drives when the policy cannot: pursuit in practice. */
export type FallbackMode = ControllerMode<ModeContext>;

/** The policy's command for the input, or a reason why it cannot produce one. */
export class PolicyDriver {
  private observation = new Float32Array(0);
  path: Path2D | undefined;

  /** The observation of the last act() (for tests and logs). */
  get lastObservation(): Float32Array {
    return this.observation;
  }

  act(policy: Policy, input: ControlInput): Velocity2D | string {
    if (!input.pose) return "no_pose";
    const path = this.path;
    if (!path || path.length === 0) return "idle";
    if (!input.laserScan) return "no_scan";
    const goal = goalInRobotFrame(input.pose, { x: path.xs[path.length - 1]!, y: path.ys[path.length - 1]! });
    if (this.observation.length !== policy.observationSize) this.observation = new Float32Array(policy.observationSize);
    observationFromScan(
      { ranges: input.laserScan.ranges, geometry: input.laserScan.geometry, laserYaw: input.laserScan.laserYaw, goal, velocity: input.velocity, plan: { path, pose: input.pose } },
      policy.observationSpec,
      this.observation,
    );
    const a = policy.act(this.observation);
    return { linear: a.v, angular: a.w };
  }
}

export class PolicyMode implements ControllerMode<ModeContext> {
  readonly name = "policy";
  readonly usesPolicy = true;
  private readonly driver = new PolicyDriver();
  private host: PolicyHost | undefined;
  private xyGoalTolerance: number;
  private fallbackLogged = false;
  private drivingId: string | undefined;

  constructor(
    context: ModeContext,
    private readonly fallback: FallbackMode,
  ) {
    this.host = context.policy;
    this.xyGoalTolerance = context.pursuit.xyGoalTolerance;
  }

  configure(context: ModeContext): void {
    this.host = context.policy;
    this.xyGoalTolerance = context.pursuit.xyGoalTolerance;
    this.fallback.configure(context);
  }

  setPath(path: Path2D | undefined): void {
    this.driver.path = path;
    this.fallback.setPath(path);
  }

  get lastObservation(): Float32Array {
    return this.driver.lastObservation;
  }

  compute(input: ControlInput): ModeOutput {
    const policy = this.host?.policy;
    const expert = this.expertOutput(input);
    if (!policy) {
      if (!this.fallbackLogged) {
        this.fallbackLogged = true;
        this.drivingId = undefined;
        this.host?.warn(`mode 'policy': no deployable policy (${this.host.unavailableReason || "none loaded"}); pursuit drives until one is loaded`);
      }
      const out: ModeOutput = { cmd: expert.cmd, active: expert.active, state: `pursuit_fallback:${expert.state}` };
      return { ...out, expert: out };
    }
    if (this.drivingId !== `${policy.id}/${policy.sha256}`) {
      if (this.fallbackLogged) this.host?.info(`mode 'policy': policy '${policy.id}' drives (pursuit fallback over)`);
      this.drivingId = `${policy.id}/${policy.sha256}`;
      this.fallbackLogged = false;
    }
    // Done when within the goal tolerance of the path's end (the policy has no notion of "stop").
    const path = this.driver.path;
    if (input.pose && path && path.length > 0) {
      const d = Math.hypot(path.xs[path.length - 1]! - input.pose.x, path.ys[path.length - 1]! - input.pose.y);
      if (d <= this.xyGoalTolerance) return { cmd: { linear: 0, angular: 0 }, active: false, state: "goal_reached", expert };
    }
    const result = this.driver.act(policy, input);
    if (typeof result === "string") {
      return { cmd: { linear: 0, angular: 0 }, active: result !== "idle", state: result, expert };
    }
    return { cmd: result, active: true, state: "policy", expert };
  }

  /** Pursuit on this cycle's inputs; a failure becomes a non-finite command (the safety layer stops it). */
  private expertOutput(input: ControlInput): ModeOutput {
    try {
      return this.fallback.compute(input);
    } catch (error) {
      return { cmd: { linear: Number.NaN, angular: Number.NaN }, active: true, state: `error: ${(error as Error).message}` };
    }
  }
}

export class ShadowMode implements ControllerMode<ModeContext> {
  readonly name = "shadow";
  readonly usesPolicy = true;
  private readonly driver = new PolicyDriver();
  private host: PolicyHost | undefined;
  private failure: string | undefined;

  constructor(
    context: ModeContext,
    private readonly expert: FallbackMode,
  ) {
    this.host = context.policy;
  }

  configure(context: ModeContext): void {
    this.host = context.policy;
    this.expert.configure(context);
  }

  setPath(path: Path2D | undefined): void {
    this.driver.path = path;
    this.expert.setPath(path);
  }

  get lastObservation(): Float32Array {
    return this.driver.lastObservation;
  }

  compute(input: ControlInput): ModeOutput {
    const out = this.expert.compute(input);
    const policy = this.host?.policy;
    if (policy && out.active) {
      // The shadow must never disturb the expert: any failure is logged once and skipped.
      try {
        const cmd = this.driver.act(policy, input);
        if (typeof cmd !== "string") {
          this.host!.publishShadow(cmd);
          this.failure = undefined;
        }
      } catch (error) {
        const text = `mode 'shadow': policy '${policy.id}' failed: ${(error as Error).message}; no /cmd_vel_shadow this cycle`;
        if (this.failure !== text) this.host!.warn(text);
        this.failure = text;
      }
    }
    return out;
  }
}
