/**
 * The endpoints (publishers, subscriptions, timers) a node owns. Each handle removes itself when
 * disposed; destroying the node disposes the rest, newest first — the same bookkeeping for every
 * transport.
 */
import type { Disposable } from "./transport";

export class OwnedHandles {
  private readonly handles = new Set<Disposable>();

  /** Makes `fields` a handle whose dispose runs `release` once and forgets the handle. */
  track<F extends object>(fields: F, release: () => void): F & Disposable {
    let released = false;
    const handle: F & Disposable = {
      ...fields,
      dispose: () => {
        if (released) return;
        released = true;
        release();
        this.handles.delete(handle);
      },
    };
    this.handles.add(handle);
    return handle;
  }

  disposeAll(): void {
    for (const handle of [...this.handles].reverse()) handle.dispose();
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
