/**
 * How long a `kestrel launch`/`kestrel run` lives: until SIGINT/SIGTERM (a second Ctrl-C forces
 * the exit, as ros2 launch does) or until an optional duration has passed (bounded runs for
 * `npm start` and CI).
 */
export type StopReason = "SIGINT" | "SIGTERM" | "duration";

export interface LifetimeOptions {
  /** Stop after this many wall-clock seconds; run until a signal when undefined. */
  durationS?: number;
  /** Called when a second signal arrives during shutdown. */
  onForcedExit?: () => void;
}

export function waitForStop(options: LifetimeOptions = {}): Promise<StopReason> {
  return new Promise((resolve) => {
    let stopping = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = (reason: StopReason): void => {
      if (stopping) {
        if (reason !== "duration") (options.onForcedExit ?? (() => process.exit(130)))();
        return;
      }
      stopping = true;
      if (timer) clearTimeout(timer);
      resolve(reason);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    if (options.durationS !== undefined) timer = setTimeout(() => stop("duration"), options.durationS * 1000);
  });
}

/** Parses `--duration` seconds with an error that names the flag. */
export function parseDurationS(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--duration: expected a positive number of seconds, found '${text}'`);
  return value;
}
