/**
 * The bridge's per-client send queue. A WebSocket client that reads slower than the graph
 * publishes (or stops reading altogether) must not make the process buffer without bound:
 *
 * - a frame goes straight to the socket while ws's `bufferedAmount` (bytes handed to ws but not
 *   yet written to the kernel) is under `highWaterBytes`;
 * - otherwise it waits here, in a FIFO capped by `maxBytes` and `maxMessages`. When a new frame
 *   would exceed a cap, the oldest queued frame of the same topic is dropped (a viewer wants the
 *   latest scan, not a backlog), else the oldest frame of any topic;
 * - each completed socket write (ws's send callback) pumps the queue again.
 *
 * So one client holds at most `highWaterBytes` + one frame in ws plus the queue's cap here
 * (a single frame larger than `maxBytes` is still let through when the queue is empty).
 */

export interface SendQueueLimits {
  /** Queued bytes held for one client (default 8 MiB). */
  maxBytes: number;
  /** Queued frames held for one client (default 256). */
  maxMessages: number;
  /** Above this many bytes buffered inside ws, frames queue here instead (default 1 MiB). */
  highWaterBytes: number;
}

export const DEFAULT_SEND_QUEUE_LIMITS: SendQueueLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxMessages: 256,
  highWaterBytes: 1024 * 1024,
};

/** What the queue needs of a socket (ws's WebSocket fits). */
export interface QueueSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array, callback?: (error?: Error) => void): void;
}

export interface SendQueueStats {
  /** Frames handed to the socket. */
  sentMessages: number;
  sentBytes: number;
  /** Frames dropped because the client did not keep up. */
  droppedMessages: number;
  droppedBytes: number;
  /** Now queued here (not yet handed to ws). */
  queuedMessages: number;
  queuedBytes: number;
  /** High-water marks of the queue since the client connected. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
}

interface Entry {
  /** Drop key: frames with the same key replace each other first (one key per channel). */
  key: string;
  /** Subscription the frame belongs to, so an unsubscribe purges its frames; -1 for none. */
  subscriptionId: number;
  bytes: Uint8Array;
}

const OPEN = 1;

export class ClientSendQueue {
  readonly limits: SendQueueLimits;
  private readonly entries: Entry[] = [];
  private readonly stats: SendQueueStats = {
    sentMessages: 0,
    sentBytes: 0,
    droppedMessages: 0,
    droppedBytes: 0,
    queuedMessages: 0,
    queuedBytes: 0,
    maxQueuedMessages: 0,
    maxQueuedBytes: 0,
  };
  private closed = false;

  constructor(
    private readonly socket: QueueSocket,
    limits: Partial<SendQueueLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SEND_QUEUE_LIMITS, ...limits };
  }

  /** Sends a frame now if the socket keeps up, else queues it (dropping older frames at the cap). */
  push(key: string, subscriptionId: number, bytes: Uint8Array): void {
    if (this.closed || this.socket.readyState !== OPEN) return;
    if (this.entries.length === 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.write(bytes);
      return;
    }
    this.entries.push({ key, subscriptionId, bytes });
    this.stats.queuedBytes += bytes.byteLength;
    this.stats.queuedMessages++;
    while (
      this.entries.length > 1 &&
      (this.stats.queuedBytes > this.limits.maxBytes || this.entries.length > this.limits.maxMessages)
    ) {
      let victim = this.entries.findIndex((e) => e.key === key);
      if (victim === this.entries.length - 1) victim = 0; // the new frame is the only one of its topic
      this.drop(victim);
    }
    this.stats.maxQueuedBytes = Math.max(this.stats.maxQueuedBytes, this.stats.queuedBytes);
    this.stats.maxQueuedMessages = Math.max(this.stats.maxQueuedMessages, this.stats.queuedMessages);
    this.pump();
  }

  /** Forgets queued frames of a subscription (after the client unsubscribed). */
  purge(subscriptionId: number): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.subscriptionId === subscriptionId) this.remove(i);
    }
  }

  snapshot(): SendQueueStats {
    return { ...this.stats };
  }

  close(): void {
    this.closed = true;
    this.entries.length = 0;
    this.stats.queuedBytes = 0;
    this.stats.queuedMessages = 0;
  }

  private readonly pump = (): void => {
    while (!this.closed && this.entries.length > 0 && this.socket.readyState === OPEN && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const entry = this.entries.shift()!;
      this.stats.queuedBytes -= entry.bytes.byteLength;
      this.stats.queuedMessages--;
      this.write(entry.bytes);
    }
  };

  private write(bytes: Uint8Array): void {
    this.stats.sentMessages++;
    this.stats.sentBytes += bytes.byteLength;
    // The callback runs once ws has written the frame out: room again, so pump what waits.
    this.socket.send(bytes, (error) => {
      if (!error && this.entries.length > 0) this.pump();
    });
  }

  private drop(index: number): void {
    const [entry] = this.entries.splice(index, 1);
    this.stats.queuedBytes -= entry!.bytes.byteLength;
    this.stats.queuedMessages--;
    this.stats.droppedMessages++;
    this.stats.droppedBytes += entry!.bytes.byteLength;
  }

  private remove(index: number): void {
    const [entry] = this.entries.splice(index, 1);
    this.stats.queuedBytes -= entry!.bytes.byteLength;
    this.stats.queuedMessages--;
  }
}
