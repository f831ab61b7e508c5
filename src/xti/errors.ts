/**
 * t_errno: the XTI error values, their Solaris texts, and TError — the Error every failing
 * XTI call throws (or rejects with). `t_errno` is also kept module-wide, as C keeps it,
 * so a port can read it after a failure; TSYSERR carries the system error.
 */
import { strerror, argType, type SystemError } from '../errors.js';
import type { XtiCall } from './names.js';

/** t_errno TBADADDR (<xti.h>): Incorrect address format. */
export const TBADADDR = 1;
/** t_errno TBADOPT (<xti.h>): Incorrect options format. */
export const TBADOPT = 2;
/** t_errno TACCES (<xti.h>): Illegal permissions. */
export const TACCES = 3;
/** t_errno TBADF (<xti.h>): Illegal file descriptor. */
export const TBADF = 4;
/** t_errno TNOADDR (<xti.h>): Couldn't allocate address. */
export const TNOADDR = 5;
/** t_errno TOUTSTATE (<xti.h>): Routine will place interface out of state. */
export const TOUTSTATE = 6;
/** t_errno TBADSEQ (<xti.h>): Illegal called/calling sequence number. */
export const TBADSEQ = 7;
/** t_errno TSYSERR (<xti.h>): System error. */
export const TSYSERR = 8;
/** t_errno TLOOK (<xti.h>): An event requires attention. */
export const TLOOK = 9;
/** t_errno TBADDATA (<xti.h>): Illegal amount of data. */
export const TBADDATA = 10;
/** t_errno TBUFOVFLW (<xti.h>): Buffer not large enough. */
export const TBUFOVFLW = 11;
/** t_errno TFLOW (<xti.h>): Can't send message - (blocked). */
export const TFLOW = 12;
/** t_errno TNODATA (<xti.h>): No message currently available. */
export const TNODATA = 13;
/** t_errno TNODIS (<xti.h>): Disconnect message not found. */
export const TNODIS = 14;
/** t_errno TNOUDERR (<xti.h>): Unitdata error message not found. */
export const TNOUDERR = 15;
/** t_errno TBADFLAG (<xti.h>): Incorrect flags specified. */
export const TBADFLAG = 16;
/** t_errno TNOREL (<xti.h>): Orderly release message not found. */
export const TNOREL = 17;
/** t_errno TNOTSUPPORT (<xti.h>): Primitive not supported by provider. */
export const TNOTSUPPORT = 18;
/** t_errno TSTATECHNG (<xti.h>): State is in process of changing. */
export const TSTATECHNG = 19;
/** t_errno TNOSTRUCTYPE (<xti.h>): Unsupported structure type requested. */
export const TNOSTRUCTYPE = 20;
/** t_errno TBADNAME (<xti.h>): Invalid transport provider name. */
export const TBADNAME = 21;
/** t_errno TBADQLEN (<xti.h>): Listener queue length limit is zero. */
export const TBADQLEN = 22;
/** t_errno TADDRBUSY (<xti.h>): Transport address is in use. */
export const TADDRBUSY = 23;
/** t_errno TINDOUT (<xti.h>): Outstanding connection indications. */
export const TINDOUT = 24;
/** t_errno TPROVMISMATCH (<xti.h>): Listener-acceptor transport provider mismatch. */
export const TPROVMISMATCH = 25;
/** t_errno TRESQLEN (<xti.h>): Connection acceptor has listen queue length limit greater than zero. */
export const TRESQLEN = 26;
/** t_errno TRESADDR (<xti.h>): Connection acceptor address not same as listener address. */
export const TRESADDR = 27;
/** t_errno TQFULL (<xti.h>): Incoming connection queue is full. */
export const TQFULL = 28;
/** t_errno TPROTO (<xti.h>): Protocol error. */
export const TPROTO = 29;

/** t_errno -> name, index = value. */
export const t_errnoNames = ['', 'TBADADDR', 'TBADOPT', 'TACCES', 'TBADF', 'TNOADDR', 'TOUTSTATE', 'TBADSEQ',
  'TSYSERR', 'TLOOK', 'TBADDATA', 'TBUFOVFLW', 'TFLOW', 'TNODATA', 'TNODIS', 'TNOUDERR', 'TBADFLAG', 'TNOREL',
  'TNOTSUPPORT', 'TSTATECHNG', 'TNOSTRUCTYPE', 'TBADNAME', 'TBADQLEN', 'TADDRBUSY', 'TINDOUT', 'TPROVMISMATCH',
  'TRESQLEN', 'TRESADDR', 'TQFULL', 'TPROTO'] as const;

