/**
 * The inflation layer: an exact Euclidean distance transform (Felzenszwalb & Huttenlocher, two
 * 1-D passes, O(cells)) from every lethal cell, then Nav2's cost per squared distance read from a
 * table. Same result as Nav2's BFS by distance, without per-cell search.
 */
import { inflationCostTable, INSCRIBED_INFLATED_OBSTACLE, LETHAL_OBSTACLE, NO_INFORMATION, type InflationParams } from "./cost";

const INF = 1e20;

/** Scratch buffers for `squaredDistanceTransform`, reused between calls. */
export class DistanceScratch {
  f = new Float64Array(0);
  d = new Float64Array(0);
  z = new Float64Array(0);
  v = new Int32Array(0);
  ensure(n: number): void {
    if (this.f.length >= n + 1) return;
    this.f = new Float64Array(n + 1);
    this.d = new Float64Array(n + 1);
    this.z = new Float64Array(n + 2);
    this.v = new Int32Array(n + 1);
  }
}

/** 1-D squared distance transform of f[0..n) into d (lower envelope of parabolas). */
function dt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    const fq = f[q]! + q * q;
    let s = (fq - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (fq - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const r = q - v[k]!;
    d[q] = r * r + f[v[k]!]!;
  }
}

/**
 * Squared distance in cells from every cell to the nearest cell where `isSource` is 1 (row-major,
 * width × height); ≥ 1e20 where there is no source. Writes into `out`.
 */
export function squaredDistanceTransform(
  isSource: Uint8Array,
  width: number,
  height: number,
  out: Float64Array,
  scratch: DistanceScratch = new DistanceScratch(),
): Float64Array {
  scratch.ensure(Math.max(width, height));
  const { f, d, v, z } = scratch;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = isSource[y * width + x] ? 0 : INF;
    dt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x]!;
    dt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x]!;
  }
  return out;
}

/**
 * Inflates `costs` in place around its LETHAL cells with Nav2's cost model. As Nav2's
 * InflationLayer::updateCosts: a cell keeps the larger of its cost and the inflation cost, except
 * that an unknown cell only takes an inflation cost of INSCRIBED or more.
 */
export function inflate(
  costs: Uint8Array,
  width: number,
  height: number,
  resolutionM: number,
  params: InflationParams,
  work: { lethal?: Uint8Array; dist?: Float64Array; scratch?: DistanceScratch; table?: Uint8Array } = {},
): void {
  const n = width * height;
  const lethal = work.lethal && work.lethal.length >= n ? work.lethal : new Uint8Array(n);
  const dist = work.dist && work.dist.length >= n ? work.dist : new Float64Array(n);
  const table = work.table ?? inflationCostTable(resolutionM, params);
  for (let i = 0; i < n; i++) lethal[i] = costs[i] === LETHAL_OBSTACLE ? 1 : 0;
  squaredDistanceTransform(lethal, width, height, dist, work.scratch);
  const maxD2 = table.length - 1;
  for (let i = 0; i < n; i++) {
    const d2 = dist[i]!;
    if (d2 > maxD2) continue;
    const c = table[d2]!;
    const old = costs[i]!;
    if (old === NO_INFORMATION) {
      if (c >= INSCRIBED_INFLATED_OBSTACLE) costs[i] = c;
    } else if (c > old) costs[i] = c;
  }
}
