/**
 * Bytes of a shared receive buffer copied into a Buffer of their own, so the next receive
 * can reuse the shared one. Buffer#copy makes a temporary view per call, which costs more
 * than the copy itself for the small messages a busy socket carries (a 64-byte loop is a
 * third of its cost), so short runs are copied byte by byte.
 */
const SHORT = 64;

/** src[off, off+n) in a new Buffer. */
export function copyOut(src: Buffer, off: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  if (n <= SHORT) for (let i = 0; i < n; i++) b[i] = src[off + i]!;
  else src.copy(b, 0, off, off + n);
  return b;
}
