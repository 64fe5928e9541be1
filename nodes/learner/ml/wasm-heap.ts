/**
 * Direct access to tensor data for kernels written in JavaScript.
 *
 * On the wasm backend a tensor's values live in the module's heap; dataSync() copies them out and
 * tf.tensor() copies them back in. For the data-rearranging steps of the convolution gradients
 * (im2col, layout transposes, column sums) those copies would cost as much as the work itself, so on
 * wasm these helpers hand out Float32Array views of the heap and allocate outputs there. On any other
 * backend they fall back to dataSync / tf.tensor, so the same code runs (and is tested) everywhere.
 *
 * A heap view is invalidated when the heap grows (any allocation may grow it): take views after
 * allocating the output, use them at once, and never keep them.
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-backend-wasm's BackendWasm used here (not exported as a type by the package). */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

function wasmBackend(): WasmBackendLike | null {
  if (tf.getBackend() !== "wasm") return null;
  const b = tf.backend() as unknown as Partial<WasmBackendLike>;
  return b.dataIdMap && b.wasm && typeof b.makeOutput === "function" ? (b as WasmBackendLike) : null;
}

function heapView(b: WasmBackendLike, dataId: object, size: number): Float32Array {
  const entry = b.dataIdMap.get(dataId);
  if (!entry) throw new Error("wasm-heap: tensor data not found on the wasm backend");
  return new Float32Array(b.wasm.HEAPU8.buffer, entry.memoryOffset, size);
}

/**
 * Creates a float32 tensor of `shape` whose values `fill` writes, given read-only views of `inputs`
 * (in order) and the output. On wasm the output is allocated in the heap and the views are heap
 * views (no copies); elsewhere inputs are read with dataSync and the output copied into a tensor.
 * `fill` must write every element of the output (the heap is not zeroed).
 */
export function computeInto(
  shape: number[],
  inputs: readonly tf.Tensor[],
  fill: (out: Float32Array, ...ins: Float32Array[]) => void,
): tf.Tensor {
  for (const t of inputs) if (t.dtype !== "float32") throw new Error(`wasm-heap: float32 inputs only (got ${t.dtype})`);
  const size = shape.reduce((a, b) => a * b, 1);
  const b = wasmBackend();
  if (!b) {
    const out = new Float32Array(size);
    fill(out, ...inputs.map((t) => t.dataSync() as Float32Array));
    return tf.tensor(out, shape, "float32");
  }
  const info = b.makeOutput(shape, "float32");
  fill(heapView(b, info.dataId, size), ...inputs.map((t) => heapView(b, t.dataId, t.size)));
  return tf.engine().makeTensorFromTensorInfo(info, tf.backend());
}

/**
 * Reusable scratch buffers (the gradient kernels run one at a time; `slot` separates the buffers one
 * kernel needs at once). The returned array may be longer than n.
 */
const scratch: Float32Array[] = [];
export function scratchBuffer(n: number, slot = 0): Float32Array {
  const cur = scratch[slot];
  if (cur && cur.length >= n) return cur;
  const next = new Float32Array(Math.max(n, Math.ceil((cur?.length ?? 0) * 1.5)));
  scratch[slot] = next;
  return next;
}
