/**
 * Addresses translated once per distinct address. Sender addresses of received datagrams:
 * a busy receiver mostly hears the same few senders, and decoding a unix name costs
 * several Buffers and crossings into V8's string code per message: when the bytes equal
 * the last sender's, the caller gets a fresh copy of that decoded address (its own object)
 * instead. Destinations: a client connecting to one unix server again and again hands the
 * kernel the same bytes each time, kept encoded in the memo's own buffer.
 */
import { decodeAddress, encodeAddress, ADDR_BUF_SIZE, type AddressLike, type SockAddr } from '../address.js';
import { constants as C } from '../constants.js';

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

/**
 * A unix destination encoded once: `encode` answers from the bytes already in `buf` when
 * given the same text address, or an address object naming the same string, as last time
 * (objects are compared by their fields, never by identity: a caller may change one in
 * place). Everything else is encoded (and checked) anew. Only unix names are remembered:
 * other text forms may resolve differently later (an interface name, a vsock CID).
 */
export class EncodeMemo {
  /** The encoded sockaddr: bytes [0, len) of the last encode (its own ArrayBuffer: the shim may keep a pointer to it). */
  readonly buf = Buffer.from(new ArrayBuffer(ADDR_BUF_SIZE));
  private len = 0;
  private text: string | undefined = undefined;
  private name: string | undefined = undefined;
  private abstract = false;

  /** encodeAddress(addr, this.buf, argName): the addrlen. */
  encode(addr: AddressLike, argName = 'address'): number {
    if (typeof addr === 'string') {
      if (addr === this.text) return this.len;
    } else if (addr !== null && typeof addr === 'object' && addr.family === 'unix' && this.name !== undefined) {
      const abs = addr.abstract;
      if (abs !== undefined ? this.abstract && abs === this.name : !this.abstract && addr.path === this.name) return this.len;
    }
    this.text = undefined;
    this.name = undefined;
    this.len = encodeAddress(addr, this.buf, argName);
    if (this.buf.readUInt16LE(0) !== C.AF_UNIX) return this.len;
    if (typeof addr === 'string') this.text = addr;
    else if (addr.family === 'unix') {
      if (typeof addr.abstract === 'string') {
        this.name = addr.abstract;
        this.abstract = true;
      } else if (addr.abstract === undefined && typeof addr.path === 'string' && addr.path !== '') {
        this.name = addr.path;
        this.abstract = false;
      }
    }
    return this.len;
  }
}
