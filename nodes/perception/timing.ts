/**
 * Per-frame stage timings (preprocess, inference, decode, publish, total) kept over a sliding
 * window, summarised as mean / p50 / p99 for diagnostics and the node's summary.
 */
export const STAGES = ["preprocess", "inference", "decode", "publish", "total"] as const;
export type Stage = (typeof STAGES)[number];
export type FrameTimes = Record<Stage, number>;

export interface StageSummary {
  mean: number;
  p50: number;
  p99: number;
  last: number;
}

export class TimingWindow {
  private readonly samples: Record<Stage, Float64Array>;
  private next = 0;
  private filled = 0;
  /** Frames recorded since the start. */
  count = 0;

  constructor(readonly size = 200) {
    this.samples = Object.fromEntries(STAGES.map((s) => [s, new Float64Array(size)])) as Record<Stage, Float64Array>;
  }

  add(times: FrameTimes): void {
    for (const s of STAGES) this.samples[s][this.next] = times[s];
    this.next = (this.next + 1) % this.size;
    this.filled = Math.min(this.size, this.filled + 1);
    this.count++;
  }

  summary(stage: Stage): StageSummary | undefined {
    if (this.filled === 0) return undefined;
    const values = this.samples[stage].slice(0, this.filled).sort();
    const q = (p: number): number => values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
    let sum = 0;
    for (const v of values) sum += v;
    return { mean: sum / values.length, p50: q(0.5), p99: q(0.99), last: this.samples[stage][(this.next + this.size - 1) % this.size]! };
  }

  /** "preprocess 0.09 ms, inference 9.31 ms, ..." (p50 over the window), or "no frames". */
  describe(): string {
    if (this.filled === 0) return "no frames";
    // Hundredths: the fast stages (preprocess, decode, publish) take tens of microseconds.
    return STAGES.map((s) => `${s} ${this.summary(s)!.p50.toFixed(2)} ms`).join(", ");
  }
}
