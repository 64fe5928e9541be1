/**
 * The simulator's seeded pseudo-random numbers: mulberry32 (32-bit state, fast, good enough for
 * noise and episode sampling) plus Gaussian samples by the Box-Muller transform. Every source of
 * randomness in sim/ draws from an Rng so a seed reproduces a run exactly. Allocation-free.
 */

/** Mixes a seed and a stream index into a well-spread 32-bit seed (splitmix-style finaliser). */
export function mixSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  /** The 32-bit mulberry32 state. */
  state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Restarts the sequence from `seed`. */
  reseed(seed: number): void {
    this.state = seed >>> 0;
    this.hasSpare = false;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Normal sample with the given mean and standard deviation (Box-Muller, pairs cached). */
  gaussian(mean = 0, stdDev = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + stdDev * this.spare;
    }
    let u = this.uniform();
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const mag = Math.sqrt(-2 * Math.log(u));
    this.spare = mag * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return mean + stdDev * mag * Math.cos(2 * Math.PI * v);
  }
}
