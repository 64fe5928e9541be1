/**
 * LaserScan ranges to points in base_link, through the laser's mount (x, y, yaw on base_link,
 * from tf or parameters). The per-ray cos/sin are cached for the scan geometry and mount, so a
 * 360-ray scan costs one multiply-add per coordinate.
 */
import type { ScanPoints } from "../types";

/** The laser frame's pose on base_link (m, rad). */
export interface LaserMount {
  x: number;
  y: number;
  yaw: number;
}

/** The geometry fields of a LaserScan, as plain numbers. */
export interface ScanGeometry {
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
}

export class ScanProjector {
  private key = "";
  private cos = new Float64Array(0);
  private sin = new Float64Array(0);
  private readonly out: ScanPoints = { xs: new Float64Array(0), ys: new Float64Array(0), count: 0 };

  /**
   * The valid returns (finite, within [range_min, range_max]) as base_link points. The result
   * is reused by the next call: copy it to keep it.
   */
  project(ranges: ArrayLike<number>, geometry: ScanGeometry, mount: LaserMount): ScanPoints {
    const n = ranges.length;
    const key = `${n}|${geometry.angleMin}|${geometry.angleIncrement}|${mount.yaw}`;
    if (key !== this.key) {
      this.key = key;
      this.cos = new Float64Array(n);
      this.sin = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const a = geometry.angleMin + i * geometry.angleIncrement + mount.yaw;
        this.cos[i] = Math.cos(a);
        this.sin[i] = Math.sin(a);
      }
    }
    const out = this.out;
    if (out.xs.length < n) {
      out.xs = new Float64Array(n);
      out.ys = new Float64Array(n);
    }
    let count = 0;
    const { rangeMin, rangeMax } = geometry;
    for (let i = 0; i < n; i++) {
      const r = ranges[i]!;
      if (!(r >= rangeMin && r <= rangeMax)) continue; // NaN, ±Inf and out-of-range returns are no obstacle
      out.xs[count] = mount.x + r * this.cos[i]!;
      out.ys[count] = mount.y + r * this.sin[i]!;
      count++;
    }
    out.count = count;
    return out;
  }
}

/** A copy of `points` that the next projection will not overwrite. */
export function copyPoints(points: ScanPoints): ScanPoints {
  return { xs: points.xs.slice(0, points.count), ys: points.ys.slice(0, points.count), count: points.count };
}
