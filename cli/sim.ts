/**
 * `kestrel sim ...` subcommands that do not run the simulator. For now:
 *
 *   kestrel sim export-sdf WORLD [-o FILE] [--robot none|inline|include] [--cell-size M]
 *
 * WORLD is a world YAML file (sim/worlds/*.yaml) or a Moving AI `.map` grid; the output is an SDF
 * world for gz sim Harmonic with the same geometry and objects (sim/gazebo/export.ts), printed to
 * stdout or written to FILE.
 */
import * as fs from "fs";
import * as path from "path";
import { worldToSdf, WorldSdfOptions } from "../sim/gazebo/export";
import { loadWorldFile } from "../sim/world/files";

export interface ExportSdfOptions {
  /** Output file; when absent the SDF text is returned for printing. */
  out?: string;
  /** Include the robot at the first spawn (see WorldSdfOptions.robot); default none. */
  robot?: WorldSdfOptions["robot"];
  /** Cell size (m) of a Moving AI map's cells; default DEFAULT_MAP_CELL_SIZE_M. */
  cellSize?: number;
}

/**
 * `kestrel sim export-sdf WORLD [-o FILE]`: returns the SDF text when `out` is absent, else writes
 * it (creating folders) and returns a one-line summary. Errors name the file and the problem.
 */
export function exportSdfCommand(worldPath: string, options: ExportSdfOptions = {}): string {
  const world = loadWorldFile(worldPath, options.cellSize !== undefined ? { cellSize: options.cellSize } : {});
  let sdf: string;
  try {
    sdf = worldToSdf(world, {
      robot: options.robot ?? "none",
      comment: `Kestrel world '${world.name}' exported from ${path.basename(worldPath)} by 'kestrel sim export-sdf'.`,
    });
  } catch (e) {
    throw new Error(`${worldPath}: cannot export to SDF: ${(e as Error).message}`);
  }
  if (options.out === undefined) return sdf;
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  fs.writeFileSync(options.out, sdf);
  const models = world.solids.length + world.objects.length;
  return `wrote ${options.out}: world '${world.name}', ${models} static models (${world.objects.length} objects)\n`;
}

export const EXPORT_SDF_HELP = `Usage: kestrel sim export-sdf WORLD [-o FILE] [--robot none|inline|include] [--cell-size M]

Exports WORLD (a world YAML file or a Moving AI .map) as an SDF world for gz sim Harmonic:
every wall, obstacle and object as a static model with its colour, a ground plane, a sun, physics
and the world systems Kestrel's robot needs. --robot inline embeds kestrel_bot at the first spawn;
by default launch/gazebo.launch.xml spawns it. Prints the SDF, or writes it to FILE with -o.
`;
