/**
 * xsock/streams: STREAMS-style pipes for Node — pipe(), ioctl() with I_SENDFD, I_RECVFD,
 * I_SETSIG, I_GETSIG, I_NREAD (descriptors are numbers, as in C), and opening files
 * through a helper process that passes the descriptors back.
 */

export { pipe, close, fcntl } from './pipe.js';
export { ioctl } from './ioctl.js';
export { poll, POLLIN, POLLRDNORM, POLLRDBAND, POLLPRI, POLLOUT, POLLWRNORM, POLLWRBAND, POLLERR, POLLHUP, POLLNVAL, type PollFd, type PollResult } from '../poll.js';
export type { StrRecvFd } from './fdpass.js';
export type { SigpollHandler } from './sigpoll.js';
export { Opener, type OpenerOptions } from './helper.js';
export { openThroughHelper, stopHelper } from './shared-opener.js';
export {
  I_NREAD, I_PUSH, I_POP, I_LOOK, I_SETSIG, I_GETSIG, I_RECVFD, I_SENDFD,
  S_INPUT, S_HIPRI, S_OUTPUT, S_WRNORM, S_MSG, S_ERROR, S_HANGUP, S_RDNORM, S_RDBAND, S_WRBAND, S_BANDURG,
  F_GETFL, F_SETFL, O_NONBLOCK,
} from './constants.js';
