/**
 * XTI structures as plain objects: netbuf {maxlen, len, buf} and the structures built of
 * them. t_alloc tags what it builds with its structure type, so a structure passed where
 * another is expected is refused by name.
 */
import { XsockError, argType, shown } from '../errors.js';
import { T_BIND, T_OPTMGMT, T_CALL, T_DIS, T_UNITDATA, T_UDERROR, T_INFO, T_ADDR, T_OPT, T_UDATA } from './constants.js';
import { TBUFOVFLW, TNOSTRUCTYPE, terror } from './errors.js';
import type { TInfo } from './providers.js';
import type { XtiCall } from './names.js';

/**
 * struct netbuf: `buf` holds `len` bytes; `maxlen` is how many the caller can take.
 * @property maxlen How many bytes `buf` can take as output; 0 asks XTI not to return the field.
 * @property len How many bytes of `buf` are meaningful (input) or were returned (output).
 * @property buf The storage, at least `maxlen` bytes long.
 */
export interface Netbuf { maxlen: number; len: number; buf: Buffer }
/**
 * struct t_bind (t_bind's req and ret).
 * @property addr The address to bind (req; empty: the provider picks one), the address bound (ret).
 * @property qlen How many connect indications may be outstanding: asked for (req), granted (ret).
 */
export interface TBind { addr: Netbuf; qlen: number }
/**
 * struct t_optmgmt (t_optmgmt's req and ret).
 * @property opt The option buffer: t_opthdr-headed options (see encodeOptions/decodeOptions).
 * @property flags The action (T_NEGOTIATE, T_CHECK, T_DEFAULT, T_CURRENT) in req; the worst option status in ret.
 */
export interface TOptmgmtStruct { opt: Netbuf; flags: number }
/**
 * struct t_call (t_connect, t_rcvconnect, t_listen, t_accept).
 * @property addr The peer's address: the one to call (t_connect) or the caller's (t_listen).
 * @property opt Options; always returned empty here, as options are negotiated with t_optmgmt.
 * @property udata User data sent with the connection; these providers carry none.
 * @property sequence t_listen's number for the connect indication, passed back to t_accept or t_snddis.
 */
export interface TCall { addr: Netbuf; opt: Netbuf; udata: Netbuf; sequence: number }
/**
 * struct t_discon (t_rcvdis, t_sndreldata, t_rcvreldata).
 * @property udata User data sent with the disconnect; these providers carry none.
 * @property reason Why the connection went: an errno (ECONNRESET ...), as Solaris TCP reports it.
 * @property sequence The outstanding connect indication that went away (t_rcvdis on a listener), else 0.
 */
export interface TDiscon { udata: Netbuf; reason: number; sequence: number }
/**
 * struct t_unitdata (t_sndudata, t_rcvudata).
 * @property addr The destination (send) or the sender (receive).
 * @property opt Per-datagram options; not supported (set them with t_optmgmt), returned empty.
 * @property udata The datagram's bytes.
 */
export interface TUnitdata { addr: Netbuf; opt: Netbuf; udata: Netbuf }
/**
 * struct t_uderr (t_rcvuderr): a datagram the provider could not deliver.
 * @property addr The datagram's destination.
 * @property opt Its options; returned empty.
 * @property error Why it failed: an errno (ECONNREFUSED for an ICMP port unreachable ...).
 */
export interface TUderr { addr: Netbuf; opt: Netbuf; error: number }
/** Any structure t_alloc can return (its type is known from the T_* constant passed). */
export type TStruct = TBind | TOptmgmtStruct | TCall | TDiscon | TUnitdata | TUderr | TInfo;

/**
 * struct t_iovec (t_sndv, t_rcvv, t_sndvudata, t_rcvvudata): one piece of a scattered buffer.
 * @property iov_base The bytes to send, or the storage to receive into.
 * @property iov_len How many bytes of `iov_base` to use.
 */
export interface TIovec { iov_base: Uint8Array; iov_len: number }

