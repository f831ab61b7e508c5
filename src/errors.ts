/**
 * The one error registry: system errors in Node core's shape (code, negative errno,
 * syscall, address, port), aborts as Node's AbortError, and library misuse errors
 * ERR_XSOCK_*. Codes never change and are never reused; the registry is kept alphabetical.
 */
import { native } from './binding.js';

/** Library misuse: a wrong argument or a call that cannot apply. Codes are stable. */
export const codes = {
  /** An address (object or text) that names no socket address xsock can encode. */
  ERR_XSOCK_BAD_ADDRESS: 'invalid socket address',
  /** A descriptor that is not open, not one of xsock's, or not yet created. */
  ERR_XSOCK_BAD_FD: 'not a usable descriptor',
  /** A call on a socket after close() or detach(); also what pending waits reject with then. */
  ERR_XSOCK_CLOSED: 'the socket is closed',
  /** The STREAMS open helper process died with requests in flight. */
  ERR_XSOCK_HELPER_EXITED: 'the helper process exited before replying',
  /** An argument of the wrong type (the error's name is TypeError, as Node's). */
  ERR_XSOCK_INVALID_ARG_TYPE: 'argument of wrong type',
  /** An argument of the right type with a value the call cannot take. */
  ERR_XSOCK_INVALID_ARG_VALUE: 'argument value not allowed',
  /** Thrown (as a plain Error, at import) when the native addon cannot be found or loaded. */
  ERR_XSOCK_NATIVE_MISSING: 'the native addon could not be found or loaded',
  /** An open descriptor handed to xsock that is not a socket (fstat says otherwise). */
  ERR_XSOCK_NOT_A_SOCKET: 'descriptor is not a socket',
  /** A number outside the range the argument allows (the error's name is RangeError). */
  ERR_XSOCK_OUT_OF_RANGE: 'argument out of range',
  /** A unix path or abstract name longer than sun_path holds. */
  ERR_XSOCK_PATH_TOO_LONG: 'unix socket path too long',
  /** A wait given `timeout` ran out; the message names what timed out and the limit in ms. */
  ERR_XSOCK_TIMEOUT: 'the operation timed out',
  /** An option name missing from the option table (pass level and name as numbers for raw access). */
  ERR_XSOCK_UNKNOWN_OPTION: 'unknown socket option',
  /** A call the socket's type does not support (a Duplex over a datagram socket ...). */
  ERR_XSOCK_WRONG_SOCKET_TYPE: 'call not supported by this socket type',
} as const;

export type XsockErrorCode = keyof typeof codes;

/** An Error of the library's own; `code` is one of the ERR_XSOCK_* registry. */
export class XsockError extends Error {
  /** The registry code ('ERR_XSOCK_INVALID_ARG_TYPE' ...); stable across versions, unlike the message. */
  readonly code: XsockErrorCode;
  constructor(code: XsockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code === 'ERR_XSOCK_INVALID_ARG_TYPE' ? 'TypeError'
      : code === 'ERR_XSOCK_OUT_OF_RANGE' ? 'RangeError' : 'Error';
  }
}

/**
 * A failed system call, shaped as Node core shapes them: `connect` to a closed TCP port
 * gives `{ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1',
 * port: 1 }` from xsock as from `net`. `errno` is negative (libuv's convention); `address`
 * is the IP address or the unix path (`@name` for an abstract name) the call was given,
 * `port` is there for IP addresses only.
 */
export interface SystemError extends Error {
  /** The errno name ('ECONNREFUSED' ...), or `E<n>` for a number the C library does not name. */
  code: string;
  /** The errno, negative as in Node (-111 for ECONNREFUSED). */
  errno: number;
  /** The system call that failed ('connect', 'sendmsg' ...). */
  syscall: string;
  /** The IP address or unix path the call was given, when it had one. */
  address?: string;
  /** The port, for IP addresses only. */
  port?: number;
}

/** Where a failed call was aimed: an IP address and port, or a unix name alone. */
export interface ErrorAddress {
  address: string;
  port?: number;
}

/** Builds the Error for a negative errno returned by the shim (-EINTR ... ). */
export function systemError(negErrno: number, syscall: string, where?: ErrorAddress | string): SystemError {
  const errno = Math.abs(negErrno);
  const code = native.errnoName(errno) || `E${errno}`;
  const { address, port } = typeof where === 'string' ? { address: where, port: undefined } : where ?? {};
  const text = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
  const err = new Error(`${syscall} ${code}${text}: ${native.strerror(errno)}`) as SystemError;
  err.errno = -errno;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  Error.captureStackTrace(err, systemError);
  return err;
}

