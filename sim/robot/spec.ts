/**
 * The simulated robot's physical description: a TurtleBot3-like differential-drive base with a
 * 2D lidar and a forward RGB camera. One source of truth for the embedded simulator, the Gazebo
 * SDF model (sim/gazebo) and the static transforms the sim node publishes. SI units.
 */

export interface DiffDriveSpec {
  /** Distance between the two wheel contact points. */
  wheelSeparation: number;
  wheelRadius: number;
  /** Robot footprint as a circle around base_link (TurtleBot3 burger: 0.105 m). */
  footprintRadius: number;
  /** Velocity limits (m/s, rad/s), as the TurtleBot3 firmware enforces them. */
  maxLinear: number;
  maxAngular: number;
  /** Acceleration limits (m/s², rad/s²). */
  maxLinearAccel: number;
  maxAngularAccel: number;
  /** Base mass (kg), for the SDF model. */
  mass: number;
}

/** A sensor's mount on base_link: translation (m) and yaw (rad); frames are REP-103. */
export interface Mount {
  frameId: string;
  x: number;
  y: number;
  z: number;
  yaw: number;
}

export interface LidarSpec {
  mount: Mount;
  /** Number of rays over 360 degrees, starting at angle_min = 0 (TurtleBot3 LDS: 360). */
  rays: number;
  rangeMin: number;
  rangeMax: number;
  /** Standard deviation of Gaussian range noise (m); 0 disables noise. */
  noiseStdDev: number;
  /** Scan rate (Hz). */
  rateHz: number;
}

export interface CameraSpec {
  /** camera_link: the body frame (x forward). */
  mount: Mount;
  /** The optical frame (z forward, x right, y down), REP-103's `_optical` convention. */
  opticalFrameId: string;
  width: number;
  height: number;
  /** Horizontal field of view (rad); fx = fy = (width / 2) / tan(hfov / 2). */
  horizontalFov: number;
  rateHz: number;
}

export interface RobotSpec {
  name: string;
  base: DiffDriveSpec;
  lidar: LidarSpec;
  camera: CameraSpec;
}

/** TurtleBot3 burger base geometry and limits (ROBOTIS e-Manual), with a camera added. */
export const TURTLEBOT3_LIKE: RobotSpec = {
  name: "kestrel_bot",
  base: {
    wheelSeparation: 0.16,
    wheelRadius: 0.033,
    footprintRadius: 0.105,
    maxLinear: 0.22,
    maxAngular: 2.84,
    maxLinearAccel: 2.5,
    maxAngularAccel: 3.2,
    mass: 1.0,
  },
  lidar: {
    mount: { frameId: "laser", x: -0.032, y: 0, z: 0.172, yaw: 0 },
    rays: 360,
    rangeMin: 0.12,
    rangeMax: 3.5,
    noiseStdDev: 0.01,
    rateHz: 5,
  },
  camera: {
    mount: { frameId: "camera_link", x: 0.06, y: 0, z: 0.15, yaw: 0 },
    opticalFrameId: "camera_optical_frame",
    width: 320,
    height: 240,
    horizontalFov: 1.085595,
    rateHz: 15,
  },
};