/** The structure type t_alloc gave an object. */
export const STRUCT_TYPE = Symbol('xti.structType');
const structNames: Record<number, string> = {
  [T_BIND]: 't_bind (T_BIND)', [T_OPTMGMT]: 't_optmgmt (T_OPTMGMT)', [T_CALL]: 't_call (T_CALL)',
  [T_DIS]: 't_discon (T_DIS)', [T_UNITDATA]: 't_unitdata (T_UNITDATA)', [T_UDERROR]: 't_uderr (T_UDERROR)',
  [T_INFO]: 't_info (T_INFO)',
};
const fieldsOf: Record<number, readonly string[]> = {
  [T_BIND]: ['addr'], [T_OPTMGMT]: ['opt'], [T_CALL]: ['addr', 'opt', 'udata'], [T_DIS]: ['udata'],
  [T_UNITDATA]: ['addr', 'opt', 'udata'], [T_UDERROR]: ['addr', 'opt'], [T_INFO]: [],
};

/** A netbuf of `size` bytes; sizes T_INFINITE/T_INVALID/0 give no buffer (maxlen 0). */
export function netbuf(size: number): Netbuf {
  if (typeof size !== 'number' || !Number.isInteger(size)) throw argType('size', 'an integer (a provider size; T_INFINITE and T_INVALID give an empty netbuf)', size);
  return size > 0 ? { maxlen: size, len: 0, buf: Buffer.alloc(size) } : { maxlen: 0, len: 0, buf: Buffer.alloc(0) };
}

/** A netbuf holding `bytes` (len = maxlen = bytes.length). */
export function netbufOf(bytes: Uint8Array | string): Netbuf {
  const buf = Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  return { maxlen: buf.length, len: buf.length, buf };
}

/**
 * t_alloc(3NSL): a structure of `type`, its `fields` (T_ADDR | T_OPT | T_UDATA, or T_ALL)
 * given buffers sized from the provider's t_info. Unknown type: TNOSTRUCTYPE.
 */
export function allocStruct(type: number, fields: number, info: TInfo): object {
  const want = (f: number, size: number) => netbuf(fields & f ? size : 0);
  let s: object;
  switch (type) {
    case T_BIND: s = { addr: want(T_ADDR, info.addr), qlen: 0 }; break;
    case T_OPTMGMT: s = { opt: want(T_OPT, info.options), flags: 0 }; break;
    case T_CALL: s = { addr: want(T_ADDR, info.addr), opt: want(T_OPT, info.options), udata: want(T_UDATA, info.connect), sequence: 0 }; break;
    case T_DIS: s = { udata: want(T_UDATA, info.discon), reason: 0, sequence: 0 }; break;
    case T_UNITDATA: s = { addr: want(T_ADDR, info.addr), opt: want(T_OPT, info.options), udata: want(T_UDATA, info.tsdu) }; break;
    case T_UDERROR: s = { addr: want(T_ADDR, info.addr), opt: want(T_OPT, info.options), error: 0 }; break;
    case T_INFO: s = { ...info }; break;
    default: throw terror('t_alloc', TNOSTRUCTYPE, `unknown structure type ${shown(type)}`);
  }
  Object.defineProperty(s, STRUCT_TYPE, { value: type, enumerable: false });
  return s;
}

/** t_free(3NSL): releases a structure t_alloc made (the GC frees memory); checks its type. */
export function t_free(ptr: unknown, type: number): number {
  if (typeof type !== 'number' || !(type in structNames)) throw terror('t_free', TNOSTRUCTYPE, `unknown structure type ${shown(type)}`);
  const tagged = ptr !== null && typeof ptr === 'object' ? (ptr as Record<symbol, unknown>)[STRUCT_TYPE] : undefined;
  if (tagged !== undefined && tagged !== type) throw terror('t_free', TNOSTRUCTYPE, `the structure is a ${structNames[tagged as number]}, not a ${structNames[type]}`);
  if (ptr && typeof ptr === 'object') {
    for (const f of fieldsOf[type]!) {
      const nb = (ptr as Record<string, Netbuf | undefined>)[f];
      if (nb && typeof nb === 'object') {
        nb.buf = Buffer.alloc(0);
        nb.maxlen = 0;
        nb.len = 0;
      }
    }
  }
  return 0;
}

