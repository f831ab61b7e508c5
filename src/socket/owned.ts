/**
 * The environment's record of the descriptors xsock owns (live Sockets, received rights,
 * the reserve): a bitmap the shim closes from at environment teardown, when a terminated
 * worker can no longer run JavaScript to do it (native/owned.c). JavaScript writes the
 * bits itself, so owning or giving up a descriptor costs no crossing into native code;
 * the shim is handed the bitmap only when it is made or grows (ownTable, no syscall).
 */
import { native } from '../binding.js';

let bits = new Uint8Array(0);

function grow(fd: number): void {
  let n = bits.length || 128;
  while (n <= fd >> 3) n *= 2;
  // Its own ArrayBuffer: off-heap and never moved, so the shim may keep a pointer to it.
  const next = new Uint8Array(new ArrayBuffer(n));
  next.set(bits);
  native.ownTable(next);
  bits = next;
}

/** Records that xsock owns `fd` (closed at environment teardown unless released first). */
export function own(fd: number): void {
  if (fd < 0) return;
  const i = fd >> 3;
  if (i >= bits.length) grow(fd);
  bits[i] = (bits[i] ?? 0) | (1 << (fd & 7));
}

/** Forgets `fd` (closed, detached or handed to the caller). */
export function disown(fd: number): void {
  const i = fd >> 3;
  if (fd >= 0 && i < bits.length) bits[i] = (bits[i] ?? 0) & ~(1 << (fd & 7));
}
