/**
 * Sender addresses of received datagrams, decoded once per distinct sender. A busy
 * receiver mostly hears the same few senders, and decoding a unix name costs several
 * Buffers and crossings into V8's string code per message: when the bytes equal the last
 * sender's, the caller gets a fresh copy of that decoded address (its own object) instead.
 */
import { decodeAddress, ADDR_BUF_SIZE, type SockAddr } from '../address.js';

export class AddressMemo {
  /** The last decode, kept apart from what callers were given (they may change theirs). */
  private last: SockAddr | undefined = undefined;
  private readonly bytes = Buffer.alloc(ADDR_BUF_SIZE);
  private len = -1;

  /** decodeAddress of buf[at, at+len). */
  decode(buf: Uint8Array, at: number, len: number): SockAddr {
    const last = this.last;
    if (last !== undefined && len === this.len && sameBytes(buf, at, this.bytes, len)) return { ...last };
    const a = decodeAddress(at === 0 ? buf : buf.subarray(at, at + len), len);
    // Only an address of primitive fields (not a non-UTF-8 abstract name's Buffer) is
    // remembered: a shallow copy of it shares nothing with the next caller's.
    if (len <= this.bytes.length && isFlat(a)) {
      this.bytes.set(buf.subarray(at, at + len));
      this.len = len;
      this.last = { ...a };
    } else {
      this.last = undefined;
      this.len = -1;
    }
    return a;
  }
}

function isFlat(a: SockAddr): boolean {
  for (const v of Object.values(a)) if (v !== null && typeof v === 'object') return false;
  return true;
}

function sameBytes(a: Uint8Array, at: number, b: Uint8Array, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[at + k] !== b[k]) return false;
  return true;
}
