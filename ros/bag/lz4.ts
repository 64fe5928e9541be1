/**
 * LZ4 frame compression (the format MCAP's "lz4" chunk compression uses: an LZ4 *frame*, as
 * liblz4's LZ4F_compressFrame writes it). @foxglove/wasm-lz4 only decompresses, so the encoder is
 * here: a greedy hash-chain-free block compressor (like LZ4's fast mode, level 1) and the frame
 * wrapper (magic, descriptor with its xxHash32 checksum byte, independent 4 MiB blocks, end mark).
 */

const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** xxHash32 (used by the LZ4 frame format for the header checksum). */
export function xxh32(input: Uint8Array, seed = 0): number {
  const len = input.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + PRIME32_1 + PRIME32_2) >>> 0;
    let v2 = (seed + PRIME32_2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME32_1) >>> 0;
    const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, PRIME32_2)) >>> 0, 13), PRIME32_1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, read32(input, i));
      v2 = round(v2, read32(input, i + 4));
      v3 = round(v3, read32(input, i + 8));
      v4 = round(v4, read32(input, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + PRIME32_5) >>> 0;
  }
  h = (h + len) >>> 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl((h + Math.imul(read32(input, i), PRIME32_3)) >>> 0, 17), PRIME32_4) >>> 0;
  for (; i < len; i++) h = Math.imul(rotl((h + Math.imul(input[i]!, PRIME32_5)) >>> 0, 11), PRIME32_1) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, PRIME32_2) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, PRIME32_3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const MIN_MATCH = 4;
/** The last 5 bytes are always literals, and the last match starts at least 12 bytes before the end. */
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_BITS = 16;
const MAX_OFFSET = 65535;

/** One LZ4 block (no frame) of `src`; the output may be larger than the input for noise. */
export function lz4CompressBlock(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  let op = 0;
  let anchor = 0;
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  const hash = (i: number): number => Math.imul(read32(src, i), 2654435761) >>> (32 - HASH_BITS);
  const writeLength = (len: number): void => {
    while (len >= 255) {
      out[op++] = 255;
      len -= 255;
    }
    out[op++] = len;
  };
  const emit = (literalEnd: number, matchLength: number, offset: number): void => {
    const literals = literalEnd - anchor;
    const tokenAt = op++;
    let token = (literals >= 15 ? 15 : literals) << 4;
    if (literals >= 15) writeLength(literals - 15);
    out.set(src.subarray(anchor, literalEnd), op);
    op += literals;
    if (matchLength > 0) {
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      const m = matchLength - MIN_MATCH;
      token |= m >= 15 ? 15 : m;
      if (m >= 15) writeLength(m - 15);
    }
    out[tokenAt] = token;
  };
  if (n >= MF_LIMIT + 1) {
    const matchLimit = n - LAST_LITERALS;
    let ip = 0;
    while (ip < n - MF_LIMIT) {
      const h = hash(ip);
      const ref = table[h]!;
      table[h] = ip;
      if (ref >= 0 && ip - ref <= MAX_OFFSET && read32(src, ref) === read32(src, ip)) {
        let len = MIN_MATCH;
        while (ip + len < matchLimit && src[ref + len] === src[ip + len]) len++;
        emit(ip, len, ip - ref);
        ip += len;
        anchor = ip;
      } else {
        ip++;
      }
    }
  }
  emit(n, 0, 0);
  return out.subarray(0, op);
}

const BLOCK_MAX = 4 * 1024 * 1024;

/** An LZ4 frame of `src` (independent 4 MiB blocks, no checksums beyond the header's). */
export function lz4CompressFrame(src: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const descriptor = new Uint8Array([0x60, 0x70]); // FLG: version 01, independent blocks; BD: 4 MiB max block.
  const header = new Uint8Array(7);
  header.set([0x04, 0x22, 0x4d, 0x18], 0);
  header.set(descriptor, 4);
  header[6] = (xxh32(descriptor) >>> 8) & 0xff;
  parts.push(header);
  for (let start = 0; start < src.length; start += BLOCK_MAX) {
    const block = src.subarray(start, Math.min(src.length, start + BLOCK_MAX));
    const compressed = lz4CompressBlock(block);
    const stored = compressed.length < block.length;
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, stored ? compressed.length : (block.length | 0x80000000) >>> 0, true);
    parts.push(size, stored ? compressed : block);
  }
  parts.push(new Uint8Array(4)); // EndMark
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
