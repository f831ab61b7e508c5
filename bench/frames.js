// The u32-length framing of the stream-u32 workload, shared by bench/msg.js and its N-API
// floor (bench/floor.js) so both loops count frames the same way.

/** One 68-byte frame: a u32 little-endian length (64) and 64 bytes. */
export function u32Frame() {
  const frame = Buffer.alloc(68, 0x66);
  frame.writeUInt32LE(64, 0);
  return frame;
}

/** Counts complete frames (u32 little-endian length + payload) in inb[0, end); returns [frames, consumed]. */
export function frames(inb, end) {
  let p = 0;
  let k = 0;
  while (end - p >= 4) {
    const l = inb.readUInt32LE(p);
    if (end - p < 4 + l) break;
    p += 4 + l;
    k++;
  }
  return [k, p];
}
