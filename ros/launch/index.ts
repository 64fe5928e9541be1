/**
 * Kestrel's ROS 2 XML launch support: parse (parse.ts), resolve substitutions (substitutions.ts),
 * evaluate to a LaunchPlan of NodeLaunch entries (evaluate.ts), and render a node as the command line
 * ros2 launch would run (ros-args.ts).
 */
export { LaunchError, displayPath } from "./errors";
export type { SourceLocation } from "./errors";
export * from "./entities";
export { parseLaunchXml } from "./parse";
export {
  parseTemplate,
  resolveTemplate,
  templateToString,
  literal,
  isLiteral,
  SubstitutionError,
  SUPPORTED_SUBSTITUTIONS,
} from "./substitutions";
export type { Template, TemplatePart, SubstitutionName, SubstitutionContext } from "./substitutions";
export { parseParamValue, resolvePlainScalar } from "./param-values";
export type { ParamType, ParamScalar, ParamValue, TypedParamValue, PlainScalar } from "./param-values";
export { dumpInlineParamsFile, pyFloatRepr } from "./params-file";
export type { DumpableParam } from "./params-file";
export { prefixNamespace, validateNamespace, validateNodeName, splitCommandLine } from "./names";
export { evaluateLaunchFile } from "./evaluate";
export type { EvaluateOptions, LaunchPlan, NodeLaunch, NodeParameterItem, DeclaredArg, LaunchWarning } from "./evaluate";
export { toRosArgs } from "./ros-args";
export type { RosArgsRendering, ToRosArgsOptions } from "./ros-args";
