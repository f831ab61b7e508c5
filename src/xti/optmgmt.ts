/**
 * t_optmgmt over setsockopt(2)/getsockopt(2): the XTI_GENERIC, INET_TCP, INET_UDP and
 * INET_IP options (<xti_inet.h>, <xti_xtiopt.h>) mapped onto their socket-option twins.
 * Option buffers are sequences of struct t_opthdr {len, level, name, status} each followed
 * by its value, 4-byte aligned; values are t_uscalar_t unless the option is a structure
 * (t_linger, t_kpalive) or bytes (IP_OPTIONS). Defaults are what a fresh socket of the
 * provider reports.
 */
import { XsockError, argType, shown } from '../errors.js';
import type { Socket, Linger, OptionName, OptionInput } from '../socket/index.js';
import {
  T_OPTMGMT, T_NEGOTIATE, T_CHECK, T_DEFAULT, T_CURRENT, T_SUCCESS, T_FAILURE, T_PARTSUCCESS, T_READONLY,
  T_NOTSUPPORT, T_ALLOPT, T_YES, T_NO, T_UNSPEC, XTI_GENERIC, XTI_DEBUG, XTI_LINGER, XTI_SNDBUF, XTI_RCVBUF,
  XTI_SNDLOWAT, XTI_RCVLOWAT, INET_IP, INET_TCP, INET_UDP, TCP_NODELAY, TCP_MAXSEG, TCP_KEEPALIVE, UDP_CHECKSUM,
  IP_OPTIONS, IP_TOS, IP_TTL, IP_REUSEADDR, IP_DONTROUTE, IP_BROADCAST,
} from './constants.js';
import { TBADFLAG, TBADOPT, terror } from './errors.js';
import { endpointOf, providerSocket } from './endpoint.js';
import { structArg, contents, fill, overflow, type TOptmgmtStruct } from './structures.js';
import type { Provider } from './providers.js';
import { now } from './call.js';
import { reuseChosen } from './reuse.js';

const HDR = 16;

/**
 * One option as it travels in a buffer.
 * @property level t_opthdr.level: XTI_GENERIC, INET_TCP, INET_UDP or INET_IP.
 * @property name t_opthdr.name: the option at that level (XTI_LINGER, TCP_NODELAY ...).
 * @property status t_opthdr.status: set on return (T_SUCCESS, T_FAILURE, T_READONLY, T_NOTSUPPORT ...).
 * @property value The option's value bytes (a t_uscalar_t, a structure, or raw bytes).
 */
export interface TOption { level: number; name: number; status?: number | undefined; value: Buffer }

interface Spec {
  level: number;
  name: number;
  applies(p: Provider): boolean;
  get(s: Socket): Buffer;
  /** Sets the value; false when it is not acceptable. */
  set?: ((s: Socket, v: Buffer) => boolean) | undefined;
}

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32LE(n, 0); return b; };
const pair = (a: number, b: number) => { const x = Buffer.alloc(8); x.writeInt32LE(a, 0); x.writeInt32LE(b, 4); return x; };

/** An int or flag socket option through the socket layer's option table (0 where unreadable). */
function getInt(s: Socket, name: OptionName): number {
  try {
    return Number(s.getsockopt(null, name));
  } catch {
    return 0;
  }
}
/** Sets an option; false when the kernel refuses the value. */
function setOpt(s: Socket, name: OptionName, v: number | boolean | Linger | Uint8Array): boolean {
  try {
    // The XTI tables pair each name with a value of its kind; the option layer re-checks at run time.
    s.setsockopt(null, name, v as OptionInput<typeof name>);
    return true;
  } catch (err) {
    if ((err as { syscall?: string }).syscall === 'setsockopt') return false;
    throw err;
  }
}

const any = () => true;
const inet = (p: Provider) => p.domain !== 'unix';
const tcp = (p: Provider) => inet(p) && p.type === 'stream';
const udp = (p: Provider) => inet(p) && p.type === 'dgram';
const v4 = (p: Provider) => p.domain === 'inet';

/** An int option on (level, name), optionally as a T_YES/T_NO flag. */
function intSpec(level: number, name: number, applies: (p: Provider) => boolean, option: OptionName, flag: boolean, readonly = false, invert = false): Spec {
  return {
    level, name, applies,
    get: (s) => {
      const v = getInt(s, option);
      return u32(flag ? ((v !== 0) !== invert ? T_YES : T_NO) : v);
    },
    set: readonly ? undefined : (s, b) => {
      if (b.length !== 4) return false;
      const v = b.readInt32LE(0);
      if (flag && v !== T_YES && v !== T_NO) return false;
      if (!flag && v < 0) return false;
      return setOpt(s, option, flag ? ((v === T_YES) !== invert ? 1 : 0) : v);
    },
  };
}

