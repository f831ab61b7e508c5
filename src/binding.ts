/**
 * The typed contract of the native shim (native/*.c) and the only importer of the addon.
 *
 * Every function performs exactly one non-blocking system call (EINTR retried in C) and
 * returns its result, or a negative errno (the per-message data calls leave it in scratch:
 * see DATA_ARGS). Out-parameters that are not the return value
 * are written to the shared `scratch` Int32Array handed over by `init`, so no call
 * allocates a JS object on the hot path. Buffers are always caller-provided; the shim
 * never reads or writes past `byteLength` of a view it is given.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Readiness bits as the watcher reports them (from EPOLLIN, EPOLLOUT ...). */
export const POLL_IN = 1;
/** EPOLLOUT: writable. */
export const POLL_OUT = 2;
/** EPOLLRDHUP: the peer shut down its writing side (or closed). */
export const POLL_RDHUP = 4;
/** EPOLLPRI: urgent (out-of-band) data or another exceptional condition. */
export const POLL_PRI = 8;
/** EPOLLERR: an error is pending (SO_ERROR, the error queue). */
export const POLL_ERR = 16;
/** EPOLLHUP: hang-up (the connection is shut down both ways, or was reset). */
export const POLL_HUP = 32;

/**
 * Where send, recv, sendto and recvfrom read their scalar arguments and leave their result:
 * scratch[DATA_ARGS + i] holds fd (i = 0), off (1), len (2), flags (3) and sendto's addrlen
 * (4), written just before the call; the call returns nothing and leaves the kernel's count
 * or -errno in scratch[DATA_RESULT]. Crossing into the shim costs far less when only the
 * views are passed. off and len are int32s; the shim refuses (-EINVAL, no syscall) a range
 * that is negative or not inside the view.
 */
export const DATA_ARGS = 8;
/** Where the data calls leave their result (see DATA_ARGS). */
export const DATA_RESULT = DATA_ARGS + 5;

export interface Binding {
  /**
   * Per-environment setup (works in worker threads: state is instance data).
   * `dispatch(count)` is called from the environment's libuv loop whenever watched
   * descriptors had events: `events[2*i]` is the id given to watch(), `events[2*i+1]`
   * the POLL_* bits, for i < count. `scratch` (at least 16 entries) carries
   * out-parameters in [0, 4) and the data calls' arguments from DATA_ARGS; while `dispatch`
   * and the microtasks after it run, the shim sets scratch[14] to 1 and, when they return,
   * keeps the loop alive as scratch[15] says (readiness.ts writes it there instead of
   * calling watchRef).
   */
  init(dispatch: (count: number) => void, scratch: Int32Array, events: Int32Array): void;
  /** Platform constants: AF_*, SOCK_*, MSG_*, SOL_*, SO_*, SCM_*, IPPROTO_*, TCP_*, IP_*, IPV6_*, E*, O_*, sizes. */
  readonly constants: Readonly<Record<string, number>>;
  /** errno number (positive) -> 'ECONNREFUSED'; unknown gives ''. */
  errnoName(errno: number): string;
  /** strerror_r(3). */
  strerror(errno: number): string;

  /** socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC added. */
  socket(domain: number, type: number, protocol: number): number;
  /** socketpair(2) with SOCK_NONBLOCK|SOCK_CLOEXEC; fds in scratch[0], scratch[1]. */
  socketpair(domain: number, type: number, protocol: number): number;
  /** bind(2). */
  bind(fd: number, addr: Uint8Array, addrlen: number): number;
  /** listen(2). */
  listen(fd: number, backlog: number): number;
  /**
   * Registers the environment's address slots (no syscall): `dest`, read by connectSlot,
   * and `peer`, written by acceptSlot. Each must have its own ArrayBuffer (the shim keeps
   * a pointer to it until the next call); a connect/accept loop then passes no view.
   */
  addressSlots(dest: Uint8Array, peer: Uint8Array): number;
  /** connect(2) to the first `addrlen` bytes of the dest slot (-EINVAL beyond it). */
  connectSlot(fd: number, addrlen: number): number;
  /** accept4(2) with SOCK_NONBLOCK|SOCK_CLOEXEC, the peer's address into the peer slot; its addrlen in scratch[0]. */
  acceptSlot(fd: number): number;
  /** getsockname(2); returns addrlen (may exceed addr.byteLength: decode min of both). */
  getsockname(fd: number, addr: Uint8Array): number;
  /** getpeername(2); returns addrlen. */
  getpeername(fd: number, addr: Uint8Array): number;
  /** shutdown(2). */
  shutdown(fd: number, how: number): number;
  /** close(2); EINTR is not retried (Linux closes the fd anyway). */
  close(fd: number): number;

