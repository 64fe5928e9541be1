/**
 * Steps a simulation on the wall clock: `realTimeFactor` sim seconds per wall second, catching up
 * after a late timer (bounded, so a stall does not become a burst), or as fast as possible when
 * the factor is 0 — yielding to the event loop between batches so subscribers and other nodes
 * run between steps.
 */
export interface WallStepperOptions {
  /** Sim seconds per step. */
  dtS: number;
  /** Sim seconds per wall second; 0 = as fast as possible. */
  realTimeFactor: number;
  tick: () => void;
  onError: (error: unknown) => void;
}

/** Steps run back to back before yielding, when running as fast as possible. */
const FAST_BATCH = 1;
/** At most this many steps to catch up in one timer callback. */
const MAX_CATCH_UP = 20;

export class WallStepper {
  private running = false;
  private handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private rtf: number;
  private originMs = 0;
  private stepsSinceOrigin = 0;

  constructor(private readonly options: WallStepperOptions) {
    this.rtf = options.realTimeFactor;
  }

  start(): void {
    this.running = true;
    this.rebase();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.handle) {
      clearTimeout(this.handle as NodeJS.Timeout);
      clearImmediate(this.handle as NodeJS.Immediate);
    }
  }

  setRealTimeFactor(rtf: number): void {
    this.rtf = rtf;
    this.rebase();
  }

  private rebase(): void {
    this.originMs = performance.now();
    this.stepsSinceOrigin = 0;
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.rtf === 0) {
      this.handle = setImmediate(this.run);
      return;
    }
    const nextDueMs = this.originMs + ((this.stepsSinceOrigin + 1) * this.options.dtS * 1000) / this.rtf;
    this.handle = setTimeout(this.run, Math.max(0, nextDueMs - performance.now()));
  }

  private readonly run = (): void => {
    if (!this.running) return;
    try {
      if (this.rtf === 0) {
        for (let i = 0; i < FAST_BATCH; i++) this.tickOnce();
      } else {
        const dueSteps = Math.floor(((performance.now() - this.originMs) * this.rtf) / (this.options.dtS * 1000));
        const behind = dueSteps - this.stepsSinceOrigin;
        if (behind > MAX_CATCH_UP) {
          // Too far behind (a stall): drop the backlog rather than fast-forward the world.
          this.stepsSinceOrigin = dueSteps - MAX_CATCH_UP;
        }
        while (this.stepsSinceOrigin < dueSteps) this.tickOnce();
      }
    } catch (error) {
      this.options.onError(error);
    }
    this.schedule();
  };

  private tickOnce(): void {
    this.stepsSinceOrigin++;
    this.options.tick();
  }
}