function badArg(name: string, expected: string, got: unknown): XsockError {
  const what = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  return new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}; received ${what}`);
}

/**
 * Validates that `value` is the structure `type` (by t_alloc's tag, else by shape) and
 * its netbufs are well formed. `null`/`undefined` pass when `optional`.
 */
export function structArg<T>(name: string, value: unknown, type: number, optional: boolean): T | null {
  if (value === null || value === undefined) {
    if (optional) return null;
    throw badArg(name, `a ${structNames[type]} structure`, value);
  }
  if (typeof value !== 'object') throw badArg(name, `a ${structNames[type]} structure`, value);
  const tagged = (value as Record<symbol, unknown>)[STRUCT_TYPE];
  if (tagged !== undefined && tagged !== type) {
    throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', `The "${name}" argument must be a ${structNames[type]} structure; received a ${structNames[tagged as number]}`);
  }
  for (const f of fieldsOf[type]!) checkNetbuf(`${name}.${f}`, (value as Record<string, unknown>)[f]);
  return value as T;
}

/** Netbufs whose buffer the library is to supply when it fills them (see checkNetbuf). */
const libraryFilled = new WeakSet<object>();

/**
 * A well-formed netbuf: integer maxlen/len, a Buffer at least maxlen long, len <= buf.
 * As C code leaves fields for the library, a netbuf may omit them: without `buf` and
 * `maxlen` (`{}` or `{ len: 0 }`) it is empty as input and, as output, receives a buffer
 * holding exactly what is returned; with `buf` only, maxlen is its size and len (input
 * bytes) its size too. `{ maxlen: 0 }` keeps XTI's meaning: don't return this field.
 */
export function checkNetbuf(name: string, nb: unknown): Netbuf {
  if (!nb || typeof nb !== 'object') throw badArg(name, 'a netbuf { maxlen, len, buf }', nb);
  const n = nb as Partial<Netbuf>;
  if (n.buf === undefined) {
    if (n.len !== undefined && n.len !== 0) throw badArg(`${name}.buf`, `a Buffer holding ${name}.len bytes`, n.buf);
    if (n.maxlen === undefined) libraryFilled.add(n);
    else if (n.maxlen !== 0) throw badArg(`${name}.buf`, `a Buffer of ${name}.maxlen bytes`, n.buf);
    n.buf = Buffer.alloc(0);
    n.maxlen = 0;
    n.len = 0;
  } else if (Buffer.isBuffer(n.buf)) {
    n.maxlen ??= n.buf.length;
    n.len ??= n.buf.length;
  }
  const { maxlen, len, buf } = n as Netbuf;
  if (!Number.isInteger(maxlen) || maxlen < 0) throw badArg(`${name}.maxlen`, 'a non-negative integer', maxlen);
  if (!Number.isInteger(len) || len < 0) throw badArg(`${name}.len`, 'a non-negative integer', len);
  if (!Buffer.isBuffer(buf)) throw badArg(`${name}.buf`, 'a Buffer', buf);
  if (buf.length < maxlen) {
    throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${name}.buf" holds ${buf.length} bytes, fewer than ${name}.maxlen (${maxlen})`);
  }
  if (len > buf.length) {
    throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${name}.len" (${len}) exceeds its buffer (${buf.length} bytes)`);
  }
  return nb as Netbuf;
}

/** The bytes a caller put in an input netbuf. */
export function contents(nb: Netbuf | null | undefined): Buffer {
  return nb ? nb.buf.subarray(0, nb.len) : Buffer.alloc(0);
}

/**
 * Returns `bytes` in an output netbuf (one left for the library gets a buffer of their
 * size): maxlen 0 means "don't return it" (XTI); a maxlen
 * that cannot hold them is TBUFOVFLW — reported after the call's work is done, so the
 * caller sets `overflow` and throws at the end.
 */
export function fill(nb: Netbuf | null | undefined, bytes: Uint8Array): boolean {
  if (nb && libraryFilled.has(nb)) {
    nb.buf = Buffer.from(bytes);
    nb.maxlen = nb.len = bytes.length;
    return true;
  }
  if (!nb || nb.maxlen === 0) return true;
  if (bytes.length > nb.maxlen) {
    nb.len = 0;
    return false;
  }
  nb.buf.set(bytes, 0);
  nb.len = bytes.length;
  return true;
}

/** The TBUFOVFLW failure of `call`. */
export function overflow(call: XtiCall, field: string): Error {
  return terror(call, TBUFOVFLW, `${field}.maxlen is too small`);
}
