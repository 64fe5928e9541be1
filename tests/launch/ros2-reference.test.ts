/**
 * The launch evaluator against what `ros2 launch` (Jazzy) really did, case by case:
 * shared/data/ros2/ros2_jazzy_launch.json (see SOURCE.md beside it).
 *
 * The data's files are written to a temp dir laid out as an installed package share
 * (share/kestrel/{launch,config}); each case's command is evaluated and every node rendered with
 * toRosArgs, and compared with the processes ros2 launch started (exec, exact argv, the contents of
 * every params file) — or the error it stopped with.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateLaunchFile, LaunchError, toRosArgs } from "../../ros/launch";
import { sharedData } from "../support/shared-data";

interface RefProcess {
  /** Executable in package kestrel. */
  exec: string;
  /** argv after the executable; temp params files appear as PARAMS_FILE_n, the share dir as $(find-pkg-share kestrel). */
  argv: string[];
  /** Contents of every --params-file, keyed as in argv. */
  params_files: Record<string, string>;
}
interface RefCase {
  /** `ros2 launch kestrel <file> [name:=value ...]`, run with KESTREL_TEST=envval. */
  command: string;
  /** Processes started (their order in the data is start order, which is not deterministic). */
  processes: RefProcess[];
  /** `[ERROR] [launch]: Caught exception in launch (see debug for traceback): <reason>` when it failed. */
  error?: string;
}
interface RefData {
  files: Record<string, string>;
  cases: RefCase[];
}

const data: RefData = JSON.parse(fs.readFileSync(sharedData("ros2", "ros2_jazzy_launch.json"), "utf8"));
const EXECUTABLES = ["perception", "planner", "controller", "sim", "recorder", "learner"];
const SHARE_PLACEHOLDER = "$(find-pkg-share kestrel)";
const ERROR_PREFIX = "[ERROR] [launch]: Caught exception in launch (see debug for traceback): ";

let share: string;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-launch-ref-"));
  share = path.join(tmp, "share", "kestrel");
  const launchDir = path.join(share, "launch");
  fs.mkdirSync(launchDir, { recursive: true });
  fs.mkdirSync(path.join(share, "config"), { recursive: true });
  for (const [name, text] of Object.entries(data.files)) fs.writeFileSync(path.join(launchDir, name), text);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function parseCommand(command: string): { file: string; args: Record<string, string> } {
  const [ros2, launch, pkg, file, ...rest] = command.split(/\s+/);
  expect([ros2, launch, pkg]).toEqual(["ros2", "launch", "kestrel"]);
  const args: Record<string, string> = {};
  for (const a of rest) {
    const i = a.indexOf(":=");
    args[a.slice(0, i)] = a.slice(i + 2);
  }
  return { file, args };
}

function run(command: string): RefProcess[] {
  const { file, args } = parseCommand(command);
  const plan = evaluateLaunchFile(path.join(share, "launch", file), {
    args,
    env: { KESTREL_TEST: "envval" },
    findPackageShare: (pkg) => (pkg === "kestrel" ? share : undefined),
    knownExecutables: (pkg) => (pkg === "kestrel" ? EXECUTABLES : undefined),
    libexecDir: (pkg) => `$(prefix)/lib/${pkg}`,
  });
  const unshare = (s: string): string => s.split(share).join(SHARE_PLACEHOLDER);
  return plan.nodes.map((node) => {
    const { argv, paramsFiles } = toRosArgs(node);
    return {
      exec: node.exec,
      argv: argv.map(unshare),
      params_files: Object.fromEntries(Object.entries(paramsFiles).map(([k, v]) => [unshare(k), v])),
    };
  });
}

const byStartIndependentKey = (ps: RefProcess[]): RefProcess[] =>
  [...ps].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("evaluateLaunchFile + toRosArgs, against ros2 launch (Jazzy)", () => {
  it("has reference cases to check", () => {
    expect(data.cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(data.cases.map((c) => [c.command, c] as const))("reproduces `%s`", (_command, c) => {
    if (c.error !== undefined) {
      expect(c.error.startsWith(ERROR_PREFIX)).toBe(true);
      const reason = c.error.slice(ERROR_PREFIX.length);
      let thrown: unknown;
      try {
        run(c.command);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(LaunchError);
      const err = thrown as LaunchError;
      expect(err.message).toContain(reason);
      expect(err.line).toBeGreaterThan(0);
      expect(path.basename(err.file)).toBe(parseCommand(c.command).file);
      return;
    }
    const got = run(c.command);
    // ros2 launch starts processes concurrently, so the data's order is start order; compare as sets.
    expect(byStartIndependentKey(got)).toEqual(byStartIndependentKey(c.processes));
  });
});
