/**
 * A node's clock, as rcl's ROS clock behaves: system time, or — when `use_sim_time` is true —
 * the latest /clock sample (zero until the first arrives). Timers on a sim-time clock fire as
 * /clock advances, never on the wall clock, so a simulator running faster than real time runs
 * every node's timers faster too.
 */
import { timeFromNs, timeToNs, wallNowNs, type Time } from "./time";

export interface ClockTimer {
  cancel(): void;
}

interface SimTimer {
  periodNs: bigint;
  nextNs: bigint;
  callback: () => void;
  cancelled: boolean;
}

export class NodeClock {
  private simTime = false;
  private simNowNs = 0n;
  private readonly simTimers = new Set<SimTimer>();

  constructor(private readonly onTimerError: (error: unknown) => void) {}

  get usesSimTime(): boolean {
    return this.simTime;
  }

  setUseSimTime(enabled: boolean): void {
    this.simTime = enabled;
  }

  nowNs(): bigint {
    return this.simTime ? this.simNowNs : wallNowNs();
  }

  now(): Time {
    return timeFromNs(this.nowNs());
  }

  /**
   * Feeds a /clock sample. Time that goes backwards resets the timers' schedule (a simulator
   * reset), as rcl's jump handling does for timers on a ROS clock.
   */
  onClock(stamp: Time): void {
    const ns = timeToNs(stamp);
    const jumpedBack = ns < this.simNowNs;
    this.simNowNs = ns;
    if (!this.simTime) return;
    for (const timer of [...this.simTimers]) {
      if (timer.cancelled) continue;
      if (jumpedBack) timer.nextNs = ns + timer.periodNs;
      if (ns < timer.nextNs) continue;
      // Fire once, then skip the periods already missed, as rcl_timer_call does.
      const behind = (ns - timer.nextNs) / timer.periodNs + 1n;
      timer.nextNs += behind * timer.periodNs;
      try {
        timer.callback();
      } catch (error) {
        this.onTimerError(error);
      }
    }
  }

  /**
   * A periodic timer on this clock. With sim time it fires on /clock; otherwise on the event
   * loop, re-armed from the scheduled time so it does not drift.
   */
  createTimer(periodNs: bigint, callback: () => void): ClockTimer {
    if (periodNs <= 0n) throw new Error(`timer period must be positive, found ${periodNs} ns`);
    const sim: SimTimer = { periodNs, nextNs: this.simNowNs + periodNs, callback, cancelled: false };
    this.simTimers.add(sim);
    const wall = this.wallTimer(periodNs, () => {
      if (!this.simTime) callback();
    });
    return {
      cancel: () => {
        sim.cancelled = true;
        this.simTimers.delete(sim);
        wall.cancel();
      },
    };
  }

  private wallTimer(periodNs: bigint, tick: () => void): ClockTimer {
    const periodMs = Number(periodNs) / 1e6;
    let next = performance.now() + periodMs;
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      handle = setTimeout(fire, Math.max(0, next - performance.now()));
    };
    const fire = (): void => {
      if (cancelled) return;
      const now = performance.now();
      // Skip missed periods rather than firing a burst after a stall.
      next += periodMs * Math.max(1, Math.ceil((now - next) / periodMs));
      try {
        tick();
      } catch (error) {
        this.onTimerError(error);
      }
      if (!cancelled) arm();
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}
