/**
 * The policy store: where deployed policies live and which one is in charge.
 *
 *   <store>/current.json               the pointer: { current, previous, deployed_at, ... }
 *   <store>/packages/<id>-<sha8>/      immutable copies of deployed packages (policy.onnx + manifest.json)
 *   <store>/packages/.staging-*        a copy in progress (removed on the next deploy)
 *
 * The atomic swap. deploy(candidate):
 *   1. loadPolicy(candidate): manifest, sha256, ONNX shapes, probe inference. Refused → throw; the
 *      store is not touched.
 *   2. copy the package into packages/.staging-<random>, fsync each file, verify the copy
 *      (loadPolicy again: catches a bad copy), then rename the staging folder to its final
 *      name (a directory rename is atomic; the final name is never seen half-filled).
 *   3. write the new pointer to current.json.<random>.tmp, fsync, rename() it over current.json,
 *      fsync the store folder.
 * rename(2) within one file system atomically replaces the target: every reader opens either the
 * old pointer or the new one, never a mix or a partial file, and a crash at any point leaves
 * the old or the new pointer in place, each naming a complete, verified package. One pointer
 * FILE holding both `current` and `previous` is used rather than two symlinks because the
 * pair must change together: two symlink renames are two steps, and a crash between them
 * would leave `previous` wrong. (A symlink swap — symlink to a temp name, rename over the link
 * — is also atomic on Linux, but a JSON file works the same on every file system and carries
 * the deployment time and history.)
 *
 * rollback(): the previous package is verified (loadPolicy), then the pointer is swapped the same
 * way with current and previous exchanged — so a second rollback undoes the first.
 */
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { MANIFEST_FILE, readManifest, type PolicyManifest } from "./manifest";
import { loadPolicySync, type Policy } from "./package";

export const POINTER_FILE = "current.json";
export const PACKAGES_DIR = "packages";

export interface StorePointer {
  format_version: 1;
  /** Package folder of the policy in charge, relative to the store (packages/<name>). */
  current: string;
  /** The one before it (what rollback restores), or null. */
  previous: string | null;
  /** When `current` was put in charge (ISO 8601). */
  deployed_at: string;
  /** What made it current. */
  action: "deploy" | "rollback";
}

export interface StoreEntry {
  dir: string;
  manifest: PolicyManifest;
}

export interface StoreState {
  pointer: StorePointer;
  current: StoreEntry;
  previous: StoreEntry | null;
}

/** Steps of a deployment, for fault-injection tests (a hook that throws simulates a crash there). */
export type DeployStep = "validated" | "staged" | "package-in-place" | "pointer-written";

export interface DeployOptions {
  /** Called after each step; a throwing hook aborts the deployment there, like a crash would. */
  onStep?: (step: DeployStep) => void;
  /** Clock for deployed_at (tests). */
  now?: () => Date;
}

export interface DeployResult {
  /** The new current package (already verified). */
  current: StoreEntry;
  previous: StoreEntry | null;
  pointer: StorePointer;
}

