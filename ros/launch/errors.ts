/**
 * Errors raised while loading, parsing or evaluating a ROS 2 XML launch file.
 *
 * Every error names the file, the line and the tag it is about, so a robot operator can go straight to
 * the offending element: `launch/sim.launch.xml:12: <nodee>: unknown tag (supported: arg, let, ...)`.
 * Where `ros2 launch` (Jazzy) has its own wording for the same failure, the message carries that
 * wording too (e.g. `launch configuration 'nope' does not exist`), so logs read the same either way.
 */
import * as path from "path";

/** Where an element of a launch file was written. */
export interface SourceLocation {
  /** Path of the launch file, as it was opened (absolute when the evaluator resolved it). */
  file: string;
  /** 1-based line of the element's start tag; 0 when unknown (e.g. an empty file). */
  line: number;
}

/** Shortens an absolute path to one relative to the working directory when it lies below it. */
export function displayPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

export class LaunchError extends Error {
  /** The launch file the error is about. */
  readonly file: string;
  /** 1-based line in `file` (0 when the file as a whole is at fault). */
  readonly line: number;
  /** The tag of the element at fault (`node`, `param`, ...), or undefined for file-level errors. */
  readonly tag: string | undefined;
  /** The reason alone, without the `file:line: <tag>:` prefix. */
  readonly detail: string;

  constructor(where: SourceLocation, tag: string | undefined, detail: string) {
    super(`${displayPath(where.file)}:${where.line}: ${tag !== undefined ? `<${tag}>: ` : ""}${detail}`);
    this.name = "LaunchError";
    this.file = where.file;
    this.line = where.line;
    this.tag = tag;
    this.detail = detail;
  }
}
