/**
 * ioctl(2) on STREAMS-style descriptors: I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD.
 * Calls that may wait (I_SENDFD, I_RECVFD) return Promises and report system errors by
 * rejecting; the others answer at once and throw. Bad arguments always throw at once.
 */
import { argValue, intArg, shown } from '../errors.js';
import { I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD } from './constants.js';
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
export function ioctl(fd: number, cmd: typeof I_NREAD): { count: number; bytes: number };
export function ioctl(fd: number, cmd: number, arg?: number, handler?: SigpollHandler): unknown;
export function ioctl(fd: number, cmd: number, arg?: number, handler?: SigpollHandler): unknown {
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
    default:
      throw argValue('cmd', `must be one of I_SENDFD, I_RECVFD, I_SETSIG, I_GETSIG, I_NREAD; received ${shown(cmd)}`);
  }
}
