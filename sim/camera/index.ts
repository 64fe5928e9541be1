/** The embedded simulator's RGB camera: model, renderer, ground truth. */
export {
  intrinsicsFromSpec,
  cameraInfo,
  cameraMatrixK,
  projectionMatrixP,
  verticalFovRad,
  type CameraIntrinsics,
} from "./intrinsics";
export {
  cameraPoseInWorld,
  projectPoint,
  inImage,
  columnAngleRad,
  rowForHeight,
  OPTICAL_FROM_LINK_QUATERNION,
  type CameraPose,
  type PixelPoint,
} from "./projection";
export {
  DEFAULT_RENDER_OPTIONS,
  resolveRenderOptions,
  makeLight,
  wallIntensity,
  topIntensity,
  fogKeep,
  shade,
  packRgb,
  unpackRgb,
  type RenderOptions,
  type Light,
} from "./shading";
export { render, createRenderTarget, type RenderTarget } from "./render";
export {
  BoxAccumulator,
  boxesFromOwnerIds,
  toGroundTruthBoxMsg,
  type GroundTruthBox2D,
  type OwnerInfo,
} from "./ground-truth";
export { CameraRenderer, footprintCenter, type CameraFrame, type CameraRendererOptions } from "./renderer";
