/**
 * Latest-frame scheduling: at most one frame in flight, at most `maxRateHz` starts per second,
 * and while busy or waiting only the newest frame is kept — older ones are dropped, never queued,
 * so latency stays one frame however slow the model is.
 */
export class LatestFrameGate<T> {
  /** Frames replaced by a newer one before they were processed. */
  dropped = 0;
  /** Frames handed to the processor. */
  started = 0;
  private pending: T | undefined;
  private hasPending = false;
  private inFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastStart = -Infinity;
  private closed = false;

  constructor(
    private readonly process: (frame: T) => Promise<void>,
    /** Current rate cap in Hz; 0 or less means none. Read at every frame, so it may change. */
    private readonly maxRateHz: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  offer(frame: T): void {
    if (this.closed) return;
    if (this.hasPending) this.dropped++;
    this.pending = frame;
    this.hasPending = true;
    this.pump();
  }

  /** Whether a frame is being processed. */
  get busy(): boolean {
    return this.inFlight;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.hasPending = false;
  }

  private pump(): void {
    if (this.closed || this.inFlight || this.timer || !this.hasPending) return;
    const rate = this.maxRateHz();
    if (rate > 0) {
      const wait = this.lastStart + 1000 / rate - this.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
    }
    const frame = this.pending as T;
    this.pending = undefined;
    this.hasPending = false;
    this.inFlight = true;
    this.lastStart = this.now();
    this.started++;
    this.process(frame)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }
}
