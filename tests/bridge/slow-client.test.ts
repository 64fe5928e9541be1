/**
 * A client that stops reading must not make the bridge buffer without bound: its frames queue
 * in a bounded per-client queue that drops the oldest frames of a topic.
 */
import WebSocket from "ws";
import { ClientSendQueue, type QueueSocket } from "../../ros/bridge/send-queue";
import { FOXGLOVE_SUBPROTOCOL } from "../../ros/bridge/server";
import { startBridgeStack, type BridgeStack } from "./stack";

jest.setTimeout(60000);

/** A socket that accepts writes until told it is full (bufferedAmount stays high), then drains on demand. */
class FakeSocket implements QueueSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly written: Uint8Array[] = [];
  private readonly pending: Array<() => void> = [];
  send(data: Uint8Array, callback?: (error?: Error) => void): void {
    this.written.push(data);
    this.bufferedAmount += data.byteLength;
    this.pending.push(() => {
      this.bufferedAmount -= data.byteLength;
      callback?.();
    });
  }
  /** Completes every pending write (the client read them). */
  drain(): void {
    while (this.pending.length > 0) this.pending.shift()!();
  }
}

const frame = (tag: number, size = 100): Uint8Array => new Uint8Array(size).fill(tag);

describe("ClientSendQueue", () => {
  it("sends straight through while the socket keeps up", () => {
    const socket = new FakeSocket();
    const queue = new ClientSendQueue(socket, { highWaterBytes: 1000, maxBytes: 10_000, maxMessages: 10 });
    queue.push("a", 1, frame(1));
    socket.drain();
    queue.push("a", 1, frame(2));
    expect(socket.written.map((f) => f[0])).toEqual([1, 2]);
    expect(queue.snapshot()).toMatchObject({ sentMessages: 2, droppedMessages: 0, queuedMessages: 0 });
  });

  it("queues behind a full socket up to its caps, dropping the oldest frame of the same topic first", () => {
    const socket = new FakeSocket();
    const queue = new ClientSendQueue(socket, { highWaterBytes: 150, maxBytes: 10_000, maxMessages: 3 });
    queue.push("scan", 1, frame(1)); // written: buffered 100
    queue.push("scan", 1, frame(2)); // written: buffered 200 (was under the high water)
    queue.push("image", 2, frame(10)); // queued
    queue.push("scan", 1, frame(3)); // queued
    queue.push("scan", 1, frame(4)); // queued (3 frames: image, 3, 4)
    queue.push("scan", 1, frame(5)); // over 3: drops scan 3, the oldest scan, not the image
    expect(queue.snapshot()).toMatchObject({ queuedMessages: 3, droppedMessages: 1, maxQueuedMessages: 3 });
    queue.push("image", 2, frame(11)); // drops image 10
    socket.drain();
    socket.drain();
    socket.drain();
    expect(socket.written.map((f) => f[0])).toEqual([1, 2, 4, 5, 11]);
    expect(queue.snapshot()).toMatchObject({ queuedMessages: 0, queuedBytes: 0, droppedMessages: 2 });
  });

  it("holds at most maxBytes, and forgets an unsubscribed subscription's frames", () => {
    const socket = new FakeSocket();
    const queue = new ClientSendQueue(socket, { highWaterBytes: 1, maxBytes: 1000, maxMessages: 1000 });
    for (let i = 0; i < 100; i++) queue.push(i % 2 ? "a" : "b", i % 2, frame(i, 100));
    const stats = queue.snapshot();
    expect(stats.maxQueuedBytes).toBeLessThanOrEqual(1000);
    expect(stats.queuedBytes).toBeLessThanOrEqual(1000);
    expect(stats.droppedMessages).toBe(100 - 1 - 10);
    queue.purge(1);
    expect(queue.snapshot().queuedMessages).toBe(5);
  });
});

describe("a bridge client that stops reading", () => {
  let stack: BridgeStack;
  afterEach(async () => {
    await stack?.close();
  });

  it("gets its oldest frames dropped; the queue stays under its caps and memory does not grow without bound", async () => {
    const limits = { maxBytes: 2 * 1024 * 1024, maxMessages: 64, highWaterBytes: 256 * 1024 };
    stack = await startBridgeStack({ bridge: { sendQueue: limits } });
    const ws = new WebSocket(stack.bridge.url, [FOXGLOVE_SUBPROTOCOL]);
    const channels = new Map<string, number>();
    await new Promise<void>((resolve, reject) => {
      ws.on("error", reject);
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        const msg = JSON.parse(String(data)) as { op: string; channels?: Array<{ id: number; topic: string }> };
        if (msg.op === "advertise") for (const c of msg.channels!) channels.set(c.topic, c.id);
        if (channels.has("/camera/image_raw") && channels.has("/scan")) resolve();
      });
    });
    let received = 0;
    ws.on("message", (_data, isBinary) => {
      if (isBinary) received++;
    });
    ws.send(JSON.stringify({ op: "subscribe", subscriptions: [{ id: 1, channelId: channels.get("/camera/image_raw") }, { id: 2, channelId: channels.get("/scan") }] }));
    await waitUntil(() => received > 5, "the first frames");
    // The client stops reading: its socket is paused, the kernel buffers fill, ws's bufferedAmount grows.
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const rssBefore = process.memoryUsage().rss;
    const imageFrame = 320 * 240 * 3 + 100;
    let worst = { queuedBytes: 0, queuedMessages: 0, buffered: 0 };
    await waitUntil(() => {
      const stats = stack.bridge.clientStats()[0]!;
      worst = {
        queuedBytes: Math.max(worst.queuedBytes, stats.queuedBytes),
        queuedMessages: Math.max(worst.queuedMessages, stats.queuedMessages),
        buffered: Math.max(worst.buffered, stats.bufferedBytes),
      };
      return stats.droppedMessages > 300;
    }, "hundreds of dropped frames", 40000);
    const stats = stack.bridge.clientStats()[0]!;
    expect(stats.maxQueuedBytes).toBeLessThanOrEqual(limits.maxBytes);
    expect(stats.maxQueuedMessages).toBeLessThanOrEqual(limits.maxMessages);
    expect(worst.queuedBytes).toBeLessThanOrEqual(limits.maxBytes);
    // ws holds at most the high-water mark plus the frame that crossed it.
    expect(worst.buffered).toBeLessThanOrEqual(limits.highWaterBytes + imageFrame);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
    // Reading again, the client gets fresh frames.
    const receivedBefore = received;
    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitUntil(() => received > receivedBefore + 20, "frames after resuming");
    ws.terminate();
  });
});

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