/**
 * strerror(3) (strerror_r, so workers may call it too): the C library's text for a system
 * error number — positive as in C, or negative as Node reports them (`err.errno`);
 * "Unknown error N" for a number it does not know.
 */
export function strerror(errno: number): string {
  const n = intArg('errno', errno, -0x7fffffff, 0x7fffffff);
  return native.strerror(Math.abs(n));
}

/** Throws the system error when `rc` is a negative errno; otherwise returns rc. */
export function check(rc: number, syscall: string, where?: ErrorAddress | string): number {
  if (rc < 0) throw systemError(rc, syscall, where);
  return rc;
}

/**
 * An abort, as Node core reports one (`name` 'AbortError', `code` 'ABORT_ERR'); `cause` is
 * the signal's reason.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/**
 * A value as error messages show it: never throws, whatever it is (Symbols, objects
 * without a prototype or with a throwing toString, BigInts).
 */
export function shown(value: unknown): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
    case 'number': case 'boolean': case 'bigint': case 'undefined': return String(value);
    case 'symbol': return value.description === undefined ? 'a Symbol' : `Symbol(${value.description})`;
    case 'function': return 'a function';
    default: return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** Argument checks: each throws an ERR_XSOCK_* error naming the argument. */
export function argType(name: string, expected: string, value: unknown): XsockError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new XsockError('ERR_XSOCK_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}; received ${got}`);
}

export function argValue(name: string, why: string): XsockError {
  return new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "${name}" argument ${why}`);
}

/** Validates an integer in [min, max], naming the argument on failure. */
export function intArg(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw argType(name, 'an integer', value);
  if (value < min || value > max) {
    throw new XsockError('ERR_XSOCK_OUT_OF_RANGE', `The "${name}" argument must be >= ${min} and <= ${max}; received ${value}`);
  }
  return value;
}

/** Validates a byte container (Buffer or any Uint8Array). */
export function bytesArg(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw argType(name, 'a Buffer or Uint8Array', value);
  return value;
}

/** getaddrinfo(3)/getnameinfo(3) failures: glibc's EAI_* values and gai_strerror texts. */
export const addrinfoCodes = {
  EAI_ADDRFAMILY: [-9, 'Address family for hostname not supported'],
  EAI_AGAIN: [-3, 'Temporary failure in name resolution'],
  EAI_BADFLAGS: [-1, 'Bad value for ai_flags'],
  EAI_FAIL: [-4, 'Non-recoverable failure in name resolution'],
  EAI_FAMILY: [-6, 'ai_family not supported'],
  EAI_NONAME: [-2, 'Name or service not known'],
  EAI_SERVICE: [-8, 'Servname not supported for ai_socktype'],
  EAI_SOCKTYPE: [-7, 'ai_socktype not supported'],
  EAI_SYSTEM: [-11, 'System error'],
} as const;

/** An EAI_* name getaddrinfo/getnameinfo failures carry in `code`. */
export type AddrinfoCode = keyof typeof addrinfoCodes;

/** A name-translation failure: `code` 'EAI_NONAME' ..., `errno` glibc's negative EAI value. */
export interface AddrinfoError extends Error {
  /** The EAI_* name ('EAI_NONAME' ...). */
  code: AddrinfoCode;
  /** glibc's EAI value, negative (-2 for EAI_NONAME). */
  errno: number;
  /** 'getaddrinfo' or 'getnameinfo'. */
  syscall: string;
  /** The host name that was being translated, when there was one. */
  hostname?: string;
  /** The service that was being translated, when there was one. */
  service?: string;
}

/** Builds the Error for an EAI_* failure; `detail` says which input was at fault. */
export function addrinfoError(code: AddrinfoCode, syscall: string, detail: string,
  where: { hostname?: string | null; service?: string | null } = {}, cause?: unknown): AddrinfoError {
  const [errno, text] = addrinfoCodes[code];
  const err = new Error(`${syscall} ${code}: ${text} (${detail})`, cause === undefined ? undefined : { cause }) as AddrinfoError;
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  if (where.hostname != null) err.hostname = where.hostname;
  if (where.service != null) err.service = where.service;
  Error.captureStackTrace(err, addrinfoError);
  return err;
}
