/**
 * Serving learned driving policies: the package format and its verified loading, the
 * observation shared with the simulator's VecEnv, the deployment store with atomic swap and
 * rollback, and the /policy/info announcement.
 */
export { MANIFEST_FILE, MODEL_FILE, POLICY_FORMAT, POLICY_FORMAT_VERSION, POLICY_MANIFEST_SCHEMA, checkManifest, manifestObservationSpec, readManifest } from "./manifest";
export type { PolicyManifest, Range, Squash } from "./manifest";
export { OBSERVATION_LAYOUT, OBSERVATION_LAYOUTS, OBSERVATION_LAYOUT_V1, OBSERVATION_LAYOUT_V2, checkLayout, goalInRobotFrame, lidarSectors, lookaheadOf, observationFromScan, observationSize, wrapAngle } from "./observation";
export { DEFAULT_LOOKAHEAD_M, invertTransform, lookupTransform, pathLookahead, projectOnPath, recordTransform, transformPoints, yawOfQuaternion } from "./path-features";
export type { PathPoints, PathProjection, PlanarPose, Transform2D, TransformTable } from "./path-features";
export type { ObservationInput, ObservationSpec, ScanGeometry } from "./observation";
export { Policy, currentCodeVersion, ioProblems, loadPolicy, loadPolicySync, manifestSpec, readVerifiedModel, sha256Hex, writeAtomically, writePolicyPackage } from "./package";
export type { ManifestDraft, PolicyAction } from "./package";
export { PACKAGES_DIR, POINTER_FILE, PolicyStore } from "./deploy";
export type { DeployOptions, DeployResult, DeployStep, StoreEntry, StorePointer, StoreState } from "./deploy";
export { POLICY_INFO_QOS, POLICY_INFO_TOPIC, codeVersionText, policyInfoMessage, timeFromIso } from "./info";
