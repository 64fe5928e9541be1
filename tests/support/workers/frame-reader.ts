/**
 * A worker for tests/perception/frame-channel.test.ts: told a channel and a frame id, it waits for
 * the frame the way the inference worker does (FrameChannel.awaitRequest) and posts back what it read.
 */
import { parentPort } from "node:worker_threads";
import { FrameChannel } from "../../../nodes/perception/frame-channel";

const port = parentPort!;
port.on("message", (m: { buffer: SharedArrayBuffer; id: number; timeoutMs: number }) => {
  try {
    port.postMessage("waiting");
    const frame = new FrameChannel(m.buffer).awaitRequest(m.id, m.timeoutMs);
    port.postMessage({ id: frame.id, width: frame.image.width, bytes: Array.from(frame.image.data) });
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
  port.close();
});
