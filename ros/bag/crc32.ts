/** CRC-32 (IEEE, as MCAP uses for chunk, data-section and summary checksums). */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Running CRC: start with crc32Init(), feed with crc32Update(), end with crc32Final(). */
export const crc32Init = (): number => 0xffffffff;

export function crc32Update(crc: number, data: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

export const crc32Final = (crc: number): number => (crc ^ 0xffffffff) >>> 0;

export function crc32(data: Uint8Array): number {
  return crc32Final(crc32Update(crc32Init(), data));
}
