/**
 * MCAP chunk compression: zstd through @foxglove/wasm-zstd (compress) and fzstd (decompress,
 * pure JS, no loading step), lz4 frames through ./lz4 (compress) and @foxglove/wasm-lz4
 * (decompress). The WASM modules load asynchronously: call loadCompression() / decompressHandlers()
 * (both async) before writing or reading.
 */
import { decompress as fzstdDecompress } from "fzstd";
import type { McapTypes } from "@mcap/core";
import { lz4CompressFrame } from "./lz4";

export type ChunkCompression = "zstd" | "lz4" | "none";

export const CHUNK_COMPRESSIONS: readonly ChunkCompression[] = ["zstd", "lz4", "none"];

export interface Compressor {
  /** The MCAP compression name written in the chunk ("" for none). */
  name: "" | "zstd" | "lz4";
  compress(data: Uint8Array): Uint8Array;
}

/** zstd level 1, as rosbag2's `zstd_fast` storage preset. */
const ZSTD_LEVEL = 1;

export function parseChunkCompression(text: string): ChunkCompression {
  if ((CHUNK_COMPRESSIONS as readonly string[]).includes(text)) return text as ChunkCompression;
  throw new Error(`compression: expected one of ${CHUNK_COMPRESSIONS.join(", ")}, found '${text}'`);
}

export async function loadCompression(kind: ChunkCompression): Promise<Compressor> {
  switch (kind) {
    case "none":
      return { name: "", compress: (d) => d };
    case "lz4":
      return { name: "lz4", compress: lz4CompressFrame };
    case "zstd": {
      const zstd = await import("@foxglove/wasm-zstd");
      await zstd.isLoaded;
      return { name: "zstd", compress: (d) => zstd.compress(d, ZSTD_LEVEL) };
    }
  }
}

let lz4Decompress: ((buffer: Uint8Array, size: number) => Uint8Array) | undefined;

/** Decompressors for every chunk compression rosbag2 writes (zstd, lz4). */
export async function decompressHandlers(): Promise<McapTypes.DecompressHandlers> {
  if (!lz4Decompress) {
    const mod = (await import("@foxglove/wasm-lz4")).default;
    await mod.isLoaded;
    lz4Decompress = mod;
  }
  const lz4 = lz4Decompress;
  return {
    zstd: (data, size) => fzstdDecompress(data, new Uint8Array(Number(size))),
    lz4: (data, size) => lz4(data, Number(size)),
  };
}
