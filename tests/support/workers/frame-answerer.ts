/**
 * A worker for tests/perception/frame-channel.test.ts that answers frames the way the inference
 * worker does, through the channel's doorbells: it waits for each rung id (nextRequest), reads the
 * frame (awaitRequest), and answers with one box spanning the image (finish), or, for an image 13
 * pixels wide, with an error naming the frame (fail). It posts "moved" when the channel is replaced.
 */
import { parentPort } from "node:worker_threads";
import { FrameChannel, MOVED } from "../../../nodes/perception/frame-channel";

const port = parentPort!;
port.on("message", async (m: { buffer: SharedArrayBuffer }) => {
  const channel = new FrameChannel(m.buffer);
  port.postMessage("serving");
  for (let id = 0; ; ) {
    id = await channel.nextRequest(id);
    if (id === MOVED) break;
    const { image } = channel.awaitRequest(id, 5_000);
    if (image.width === 13) channel.fail(id, `frame ${id}: 13 pixels wide`);
    else channel.finish(id, { detections: [{ x1: 0, y1: 0, x2: image.width, y2: image.height, score: 1, classId: id }], timing: { preprocessMs: 0, inferenceMs: 0, decodeMs: 0 } });
  }
  port.postMessage("moved");
  port.close();
});
