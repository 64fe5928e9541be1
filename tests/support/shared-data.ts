/**
 * Test data shared across repositories lives in `<repo>/../shared/data` (here /work/shared/data;
 * CI clones the repo with shared/ beside it). Always resolve it through this helper.
 */
import * as path from "path";

/** Absolute path of the shared data folder. */
export const SHARED_DATA_ROOT = path.resolve(__dirname, "../../../shared/data");

/** Absolute path of a file or folder below the shared data folder. */
export function sharedData(...parts: string[]): string {
  return path.join(SHARED_DATA_ROOT, ...parts);
}
