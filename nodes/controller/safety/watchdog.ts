/**
 * Sensor watchdog: whether a message stream is fresh, as rxjs `timeout` on a given scheduler
 * (the node's clock, so it follows sim time). Emits false at subscription (nothing received
 * yet), true on the first message, false when `timeoutMs` passes without one, true again on the
 * next — only changes are emitted. `messages$` must be hot (a Subject): it is resubscribed after
 * each timeout.
 */
import { distinctUntilChanged, map, of, repeat, startWith, timeout, type Observable, type SchedulerLike } from "rxjs";

export function freshness<T>(messages$: Observable<T>, timeoutMs: number, scheduler: SchedulerLike): Observable<boolean> {
  return messages$.pipe(
    map(() => true),
    timeout({ first: timeoutMs, each: timeoutMs, scheduler, with: () => of(false) }),
    repeat(),
    startWith(false),
    distinctUntilChanged(),
  );
}
