/**
 * Where package `kestrel`'s shared files are: the folder holding package.xml, launch/ and
 * config/. In a checkout that is the repository root; after `colcon build` it is
 * install/kestrel/share/kestrel (CMakeLists.txt installs dist/ there too), so walking up from this
 * file finds it in both layouts.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function packageShareDir(start: string = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "package.xml")) && existsSync(join(dir, "launch"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find package kestrel's share directory above ${start}`);
    dir = parent;
  }
}

/** `$(find-pkg-share PKG)` for the embedded launcher: kestrel is this package; others come from AMENT_PREFIX_PATH. */
export function findPackageShare(pkg: string, env: NodeJS.ProcessEnv = process.env): string {
  if (pkg === "kestrel") return packageShareDir();
  for (const prefix of (env.AMENT_PREFIX_PATH ?? "").split(":").filter(Boolean)) {
    const share = join(prefix, "share", pkg);
    if (existsSync(join(share, "package.xml"))) return share;
  }
  throw new Error(`package '${pkg}' not found (searched package kestrel and AMENT_PREFIX_PATH)`);
}
