/**
 * QoS profiles as rmw defines them (rmw/qos_profiles.h, ROS 2 Jazzy) and the publisher /
 * subscription compatibility check of rmw_qos_profile_check_compatible (implemented in
 * rmw_dds_common, which rmw_fastrtps and rmw_cyclonedds both call), with its exact reason texts —
 * including the upstream spelling "durabilty" in one warning.
 *
 * Durations are `{sec, nanosec}` (rmw_time_t, same shape as message stamps).
 * `{sec: 0, nanosec: 0}` is "unspecified / default": no deadline, no lifespan, no lease.
 *
 * `system_default` policies are left to the DDS implementation. With ROS 2's DDS layers that
 * means the DDS specification defaults: a writer is RELIABLE, a reader BEST_EFFORT, both
 * VOLATILE, history KEEP_LAST with depth 1, liveliness AUTOMATIC. The compatibility check works
 * on the unresolved values (rmw warns that it cannot know); resolveSystemDefaults() gives the
 * concrete policies Kestrel's in-process transport uses. The data rows (qos in
 * ros2_jazzy_names_params_qos.json) never use system_default, so nothing there contradicts this.
 */

export interface Duration {
  sec: number;
  nanosec: number;
}

export type History = 'keep_last' | 'keep_all' | 'system_default';
export type Reliability = 'reliable' | 'best_effort' | 'system_default';
export type Durability = 'volatile' | 'transient_local' | 'system_default';
export type Liveliness = 'automatic' | 'manual_by_topic' | 'system_default';

export interface QosProfile {
  history: History;
  /** Queue depth for keep_last; 0 means "system default". */
  depth: number;
  reliability: Reliability;
  durability: Durability;
  deadline: Duration;
  lifespan: Duration;
  liveliness: Liveliness;
  livelinessLeaseDuration: Duration;
  avoidRosNamespaceConventions: boolean;
}

/** RMW_DURATION_UNSPECIFIED (= RMW_QOS_DEADLINE_DEFAULT, LIFESPAN_DEFAULT, LEASE_DEFAULT). */
export const DURATION_UNSPECIFIED: Duration = Object.freeze({ sec: 0, nanosec: 0 });
/** RMW_DURATION_INFINITE: INT64_MAX nanoseconds. */
export const DURATION_INFINITE: Duration = Object.freeze({ sec: 9223372036, nanosec: 854775807 });

export function durationFromSeconds(seconds: number): Duration {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`QoS duration must be a finite number of seconds >= 0, found ${seconds}`);
  }
  const sec = Math.floor(seconds);
  return { sec, nanosec: Math.round((seconds - sec) * 1e9) };
}

/** rmw_time_total_nsec (saturating at INT64_MAX, as rmw does). */
export function durationToNanoseconds(d: Duration): bigint {
  const total = BigInt(d.sec) * 1_000_000_000n + BigInt(d.nanosec);
  const max = 2n ** 63n - 1n;
  return total > max ? max : total;
}

function durationEquals(a: Duration, b: Duration): boolean {
  return durationToNanoseconds(a) === durationToNanoseconds(b);
}

function profile(p: Partial<QosProfile> & Pick<QosProfile, 'history' | 'depth' | 'reliability' | 'durability'>): Readonly<QosProfile> {
  return Object.freeze({
    deadline: DURATION_UNSPECIFIED,
    lifespan: DURATION_UNSPECIFIED,
    liveliness: 'system_default' as Liveliness,
    livelinessLeaseDuration: DURATION_UNSPECIFIED,
    avoidRosNamespaceConventions: false,
    ...p,
  });
}

