/**
 * A small baseline JPEG decoder (8-bit, Huffman, sequential: SOF0/SOF1; any chroma subsampling;
 * restart intervals; 1 or 3 components) to rgb8 or mono8 pixels. No image library is a dependency
 * of Kestrel: this decodes sample images for tests and benchmarks, and is the seam for a
 * sensor_msgs/CompressedImage input later. Progressive and arithmetic-coded JPEGs are refused
 * with a clear error. Chroma is upsampled by replication (what libjpeg's "fast" path does).
 */

export interface DecodedJpeg {
  width: number;
  height: number;
  /** "rgb8" for colour files, "mono8" for greyscale. */
  encoding: "rgb8" | "mono8";
  /** Row-major pixels, `channels` bytes each, no row padding. */
  data: Uint8Array;
}

const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55,
  62, 63,
]);

/** cos table for the separable float IDCT: IDCT_COS[x * 8 + u] = C(u) cos((2x+1) u pi / 16) / 2. */
const IDCT_COS = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++) t[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16)) / 2;
  }
  return t;
})();

interface HuffmanTable {
  maxCode: Int32Array; // per length 1..16, -1 when none
  valPtr: Int32Array;
  minCode: Int32Array;
  symbols: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Blocks per line / column in the padded (whole-MCU) plane. */
  blocksX: number;
  blocksY: number;
  plane: Uint8Array;
  dcTable: number;
  acTable: number;
  pred: number;
}

function buildHuffman(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const maxCode = new Int32Array(17).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valPtr[len] = k;
      minCode[len] = code;
      code += n;
      k += n;
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  return { maxCode, valPtr, minCode, symbols };
}

class BitReader {
  private buf = 0;
  private count = 0;
  constructor(private readonly data: Uint8Array, public pos: number) {}

  bit(): number {
    if (this.count === 0) {
      let b = this.data[this.pos++];
      if (b === undefined) throw new Error("JPEG: entropy-coded data runs past the end of the file");
      if (b === 0xff) {
        const next = this.data[this.pos];
        if (next === 0) this.pos++;
        else {
          // A marker inside a scan: feed zeros (corrupt or truncated data) without consuming it.
          this.pos--;
          b = 0;
        }
      }
      this.buf = b;
      this.count = 8;
    }
    this.count--;
    return (this.buf >> this.count) & 1;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(t: HuffmanTable): number {
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | this.bit();
      if (code <= t.maxCode[len]!) return t.symbols[t.valPtr[len]! + code - t.minCode[len]!]!;
    }
    throw new Error("JPEG: invalid Huffman code");
  }

  /** Drops buffered bits and skips an RSTn marker if one is next. */
  restart(): void {
    this.count = 0;
    if (this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 && this.data[this.pos + 1]! <= 0xd7) this.pos += 2;
  }
}

function extend(v: number, s: number): number {
  return s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/** Decodes a baseline JPEG file to rgb8 (3 components) or mono8 (1 component). */
export function decodeJpeg(file: Uint8Array): DecodedJpeg {
  if (file[0] !== 0xff || file[1] !== 0xd8) throw new Error("JPEG: missing SOI marker (not a JPEG file)");
  const quant: Int32Array[] = [];
  const dc: HuffmanTable[] = [];
  const ac: HuffmanTable[] = [];
  let components: Component[] = [];
  let width = 0;
  let height = 0;
  let hMax = 1;
  let vMax = 1;
  let mcusX = 0;
  let mcusY = 0;
  let restartInterval = 0;
  let pos = 2;
  const u16 = (p: number): number => (file[p]! << 8) | file[p + 1]!;

  while (pos < file.length) {
    if (file[pos] !== 0xff) {
      pos++;
      continue;
    }
    const marker = file[pos + 1]!;
    pos += 2;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff || marker === 0x01) continue;
    if (marker === 0xd9) break;
    const length = u16(pos);
    const seg = pos + 2;
    const end = pos + length;
    switch (marker) {
      case 0xdb: {
        let p = seg;
        while (p < end) {
          const pq = file[p]! >> 4;
          const tq = file[p]! & 15;
          p++;
          const table = new Int32Array(64);
          for (let i = 0; i < 64; i++) {
            table[ZIGZAG[i]!] = pq === 0 ? file[p]! : u16(p);
            p += pq === 0 ? 1 : 2;
          }
          quant[tq] = table;
        }
        break;
      }
      case 0xc4: {
        let p = seg;
        while (p < end) {
          const tc = file[p]! >> 4;
          const th = file[p]! & 15;
          const counts = file.subarray(p + 1, p + 17);
          let total = 0;
          for (const c of counts) total += c;
          const table = buildHuffman(counts, file.slice(p + 17, p + 17 + total));
          (tc === 0 ? dc : ac)[th] = table;
          p += 17 + total;
        }
        break;
      }
      case 0xc0:
      case 0xc1: {
        if (file[seg] !== 8) throw new Error(`JPEG: ${file[seg]}-bit samples are not supported (8-bit only)`);
        height = u16(seg + 1);
        width = u16(seg + 3);
        const n = file[seg + 5]!;
        if (n !== 1 && n !== 3) throw new Error(`JPEG: ${n} components are not supported (1 or 3)`);
        components = [];
        for (let i = 0; i < n; i++) {
          const p = seg + 6 + i * 3;
          components.push({ id: file[p]!, h: file[p + 1]! >> 4, v: file[p + 1]! & 15, tq: file[p + 2]!, blocksX: 0, blocksY: 0, plane: new Uint8Array(0), dcTable: 0, acTable: 0, pred: 0 });
        }
        hMax = Math.max(...components.map((c) => c.h));
        vMax = Math.max(...components.map((c) => c.v));
        mcusX = Math.ceil(width / (8 * hMax));
        mcusY = Math.ceil(height / (8 * vMax));
        for (const c of components) {
          c.blocksX = mcusX * c.h;
          c.blocksY = mcusY * c.v;
          c.plane = new Uint8Array(c.blocksX * 8 * c.blocksY * 8);
        }
        break;
      }
      case 0xdd:
        restartInterval = u16(seg);
        break;
      case 0xda: {
        if (components.length === 0) throw new Error("JPEG: scan before frame header");
        const ns = file[seg]!;
        const scan: Component[] = [];
        for (let i = 0; i < ns; i++) {
          const id = file[seg + 1 + i * 2]!;
          const c = components.find((k) => k.id === id);
          if (!c) throw new Error(`JPEG: scan names unknown component ${id}`);
          c.dcTable = file[seg + 2 + i * 2]! >> 4;
          c.acTable = file[seg + 2 + i * 2]! & 15;
          scan.push(c);
        }
        pos = decodeScan(file, end, scan, { mcusX, mcusY, width, height, hMax, vMax }, quant, dc, ac, restartInterval);
        continue;
      }
      default:
        if (marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce) throw new Error("JPEG: progressive JPEG is not supported (baseline only)");
        if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          throw new Error(`JPEG: SOF marker 0x${marker.toString(16)} (lossless/arithmetic) is not supported`);
        }
    }
    pos = end;
  }
  if (components.length === 0) throw new Error("JPEG: no frame header found");
  return toPixels(components, width, height, hMax, vMax);
}

