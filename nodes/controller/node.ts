/**
 * The controller node (executable "controller"): /plan, /odom and /scan in; /cmd_vel and
 * /safety/status out. A thin wrapper: messages are checked and converted (messages.ts), the
 * cycle runs in ControlPipeline (mode → safety → smoother) on a node-clock timer at
 * controller_frequency_hz, and the watchdog is rxjs `timeout` on the node clock.
 *
 * Learned policies (modes policy and shadow, policy-mode.ts): the node loads the current policy
 * of the store at policy_dir (sha256 and shapes checked by loadPolicy) when such a mode starts or
 * is switched to, and reloads it on a policy_reload parameter set, a policy_dir change, or a
 * /policy/info announcing a sha256 other than the one it runs. A package that fails to load is
 * refused with an error naming the reason, and whatever policy was running keeps running. Each
 * load is announced on /policy/info (latched). With promote_on_deploy, shadow mode hands over to
 * policy mode once a policy loads (the online loop: launch/learn.launch.xml). In policy mode the
 * expert (pursuit) runs beside the policy every cycle and its command, through the same safety
 * decision and smoother step, goes out on /cmd_vel_expert just before each /cmd_vel: recorded,
 * it labels the states the policy drives into (pipeline.ts says why after the smoother). An empty
 * store is logged once at info/warn; a package that fails to load is an error.
 *
 * Recovery (recovery/, in the pipeline between mode and safety): with no progress along the path
 * the robot backs up and spins toward the path, at most max_recovery_attempts per goal; each
 * transition is logged once ("recovery: <outcome>: ..."; progress_failed and the budget ends at
 * warn, recovery_exhausted at error) and the summary line ends with the recovery's state.
 */
import { Subject, type Subscription } from "rxjs";
import type { geometry_msgs, kestrel_msgs } from "../../msgs/generated/types";
import { join } from "node:path";
import { defineNode, type NodeDefinition } from "../../ros/definition";
import { packageShareDir } from "../../ros/package-share";
import { PolicyStore } from "../learner/policy/deploy";
import { POLICY_INFO_QOS, POLICY_INFO_TOPIC, policyInfoMessage } from "../learner/policy/info";
import { readManifest } from "../learner/policy/manifest";
import type { Policy } from "../learner/policy/package";
import type { Publisher, RosNode, Timer } from "../../ros/node";
import type { NodeParameters } from "../../ros/parameters/declare";
import { TfBuffer } from "../../ros/tf/buffer";
import { transformPoint, yawFromQuaternion } from "../../ros/tf/math";
import { timeToNs, timeToSeconds } from "../../ros/time";
import { nodeClockScheduler } from "./clock-scheduler";
import { laserScanProblem } from "../../msgs/checks";
import { odometryState, pathData, twistMessage, twistStampedMessage } from "./messages";
import { DEFAULT_MODES, type ControllerMode, type LaserScanInput, type ModeContext, type ModeFactory } from "./mode";
import type { PolicyHost } from "./policy-mode";
import {
  controllerParameterSchema,
  modeContextOf,
  parameterLaserMount,
  parameterWarnings,
  recoveryParamsOf,
  safetyParamsOf,
  smootherLimitsOf,
  type ControllerParams,
} from "./params";
import { ControlPipeline } from "./pipeline";
import type { RecoveryOutcome } from "./recovery/machine";
import { recoveryStatusText, type RecoveryStatus } from "./recovery/stage";
import { ScanProjector, type LaserMount } from "./safety/scan";
import { SafetyState, TransitionTracker, type SafetyDecision, type SafetyFault } from "./safety/supervisor";
import { freshness } from "./safety/watchdog";
import { VelocitySmoother } from "./smoother";
import type { Path2D, Pose2D, ScanPoints, Velocity2D } from "./types";

export interface ControllerNodeOptions {
  /** Controller modes by name (the `mode` parameter's choices); pursuit by default. */
  modes?: Readonly<Record<string, ModeFactory>>;
}

const STATE_NAMES = ["OK", "SLOWDOWN", "STOP"] as const;

/** Pursuit's command while a policy drives (policy mode), as /cmd_vel would carry it: the expert's label. */
export const EXPERT_CMD_TOPIC = "/cmd_vel_expert";

/** Seconds (node clock) between two "turning in place" log lines. */
const TURN_LOG_PERIOD_S = 5;

