/**
 * Jest runs each test file in its own vm context, but ONNX Runtime's native addon creates output
 * tensors from the host realm's Float32Array, which fails onnxruntime-common's `instanceof
 * Float32Array` check. For tests only: register a Tensor subclass that re-wraps a foreign-realm
 * float32 buffer in this realm's Float32Array (no copy).
 * Call before the first ONNX Runtime session in a test file.
 */
import { isMainThread } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { binding, initOrt } from "onnxruntime-node/dist/binding";

export function fixOrtForJest(): void {
  const TensorBase = ort.Tensor as unknown as new (...args: unknown[]) => object;
  class RealmTolerantTensor extends TensorBase {
    constructor(...args: unknown[]) {
      const [type, data, dims] = args;
      if (type === "float32" && ArrayBuffer.isView(data) && !(data instanceof Float32Array)) {
        const view = data as unknown as Float32Array;
        super("float32", new Float32Array(view.buffer, view.byteOffset, view.length), dims);
      } else {
        super(...args);
      }
    }
  }
  initOrt();
  binding.initOrtOnce(2, RealmTolerantTensor as unknown as typeof ort.Tensor, isMainThread);
}
