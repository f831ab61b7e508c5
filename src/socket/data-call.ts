/**
 * The plain data calls of the shim — send(2), recv(2), sendto(2), recvfrom(2) — with the
 * usual (fd, view, off, len, flags) signature. The shim reads the scalars from the shared
 * scratch (binding.ts DATA_ARGS) and leaves its result there rather than take and make
 * Node-API numbers, each of which costs more than reading memory; these calls run once
 * per message.
 * Each returns the shim's result: the kernel's count or a negative errno.
 */
import { native, DATA_ARGS, DATA_RESULT } from '../binding.js';
import { scratch } from '../readiness.js';

const FD = DATA_ARGS;
const OFF = DATA_ARGS + 1;
const LEN = DATA_ARGS + 2;
const FLAGS = DATA_ARGS + 3;
const ADDRLEN = DATA_ARGS + 4;
const INT_MAX = 0x7fffffff;

/**
 * Writes the scalars; returns the view to pass. An int32 holds every offset and length of
 * views up to 2 GiB; past that the view is cut at `off` and the length clamped to INT_MAX
 * (the kernel moves no more per call anyway). A range that is not inside the view is
 * written as one the shim refuses with EINVAL, never cut to fit.
 */
function put(fd: number, b: Uint8Array, off: number, len: number, flags: number): Uint8Array {
  scratch[FD] = fd;
  scratch[FLAGS] = flags;
  if ((off | 0) === off && (len | 0) === len) {
    scratch[OFF] = off;
    scratch[LEN] = len;
    return b;
  }
  return putWide(b, off, len);
}

function putWide(b: Uint8Array, off: number, len: number): Uint8Array {
  if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && off + len <= b.length)) {
    scratch[OFF] = -1;
    scratch[LEN] = 0;
    return b;
  }
  const n = Math.min(len, INT_MAX);
  scratch[OFF] = 0;
  scratch[LEN] = n;
  return b.subarray(off, off + n);
}

/** send(2) of b[off, off+len) (MSG_NOSIGNAL added by the shim). */
export function sendCall(fd: number, b: Uint8Array, off: number, len: number, flags: number): number {
  native.send(put(fd, b, off, len, flags));
  return scratch[DATA_RESULT]!;
}

/** recv(2) into b[off, off+len): the kernel's count (more than len with MSG_TRUNC). */
export function recvCall(fd: number, b: Uint8Array, off: number, len: number, flags: number): number {
  native.recv(put(fd, b, off, len, flags));
  return scratch[DATA_RESULT]!;
}

/** sendto(2) of b[off, off+len) to the first addrlen bytes of addr. */
export function sendtoCall(fd: number, b: Uint8Array, off: number, len: number, flags: number,
  addr: Uint8Array, addrlen: number): number {
  const v = put(fd, b, off, len, flags);
  scratch[ADDRLEN] = addrlen;
  native.sendto(v, addr);
  return scratch[DATA_RESULT]!;
}

/** recvfrom(2) into b[off, off+len); the sender's address in addr, its length in scratch[0]. */
export function recvfromCall(fd: number, b: Uint8Array, off: number, len: number, flags: number,
  addr: Uint8Array): number {
  native.recvfrom(put(fd, b, off, len, flags), addr);
  return scratch[DATA_RESULT]!;
}
