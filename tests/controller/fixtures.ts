/** Shared fixtures: the controller's parameter defaults as the schema gives them, and a scripted mode. */
import type { ControllerMode, ModeOutput } from "../../nodes/controller/mode";
import { controllerParameterSchema, type ControllerParams } from "../../nodes/controller/params";

/** Every parameter at its schema default, with `overrides` on top. */
export function defaultParams(overrides: Partial<ControllerParams> = {}): ControllerParams {
  const schema = controllerParameterSchema(["pursuit"]);
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) values[name] = property.default;
  return { ...(values as ControllerParams), ...overrides };
}

/** A mode whose output is whatever the test sets `out` to. */
export class ScriptedMode implements ControllerMode {
  readonly name = "scripted";
  constructor(public out: ModeOutput) {}
  setPath(): void {}
  configure(): void {}
  compute(): ModeOutput {
    return this.out;
  }
}
