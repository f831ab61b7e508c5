/**
 * ioctl(2) on STREAMS-style descriptors: I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD,
 * and on XTI endpoints I_PUSH, I_POP, I_LOOK of the modules timod and tirdwr.
 * Calls that may wait (I_SENDFD, I_RECVFD) return Promises and report system errors by
 * rejecting; the others answer at once and throw. Bad arguments always throw at once.
 */
import { argType, argValue, intArg, shown } from '../errors.js';
import { I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD, I_PUSH, I_POP, I_LOOK } from './constants.js';
import { pushModule, popModule, lookModule } from '../xti/tirdwr.js';
import { endpoint } from './pipe.js';
import { sendfd, recvfd, nread, type StrRecvFd } from './fdpass.js';
import { setsig, getsig, type SigpollHandler } from './sigpoll.js';

/** ioctl(fd, I_SENDFD, sendfd): pass `sendfd` to the other end of the pipe. */
export function ioctl(fd: number, cmd: typeof I_SENDFD, arg: number): Promise<void>;
/** ioctl(fd, I_RECVFD): receive a passed descriptor as struct strrecvfd. */
export function ioctl(fd: number, cmd: typeof I_RECVFD): Promise<StrRecvFd>;
/** ioctl(fd, I_SETSIG, mask, handler): SIGPOLL analogue, called from the event loop. */
export function ioctl(fd: number, cmd: typeof I_SETSIG, arg: number, handler?: SigpollHandler): number;
/** ioctl(fd, I_GETSIG): the registered S_* mask. */
export function ioctl(fd: number, cmd: typeof I_GETSIG): number;
/** ioctl(fd, I_NREAD): { count, bytes } of what is queued for reading. */
export function ioctl(fd: number, cmd: typeof I_NREAD): {
  /** Messages queued: 1 when anything is (a byte stream has no boundaries), else 0. */
  count: number;
  /** Bytes queued (FIONREAD). */
  bytes: number;
};
/** ioctl(fd, I_PUSH, 'tirdwr'): plain read(2)/write(2) on a connected XTI endpoint ('timod' too). */
export function ioctl(fd: number, cmd: typeof I_PUSH, arg: string): number;
/** ioctl(fd, I_POP): pop the top module of an XTI endpoint (tirdwr: XTI use again). */
export function ioctl(fd: number, cmd: typeof I_POP, arg?: number): number;
/** ioctl(fd, I_LOOK): the name of the top module of an XTI endpoint. */
export function ioctl(fd: number, cmd: typeof I_LOOK): string;
export function ioctl(fd: number, cmd: number, arg?: number | string, handler?: SigpollHandler): unknown;
export function ioctl(fd: number, cmd: number, arg?: number | string, handler?: SigpollHandler): unknown {
  switch (cmd) {
    case I_SENDFD:
    case I_RECVFD: {
      let s;
      try {
        s = endpoint(fd, 'ioctl');
      } catch (err) {
        if ((err as { syscall?: string }).syscall === 'ioctl') return Promise.reject(err);
        throw err;
      }
      if (cmd === I_RECVFD) return recvfd(s);
      return sendfd(s, intArg('arg', arg, -0x80000000, 0x7fffffff));
    }
    case I_SETSIG: return setsig(endpoint(fd, 'ioctl'), arg as number, handler);
    case I_GETSIG: return getsig(endpoint(fd, 'ioctl'));
    case I_NREAD: return nread(endpoint(fd, 'ioctl'));
    case I_PUSH:
      if (typeof arg !== 'string') throw argType('arg', "a module name ('tirdwr' or 'timod')", arg);
      pushModule(intArg('fd', fd, 0, 0x7fffffff), arg);
      return 0;
    case I_POP:
      popModule(intArg('fd', fd, 0, 0x7fffffff));
      return 0;
    case I_LOOK: return lookModule(intArg('fd', fd, 0, 0x7fffffff));
    default:
      throw argValue('cmd', `must be one of I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD, I_PUSH, I_POP, I_LOOK; received ${shown(cmd)}`);
  }
}
