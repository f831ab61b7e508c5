/**
 * The platform's numeric constants (from the C headers, via the shim) and the small named
 * wrappers for communication domains and socket types.
 */
import { native } from './binding.js';
import { XsockError, argType } from './errors.js';

/** AF_, SOCK_, MSG_, SOL_, SO_, SCM_, IPPROTO_, TCP_, IP_, IPV6_ ... with this platform's values. */
export const constants: Readonly<Record<string, number>> = Object.freeze({ ...native.constants });
const C = constants;

export type DomainName = 'unix' | 'inet' | 'inet6';
export type TypeName = 'stream' | 'dgram' | 'seqpacket';

const domainByName: Record<string, number> = { unix: C.AF_UNIX, local: C.AF_UNIX, inet: C.AF_INET, inet6: C.AF_INET6 };
const typeByName: Record<string, number> = { stream: C.SOCK_STREAM, dgram: C.SOCK_DGRAM, seqpacket: C.SOCK_SEQPACKET, raw: C.SOCK_RAW };

/** 'unix' | 'inet' | 'inet6' or AF_* number -> AF_* number. */
export function domainNumber(domain: unknown): number {
  if (typeof domain === 'string') {
    const n = domainByName[domain];
    if (n === undefined) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "domain" argument must be 'unix', 'inet' or 'inet6'; received '${domain}'`);
    return n;
  }
  if (typeof domain === 'number' && Number.isInteger(domain) && domain >= 0 && domain < 256) return domain;
  throw argType('domain', "'unix' | 'inet' | 'inet6' or an AF_* number", domain);
}

/** 'stream' | 'dgram' | 'seqpacket' or SOCK_* number -> SOCK_* number (flags refused). */
export function typeNumber(type: unknown): number {
  if (typeof type === 'string') {
    const n = typeByName[type];
    if (n === undefined) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "type" argument must be 'stream', 'dgram' or 'seqpacket'; received '${type}'`);
    return n;
  }
  if (typeof type === 'number' && Number.isInteger(type) && type > 0 && type < 16) return type;
  throw argType('type', "'stream' | 'dgram' | 'seqpacket' or a SOCK_* number", type);
}

/** AF_* number -> its name ('unix' ...) or 'af<N>'. */
export function domainName(af: number): string {
  return af === C.AF_UNIX ? 'unix' : af === C.AF_INET ? 'inet' : af === C.AF_INET6 ? 'inet6' : `af${af}`;
}

/** SOCK_* number -> its name ('stream' ...) or 'type<N>'. */
export function typeName(t: number): string {
  return t === C.SOCK_STREAM ? 'stream' : t === C.SOCK_DGRAM ? 'dgram' : t === C.SOCK_SEQPACKET ? 'seqpacket'
    : t === C.SOCK_RAW ? 'raw' : `type${t}`;
}
