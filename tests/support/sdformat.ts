/**
 * Validation of SDF files with the real SDFormat parser (libsdformat 12, Debian's libsdformat-dev;
 * it reads SDF spec up to 1.9, which Gazebo Harmonic also reads). Debian ships no command-line
 * tool for it (`gz sdf -k` needs gz-tools), so a small C++ checker is compiled against the
 * library on first use, cached in the OS temp dir by a hash of its source.
 *
 * The checker loads each file twice:
 * - with SDFormat's default parser configuration, as Gazebo does: any error fails the file;
 * - strictly (warnings and unrecognised elements are errors), to catch misspelt elements, which
 *   the default configuration would only log. The one unrecognised element Kestrel writes on
 *   purpose is gz-sensors' `<gz_frame_id>` inside `<sensor>` (a Gazebo extension SDFormat copies
 *   through untouched; see sim/gazebo/robot-sdf.ts) — every other strict finding fails the file.
 * It also prints what SDFormat understood (worlds, models, links, joints, sensors with their
 * resolved topics), so tests can check the parsed structure, not just the text.
 */
import { execFileSync, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The Debian packages the checker needs (CI installs them in .ci/run). */
export const SDFORMAT_APT_PACKAGES = ["libsdformat-dev", "g++", "pkg-config"] as const;

const CHECKER_SOURCE = String.raw`
#include <sdf/sdf.hh>
#include <iostream>
#include <string>

static std::string oneLine(std::string s) {
  for (auto &c : s) if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

static void describeModel(const sdf::Model *m, const std::string &scope) {
  const std::string name = scope.empty() ? m->Name() : scope + "::" + m->Name();
  std::cout << "MODEL " << name << " static=" << (m->Static() ? 1 : 0) << " links=" << m->LinkCount()
            << " joints=" << m->JointCount() << "\n";
  for (uint64_t i = 0; i < m->LinkCount(); ++i) {
    const sdf::Link *l = m->LinkByIndex(i);
    std::cout << "LINK " << name << "::" << l->Name() << " collisions=" << l->CollisionCount()
              << " visuals=" << l->VisualCount() << " mass=" << l->Inertial().MassMatrix().Mass() << "\n";
    for (uint64_t s = 0; s < l->SensorCount(); ++s) {
      const sdf::Sensor *sen = l->SensorByIndex(s);
      std::cout << "SENSOR " << name << "::" << l->Name() << "::" << sen->Name() << " type=" << sen->TypeStr()
                << " topic=" << sen->Topic() << " rate=" << sen->UpdateRate() << "\n";
    }
  }
  for (uint64_t i = 0; i < m->JointCount(); ++i) {
    const sdf::Joint *j = m->JointByIndex(i);
    std::cout << "JOINT " << name << "::" << j->Name() << " type=" << static_cast<int>(j->Type())
              << " parent=" << j->ParentLinkName() << " child=" << j->ChildLinkName() << "\n";
  }
  for (uint64_t i = 0; i < m->ModelCount(); ++i) describeModel(m->ModelByIndex(i), name);
}

int main(int argc, char **argv) {
  int bad = 0;
  for (int i = 1; i < argc; ++i) {
    std::cout << "FILE " << argv[i] << "\n";
    {
      sdf::Root root;
      sdf::Errors errors = root.Load(argv[i], sdf::ParserConfig::GlobalConfig());
      for (auto &e : errors) { std::cout << "ERROR " << oneLine(e.Message()) << "\n"; bad = 1; }
      if (errors.empty()) {
        std::cout << "VERSION " << root.Version() << "\n";
        for (uint64_t w = 0; w < root.WorldCount(); ++w) {
          const sdf::World *world = root.WorldByIndex(w);
          std::cout << "WORLD " << world->Name() << " models=" << world->ModelCount() << " lights=" << world->LightCount() << "\n";
          for (uint64_t m = 0; m < world->ModelCount(); ++m) describeModel(world->ModelByIndex(m), "");
        }
        if (root.Model()) describeModel(root.Model(), "");
      }
    }
    {
      sdf::ParserConfig strict = sdf::ParserConfig::GlobalConfig();
      strict.SetWarningsPolicy(sdf::EnforcementPolicy::ERR);
      strict.SetUnrecognizedElementsPolicy(sdf::EnforcementPolicy::ERR);
      sdf::Root root;
      for (auto &e : root.Load(argv[i], strict)) std::cout << "STRICT " << oneLine(e.Message()) << "\n";
    }
  }
  return bad;
}
`;

/** Strict findings that are intended: gz-sensors' frame id element inside a sensor. */
const ALLOWED_STRICT = [/^XML Element\[gz_frame_id\], child of element\[sensor\], not defined in SDF\. Copying\[gz_frame_id\] as children of \[sensor\]\.$/];

export interface SdfReport {
  file: string;
  /** Errors with the default configuration plus strict findings that are not allowed. */
  errors: string[];
  /** Strict findings that are allowed (the gz_frame_id extension). */
  allowed: string[];
  version?: string;
  /** "WORLD ...", "MODEL ...", "LINK ...", "JOINT ...", "SENSOR ..." lines as SDFormat understood the file. */
  structure: string[];
}

let cachedChecker: string | undefined;

/** Compiles (once) and returns the checker's path; throws with the apt packages to install when it cannot. */
export function sdformatChecker(): string {
  if (cachedChecker) return cachedChecker;
  const hint = `install them with: apt-get install ${SDFORMAT_APT_PACKAGES.join(" ")}`;
  let flags: string[];
  try {
    flags = execFileSync("pkg-config", ["--cflags", "--libs", "sdformat12"], { encoding: "utf8" }).trim().split(/\s+/);
  } catch {
    throw new Error(`SDFormat 12 is not installed (pkg-config cannot find sdformat12): the SDF validation tests need Debian's ${SDFORMAT_APT_PACKAGES.join(", ")}; ${hint}`);
  }
  const hash = createHash("sha256").update(CHECKER_SOURCE).update(flags.join(" ")).digest("hex").slice(0, 16);
  const dir = path.join(os.tmpdir(), `kestrel-sdformat-check-${hash}`);
  const exe = path.join(dir, "sdf-check");
  if (!fs.existsSync(exe)) {
    fs.mkdirSync(dir, { recursive: true });
    const src = path.join(dir, "sdf-check.cc");
    fs.writeFileSync(src, CHECKER_SOURCE);
    const tmpExe = `${exe}.${process.pid}.tmp`;
    const cc = spawnSync("g++", ["-std=c++17", "-O0", src, "-o", tmpExe, ...flags], { encoding: "utf8" });
    if (cc.error || cc.status !== 0) {
      throw new Error(`cannot compile the SDFormat checker (${cc.error?.message ?? cc.stderr.trim()}); ${hint}`);
    }
    fs.renameSync(tmpExe, exe);
  }
  cachedChecker = exe;
  return exe;
}

/**
 * Validates SDF files with SDFormat 12. `modelPaths` are folders holding model directories, for
 * `model://` URIs (passed as SDF_PATH, as Gazebo's GZ_SIM_RESOURCE_PATH would be).
 */
export function validateSdf(files: string[], modelPaths: string[] = []): SdfReport[] {
  const exe = sdformatChecker();
  const run = spawnSync(exe, files, {
    encoding: "utf8",
    env: { ...process.env, SDF_PATH: modelPaths.join(":") },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  const reports: SdfReport[] = [];
  let cur: SdfReport | undefined;
  for (const line of run.stdout.split("\n")) {
    const sp = line.indexOf(" ");
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? "" : line.slice(sp + 1);
    if (tag === "FILE") {
      cur = { file: rest, errors: [], allowed: [], structure: [] };
      reports.push(cur);
    } else if (!cur) continue;
    else if (tag === "ERROR") cur.errors.push(rest);
    else if (tag === "STRICT") {
      if (ALLOWED_STRICT.some((re) => re.test(rest))) cur.allowed.push(rest);
      else cur.errors.push(`(strict) ${rest}`);
    } else if (tag === "VERSION") cur.version = rest;
    else if (["WORLD", "MODEL", "LINK", "JOINT", "SENSOR"].includes(tag)) cur.structure.push(line);
  }
  if (reports.length !== files.length) {
    throw new Error(`SDFormat checker reported ${reports.length} of ${files.length} files (exit ${run.status}): ${run.stderr.trim()}`);
  }
  return reports;
}

/** Validates a document held in memory (written to a temp file first). */
export function validateSdfText(text: string, name = "exported.sdf", modelPaths: string[] = []): SdfReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kestrel-sdf-"));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return validateSdf([file], modelPaths)[0]!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