  /**
   * send(2) of buf[off, off+len) with MSG_NOSIGNAL added; fd, off, len and flags from
   * scratch, the result to scratch[DATA_RESULT] (see DATA_ARGS). -EINVAL, no syscall, when
   * [off, off+len) is not inside buf.
   */
  send(buf: Uint8Array): void;
  /**
   * recv(2) into buf[off, off+len), arguments and result in scratch (see DATA_ARGS); the
   * kernel's count can exceed len with MSG_TRUNC.
   */
  recv(buf: Uint8Array): void;
  /** sendto(2) with MSG_NOSIGNAL; fd, off, len, flags, addrlen and the result in scratch (see DATA_ARGS). */
  sendto(buf: Uint8Array, addr: Uint8Array): void;
  /** recvfrom(2), arguments and result in scratch (see DATA_ARGS); addrlen in scratch[0]. */
  recvfrom(buf: Uint8Array, addr: Uint8Array): void;
  /**
   * sendmsg(2) gathering from `iov` (at most 1024 views; a single view is a list of one),
   * MSG_NOSIGNAL added. addr/control may be null (then their lengths are ignored).
   */
  sendmsg(fd: number, iov: Uint8Array | readonly Uint8Array[], addr: Uint8Array | null, addrlen: number,
    control: Uint8Array | null, controllen: number, flags: number): number;
  /**
   * recvmsg(2) scattering into `iov` (a single view is a list of one); scratch[0] = addrlen, scratch[1] = controllen,
   * scratch[2] = msg_flags. Pass MSG_CMSG_CLOEXEC in flags (recvFlags) for received fds to be close-on-exec.
   */
  recvmsg(fd: number, iov: Uint8Array | readonly Uint8Array[], addr: Uint8Array | null,
    control: Uint8Array | null, flags: number): number;
  /**
   * sendmmsg(2): each view of `msgs[start, start+count)` is one message, all to `addr`
   * (or the connected peer). At most 1024. Returns messages sent.
   */
  sendmmsg(fd: number, msgs: readonly Uint8Array[], start: number, count: number,
    addr: Uint8Array | null, addrlen: number, flags: number): number;
  /**
   * sendmmsg(2) of `count` messages packed back to back in `data`: message i is the
   * lens[i] bytes after message i-1 (their sum must fit `data`), all to `addr` (or the
   * connected peer). At most 1024. Returns messages sent.
   */
  sendmmsgPacked(fd: number, data: Uint8Array, lens: Int32Array, count: number,
    addr: Uint8Array | null, addrlen: number, flags: number): number;
  /**
   * recvmmsg(2) of up to `count` messages (at most 1024): message i lands at
   * data[i*slot, (i+1)*slot), its address at addrs[i*128, ...) when addrs is given, its
   * control data at control[i*controlSlot, ...) when control is given.
   * out[i*4 + 0..3] = length, msg_flags, addrlen, controllen. Pass MSG_CMSG_CLOEXEC as recvmsg.
   * Returns the number of messages.
   */
  recvmmsg(fd: number, data: Uint8Array, slot: number, count: number, out: Int32Array,
    addrs: Uint8Array | null, control: Uint8Array | null, controlSlot: number, flags: number): number;

  /** setsockopt(2) with val[0, len). */
  setsockopt(fd: number, level: number, name: number, val: Uint8Array, len: number): number;
  /** getsockopt(2) into val; returns optlen. */
  getsockopt(fd: number, level: number, name: number, val: Uint8Array): number;
  /** ioctl(2) whose argument is an int out-parameter (SIOCATMARK, FIONREAD); returns it. */
  ioctlInt(fd: number, request: number): number;
  /** fcntl(fd, F_GETFL). */
  getfl(fd: number): number;
  /** fcntl(fd, F_SETFL, flags). */
  setfl(fd: number, flags: number): number;
  /** fcntl(fd, F_SETOWN, pid): the process told of urgent data (SIGURG); 0 for none. */
  setown(fd: number, pid: number): number;
  /**
   * uv_signal_start(SIGURG) on this environment's loop (sigaction(2) when it is the first
   * listener of the process, shared with Node's process.on('SIGURG')): `fn()` runs on this
   * loop after each SIGURG the process receives. Main thread and workers alike; does not
   * keep the loop alive. 0 or a negative errno.
   */
  sigurgListen(fn: () => void): number;
  /** uv_signal_stop of this environment's SIGURG handle (sigaction(2) when the last listener goes). */
  sigurgUnlisten(): number;
  /** fcntl(fd, F_DUPFD_CLOEXEC, 0). */
  dupCloexec(fd: number): number;
  /** dup3(oldfd, newfd, O_CLOEXEC): newfd now names oldfd's file; what it named is closed. */
  dup3(oldfd: number, newfd: number): number;
  /** fcntl(fd, F_GETFD) & FD_CLOEXEC as 0/1. */
  getCloexec(fd: number): number;
  /** poll(2) on one fd with timeout 0; returns revents (POLLIN ... POLLRDHUP). */
  pollNow(fd: number, events: number): number;