/** fsync a file or a directory (best effort for directories, which some file systems refuse). */
function fsyncPath(path: string, directory = false): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch (error) {
    if (!directory) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export class PolicyStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get pointerFile(): string {
    return join(this.root, POINTER_FILE);
  }

  /** The pointer, or undefined when nothing was ever deployed; throws (naming the file) when it is unreadable. */
  readPointer(): StorePointer | undefined {
    const file = this.pointerFile;
    if (!existsSync(file)) return undefined;
    let parsed: Partial<StorePointer>;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<StorePointer>;
    } catch (error) {
      throw new Error(`${file}: unreadable policy store pointer: ${(error as Error).message}`);
    }
    const okName = (s: unknown): boolean => typeof s === "string" && /^packages\/[^/\\]+$/.test(s) && !s.includes("..");
    if (parsed.format_version !== 1 || !okName(parsed.current) || (parsed.previous !== null && !okName(parsed.previous)) || typeof parsed.deployed_at !== "string") {
      throw new Error(`${file}: not a policy store pointer (expected format_version 1, current and previous as packages/<name>, deployed_at)`);
    }
    return parsed as StorePointer;
  }

  /** The folder of the current package, or undefined when nothing is deployed. */
  currentDir(): string | undefined {
    const p = this.readPointer();
    return p ? join(this.root, p.current) : undefined;
  }

  /** Loads (and fully verifies) the current policy; throws with the reason when there is none or it is bad. */
  loadCurrent(): Policy {
    const dir = this.currentDir();
    if (!dir) throw new Error(`no policy deployed in ${this.root} (no ${POINTER_FILE})`);
    return loadPolicySync(dir);
  }

  /** Current and previous with their manifests (not verified: `show`). */
  state(): StoreState | undefined {
    const pointer = this.readPointer();
    if (!pointer) return undefined;
    const entry = (rel: string): StoreEntry => {
      const dir = join(this.root, rel);
      return { dir, manifest: readManifest(dir) };
    };
    return { pointer, current: entry(pointer.current), previous: pointer.previous ? entry(pointer.previous) : null };
  }

  /** Validates `candidateDir` and makes it current atomically (see the file comment). */
  deploy(candidateDir: string, options: DeployOptions = {}): DeployResult {
    const candidate = loadPolicySync(candidateDir); // refused here → nothing touched
    const manifest = candidate.manifest;
    candidate.dispose();
    step(options, "validated");

    const packages = join(this.root, PACKAGES_DIR);
    mkdirSync(packages, { recursive: true });
    this.removeStaleStaging();
    const old = this.readPointer();
    const name = `${safeName(manifest.id)}-${manifest.model.sha256.slice(0, 8)}`;
    const finalDir = join(packages, name);
    if (!existsSync(finalDir)) {
      const staging = join(packages, `.staging-${randomBytes(6).toString("hex")}`);
      mkdirSync(staging);
      for (const file of [manifest.model.file, MANIFEST_FILE]) {
        copyFileSync(join(resolve(candidateDir), file), join(staging, file));
        fsyncPath(join(staging, file));
      }
      loadPolicySync(staging).dispose(); // the copy is what will run: verify it too
      step(options, "staged");
      renameSync(staging, finalDir);
      fsyncPath(packages, true);
    } else {
      loadPolicySync(finalDir).dispose(); // same id and hash already stored: make sure it is intact
    }
    step(options, "package-in-place");

    const current = `${PACKAGES_DIR}/${name}`;
    const previous = old ? (old.current === current ? old.previous : old.current) : null;
    const pointer: StorePointer = { format_version: 1, current, previous, deployed_at: (options.now?.() ?? new Date()).toISOString(), action: "deploy" };
    this.swapPointer(pointer, () => step(options, "pointer-written"));
    return { current: { dir: finalDir, manifest }, previous: previous ? { dir: join(this.root, previous), manifest: readManifest(join(this.root, previous)) } : null, pointer };
  }

  /** Makes the previous policy current again (verified first); throws when there is none or it is bad. */
  rollback(options: DeployOptions = {}): DeployResult {
    const old = this.readPointer();
    if (!old) throw new Error(`nothing to roll back in ${this.root}: no policy deployed`);
    if (!old.previous) throw new Error(`nothing to roll back in ${this.root}: ${old.current} has no previous policy`);
    const previousDir = join(this.root, old.previous);
    let restored: Policy;
    try {
      restored = loadPolicySync(previousDir);
    } catch (error) {
      throw new Error(`cannot roll back to ${old.previous}: ${(error as Error).message}`);
    }
    const manifest = restored.manifest;
    restored.dispose();
    step(options, "validated");
    const pointer: StorePointer = {
      format_version: 1,
      current: old.previous,
      previous: old.current,
      deployed_at: (options.now?.() ?? new Date()).toISOString(),
      action: "rollback",
    };
    this.swapPointer(pointer, () => step(options, "pointer-written"));
    return { current: { dir: previousDir, manifest }, previous: { dir: join(this.root, old.current), manifest: readManifest(join(this.root, old.current)) }, pointer };
  }

  /** Writes the pointer to a temporary file, fsyncs, renames it over current.json, fsyncs the folder. */
  private swapPointer(pointer: StorePointer, afterTempWritten: () => void): void {
    mkdirSync(this.root, { recursive: true });
    const tmp = join(this.root, `${POINTER_FILE}.${randomBytes(6).toString("hex")}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(pointer, null, 2)}\n`);
    fsyncPath(tmp);
    afterTempWritten(); // (a throwing test hook leaves the temp file behind, as a crash would)
    renameSync(tmp, this.pointerFile);
    fsyncPath(this.root, true);
  }

  /** Leftovers of deployments that died mid-copy, and pointer temp files. */
  private removeStaleStaging(): void {
    const packages = join(this.root, PACKAGES_DIR);
    for (const name of existsSync(packages) ? readdirSync(packages) : []) {
      if (name.startsWith(".staging-")) rmSync(join(packages, name), { recursive: true, force: true });
    }
    for (const name of existsSync(this.root) ? readdirSync(this.root) : []) {
      if (name.startsWith(`${POINTER_FILE}.`) && name.endsWith(".tmp")) rmSync(join(this.root, name), { force: true });
    }
  }

  /** A path relative to the store, for messages. */
  describe(dir: string): string {
    const rel = relative(this.root, dir);
    return rel.startsWith("..") ? dir : rel || basename(dir);
  }
}

function step(options: DeployOptions, s: DeployStep): void {
  options.onStep?.(s);
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(0, 80) || "policy";
}