/** illumos libnsl's t_errlist. */
const texts = ['Error 0', 'Incorrect address format', 'Incorrect options format', 'Illegal permissions',
  'Illegal file descriptor', "Couldn't allocate address", 'Routine will place interface out of state',
  'Illegal called/calling sequence number', 'System error', 'An event requires attention',
  'Illegal amount of data', 'Buffer not large enough', "Can't send message - (blocked)",
  'No message currently available', 'Disconnect message not found', 'Unitdata error message not found',
  'Incorrect flags specified', 'Orderly release message not found', 'Primitive not supported by provider',
  'State is in process of changing', 'Unsupported structure type requested', 'Invalid transport provider name',
  'Listener queue length limit is zero', 'Transport address is in use', 'Outstanding connection indications',
  'Listener-acceptor transport provider mismatch',
  'Connection acceptor has listen queue length limit greater than zero',
  'Connection acceptor address not same as listener address', 'Incoming connection queue is full',
  'Protocol error'];

/** The last XTI failure's t_errno (live binding; never reset to 0, as in C). */
export let t_errno = 0;
let lastErrno = 0;

/** A failed XTI call: `t_errno` always; `errno`/`code`/`syscall`/`cause` for TSYSERR. */
export class TError extends Error {
  /** The XTI error number (TBADF, TOUTSTATE, TLOOK ..., TSYSERR when a system call failed). */
  readonly t_errno: number;
  /** 'TNODATA' ..., or for TSYSERR the system code ('ECONNRESET'). */
  readonly code: string;
  /** For TSYSERR: the system error's errno, negative as in Node's system errors (-111). */
  readonly errno?: number;
  /** For TSYSERR: the system call that failed ('connect', 'sendmsg' ...). */
  readonly syscall?: string;
  /** The XTI function that failed. */
  readonly call: string;
  constructor(call: string, terr: number, detail?: string, sys?: SystemError) {
    super(`${call}: ${t_strerror(terr)}${sys ? ` (${sys.message})` : ''}${detail ? `: ${detail}` : ''}`, sys ? { cause: sys } : undefined);
    this.name = 'TError';
    this.call = call;
    this.t_errno = terr;
    this.code = sys ? sys.code : t_errnoNames[terr] ?? `T${terr}`;
    if (sys) {
      this.errno = sys.errno;
      this.syscall = sys.syscall;
    }
  }
}

/** Records and builds the failure (the caller throws it). */
export function terror(call: XtiCall, terr: number, detail?: string): TError {
  t_errno = terr;
  return new TError(call, terr, detail);
}

/** A TSYSERR failure keeping the system error. */
export function tsyserr(call: XtiCall, sys: SystemError): TError {
  t_errno = TSYSERR;
  lastErrno = Math.abs(sys.errno);
  return new TError(call, TSYSERR, undefined, sys);
}

/**
 * The one map from a kernel refusal to what it means to an XTI call (bind(2) and
 * connect(2) answers, as Solaris timod translates them). Anything else is TSYSERR.
 */
const ERRNO_TO_T_ERRNO: Readonly<Record<string, number>> = {
  EADDRINUSE: TADDRBUSY,
  EACCES: TACCES,
  EPERM: TACCES,
  EADDRNOTAVAIL: TBADADDR,
  EAFNOSUPPORT: TBADADDR,
  EINVAL: TBADADDR,
};

/** The TError a system error maps to in `call`, or null when it has no XTI meaning of its own. */
export function mappedError(call: XtiCall, err: unknown): TError | null {
  const code = (err as Partial<SystemError> | null)?.code;
  const terr = typeof code === 'string' ? ERRNO_TO_T_ERRNO[code] : undefined;
  return terr === undefined ? null : terror(call, terr, (err as Error).message);
}

/** t_strerror(3NSL): the message for a t_errno value; "<n>: error unknown" out of range. */
export function t_strerror(errnum: number): string {
  if (typeof errnum !== 'number') throw argType('errnum', 'a t_errno number', errnum);
  return Number.isInteger(errnum) && errnum >= 0 && errnum < texts.length ? texts[errnum]! : `${errnum}: error unknown`;
}

/**
 * t_error(3NSL): writes "msg: text" for the current t_errno to stderr, with the system
 * error's text for TSYSERR. Returns 0.
 */
export function t_error(msg: string): number {
  if (typeof msg !== 'string' && msg !== null && msg !== undefined) throw argType('msg', 'a string', msg);
  const head = msg ? `${msg}: ` : '';
  const sys = t_errno === TSYSERR && lastErrno ? `: ${strerror(lastErrno)}` : '';
  process.stderr.write(`${head}${t_strerror(t_errno)}${sys}\n`);
  return 0;
}