  /**
   * Hands the shim the bitmap of descriptors live Sockets own (bit fd set: owned), which
   * JavaScript writes directly; no syscall. The environment's teardown closes what is
   * still recorded, since a terminated worker runs no JavaScript to do it. The view must
   * have its own ArrayBuffer (the shim keeps a pointer to it until the next call).
   */
  ownTable(bitmap: Uint8Array): number;

  /** if_nametoindex(3) of a NUL-terminated name; the index or -errno. */
  ifNameToIndex(name: Uint8Array): number;
  /** if_indextoname(3) into out (>= IF_NAMESIZE bytes, NUL-terminated); the name's length or -errno. */
  ifIndexToName(index: number, out: Uint8Array): number;

  /** pipe2(2) with O_NONBLOCK|O_CLOEXEC; read end in scratch[0], write end in scratch[1]. */
  pipe(): number;

  /**
   * epoll_ctl(EPOLL_CTL_ADD) of fd to the environment's edge-triggered epoll instance,
   * reporting as `id`: an event per arrival from then on (writability only when `out` is 1).
   */
  watch(fd: number, id: number, out: number): number;
  /** epoll_ctl(EPOLL_CTL_MOD): adds (`out` 1) or drops (0) interest in writability. */
  rewatch(fd: number, id: number, out: number): number;
  /** epoll_ctl(EPOLL_CTL_DEL). Must precede close(fd). */
  unwatch(fd: number): number;
  /** Whether the watcher keeps the event loop alive (someone waits). No syscall. */
  watchRef(on: number): void;

  // ---- zero-copy transfers (native/splice.c) ----
  /**
   * splice(2) of up to `len` bytes from fdIn to fdOut (one of them a pipe), with
   * SPLICE_F_NONBLOCK added. An offset of -1 uses (and advances) the file position.
   */
  splice(fdIn: number, offIn: number, fdOut: number, offOut: number, len: number, flags: number): number;
  /** tee(2): duplicates up to `len` bytes from pipe fdIn into pipe fdOut; SPLICE_F_NONBLOCK added. */
  tee(fdIn: number, fdOut: number, len: number, flags: number): number;
  /** sendfile(2) of up to `count` bytes of inFd from `offset` (-1: its file position) to outFd. */
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;
  /** copy_file_range(2) between two files, flags 0; offsets -1 use the file positions. */
  copyFileRange(fdIn: number, offIn: number, fdOut: number, offOut: number, len: number): number;
  /** fcntl(fd, F_SETPIPE_SZ, size): returns the capacity the kernel set. */
  setPipeSize(fd: number, size: number): number;
}

const require = createRequire(import.meta.url);

/** The package's root directory: this module lives in dist/. */
const root = fileURLToPath(new URL('..', import.meta.url));

/** The error of a missing or unloadable addon: what was wrong, and how to build one. */
function addonError(what: string, cause: unknown): Error {
  const err = new Error(`xsock: ${what}. Build the addon from source with a C compiler, make and python3: `
    + `run \`npm rebuild xsock\` in your project, or \`npx node-gyp rebuild\` in ${root}`, { cause });
  return Object.assign(err, { code: 'ERR_XSOCK_NATIVE_MISSING' });
}

/**
 * Finds the addon as node-gyp-build does (a build from source in build/Release or
 * build/Debug first, then the prebuilt binary in prebuilds/<platform>-<arch>/ that matches
 * this libc) and loads it. The lookup happens at run time, so a package installed with
 * its install script skipped (the default of recent npm and pnpm) still loads.
 */
function loadAddon(): Binding {
  const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  const tuple = `${process.platform}-${process.arch}`;
  let file: string;
  try {
    file = gypBuild.resolve(root);
  } catch (cause) {
    throw addonError(`no native addon for ${tuple} (Node-API, Node ${process.version}) was found in `
      + `${root}build/Release, ${root}build/Debug or ${root}prebuilds/${tuple}/ `
      + '(the package ships a prebuilt binary for linux-x64 with glibc only)', cause);
  }
  try {
    return require(file) as Binding;
  } catch (cause) {
    throw addonError(`the native addon ${file} was found but could not be loaded: ${(cause as Error).message}`, cause);
  }
}

/** The loaded addon. */
export const native: Binding = loadAddon();