function decodeScan(
  file: Uint8Array,
  start: number,
  scan: Component[],
  f: { mcusX: number; mcusY: number; width: number; height: number; hMax: number; vMax: number },
  quant: Int32Array[],
  dc: HuffmanTable[],
  ac: HuffmanTable[],
  restartInterval: number,
): number {
  const reader = new BitReader(file, start);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (const c of scan) c.pred = 0;

  const decodeBlock = (c: Component, bx: number, by: number): void => {
    const q = quant[c.tq];
    const dcT = dc[c.dcTable];
    const acT = ac[c.acTable];
    if (!q || !dcT || !acT) throw new Error("JPEG: missing quantisation or Huffman table");
    coef.fill(0);
    const s = reader.decode(dcT);
    c.pred += extend(reader.bits(s), s);
    coef[0] = c.pred * q[0]!;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(acT);
      const r = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) break;
      const z = ZIGZAG[k]!;
      coef[z] = extend(reader.bits(size), size) * q[z]!;
      k++;
    }
    idctBlock(coef, tmp, c.plane, c.blocksX * 8, bx * 8, by * 8);
  };

  let mcu = 0;
  const single = scan.length === 1;
  const c0 = scan[0]!;
  // A single-component scan is not interleaved: its blocks cover only the component's own area.
  const totalX = single ? Math.ceil(Math.ceil((f.width * c0.h) / f.hMax) / 8) : f.mcusX;
  const totalY = single ? Math.ceil(Math.ceil((f.height * c0.v) / f.vMax) / 8) : f.mcusY;
  for (let my = 0; my < totalY; my++) {
    for (let mx = 0; mx < totalX; mx++) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
        reader.restart();
        for (const c of scan) c.pred = 0;
      }
      if (single) decodeBlock(c0, mx, my);
      else {
        for (const c of scan) {
          for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(c, mx * c.h + h, my * c.v + v);
        }
      }
      mcu++;
    }
  }
  // Continue at the next marker after the entropy-coded data.
  let p = reader.pos;
  while (p < file.length - 1 && !(file[p] === 0xff && file[p + 1] !== 0 && !(file[p + 1]! >= 0xd0 && file[p + 1]! <= 0xd7))) p++;
  return p;
}

function idctBlock(coef: Float64Array, tmp: Float64Array, out: Uint8Array, stride: number, x0: number, y0: number): void {
  // Rows: tmp[y][x] = sum_u C(u) cos(..x..u) coef[y][u]
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += IDCT_COS[x * 8 + u]! * coef[y * 8 + u]!;
      tmp[y * 8 + x] = s;
    }
  }
  for (let x = 0; x < 8; x++) {
    for (let y = 0; y < 8; y++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += IDCT_COS[y * 8 + v]! * tmp[v * 8 + x]!;
      const value = Math.round(s + 128);
      out[(y0 + y) * stride + x0 + x] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
}

function toPixels(components: Component[], width: number, height: number, hMax: number, vMax: number): DecodedJpeg {
  if (components.length === 1) {
    const c = components[0]!;
    const data = new Uint8Array(width * height);
    const stride = c.blocksX * 8;
    for (let y = 0; y < height; y++) data.set(c.plane.subarray(y * stride, y * stride + width), y * width);
    return { width, height, encoding: "mono8", data };
  }
  const [cy, cb, cr] = components as [Component, Component, Component];
  const data = new Uint8Array(width * height * 3);
  const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sample = (c: Component): number =>
        c.plane[Math.floor((y * c.v) / vMax) * c.blocksX * 8 + Math.floor((x * c.h) / hMax)]!;
      const Y = sample(cy);
      const Cb = sample(cb) - 128;
      const Cr = sample(cr) - 128;
      const o = (y * width + x) * 3;
      data[o] = clamp(Y + 1.402 * Cr);
      data[o + 1] = clamp(Y - 0.344136 * Cb - 0.714136 * Cr);
      data[o + 2] = clamp(Y + 1.772 * Cb);
    }
  }
  return { width, height, encoding: "rgb8", data };
}