const specs: Spec[] = [
  intSpec(XTI_GENERIC, XTI_DEBUG, any, 'SO_DEBUG', false),
  {
    level: XTI_GENERIC, name: XTI_LINGER, applies: any,
    get: (s) => {
      const l = s.getsockopt(null, 'SO_LINGER') as Linger;
      return pair(l.onoff ? T_YES : T_NO, l.onoff ? l.linger : T_UNSPEC);
    },
    set: (s, b) => {
      if (b.length !== 8) return false;
      const on = b.readInt32LE(0);
      let secs = b.readInt32LE(4);
      if (on !== T_YES && on !== T_NO) return false;
      if (secs === T_UNSPEC) secs = 0;
      if (secs < 0) return false;
      return setOpt(s, 'SO_LINGER', { onoff: on === T_YES, linger: secs } satisfies Linger);
    },
  },
  intSpec(XTI_GENERIC, XTI_SNDBUF, any, 'SO_SNDBUF', false),
  intSpec(XTI_GENERIC, XTI_RCVBUF, any, 'SO_RCVBUF', false),
  // Linux fixes the send low-water mark at one byte (setsockopt gives ENOPROTOOPT).
  intSpec(XTI_GENERIC, XTI_SNDLOWAT, any, 'SO_SNDLOWAT', false, true),
  intSpec(XTI_GENERIC, XTI_RCVLOWAT, any, 'SO_RCVLOWAT', false),
  intSpec(INET_TCP, TCP_NODELAY, tcp, 'TCP_NODELAY', true),
  intSpec(INET_TCP, TCP_MAXSEG, tcp, 'TCP_MAXSEG', false, true),
  {
    level: INET_TCP, name: TCP_KEEPALIVE, applies: tcp,
    get: (s) => pair(getInt(s, 'SO_KEEPALIVE') ? T_YES : T_NO, Math.round(getInt(s, 'TCP_KEEPIDLE') / 60)),
    set: (s, b) => {
      if (b.length !== 8) return false;
      const on = b.readInt32LE(0);
      const minutes = b.readInt32LE(4);
      if (on !== T_YES && on !== T_NO) return false;
      if (minutes !== T_UNSPEC && (minutes < 1 || minutes > 545)) return false;
      if (minutes !== T_UNSPEC && !setOpt(s, 'TCP_KEEPIDLE', minutes * 60)) return false;
      return setOpt(s, 'SO_KEEPALIVE', on === T_YES ? 1 : 0);
    },
  },
  intSpec(INET_UDP, UDP_CHECKSUM, udp, 'SO_NO_CHECK', true, false, true),
  {
    level: INET_IP, name: IP_OPTIONS, applies: v4,
    get: (s) => s.getsockopt(null, 'IP_OPTIONS', 40),
    set: (s, b) => b.length <= 40 && setOpt(s, 'IP_OPTIONS', b),
  },
  intSpec(INET_IP, IP_TOS, v4, 'IP_TOS', false),
  intSpec(INET_IP, IP_TTL, v4, 'IP_TTL', false),
  intSpec(INET_IP, IP_REUSEADDR, inet, 'SO_REUSEADDR', true),
  intSpec(INET_IP, IP_DONTROUTE, inet, 'SO_DONTROUTE', true),
  intSpec(INET_IP, IP_BROADCAST, udp, 'SO_BROADCAST', true),
];

