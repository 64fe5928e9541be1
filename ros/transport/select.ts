/**
 * Which transport a process uses: rclnodejs when a ROS 2 environment is sourced and rclnodejs
 * loads, else the embedded bus. `KESTREL_TRANSPORT=local|rclnodejs` forces one.
 */
import type { LogSink } from "../logger";
import { LocalTransport } from "./local/backend";
import { loadRclnodejs } from "./rclnodejs/loader";
import { RclnodejsTransport } from "./rclnodejs/transport";
import type { Transport, TransportKind } from "./transport";

export interface TransportChoice {
  /** "auto" (default): rclnodejs when available, else local. */
  kind?: TransportKind | "auto";
  env?: NodeJS.ProcessEnv;
  /** Process arguments for rcl's global `--ros-args`. */
  argv?: string[];
  logSink?: LogSink;
}

export interface ChosenTransport {
  transport: Transport;
  /** Why this one: printed at start-up so nobody wonders which middleware is live. */
  reason: string;
}

export async function createTransport(choice: TransportChoice = {}): Promise<ChosenTransport> {
  const env = choice.env ?? process.env;
  const wanted = choice.kind && choice.kind !== "auto" ? choice.kind : (env.KESTREL_TRANSPORT as TransportKind | undefined);
  if (wanted !== undefined && wanted !== "local" && wanted !== "rclnodejs") {
    throw new Error(`KESTREL_TRANSPORT: expected 'local' or 'rclnodejs', found '${wanted}'`);
  }
  const local = (): LocalTransport => new LocalTransport(choice.logSink ? { logSink: choice.logSink } : {});
  if (wanted === "local") return { transport: local(), reason: "embedded bus (requested)" };
  const loaded = loadRclnodejs(env);
  if (loaded.ok) {
    const transport = await RclnodejsTransport.create(loaded.rclnodejs, choice.argv ?? process.argv);
    return { transport, reason: `ROS 2 ${env.ROS_DISTRO} through rclnodejs` };
  }
  if (wanted === "rclnodejs") throw new Error(`transport rclnodejs requested but unavailable: ${loaded.reason}`);
  return { transport: local(), reason: `embedded bus (${loaded.reason})` };
}
