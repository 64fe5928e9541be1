/** A LocalTransport whose log lines are captured, and helpers to make nodes on it. */
import type { LogRecord } from "../../ros/logger";
import { RosNode } from "../../ros/node";
import { LocalTransport } from "../../ros/transport/local/backend";

export interface LocalStack {
  transport: LocalTransport;
  logs: LogRecord[];
  /** A node named `name`, optionally with `--ros-args` and in-memory params files. */
  node(name: string, rosArgs?: string[], files?: Record<string, string>): RosNode;
  /** Waits until every queued message has been delivered. */
  flush(): Promise<void>;
}

const live = new Set<LocalTransport>();

/** Destroys every node made through localStack (their timers would keep jest alive). */
export async function shutdownStacks(): Promise<void> {
  for (const transport of live) await transport.shutdown();
  live.clear();
}

afterEach(shutdownStacks);

export function localStack(readFile?: (path: string) => string): LocalStack {
  const logs: LogRecord[] = [];
  const transport = new LocalTransport({ logSink: (r) => logs.push(r), ...(readFile ? { readFile } : {}) });
  live.add(transport);
  return {
    transport,
    logs,
    node: (name, rosArgs = [], files) =>
      new RosNode(transport.createNode({ name, namespace: "", rosArgs, ...(files ? { files } : {}) })),
    flush: () => transport.bus.flush(),
  };
}
