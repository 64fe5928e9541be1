/**
 * Where the learner finds its training data: the recorder writes one rosbag2 directory per run
 * into its output_dir; the learner's bag_dir may name that folder or one bag.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** Bag directories (or .mcap files) at `root`: itself when it is a bag, else its children that are. */
export function findBags(root: string): string[] {
  const dir = resolve(root);
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return /\.(mcap|db3)$/.test(dir) ? [dir] : [];
  const isBag = (d: string): boolean => existsSync(join(d, "metadata.yaml")) || readdirSync(d).some((f) => /\.(mcap|db3)$/.test(f));
  if (isBag(dir)) return [dir];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((d) => statSync(d).isDirectory() && isBag(d))
    .sort();
}
