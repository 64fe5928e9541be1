import {
  checkQosCompatibility, DURATION_INFINITE, durationFromSeconds, durationToNanoseconds, QOS_DEFAULT, QOS_PRESETS, QosProfile, resolveQos,
  resolveSystemDefaults,
} from '../../ros/qos';
import { loadNamesParamsQos, QosSide } from './names-params-qos-data';

const data = loadNamesParamsQos();

/**
 * The data rows give only the policies they vary; the rest is qos_profile_default with
 * liveliness AUTOMATIC (SOURCE.md: "liveliness automatic"; with system_default liveliness rmw
 * would add a WARNING to the rows that are OK).
 */
function side(s: QosSide): QosProfile {
  const p: QosProfile = { ...QOS_DEFAULT, liveliness: 'automatic' };
  if (s.reliability !== undefined) p.reliability = s.reliability as QosProfile['reliability'];
  if (s.durability !== undefined) p.durability = s.durability as QosProfile['durability'];
  if (s.liveliness !== undefined) p.liveliness = s.liveliness as QosProfile['liveliness'];
  if (s.deadline_s !== undefined) p.deadline = durationFromSeconds(s.deadline_s);
  return resolveQos(p);
}

describe('checkQosCompatibility (rmw data rows)', () => {
  it.each(data.qos.map((r) => [`pub ${JSON.stringify(r.pub)} / sub ${JSON.stringify(r.sub)} → ${r.compatibility}`, r] as const))('%s', (_t, row) => {
    expect(checkQosCompatibility(side(row.pub), side(row.sub))).toEqual({ compatibility: row.compatibility, reason: row.reason });
  });
});

describe('checkQosCompatibility (beyond the data)', () => {
  const base: QosProfile = { ...QOS_DEFAULT, liveliness: 'automatic' };
  it('rejects a subscription deadline without a publisher deadline', () => {
    expect(checkQosCompatibility(base, { ...base, deadline: { sec: 1, nanosec: 0 } }).reason).toBe('ERROR: Subscription has a deadline, but publisher does not;');
  });
  it('accepts a subscription deadline longer than the publisher\'s', () => {
    expect(checkQosCompatibility({ ...base, deadline: durationFromSeconds(0.5) }, { ...base, deadline: durationFromSeconds(1) }).compatibility).toBe('OK');
  });
  it('checks liveliness lease durations', () => {
    expect(checkQosCompatibility(base, { ...base, livelinessLeaseDuration: { sec: 2, nanosec: 0 } }).reason)
      .toBe('ERROR: Subscription has a liveliness lease duration, but publisher does not;');
    expect(checkQosCompatibility({ ...base, livelinessLeaseDuration: { sec: 2, nanosec: 0 } }, { ...base, livelinessLeaseDuration: { sec: 1, nanosec: 0 } }).reason)
      .toBe('ERROR: Subscription liveliness lease duration is less than publisher;');
  });
  it('warns about system_default policies it cannot judge, in rmw\'s words', () => {
    const sys = resolveQos('qos_profile_system_default');
    expect(checkQosCompatibility(sys, sys)).toEqual({
      compatibility: 'WARNING',
      reason:
        'WARNING: Publisher reliability is system_default and subscription reliability is system_default;' +
        'WARNING: Publisher durabilty is system_default and subscription durability is system_default;' +
        'WARNING: Publisher liveliness is system_default and subscription liveliness is system_default;',
    });
    expect(checkQosCompatibility({ ...sys, liveliness: 'automatic', durability: 'volatile' }, { ...base, liveliness: 'automatic' }).reason)
      .toBe('WARNING: Reliable subscription, but publisher is system_default;');
    expect(checkQosCompatibility({ ...base, reliability: 'best_effort' }, { ...base, reliability: 'system_default', durability: 'system_default', liveliness: 'system_default' }).reason)
      .toBe('WARNING: Best effort publisher, but subscription is system_default;WARNING: Volatile publisher, but subscription is system_default;' +
        "WARNING: Publisher's liveliness is automatic, but subscription's is system_default;");
  });
  it('reports no warnings once there is an error', () => {
    const r = checkQosCompatibility({ ...base, reliability: 'best_effort', liveliness: 'system_default' }, { ...base, liveliness: 'system_default' });
    expect(r).toEqual({ compatibility: 'ERROR', reason: 'ERROR: Best effort publisher and reliable subscription;' });
  });
  it('lets sensor data publishers (system default) reach sensor data subscribers with a warning only', () => {
    expect(checkQosCompatibility(resolveQos('qos_profile_system_default'), resolveQos('qos_profile_sensor_data')).compatibility).toBe('WARNING');
  });
});

