/**
 * The platform's numeric constants (from the C headers, via the shim) and the one map
 * between communication domains / socket types and their names.
 */
import { native } from './binding.js';
import { XsockError, argType } from './errors.js';
import type { ConstantName } from './constant-names.js';

export type { ConstantName } from './constant-names.js';

/**
 * AF_, SOCK_, MSG_, SOL_, SO_, SCM_, IPPROTO_, TCP_, IP_, IPV6_, E* ... with this
 * platform's values. Each name is a key of its own, so a misspelt one fails to compile.
 */
export const constants: Readonly<Record<ConstantName, number>> = Object.freeze({ ...native.constants }) as Record<ConstantName, number>;
const C = constants;

/** Communication domains by name. */
export type DomainName = 'unix' | 'local' | 'inet' | 'inet6' | 'netlink' | 'packet' | 'vsock';
/** Socket types by name. */
export type TypeName = 'stream' | 'dgram' | 'seqpacket' | 'raw' | 'rdm';

/** The one name <-> number map of domains (the first name of a number is its canonical one). */
const DOMAINS: readonly (readonly [DomainName, number])[] = [
  ['unix', C.AF_UNIX], ['local', C.AF_UNIX], ['inet', C.AF_INET], ['inet6', C.AF_INET6],
  ['netlink', C.AF_NETLINK], ['packet', C.AF_PACKET], ['vsock', C.AF_VSOCK],
];
/** The one name <-> number map of socket types. */
const TYPES: readonly (readonly [TypeName, number])[] = [
  ['stream', C.SOCK_STREAM], ['dgram', C.SOCK_DGRAM], ['seqpacket', C.SOCK_SEQPACKET], ['raw', C.SOCK_RAW], ['rdm', C.SOCK_RDM],
];

const domainByName = new Map<string, number>(DOMAINS);
const domainByNumber = new Map<number, string>([...DOMAINS].reverse().map(([n, v]) => [v, n]));
const typeByName = new Map<string, number>(TYPES);
const typeByNumber = new Map<number, string>(TYPES.map(([n, v]) => [v, n]));
/**
 * The last name looked up and its number: a program opens sockets of one kind again and
 * again, and comparing a string with the same string costs less than hashing it.
 */
let lastDomain = { name: 'unix', n: C.AF_UNIX };
let lastType = { name: 'stream', n: C.SOCK_STREAM };

/** 'unix' | 'inet' | 'inet6' | 'netlink' | 'packet' | 'vsock' or AF_* number -> AF_* number. */
export function domainNumber(domain: unknown): number {
  if (typeof domain === 'string') {
    if (domain === lastDomain.name) return lastDomain.n;
    const n = domainByName.get(domain);
    if (n === undefined) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "domain" argument must be one of ${[...domainByName.keys()].map((k) => `'${k}'`).join(', ')}; received '${domain}'`);
    lastDomain = { name: domain, n };
    return n;
  }
  if (typeof domain === 'number' && Number.isInteger(domain) && domain >= 0 && domain < 256) return domain;
  throw argType('domain', "'unix' | 'inet' | 'inet6' | 'netlink' | 'packet' | 'vsock' or an AF_* number", domain);
}

/** 'stream' | 'dgram' | 'seqpacket' | 'raw' | 'rdm' or SOCK_* number -> SOCK_* number (flags refused). */
export function typeNumber(type: unknown): number {
  if (typeof type === 'string') {
    if (type === lastType.name) return lastType.n;
    const n = typeByName.get(type);
    if (n === undefined) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "type" argument must be one of ${[...typeByName.keys()].map((k) => `'${k}'`).join(', ')}; received '${type}'`);
    lastType = { name: type, n };
    return n;
  }
  if (typeof type === 'number' && Number.isInteger(type) && type > 0 && type < 16) return type;
  throw argType('type', "'stream' | 'dgram' | 'seqpacket' | 'raw' | 'rdm' or a SOCK_* number", type);
}

/** AF_* number -> its name ('unix' ...) or 'af<N>'. */
export function domainName(af: number): string {
  return domainByNumber.get(af) ?? `af${af}`;
}

/** SOCK_* number -> its name ('stream' ...) or 'type<N>'. */
export function typeName(t: number): string {
  return typeByNumber.get(t) ?? `type${t}`;
}

/** A constant looked up by a name known only at run time (undefined when this platform has none). */
export function constantOf(name: string): number | undefined {
  return Object.hasOwn(C, name) ? C[name as ConstantName] : undefined;
}