/** Builds an option buffer (t_opthdr + value, 4-byte aligned) from options. */
export function encodeOptions(options: readonly TOption[]): Buffer {
  if (!Array.isArray(options)) throw argType('options', 'an array of { level, name, value }', options);
  const parts: Buffer[] = [];
  for (const o of options) {
    const value = typeof o.value === 'number' ? u32(o.value) : Array.isArray(o.value) ? Buffer.concat((o.value as number[]).map(u32)) : o.value;
    if (!Buffer.isBuffer(value)) throw new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', 'The "value" of an option must be a Buffer, a number or an array of numbers');
    const h = Buffer.alloc(HDR);
    h.writeUInt32LE(HDR + value.length, 0);
    h.writeUInt32LE(o.level >>> 0, 4);
    h.writeUInt32LE(o.name >>> 0, 8);
    h.writeUInt32LE((o.status ?? 0) >>> 0, 12);
    parts.push(h, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  return Buffer.concat(parts);
}

/** Parses an option buffer; null when malformed. */
export function decodeOptions(buf: Buffer): TOption[] | null {
  if (!Buffer.isBuffer(buf)) throw argType('buf', 'a Buffer', buf);
  const out: TOption[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HDR) return null;
    const len = buf.readUInt32LE(off);
    if (len < HDR || off + len > buf.length) return null;
    out.push({ level: buf.readUInt32LE(off + 4), name: buf.readUInt32LE(off + 8), status: buf.readUInt32LE(off + 12), value: Buffer.from(buf.subarray(off + HDR, off + len)) });
    off += len + ((4 - (len % 4)) % 4);
  }
  return out;
}

const severity = [T_SUCCESS, T_PARTSUCCESS, T_FAILURE, T_READONLY, T_NOTSUPPORT];
const worse = (a: number, b: number) => (severity.indexOf(a) >= severity.indexOf(b) ? a : b);

const defaults = new Map<string, Buffer>();
function defaultOf(p: Provider, spec: Spec): Buffer {
  const key = `${p.name}:${spec.level}:${spec.name}`;
  let v = defaults.get(key);
  if (!v) {
    const s = providerSocket(p);
    try {
      v = spec.get(s);
    } finally {
      s.close();
    }
    defaults.set(key, v);
  }
  return v;
}

/**
 * t_optmgmt(3NSL): req.flags T_NEGOTIATE, T_CHECK, T_DEFAULT or T_CURRENT on the options
 * of one level in req.opt (name T_ALLOPT: all of that level); ret.opt gets each option
 * with its status and value, ret.flags the worst status.
 */
export function t_optmgmt(fd: number, req: TOptmgmtStruct, ret: TOptmgmtStruct): number {
  return now('t_optmgmt', () => {
    const ep = endpointOf(fd, 't_optmgmt');
    const rq = structArg<TOptmgmtStruct>('req', req, T_OPTMGMT, false)!;
    const rt = structArg<TOptmgmtStruct>('ret', ret, T_OPTMGMT, false)!;
    const action = rq.flags;
    if (action !== T_NEGOTIATE && action !== T_CHECK && action !== T_DEFAULT && action !== T_CURRENT) {
      throw terror('t_optmgmt', TBADFLAG, `req.flags must be T_NEGOTIATE, T_CHECK, T_DEFAULT or T_CURRENT; received ${shown(action)}`);
    }
    const asked = decodeOptions(contents(rq.opt));
    if (!asked || asked.length === 0) throw terror('t_optmgmt', TBADOPT, 'req.opt holds no well-formed t_opthdr');
    if (asked.some((o) => o.level !== asked[0]!.level)) throw terror('t_optmgmt', TBADOPT, 'options of one level per call');
    const p = ep.provider;
    const results: TOption[] = [];
    for (const o of asked) {
      if (o.name === T_ALLOPT) {
        if (action === T_CHECK) throw terror('t_optmgmt', TBADOPT, 'T_ALLOPT cannot be checked');
        for (const s of specs.filter((x) => x.level === o.level && x.applies(p))) {
          results.push(one(ep.sock, p, s, action, action === T_NEGOTIATE ? defaultOf(p, s) : Buffer.alloc(0)));
        }
        continue;
      }
      const spec = specs.find((x) => x.level === o.level && x.name === o.name);
      if (!spec || !spec.applies(p)) {
        results.push({ level: o.level, name: o.name, status: T_NOTSUPPORT, value: o.value });
        continue;
      }
      if (action === T_NEGOTIATE && spec.level === INET_IP && spec.name === IP_REUSEADDR) reuseChosen(ep.sock);
      results.push(one(ep.sock, p, spec, action, o.value));
    }
    rt.flags = results.reduce((w, r) => worse(w, r.status!), T_SUCCESS);
    if (!fill(rt.opt, encodeOptions(results))) throw overflow('t_optmgmt', 'ret.opt');
    return 0;
  });
}

function one(s: Socket, p: Provider, spec: Spec, action: number, value: Buffer): TOption {
  const r = (status: number, v: Buffer): TOption => ({ level: spec.level, name: spec.name, status, value: v });
  switch (action) {
    case T_CURRENT: return r(spec.set ? T_SUCCESS : T_READONLY, spec.get(s));
    case T_DEFAULT: return r(spec.set ? T_SUCCESS : T_READONLY, defaultOf(p, spec));
    case T_CHECK: {
      if (!spec.set) return r(T_READONLY, value);
      const current = spec.get(s);
      const ok = spec.set(s, value);
      spec.set(s, current);
      return r(ok ? T_SUCCESS : T_FAILURE, value);
    }
    default: {
      if (!spec.set) return r(T_READONLY, spec.get(s));
      return r(spec.set(s, value) ? T_SUCCESS : T_FAILURE, spec.get(s));
    }
  }
}
