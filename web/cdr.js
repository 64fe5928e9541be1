// A small ROS 2 CDR codec for the browser: parses the `ros2msg` schema text a Foxglove bridge
// advertises (the text rosbag2 writes: root definition, then "MSG: pkg/Type" sections separated
// by lines of '='), and reads/writes XCDR1 (the 4-byte encapsulation header, then fields aligned
// to their size relative to the end of the header). Numeric sequences come back as typed arrays.

const PRIMITIVES = {
  bool: 1, byte: 1, char: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4,
  float32: 4, int64: 8, uint64: 8, float64: 8, string: 0, wstring: 0,
};
const TYPED = {
  byte: Uint8Array, char: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
  int64: BigInt64Array, uint64: BigUint64Array,
};

const key = (type) => {
  const p = type.split("/");
  return p.length === 3 ? `${p[0]}/${p[2]}` : type;
};

/** Parses a ros2msg schema into { root, defs: Map<"pkg/Type", Field[]> }; a field: {name, type, complex, isArray, arrayLength}. */
export function parseSchema(rootType, text) {
  const defs = new Map();
  const sections = text.split(/\n=+\n/);
  sections.forEach((section, i) => {
    let lines = section.split("\n");
    let name = key(rootType);
    if (i > 0) {
      const header = lines.findIndex((l) => l.startsWith("MSG: "));
      name = key(lines[header].slice(5).trim());
      lines = lines.slice(header + 1);
    }
    const pkg = name.split("/")[0];
    const fields = [];
    for (const raw of lines) {
      const line = raw.replace(/#.*$/, "").trim();
      if (!line) continue;
      const m = /^(\S+)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(=.*)?/.exec(line);
      if (!m || m[3] !== undefined) continue; // constants carry no data
      let [, type, field] = m;
      let isArray = false, arrayLength;
      const arr = /^(.*)\[(<=)?(\d*)\]$/.exec(type);
      if (arr) {
        isArray = true;
        type = arr[1];
        if (arr[3] !== "" && !arr[2]) arrayLength = Number(arr[3]);
      }
      type = type.replace(/<=\d+$/, "");
      if (type === "time" || type === "duration") type = `builtin_interfaces/${type === "time" ? "Time" : "Duration"}`;
      const complex = !(type in PRIMITIVES);
      if (complex) {
        if (type === "Header") type = "std_msgs/Header";
        else if (!type.includes("/")) type = `${pkg}/${type}`;
        type = key(type);
      }
      fields.push({ name: field, type, complex, isArray, arrayLength });
    }
    defs.set(name, fields);
  });
  return { root: key(rootType), defs };
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** Decodes one CDR message (with its 4-byte header) of the schema's root type. */
export function decode(schema, bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const le = u8[1] === 1 || u8[1] === 3;
  let off = 4;
  const align = (n) => { off += (n - ((off - 4) % n)) % n; };
  const prim = (type) => {
    switch (type) {
      case "bool": return u8[off++] !== 0;
      case "byte": case "char": case "uint8": return u8[off++];
      case "int8": return view.getInt8(off++);
      case "int16": align(2); off += 2; return view.getInt16(off - 2, le);
      case "uint16": align(2); off += 2; return view.getUint16(off - 2, le);
      case "int32": align(4); off += 4; return view.getInt32(off - 4, le);
      case "uint32": align(4); off += 4; return view.getUint32(off - 4, le);
      case "float32": align(4); off += 4; return view.getFloat32(off - 4, le);
      case "int64": align(8); off += 8; return view.getBigInt64(off - 8, le);
      case "uint64": align(8); off += 8; return view.getBigUint64(off - 8, le);
      case "float64": align(8); off += 8; return view.getFloat64(off - 8, le);
      case "string": case "wstring": {
        align(4);
        const n = view.getUint32(off, le); off += 4;
        const s = textDecoder.decode(u8.subarray(off, off + Math.max(0, n - 1)));
        off += n;
        return s;
      }
      default: throw new Error(`unknown primitive ${type}`);
    }
  };
  const typedArray = (type, count) => {
    const T = TYPED[type];
    const size = PRIMITIVES[type];
    if (count > 0) align(size);
    if (size === 1) {
      const out = type === "int8" ? new Int8Array(u8.buffer, u8.byteOffset + off, count) : u8.subarray(off, off + count);
      off += count;
      return out;
    }
    const out = new T(count);
    for (let i = 0; i < count; i++) out[i] = prim(type);
    return out;
  };
  const struct = (name) => {
    const fields = schema.defs.get(name);
    if (!fields) throw new Error(`schema has no definition of ${name}`);
    const obj = {};
    for (const f of fields) {
      if (f.isArray) {
        let count = f.arrayLength;
        if (count === undefined) { align(4); count = view.getUint32(off, le); off += 4; }
        if (!f.complex && f.type in TYPED) obj[f.name] = typedArray(f.type, count);
        else {
          const arr = new Array(count);
          for (let i = 0; i < count; i++) arr[i] = f.complex ? struct(f.type) : prim(f.type);
          obj[f.name] = arr;
        }
      } else obj[f.name] = f.complex ? struct(f.type) : prim(f.type);
    }
    return obj;
  };
  return struct(schema.root);
}

/** Encodes a message of the schema's root type as CDR little-endian (with header). */
export function encode(schema, message) {
  let buf = new Uint8Array(256);
  let view = new DataView(buf.buffer);
  let off = 4;
  const ensure = (n) => {
    if (off + n <= buf.length) return;
    const next = new Uint8Array(Math.max(buf.length * 2, off + n));
    next.set(buf);
    buf = next;
    view = new DataView(buf.buffer);
  };
  const align = (n) => { const pad = (n - ((off - 4) % n)) % n; ensure(pad); off += pad; };
  const prim = (type, v) => {
    const size = PRIMITIVES[type];
    if (type === "string" || type === "wstring") {
      const bytes = textEncoder.encode(v ?? "");
      align(4); ensure(4 + bytes.length + 1);
      view.setUint32(off, bytes.length + 1, true); off += 4;
      buf.set(bytes, off); off += bytes.length; buf[off++] = 0;
      return;
    }
    align(size); ensure(size);
    switch (type) {
      case "bool": buf[off] = v ? 1 : 0; break;
      case "byte": case "char": case "uint8": view.setUint8(off, v ?? 0); break;
      case "int8": view.setInt8(off, v ?? 0); break;
      case "int16": view.setInt16(off, v ?? 0, true); break;
      case "uint16": view.setUint16(off, v ?? 0, true); break;
      case "int32": view.setInt32(off, v ?? 0, true); break;
      case "uint32": view.setUint32(off, v ?? 0, true); break;
      case "float32": view.setFloat32(off, v ?? 0, true); break;
      case "int64": view.setBigInt64(off, BigInt(v ?? 0), true); break;
      case "uint64": view.setBigUint64(off, BigInt(v ?? 0), true); break;
      case "float64": view.setFloat64(off, v ?? 0, true); break;
    }
    off += size;
  };
  const struct = (name, obj) => {
    for (const f of schema.defs.get(name)) {
      const v = obj?.[f.name];
      if (f.isArray) {
        const arr = v ?? [];
        if (f.arrayLength === undefined) { align(4); ensure(4); view.setUint32(off, arr.length, true); off += 4; }
        const n = f.arrayLength ?? arr.length;
        for (let i = 0; i < n; i++) f.complex ? struct(f.type, arr[i]) : prim(f.type, arr[i]);
      } else if (f.complex) struct(f.type, v);
      else prim(f.type, v);
    }
  };
  buf[0] = 0; buf[1] = 1; buf[2] = 0; buf[3] = 0;
  struct(schema.root, message);
  return buf.slice(0, off);
}
