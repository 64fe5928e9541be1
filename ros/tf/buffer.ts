/**
 * A tf2 buffer for Kestrel's nodes: the latest transform of every frame (from /tf and
 * /tf_static), and lookups between any two frames of the tree. Kestrel's consumers want the
 * current transform (costmap marking, projecting detections), so the buffer keeps the newest
 * sample per frame, not a time-indexed history; `lookup` reports how old it is.
 */
import type { Subscription } from "rxjs";
import type { geometry_msgs, tf2_msgs } from "../../msgs/generated/types";
import type { RosNode } from "../node";
import type { Time } from "../time";
import { compose, IDENTITY, invert, type Transform } from "./math";

interface Edge {
  parent: string;
  transform: Transform;
  stamp: Time;
  isStatic: boolean;
}

export class TransformLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransformLookupError";
  }
}

export interface TransformResult {
  transform: Transform;
  /** The oldest stamp among the transforms chained (static ones excluded). */
  stamp: Time;
}

function strip(frame: string): string {
  return frame.startsWith("/") ? frame.slice(1) : frame;
}

export class TfBuffer {
  /** child frame → its parent edge */
  private readonly edges = new Map<string, Edge>();

  /** Adds every transform of a TFMessage. */
  add(message: tf2_msgs.msg.TFMessage, isStatic: boolean): void {
    for (const t of message.transforms) this.set(t, isStatic);
  }

  set(t: geometry_msgs.msg.TransformStamped, isStatic: boolean): void {
    this.edges.set(strip(t.child_frame_id), {
      parent: strip(t.header.frame_id),
      transform: t.transform,
      stamp: t.header.stamp,
      isStatic,
    });
  }

  frames(): string[] {
    const all = new Set<string>();
    for (const [child, e] of this.edges) all.add(child).add(e.parent);
    return [...all].sort();
  }

  /** The transform taking points in `source` into `target` (tf2's lookupTransform(target, source)). */
  lookup(target: string, source: string): TransformResult {
    target = strip(target);
    source = strip(source);
    const up = this.chain(source);
    const down = this.chain(target);
    const common = up.frames.find((f) => down.frames.includes(f));
    if (common === undefined) {
      const known = this.frames().join(", ") || "none";
      throw new TransformLookupError(
        `cannot transform '${source}' to '${target}': they are not connected (known frames: ${known})`,
      );
    }
    const sourceToCommon = this.accumulate(source, common);
    const targetToCommon = this.accumulate(target, common);
    const stamp = older(sourceToCommon.stamp, targetToCommon.stamp) ?? { sec: 0, nanosec: 0 };
    return { transform: compose(invert(targetToCommon.transform), sourceToCommon.transform), stamp };
  }

  /** Keeps the buffer fed from a node's /tf and /tf_static. Returns the subscriptions. */
  listen(node: RosNode): Subscription[] {
    return [
      node.subscribe("tf2_msgs/msg/TFMessage", "/tf", { depth: 100 }).subscribe((m) => this.add(m, false)),
      node
        .subscribe("tf2_msgs/msg/TFMessage", "/tf_static", { depth: 100, durability: "transient_local" })
        .subscribe((m) => this.add(m, true)),
    ];
  }

  private chain(frame: string): { frames: string[] } {
    const frames = [frame];
    const seen = new Set(frames);
    let edge = this.edges.get(frame);
    while (edge && !seen.has(edge.parent)) {
      frames.push(edge.parent);
      seen.add(edge.parent);
      edge = this.edges.get(edge.parent);
    }
    return { frames };
  }

  /** frame → ancestor, composed along the tree; the stamp is undefined when every edge is static. */
  private accumulate(frame: string, ancestor: string): { transform: Transform; stamp: Time | undefined } {
    let transform: Transform = IDENTITY;
    let stamp: Time | undefined;
    let current = frame;
    while (current !== ancestor) {
      const edge = this.edges.get(current)!;
      transform = compose(edge.transform, transform);
      if (!edge.isStatic) stamp = older(stamp, edge.stamp);
      current = edge.parent;
    }
    return { transform, stamp };
  }
}

function older(a: Time | undefined, b: Time | undefined): Time | undefined {
  if (!a || !b) return a ?? b;
  return a.sec < b.sec || (a.sec === b.sec && a.nanosec <= b.nanosec) ? a : b;
}
