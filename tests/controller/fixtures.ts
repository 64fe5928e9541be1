/** Shared fixtures: the controller's parameter defaults as the schema gives them. */
import { controllerParameterSchema, type ControllerParams } from "../../nodes/controller/params";

/** Every parameter at its schema default, with `overrides` on top. */
export function defaultParams(overrides: Partial<ControllerParams> = {}): ControllerParams {
  const schema = controllerParameterSchema(["pursuit"]);
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) values[name] = property.default;
  return { ...(values as ControllerParams), ...overrides };
}
