/** ROS 2 parameters: values, parameter files, schema validation and dumps. */
export * from './types';
export { parseParameterFile, parametersForNode, matchingEntries, mergeParameterFiles, nodeKeyMatches, PARAMS_KEY } from './file';
export type { ParameterFile, NodeEntry, FileParameter, ParseOptions } from './file';
export { parseValueText, typeScalar, parseCInteger, parseCDouble } from './yaml-value';
export type { TypedScalar, ScalarStyle, ValueTextResult } from './yaml-value';
export { compileParameterSchema, parameterTypeOf, coerce, ParameterSchemaError } from './schema';
export type { ParameterSchema, ParameterSchemaProperty, ParameterIssue, ParameterDescriptor, ValidationResult, ParameterValidator, CoerceResult } from './schema';
export { dumpParameters, yamlString } from './dump';
