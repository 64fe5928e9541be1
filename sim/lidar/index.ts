/** The simulated 2D lidar (LaserScan semantics). */
export { scan, laserScanGeometry, mountedPose } from "./scan";
export type { LaserScanGeometry } from "./scan";