/** The controller node definition, with the given modes (the learning issue adds policy and shadow here). */
export function createControllerNode(options: ControllerNodeOptions = {}): NodeDefinition<ControllerParams> {
  const modes = options.modes ?? DEFAULT_MODES;
  return defineNode<ControllerParams>({
    name: "controller",
    description: "Regulated Pure Pursuit with a safety layer and velocity smoother: /plan, /odom, /scan -> /cmd_vel",
    parameters: controllerParameterSchema(Object.keys(modes)),
    start: (node, params) => startController(node, params, modes),
  });
}

export const controllerNode: NodeDefinition<ControllerParams> = createControllerNode();

function startController(node: RosNode, params: NodeParameters<ControllerParams>, modes: Readonly<Record<string, ModeFactory>>) {
  const v = params.values;
  const log = node.logger;
  for (const w of parameterWarnings(v)) log.warn(`parameter conflict: ${w}`);

  const scheduler = nodeClockScheduler(node);
  const tf = new TfBuffer();
  const subscriptions: Subscription[] = [...tf.listen(node)];

  // --- latest inputs -------------------------------------------------------------------------
  let pose: Pose2D | undefined;
  let velocity: Velocity2D = { linear: 0, angular: 0 };
  let odomFrame = "";
  let scan: ScanPoints | undefined;
  let laserScan: LaserScanInput | undefined;
  let path: Path2D | undefined;
  const projector = new ScanProjector();
  /** Faults by source, in the order the safety layer reports them. */
  const faults = new Map<string, SafetyFault>();
  const faultList = (): SafetyFault[] => [...faults.values()];
  const inputErrors = new Map<string, string>();

  /** Logs a rejected message once per distinct problem (not at the sensor's rate). */
  const rejectInput = (topic: string, type: string, problem: string): void => {
    const text = `${topic}: rejected a malformed ${type}: ${problem}; the robot is held stopped until a valid one arrives`;
    if (inputErrors.get(topic) !== text) log.error(text);
    inputErrors.set(topic, text);
  };
  const acceptInput = (topic: string): void => {
    if (inputErrors.delete(topic)) log.info(`${topic}: valid messages again`);
  };

  // --- learned policy -----------------------------------------------------------------------
  let shadowPub: Publisher<geometry_msgs.msg.Twist> | undefined;
  /** /cmd_vel_expert: pursuit's command beside a driving policy (policy mode), the learner's label. */
  let expertPub: Publisher<geometry_msgs.msg.Twist> | undefined;
  const publishExpert = (cmd: Velocity2D): void => {
    expertPub ??= node.createPublisher("geometry_msgs/msg/Twist", EXPERT_CMD_TOPIC);
    expertPub.publish(twistMessage(cmd));
  };
  let infoPub: Publisher<kestrel_msgs.msg.PolicyInfo> | undefined;
  const policyHost: PolicyHost & { policy: Policy | undefined; unavailableReason: string } = {
    policy: undefined,
    unavailableReason: "not loaded yet",
    publishShadow: (cmd) => {
      shadowPub ??= node.createPublisher("geometry_msgs/msg/Twist", "/cmd_vel_shadow");
      shadowPub.publish(twistMessage(cmd));
    },
    warn: (text) => log.warn(text),
    info: (text) => log.info(text),
  };
  const storeDir = (): string => (v.policy_dir !== "" ? v.policy_dir : join(packageShareDir(), "policies"));
  /** Loads the store's current policy; a failure keeps whatever runs now. */
  const reloadPolicy = (trigger: string): void => {
    let store: PolicyStore;
    let next: Policy;
    const t0 = performance.now();
    try {
      store = new PolicyStore(storeDir());
      if (store.currentDir() === undefined) {
        noPolicyYet(store.root);
        return;
      }
      next = store.loadCurrent();
    } catch (error) {
      const reason = (error as Error).message;
      const running = policyHost.policy;
      if (!running) policyHost.unavailableReason = reason;
      log.error(
        `policy: cannot load a policy (${trigger}): ${reason}; ${running ? `policy '${running.id}' keeps running` : pipeline.mode.usesPolicy ? `mode '${pipeline.mode.name}' runs pursuit instead` : "none loaded"}`,
      );
      return;
    }
    const ms = performance.now() - t0;
    const running = policyHost.policy;
    if (running && running.sha256 === next.sha256) {
      next.dispose();
      log.debug(`policy: '${running.id}' is still current (${trigger})`);
      return;
    }
    running?.dispose();
    policyHost.policy = next;
    policyHost.unavailableReason = "";
    emptyStoreLogged = "";
    const pointer = store.readPointer();
    let previousId = "";
    if (pointer?.previous) {
      try {
        previousId = readManifest(join(store.root, pointer.previous)).id;
      } catch {
        previousId = pointer.previous;
      }
    }
    log.info(
      `policy: loaded '${next.id}' (sha256 ${next.sha256.slice(0, 12)}, ${next.manifest.provenance.algorithm}) from ${next.dir} in ${ms.toFixed(1)} ms (${trigger})`,
    );
    infoPub ??= node.createPublisher("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS);
    infoPub.publish(policyInfoMessage(next.manifest, { stamp: node.now(), deployedAt: pointer?.deployed_at ?? "", previousId, store: store.root }));
    promoteIfShadow(next);
  };
  /**
   * An empty store is the normal first state of the online loop, not a failure: said once (until a
   * policy loads), at info in shadow mode, where pursuit drives anyway, and at warn in policy mode,
   * which was asked to drive with a policy. A store whose package fails to load is an error above.
   */
  let emptyStoreLogged = "";
  const noPolicyYet = (root: string): void => {
    const running = policyHost.policy;
    if (!running) policyHost.unavailableReason = `no policy deployed yet in ${root}`;
    const consequence = running
      ? `policy '${running.id}' keeps running`
      : pipeline.mode.name === "shadow"
        ? "shadow publishes nothing until one is"
        : pipeline.mode.usesPolicy
          ? `mode '${pipeline.mode.name}' runs pursuit until one is`
          : "none loaded";
    const text = `policy: no policy deployed yet in ${root}; ${consequence}`;
    if (text === emptyStoreLogged) return;
    emptyStoreLogged = text;
    if (pipeline.mode.name === "shadow" || running) log.info(text);
    else log.warn(text);
  };
  /**
   * Shadow, then policy: with promote_on_deploy, the first policy that loads in shadow mode takes
   * over (through the mode parameter, so `ros2 param get` tells the truth). Deferred: this may run
   * inside a parameter-change callback, which must not set parameters itself.
   */
  const promoteIfShadow = (loaded: Policy): void => {
    if (!v.promote_on_deploy || pipeline.mode.name !== "shadow" || !("policy" in modes)) return;
    queueMicrotask(() => {
      if (pipeline.mode.name !== "shadow" || policyHost.policy !== loaded) return;
      log.info(`policy: promoting '${loaded.id}' from shadow to policy mode (promote_on_deploy); the safety layer stays in charge`);
      const result = params.set({ mode: "policy" });
      if (!result.successful) log.error(`policy: cannot switch to mode 'policy': ${result.reason}`);
    });
  };

  // --- mode, safety, smoother ----------------------------------------------------------------
  const modeContext = (): ModeContext => ({ ...modeContextOf(v), policy: policyHost });
  const makeMode = (name: string): ControllerMode<ModeContext> => {
    const m = modes[name]!(modeContext());
    m.setPath(path);
    return m;
  };
  const pipeline = new ControlPipeline(makeMode(v.mode), new VelocitySmoother(smootherLimitsOf(v)), safetyParamsOf(v), recoveryParamsOf(v));
  log.info(`controller mode '${v.mode}' at ${v.controller_frequency_hz} Hz, /cmd_vel as ${v.enable_stamped_cmd_vel ? "TwistStamped" : "Twist"}`);
  if (pipeline.mode.usesPolicy) reloadPolicy(`mode '${v.mode}' at start`);
  // Advertised up front in the modes that can reach policy mode, so a recorder discovering topics
  // subscribes before the first expert command rather than half a second after it.
  if (pipeline.mode.usesPolicy) expertPub = node.createPublisher("geometry_msgs/msg/Twist", EXPERT_CMD_TOPIC);

  // --- publishers ----------------------------------------------------------------------------
  let cmdPub: Publisher<geometry_msgs.msg.Twist> | undefined;
  let cmdStampedPub: Publisher<geometry_msgs.msg.TwistStamped> | undefined;
  const makeCmdPublisher = (): void => {
    cmdPub?.destroy();
    cmdStampedPub?.destroy();
    cmdPub = cmdStampedPub = undefined;
    if (v.enable_stamped_cmd_vel) cmdStampedPub = node.createPublisher("geometry_msgs/msg/TwistStamped", "/cmd_vel");
    else cmdPub = node.createPublisher("geometry_msgs/msg/Twist", "/cmd_vel");
  };
  makeCmdPublisher();
  const statusPub = node.createPublisher("kestrel_msgs/msg/SafetyStatus", "/safety/status");

  // --- subscriptions -------------------------------------------------------------------------
  const scanFresh$ = new Subject<void>();
  const odomFresh$ = new Subject<void>();

  subscriptions.push(
    node.subscribe("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS).subscribe((m) => {
      if (m.sha256 === policyHost.policy?.sha256) return; // what runs already (e.g. our own announcement)
      if (!pipeline.mode.usesPolicy && !policyHost.policy) return; // loaded when a policy mode starts
      reloadPolicy(`/policy/info announced '${m.policy_id}' (sha256 ${m.sha256.slice(0, 12)})`);
      const running = policyHost.policy;
      if (running && running.sha256 !== m.sha256 && (m.store === "" || m.store === storeDir())) {
        log.warn(`policy: /policy/info announced '${m.policy_id}' (sha256 ${m.sha256.slice(0, 12)}) but the store's current policy is '${running.id}' (sha256 ${running.sha256.slice(0, 12)}); running that`);
      }
    }),
    node.subscribe("nav_msgs/msg/Path", "/plan").subscribe((m) => {
      const checked = pathData(m);
      if (!checked.ok) {
        rejectInput("/plan", "nav_msgs/Path", checked.error);
        faults.set("path", { source: "path", reason: `/plan rejected: ${checked.error}` });
        path = undefined;
        pipeline.setPath(undefined);
        return;
      }
      let data = checked.value;
      const frame = m.header.frame_id.replace(/^\//, "");
      if (data.length > 0 && frame !== "" && odomFrame !== "" && frame !== odomFrame) {
        try {
          data = transformPath(data, tf.lookup(odomFrame, frame).transform);
        } catch (error) {
          rejectInput("/plan", "nav_msgs/Path", `cannot transform the path from '${frame}' to '${odomFrame}': ${(error as Error).message}`);
          return;
        }
      }
      acceptInput("/plan");
      faults.delete("path");
      path = data.length > 0 ? data : undefined;
      pipeline.setPath(path);
      if (path) log.debug(`new path: ${path.length} poses`);
      else log.info("empty path: stopping");
    }),
    node.subscribe("nav_msgs/msg/Odometry", "/odom", "qos_profile_sensor_data").subscribe((m) => {
      const checked = odometryState(m);
      if (!checked.ok) {
        rejectInput("/odom", "nav_msgs/Odometry", checked.error);
        faults.set("odom_malformed", { source: "odom", reason: `/odom rejected: ${checked.error}` });
        pose = undefined;
        return;
      }
      acceptInput("/odom");
      faults.delete("odom_malformed");
      pose = checked.value.pose;
      velocity = checked.value.velocity;
      odomFrame = m.header.frame_id.replace(/^\//, "");
      odomFresh$.next();
    }),
    node.subscribe("sensor_msgs/msg/LaserScan", "/scan", "qos_profile_sensor_data").subscribe((m) => {
      const problem = laserScanProblem(m);
      if (problem) {
        rejectInput("/scan", "sensor_msgs/LaserScan", problem);
        faults.set("scan_malformed", { source: "scan", reason: `/scan rejected: ${problem}` });
        scan = undefined;
        laserScan = undefined;
        return;
      }
      acceptInput("/scan");
      faults.delete("scan_malformed");
      const geometry = { angleMin: m.angle_min, angleIncrement: m.angle_increment, rangeMin: m.range_min, rangeMax: m.range_max };
      const mount = laserMount(m.header.frame_id);
      scan = projector.project(m.ranges, geometry, mount);
      laserScan = { ranges: m.ranges, geometry, laserYaw: mount.yaw };
      scanFresh$.next();
    }),
  );

  // --- laser mount -----------------------------------------------------------------------------
  let mountWarned = false;
  const laserMount = (frame: string): LaserMount => {
    if (!v.laser_mount_from_tf || frame === "" || frame === v.base_frame_id) return frame === v.base_frame_id ? { x: 0, y: 0, yaw: 0 } : parameterLaserMount(v);
    try {
      const t = tf.lookup(v.base_frame_id, frame).transform;
      return { x: t.translation.x, y: t.translation.y, yaw: yawFromQuaternion(t.rotation) };
    } catch (error) {
      if (!mountWarned) {
        mountWarned = true;
        log.warn(`no transform ${v.base_frame_id} <- ${frame} yet (${(error as Error).message}); using laser_x ${v.laser_x}, laser_y ${v.laser_y}, laser_yaw ${v.laser_yaw}`);
      }
      return parameterLaserMount(v);
    }
  };

  // --- watchdog ------------------------------------------------------------------------------
  let watchdogs: Subscription[] = [];
  const startWatchdogs = (): void => {
    for (const s of watchdogs) s.unsubscribe();
    const watch = (subject: Subject<void>, topic: string, source: string, timeoutS: number, parameter: string): Subscription => {
      let everFresh = false;
      return freshness(subject, timeoutS * 1000, scheduler).subscribe((fresh) => {
        if (fresh) {
          everFresh = true;
          faults.delete(`${source}_stale`);
        } else {
          const reason = everFresh
            ? `${topic} stale: nothing for ${timeoutS} s (${parameter})`
            : `no ${topic} received yet`;
          faults.set(`${source}_stale`, { source, reason });
        }
      });
    };
    watchdogs = [
      watch(odomFresh$, "/odom", "odom", v.odom_timeout_s, "odom_timeout_s"),
      watch(scanFresh$, "/scan", "scan", v.scan_timeout_s, "scan_timeout_s"),
    ];
  };
  startWatchdogs();

  // --- the cycle -----------------------------------------------------------------------------
  const transitions = new TransitionTracker();
  let lastDecision: SafetyDecision | undefined;
  let lastStatusNs = -1n;
  let cycles = 0;
  let interventions = 0;
  let published = 0;
  let turningInStop = false;
  let recovery: RecoveryStatus | undefined;
  /** Turn-in-place logging: at most one line per TURN_LOG_PERIOD_S (noisy lidar at the stop-zone edge flips it every few cycles). */
  let lastTurnLogS = -Infinity;
  let turnsSinceLog = 0;

  const publishStatus = (d: SafetyDecision): void => {
    const stamp = node.now();
    const status: kestrel_msgs.msg.SafetyStatus = {
      header: { stamp, frame_id: v.base_frame_id },
      state: d.state,
      reason: d.reason,
      speed_scale: d.speedScale,
      source: d.source,
    };
    statusPub.publish(status);
    lastStatusNs = timeToNs(stamp);
  };

  /** Each recovery transition once: the ones that mean trouble at warn, the rest at info. */
  const logRecovery = (outcome: RecoveryOutcome, text: string): void => {
    switch (outcome) {
      case "progress_failed":
      case "backup_timeout":
      case "spin_timeout":
      case "drive_timeout":
        log.warn(text);
        return;
      case "recovery_exhausted":
        log.error(text);
        return;
      case "backup_done":
      case "spin_done":
      case "drive_done":
      case "aborted":
      case "new_goal":
      case "disabled":
        log.info(text);
        return;
    }
  };

  const tick = (): void => {
    cycles++;
    const result = pipeline.step(
      { pose, velocity, scan, laserScan, nowS: timeToSeconds(node.now()), dt: 1 / v.controller_frequency_hz },
      faultList(),
    );
    const d = result.decision;
    if (transitions.update(d)) {
      if (d.state === SafetyState.OK) {
        if (lastDecision) log.info(`safety: OK again (was ${STATE_NAMES[lastDecision.state]} from ${lastDecision.source}: ${lastDecision.reason})`);
      } else {
        interventions++;
        log.warn(`safety: ${STATE_NAMES[d.state]} (${d.source}): ${d.reason}${d.state === SafetyState.SLOWDOWN ? `; speed x${d.speedScale}` : ""}`);
      }
      publishStatus(d);
    } else if (timeToNs(node.now()) - lastStatusNs >= BigInt(Math.round(1e9 / v.status_publish_rate_hz))) {
      publishStatus(d);
    }
    lastDecision = d;
    recovery = result.recovery;
    if (recovery.transition) logRecovery(recovery.transition.outcome, `recovery: ${recovery.transition.outcome}: ${recovery.transition.detail}`);
    // How the robot gets out of a stop against a wall; throttled, counting the turns in between.
    if (result.turningInStop !== turningInStop) {
      turningInStop = result.turningInStop;
      if (turningInStop) {
        turnsSinceLog++;
        const nowS = timeToSeconds(node.now());
        if (nowS - lastTurnLogS >= TURN_LOG_PERIOD_S) {
          log.info(`safety: turning in place out of the stop zone (${d.reason}) at ${result.cmd.angular.toFixed(2)} rad/s${turnsSinceLog > 1 ? ` (${turnsSinceLog} turns since the last such line)` : ""}`);
          lastTurnLogS = nowS;
          turnsSinceLog = 0;
        }
      }
    }
    if (!result.publish) return;
    published++;
    // Expert first, then the command: the bag dataset pairs each /cmd_vel with the expert
    // command received since the previous one (from-bags.ts).
    if (result.expertCmd) publishExpert(result.expertCmd);
    if (cmdStampedPub) cmdStampedPub.publish(twistStampedMessage(result.cmd, node.now(), v.base_frame_id));
    else cmdPub?.publish(twistMessage(result.cmd));
  };

  let timer: Timer = node.createTimer(1000 / v.controller_frequency_hz, tick);

  // --- run-time parameter changes ------------------------------------------------------------
  const unsubscribeParams = params.onChange((changed) => {
    for (const w of parameterWarnings(v)) log.warn(`parameter conflict: ${w}`);
    const has = (...names: string[]): boolean => names.some((n) => (changed as readonly string[]).includes(n));
    if (has("mode") && pipeline.mode.name !== v.mode) {
      log.info(`controller mode: '${pipeline.mode.name}' -> '${v.mode}'`);
      pipeline.mode = makeMode(v.mode);
      if (pipeline.mode.usesPolicy && !policyHost.policy) reloadPolicy(`mode '${v.mode}'`);
    } else {
      pipeline.mode.configure(modeContext());
    }
    if (has("policy_reload", "policy_dir") && (pipeline.mode.usesPolicy || policyHost.policy)) {
      reloadPolicy(has("policy_dir") ? `policy_dir '${v.policy_dir}'` : "policy_reload");
    }
    pipeline.smoother.limits = smootherLimitsOf(v);
    pipeline.safety = safetyParamsOf(v);
    pipeline.recovery = recoveryParamsOf(v);
    if (has("enable_stamped_cmd_vel")) makeCmdPublisher();
    if (has("scan_timeout_s", "odom_timeout_s")) startWatchdogs();
    if (has("controller_frequency_hz")) {
      timer.cancel();
      timer = node.createTimer(1000 / v.controller_frequency_hz, tick);
    }
  });

  return {
    stop: () => {
      unsubscribeParams();
      policyHost.policy?.dispose();
      policyHost.policy = undefined;
      timer.cancel();
      for (const s of watchdogs) s.unsubscribe();
      for (const s of subscriptions) s.unsubscribe();
    },
    summary: () =>
      `mode ${pipeline.mode.name}${policyHost.policy ? ` (policy '${policyHost.policy.id}')` : ""}, ${cycles} cycles, ${published} commands, ${interventions} safety interventions, safety ${
        lastDecision ? STATE_NAMES[lastDecision.state] : "n/a"
      }, ${recovery ? recoveryStatusText(recovery) : "recovery n/a"}`,
  };
}

/** A path (odom-bound) moved by a rigid transform: positions transformed, headings rotated. */
function transformPath(path: Path2D, t: geometry_msgs.msg.Transform): Path2D {
  const yaw = yawFromQuaternion(t.rotation);
  const out: Path2D = { xs: new Float64Array(path.length), ys: new Float64Array(path.length), thetas: new Float64Array(path.length), length: path.length };
  for (let i = 0; i < path.length; i++) {
    const p = transformPoint(t, { x: path.xs[i]!, y: path.ys[i]!, z: 0 });
    out.xs[i] = p.x;
    out.ys[i] = p.y;
    out.thetas[i] = path.thetas[i]! + yaw;
  }
  return out;
}
