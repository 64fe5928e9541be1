/** ROS time as rclnodejs and builtin_interfaces/msg/Time shape it, and the conversions nodes need. */

/** builtin_interfaces/msg/Time: seconds and nanoseconds since the clock's epoch. */
export interface Time {
  sec: number;
  nanosec: number;
}

const NS_PER_S = 1_000_000_000n;

export function timeToNs(t: Time): bigint {
  return BigInt(t.sec) * NS_PER_S + BigInt(t.nanosec);
}

export function timeFromNs(ns: bigint): Time {
  // Floor division so negative durations keep 0 <= nanosec < 1e9, as builtin_interfaces requires.
  let sec = ns / NS_PER_S;
  let nanosec = ns % NS_PER_S;
  if (nanosec < 0n) {
    nanosec += NS_PER_S;
    sec -= 1n;
  }
  return { sec: Number(sec), nanosec: Number(nanosec) };
}

export function timeToSeconds(t: Time): number {
  return t.sec + t.nanosec * 1e-9;
}

export function timeFromSeconds(seconds: number): Time {
  const sec = Math.floor(seconds);
  let nanosec = Math.round((seconds - sec) * 1e9);
  if (nanosec >= 1e9) return { sec: sec + 1, nanosec: nanosec - 1e9 };
  return { sec, nanosec };
}

/** Wall-clock (system) time with nanosecond resolution: epoch from Date, fraction from hrtime. */
export function wallNow(): Time {
  return timeFromNs(wallNowNs());
}

const wallEpochNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export function wallNowNs(): bigint {
  return wallEpochNs + process.hrtime.bigint();
}

export const ZERO_TIME: Readonly<Time> = Object.freeze({ sec: 0, nanosec: 0 });

/** Nanoseconds for a period in milliseconds, as rclnodejs' createTimer wants it (bigint). */
export function msToNs(periodMs: number): bigint {
  return BigInt(Math.round(periodMs * 1e6));
}
