/**
 * The obstacle layer: log-odds occupancy per cell, marked by laser returns and cleared by
 * ray-casting (Bresenham) from the laser to each return, clamped to [min, max]. No ROS imports:
 * the caller gives the laser pose in the grid's frame and the scan's numbers.
 */
import { bresenham, type GridGeometry } from "./grid";

export interface LogOddsParams {
  /** Added to a cell holding a return. */
  hit: number;
  /** Added to a cell a ray passes through (negative). */
  miss: number;
  /** Lower clamp. */
  min: number;
  /** Upper clamp. */
  max: number;
  /** A cell at or above this log-odds is an obstacle. */
  occupiedThreshold: number;
}

export interface RangeLimits {
  /** Returns beyond this (m) clear but do not mark (Nav2 obstacle_max_range). */
  obstacleMaxRangeM: number;
  /** Rays clear at most this far (m) (Nav2 raytrace_max_range). */
  raytraceMaxRangeM: number;
}

/** A planar scan: ranges[i] at angle angleMin + i·angleIncrement in the laser frame. */
export interface PlanarScan {
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
  ranges: ArrayLike<number>;
}

/** The laser's pose in the grid frame. */
export interface Pose2D {
  x: number;
  y: number;
  yaw: number;
}

export class ObstacleLayer {
  /** Log-odds per cell, row-major. */
  readonly logOdds: Float32Array;
  /** 1 where a cell has been observed (hit or cleared) at least once. */
  readonly observed: Uint8Array;

  constructor(readonly geometry: GridGeometry) {
    this.logOdds = new Float32Array(geometry.width * geometry.height);
    this.observed = new Uint8Array(geometry.width * geometry.height);
  }

  isOccupied(index: number, p: LogOddsParams): boolean {
    return this.logOdds[index]! >= p.occupiedThreshold;
  }

  /** Integrates one scan: all rays clear first, then all returns mark (so a ray cannot erase a return of the same scan). */
  integrate(laser: Pose2D, scan: PlanarScan, odds: LogOddsParams, limits: RangeLimits): { marked: number; cleared: number } {
    const g = this.geometry;
    const ox = (laser.x - g.originX) / g.resolution;
    const oy = (laser.y - g.originY) / g.resolution;
    const x0 = Math.floor(ox);
    const y0 = Math.floor(oy);
    const hits: number[] = [];
    let cleared = 0;
    const lo = this.logOdds;
    const seen = this.observed;
    const n = scan.ranges.length;
    for (let i = 0; i < n; i++) {
      const r = scan.ranges[i]!;
      if (Number.isNaN(r) || r < scan.rangeMin) continue;
      const isReturn = Number.isFinite(r) && r <= scan.rangeMax;
      const clearTo = Math.min(isReturn ? r : scan.rangeMax, limits.raytraceMaxRangeM);
      const a = laser.yaw + scan.angleMin + i * scan.angleIncrement;
      const c = Math.cos(a);
      const s = Math.sin(a);
      const ex = Math.floor(ox + (c * clearTo) / g.resolution);
      const ey = Math.floor(oy + (s * clearTo) / g.resolution);
      const hitCell =
        isReturn && r <= limits.obstacleMaxRangeM
          ? this.index(Math.floor(ox + (c * r) / g.resolution), Math.floor(oy + (s * r) / g.resolution))
          : -1;
      bresenham(x0, y0, ex, ey, (x, y) => {
        if (x < 0 || y < 0 || x >= g.width || y >= g.height) return;
        const k = y * g.width + x;
        // The return's own cell is marked, not cleared.
        if (k === hitCell) return;
        lo[k] = Math.max(odds.min, lo[k]! + odds.miss);
        seen[k] = 1;
        cleared++;
      });
      if (hitCell >= 0) hits.push(hitCell);
    }
    for (const k of hits) {
      lo[k] = Math.min(odds.max, lo[k]! + odds.hit);
      seen[k] = 1;
    }
    return { marked: hits.length, cleared };
  }

  private index(x: number, y: number): number {
    const g = this.geometry;
    return x < 0 || y < 0 || x >= g.width || y >= g.height ? -1 : y * g.width + x;
  }
}