/** rmw_qos_profile_sensor_data: best effort, keep last 5, volatile. */
export const QOS_SENSOR_DATA = profile({ history: 'keep_last', depth: 5, reliability: 'best_effort', durability: 'volatile' });
/** rmw_qos_profile_parameters: reliable, keep last 1000, volatile. */
export const QOS_PARAMETERS = profile({ history: 'keep_last', depth: 1000, reliability: 'reliable', durability: 'volatile' });
/** rmw_qos_profile_default: reliable, keep last 10, volatile. */
export const QOS_DEFAULT = profile({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' });
/** rmw_qos_profile_services_default: reliable, keep last 10, volatile. */
export const QOS_SERVICES_DEFAULT = profile({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' });
/** rmw_qos_profile_parameter_events: reliable, keep last 1000, volatile. */
export const QOS_PARAMETER_EVENTS = profile({ history: 'keep_last', depth: 1000, reliability: 'reliable', durability: 'volatile' });
/** rmw_qos_profile_system_default: every policy left to the middleware (depth 0). */
export const QOS_SYSTEM_DEFAULT = profile({ history: 'system_default', depth: 0, reliability: 'system_default', durability: 'system_default' });
/** rcl's rosout publisher: reliable, keep last 1000, transient local, lifespan 10 s. */
export const QOS_ROSOUT_DEFAULT = profile({ history: 'keep_last', depth: 1000, reliability: 'reliable', durability: 'transient_local', lifespan: { sec: 10, nanosec: 0 } });

/** The presets by rclnodejs's profile strings. */
export const QOS_PRESETS = Object.freeze({
  qos_profile_sensor_data: QOS_SENSOR_DATA,
  qos_profile_system_default: QOS_SYSTEM_DEFAULT,
  qos_profile_default: QOS_DEFAULT,
  qos_profile_services_default: QOS_SERVICES_DEFAULT,
  qos_profile_parameters: QOS_PARAMETERS,
  qos_profile_parameter_events: QOS_PARAMETER_EVENTS,
  qos_profile_rosout_default: QOS_ROSOUT_DEFAULT,
});

export type QosPresetName = keyof typeof QOS_PRESETS;

export function isQosPresetName(s: string): s is QosPresetName {
  return Object.prototype.hasOwnProperty.call(QOS_PRESETS, s);
}

/** What resolveQos accepts: a preset name, or any part of a profile (the rest from qos_profile_default). */
export type QosSpec = QosPresetName | Partial<QosProfile>;

const HISTORIES: readonly History[] = ['keep_last', 'keep_all', 'system_default'];
const RELIABILITIES: readonly Reliability[] = ['reliable', 'best_effort', 'system_default'];
const DURABILITIES: readonly Durability[] = ['volatile', 'transient_local', 'system_default'];
const LIVELINESSES: readonly Liveliness[] = ['automatic', 'manual_by_topic', 'system_default'];

function checkDuration(field: string, d: unknown): void {
  const ok = typeof d === 'object' && d !== null
    && Number.isInteger((d as Duration).sec) && (d as Duration).sec >= 0
    && Number.isInteger((d as Duration).nanosec) && (d as Duration).nanosec >= 0 && (d as Duration).nanosec < 1e9;
  if (!ok) throw new TypeError(`QoS ${field} must be {sec, nanosec} with integers sec >= 0 and 0 <= nanosec < 1e9, found ${JSON.stringify(d)}`);
}

/**
 * A full profile from a preset name or a partial profile (missing fields from
 * qos_profile_default, as rclnodejs does for a plain object). Unknown names and values throw.
 */
export function resolveQos(spec: QosSpec): QosProfile {
  if (typeof spec === 'string') {
    if (!isQosPresetName(spec)) {
      throw new TypeError(`unknown QoS profile '${spec}': expected one of ${Object.keys(QOS_PRESETS).join(', ')} or a profile object`);
    }
    return { ...QOS_PRESETS[spec] };
  }
  const p: QosProfile = { ...QOS_DEFAULT, ...spec };
  const oneOf = <T extends string>(field: string, v: string, allowed: readonly T[]): void => {
    if (!allowed.includes(v as T)) throw new TypeError(`QoS ${field} must be one of ${allowed.join(', ')}, found '${v}'`);
  };
  oneOf('history', p.history, HISTORIES);
  oneOf('reliability', p.reliability, RELIABILITIES);
  oneOf('durability', p.durability, DURABILITIES);
  oneOf('liveliness', p.liveliness, LIVELINESSES);
  if (!Number.isInteger(p.depth) || p.depth < 0) throw new TypeError(`QoS depth must be an integer >= 0, found ${p.depth}`);
  if (p.history === 'keep_last' && p.depth === 0 && spec.depth !== undefined) {
    throw new TypeError('QoS depth must be at least 1 with history keep_last (0 is only meaningful with system_default)');
  }
  checkDuration('deadline', p.deadline);
  checkDuration('lifespan', p.lifespan);
  checkDuration('livelinessLeaseDuration', p.livelinessLeaseDuration);
  return p;
}

/** Concrete policies for `system_default` fields (DDS spec defaults; see the file comment). */
export function resolveSystemDefaults(p: QosProfile, role: 'publisher' | 'subscription'): QosProfile {
  return {
    ...p,
    history: p.history === 'system_default' ? 'keep_last' : p.history,
    depth: p.history === 'system_default' || p.depth === 0 ? 1 : p.depth,
    reliability: p.reliability === 'system_default' ? (role === 'publisher' ? 'reliable' : 'best_effort') : p.reliability,
    durability: p.durability === 'system_default' ? 'volatile' : p.durability,
    liveliness: p.liveliness === 'system_default' ? 'automatic' : p.liveliness,
  };
}

export type QosCompatibility = 'OK' | 'WARNING' | 'ERROR';

export interface QosCheck {
  compatibility: QosCompatibility;
  /** rmw's text: every problem as "ERROR: …;" or "WARNING: …;", concatenated; "" when OK. */
  reason: string;
}

/** rmw_qos_profile_check_compatible(publisher, subscription), reason texts verbatim. */
export function checkQosCompatibility(pub: QosProfile, sub: QosProfile): QosCheck {
  let compatibility: QosCompatibility = 'OK';
  let reason = '';
  const error = (text: string): void => { compatibility = 'ERROR'; reason += `ERROR: ${text};`; };
  const warning = (text: string): void => { compatibility = 'WARNING'; reason += `WARNING: ${text};`; };

  if (pub.reliability === 'best_effort' && sub.reliability === 'reliable') error('Best effort publisher and reliable subscription');
  if (pub.durability === 'volatile' && sub.durability === 'transient_local') error('Volatile publisher and transient local subscription');

  const pubDeadlineSet = !durationEquals(pub.deadline, DURATION_UNSPECIFIED);
  const subDeadlineSet = !durationEquals(sub.deadline, DURATION_UNSPECIFIED);
  if (!pubDeadlineSet && subDeadlineSet) error('Subscription has a deadline, but publisher does not');
  if (pubDeadlineSet && subDeadlineSet && durationToNanoseconds(sub.deadline) < durationToNanoseconds(pub.deadline)) {
    error('Subscription deadline is less than publisher deadline');
  }

  if (pub.liveliness === 'automatic' && sub.liveliness === 'manual_by_topic') {
    error("Publisher's liveliness is automatic and subscription's is manual by topic");
  }

  const pubLeaseSet = !durationEquals(pub.livelinessLeaseDuration, DURATION_UNSPECIFIED);
  const subLeaseSet = !durationEquals(sub.livelinessLeaseDuration, DURATION_UNSPECIFIED);
  if (!pubLeaseSet && subLeaseSet) error('Subscription has a liveliness lease duration, but publisher does not');
  if (pubLeaseSet && subLeaseSet && durationToNanoseconds(sub.livelinessLeaseDuration) < durationToNanoseconds(pub.livelinessLeaseDuration)) {
    error('Subscription liveliness lease duration is less than publisher');
  }

  if (compatibility === 'OK') {
    const pubRel = pub.reliability === 'system_default';
    const subRel = sub.reliability === 'system_default';
    if (pubRel && subRel) warning(`Publisher reliability is ${pub.reliability} and subscription reliability is ${sub.reliability}`);
    else if (pubRel && sub.reliability === 'reliable') warning(`Reliable subscription, but publisher is ${pub.reliability}`);
    else if (pub.reliability === 'best_effort' && subRel) warning(`Best effort publisher, but subscription is ${sub.reliability}`);

    const pubDur = pub.durability === 'system_default';
    const subDur = sub.durability === 'system_default';
    // "durabilty" is rmw's own spelling.
    if (pubDur && subDur) warning(`Publisher durabilty is ${pub.durability} and subscription durability is ${sub.durability}`);
    else if (pubDur && sub.durability === 'transient_local') warning(`Transient local subscription, but publisher is ${pub.durability}`);
    else if (pub.durability === 'volatile' && subDur) warning(`Volatile publisher, but subscription is ${sub.durability}`);

    const pubLive = pub.liveliness === 'system_default';
    const subLive = sub.liveliness === 'system_default';
    if (pubLive && subLive) warning(`Publisher liveliness is ${pub.liveliness} and subscription liveliness is ${sub.liveliness}`);
    else if (pubLive && sub.liveliness === 'manual_by_topic') warning(`Subscription's liveliness is manual by topic, but publisher's is ${pub.liveliness}`);
    else if (pub.liveliness === 'automatic' && subLive) warning(`Publisher's liveliness is automatic, but subscription's is ${sub.liveliness}`);
  }
  return { compatibility, reason };
}