describe('QoS presets', () => {
  it('match rmw/qos_profiles.h', () => {
    expect(resolveQos('qos_profile_sensor_data')).toMatchObject({ history: 'keep_last', depth: 5, reliability: 'best_effort', durability: 'volatile' });
    expect(resolveQos('qos_profile_default')).toMatchObject({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' });
    expect(resolveQos('qos_profile_services_default')).toMatchObject({ history: 'keep_last', depth: 10, reliability: 'reliable', durability: 'volatile' });
    expect(resolveQos('qos_profile_parameters')).toMatchObject({ history: 'keep_last', depth: 1000, reliability: 'reliable', durability: 'volatile' });
    expect(resolveQos('qos_profile_parameter_events')).toMatchObject({ history: 'keep_last', depth: 1000, reliability: 'reliable', durability: 'volatile' });
    expect(resolveQos('qos_profile_system_default')).toMatchObject({ history: 'system_default', depth: 0, reliability: 'system_default', durability: 'system_default' });
  });
  it('are keyed by the rclnodejs profile strings', () => {
    expect(Object.keys(QOS_PRESETS)).toEqual(expect.arrayContaining([
      'qos_profile_sensor_data', 'qos_profile_system_default', 'qos_profile_default', 'qos_profile_services_default', 'qos_profile_parameters', 'qos_profile_parameter_events',
    ]));
  });
  it('leave deadline, lifespan and lease unspecified and liveliness to the system', () => {
    for (const p of Object.values(QOS_PRESETS)) {
      expect(p.deadline).toEqual({ sec: 0, nanosec: 0 });
      expect(p.livelinessLeaseDuration).toEqual({ sec: 0, nanosec: 0 });
      expect(p.liveliness).toBe('system_default');
    }
  });
  it('return a copy, so callers cannot change a preset', () => {
    const p = resolveQos('qos_profile_default');
    p.depth = 1;
    expect(resolveQos('qos_profile_default').depth).toBe(10);
  });
});

describe('resolveQos', () => {
  it('fills a partial profile from qos_profile_default', () => {
    expect(resolveQos({ durability: 'transient_local', depth: 1 })).toMatchObject({ reliability: 'reliable', durability: 'transient_local', depth: 1, history: 'keep_last' });
  });
  it.each([
    ['qos_profile_loud', "unknown QoS profile 'qos_profile_loud'"],
    [{ reliability: 'sometimes' }, "QoS reliability must be one of reliable, best_effort, system_default, found 'sometimes'"],
    [{ depth: -1 }, 'QoS depth must be an integer >= 0, found -1'],
    [{ depth: 0 }, 'QoS depth must be at least 1 with history keep_last'],
    [{ deadline: { sec: 1, nanosec: 2e9 } }, 'QoS deadline must be {sec, nanosec}'],
  ])('rejects %j', (spec, message) => {
    expect(() => resolveQos(spec as never)).toThrow(message);
  });
  it('resolves system defaults to the DDS defaults per role', () => {
    const sys = resolveQos('qos_profile_system_default');
    expect(resolveSystemDefaults(sys, 'publisher')).toMatchObject({ history: 'keep_last', depth: 1, reliability: 'reliable', durability: 'volatile', liveliness: 'automatic' });
    expect(resolveSystemDefaults(sys, 'subscription').reliability).toBe('best_effort');
  });
});

describe('durations', () => {
  it('convert seconds to {sec, nanosec} and to nanoseconds, saturating at infinity', () => {
    expect(durationFromSeconds(1.5)).toEqual({ sec: 1, nanosec: 500000000 });
    expect(durationToNanoseconds({ sec: 2, nanosec: 5 })).toBe(2000000005n);
    expect(durationToNanoseconds(DURATION_INFINITE)).toBe(2n ** 63n - 1n);
    expect(() => durationFromSeconds(-1)).toThrow('found -1');
  });
});
