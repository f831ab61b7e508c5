/**
 * STREAMS ioctl commands and I_SETSIG event bits with their SVR4 <stropts.h> values,
 * plus the fcntl names the streams face understands.
 */

/** ioctl(2) command: bytes in the first message at the head of the read queue (I_NREAD). */
export const I_NREAD = 0x5301;
/** ioctl(2) command: push a module (on XTI endpoints: 'tirdwr' or 'timod') (I_PUSH). */
export const I_PUSH = 0x5302;
/** ioctl(2) command: pop the top module (I_POP). */
export const I_POP = 0x5303;
/** ioctl(2) command: the name of the top module (I_LOOK). */
export const I_LOOK = 0x5304;
/** ioctl(2) command: register for SIGPOLL-style notification of the S_* events (I_SETSIG). */
export const I_SETSIG = 0x5309;
/** ioctl(2) command: the S_* mask registered by I_SETSIG (I_GETSIG). */
export const I_GETSIG = 0x530a;
/** ioctl(2) command: receive a passed descriptor as struct strrecvfd (I_RECVFD). */
export const I_RECVFD = 0x530e;
/** ioctl(2) command: pass a descriptor to the other end of the pipe (I_SENDFD). */
export const I_SENDFD = 0x5311;

/** A non-priority message arrived (even zero-length). */
export const S_INPUT = 0x0001;
/** A high-priority message arrived. */
export const S_HIPRI = 0x0002;
/** The write queue has room again (= S_WRNORM). */
export const S_OUTPUT = 0x0004;
/** Same as S_OUTPUT. */
export const S_WRNORM = S_OUTPUT;
/** A SIGPOLL-carrying message reached the head (no Linux analogue: accepted, never fires). */
export const S_MSG = 0x0008;
/** An error message reached the stream head. */
export const S_ERROR = 0x0010;
/** A hangup reached the stream head. */
export const S_HANGUP = 0x0020;
/** A normal-band message arrived. */
export const S_RDNORM = 0x0040;
/** A priority-band (out-of-band) message arrived. */
export const S_RDBAND = 0x0080;
/** A priority band became writable. */
export const S_WRBAND = 0x0100;
/** With S_RDBAND: SIGURG instead of SIGPOLL (a modifier; the handler is called either way). */
export const S_BANDURG = 0x0200;

/** Every S_* bit I_SETSIG accepts. */
export const S_ALL = S_INPUT | S_HIPRI | S_OUTPUT | S_MSG | S_ERROR | S_HANGUP | S_RDNORM | S_RDBAND | S_WRBAND | S_BANDURG;

/** fcntl(2) commands and the one status flag the streams face keeps per descriptor. F_GETFL: read the flags. */
export const F_GETFL = 3;
/** fcntl(2) command: set the flags (only O_NONBLOCK is kept). */
export const F_SETFL = 4;
/** fcntl(2) status flag: ioctl I_SENDFD/I_RECVFD fail with EAGAIN instead of waiting. */
export const O_NONBLOCK = 0o4000;
