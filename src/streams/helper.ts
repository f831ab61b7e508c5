/**
 * Opening files through a helper process (an "asynchronous open"): a process that
 * must stay responsive lets a second, long-lived process perform open(2) — which can
 * block in the kernel for as long as it likes (a FIFO awaiting its writer, a slow network
 * filesystem) — and receives the open descriptor over a socketpair (SCM_RIGHTS).
 *
 * Why not fs.promises.open? It runs open(2) in libuv's threadpool (4 threads by default),
 * so four blocked opens stall every other fs call, DNS lookup and zlib job of the
 * process. Here the caller's event loop and threadpool stay free: it only waits for
 * readiness on the channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { socketpair, closeFd, type Socket } from '../socket/index.js';
import { constants as C } from '../constants.js';
import { deadlineOf, arm, abortError } from '../wait.js';
import { XsockError, argType, intArg, systemError, type SystemError } from '../errors.js';
import type { WaitOptions } from '../readiness.js';
import { encode, decode, MAX_MESSAGE, type OpenReply } from './opener-protocol.js';

/** Options of an Opener. */
export interface OpenerOptions {
  /**
   * libuv threadpool size of the helper: how many opens may block in the kernel at once
   * before later ones queue behind them (default 64).
   */
  threads?: number | undefined;
  /** Run the helper as this user id (spawn's uid; the caller needs the privilege). */
  uid?: number | undefined;
  /** Run the helper as this group id (spawn's gid). */
  gid?: number | undefined;
}

interface Pending {
  path: string;
  resolve(fd: number): void;
  reject(err: Error): void;
}

/** One running helper: its process, its end of the channel, its requests in flight. */
interface Helper {
  child: ChildProcess;
  chan: Socket;
  pending: Map<number, Pending>;
  /** Cancels the reply reader's wait once no caller is waiting any more. */
  idle: AbortController | null;
  dead: boolean;
}

/** The flag strings fs.open accepts. */
const FLAG_STRINGS = new Set(['r', 'rs', 'sr', 'r+', 'rs+', 'sr+', 'w', 'wx', 'xw', 'w+', 'wx+', 'xw+',
  'a', 'ax', 'xa', 'as', 'sa', 'a+', 'ax+', 'xa+', 'as+', 'sa+']);

const childScript = fileURLToPath(new URL('./opener-child.js', import.meta.url));

/**
 * A long-lived helper process that opens files on request and passes the descriptors
 * back. Requests are concurrent and matched to replies by id. If the helper dies, the
 * requests in flight reject with ERR_XSOCK_HELPER_EXITED and the next request starts a
 * new helper. The helper never keeps the caller's process alive while idle, and exits
 * when the caller closes the Opener or exits.
 */
export class Opener {
  /** The helper's libuv threadpool size (UV_THREADPOOL_SIZE): how many opens may block at once. */
  readonly threads: number;
  #helper: Helper | null = null;
  #nextId = 1;
  readonly #ids: { uid?: number; gid?: number } = {};

  constructor(options: OpenerOptions = {}) {
    if (options === null || typeof options !== 'object') throw argType('options', 'an object', options);
    this.threads = options.threads === undefined ? 64 : intArg('options.threads', options.threads, 1, 1024);
    if (options.uid !== undefined) this.#ids.uid = intArg('options.uid', options.uid, 0, 0xfffffffe);
    if (options.gid !== undefined) this.#ids.gid = intArg('options.gid', options.gid, 0, 0xfffffffe);
  }

  /** The helper's process id, or undefined when none is running. */
  get pid(): number | undefined {
    return this.#helper && !this.#helper.dead ? this.#helper.child.pid : undefined;
  }

  /**
   * open(2) performed by the helper: resolves to a descriptor of this process
   * (close-on-exec; the caller closes it, e.g. fs.closeSync). Failures are Node-style
   * system errors with code, errno, syscall 'open' and path.
   * `flags` is an fs flag string ('r', 'w+' ...) or O_* bits (fs.constants).
   */
  open(path: string, flags: string | number = 'r', mode = 0o666, opts?: WaitOptions): Promise<number> {
    if (typeof path !== 'string') throw argType('path', 'a string', path);
    if (path.length === 0 || path.includes('\0')) {
      throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', 'The "path" argument must be a non-empty string without NUL bytes');
    }
    if (typeof flags === 'string') {
      if (!FLAG_STRINGS.has(flags)) throw new XsockError('ERR_XSOCK_INVALID_ARG_VALUE', `The "flags" argument must be an fs flag string ('r', 'w+', 'ax' ...) or O_* bits; received '${flags}'`);
    } else intArg('flags', flags, 0, 0x7fffffff);
    intArg('mode', mode, 0, 0o7777);
    const request = encode({ id: 0, path, flags, mode });
    // The helper reads requests of at most MAX_MESSAGE bytes; a longer path could never open.
    if (request.byteLength > MAX_MESSAGE - 32) return Promise.reject(openError(C.ENAMETOOLONG, path));
    deadlineOf(opts); // validates the options before anything starts
    if (opts?.signal?.aborted) return Promise.reject(abortError(opts.signal, `the open of ${path}`));
    const h = this.#running();
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      let done = (): void => {};
      const p: Pending = {
        path,
        resolve: (fd) => { done(); resolve(fd); },
        reject: (err) => { done(); reject(err); },
      };
      done = arm(opts, (err) => { if (this.#abandon(h, id, p)) p.reject(err); }, `the open of ${path}`);
      h.pending.set(id, p);
      this.#pump(h);
      h.chan.send(encode({ id, path, flags, mode })).catch((err: Error) => {
        if (h.pending.get(id) === p) {
          h.pending.delete(id);
          p.reject(h.dead ? exited(path, err) : err);
        }
      });
    });
  }

  /** Stops the helper; requests in flight reject with ERR_XSOCK_HELPER_EXITED. */
  close(): void {
    const h = this.#helper;
    if (h) this.#fail(h, null);
  }

  #running(): Helper {
    if (this.#helper && !this.#helper.dead) return this.#helper;
    const [mine, theirs] = socketpair('unix', 'seqpacket');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [childScript], {
        stdio: ['ignore', 'ignore', 'inherit', theirs.fd],
        env: { ...process.env, UV_THREADPOOL_SIZE: String(this.threads) },
        ...this.#ids,
      });
    } catch (err) {
      mine.close();
      throw err;
    } finally {
      theirs.close(); // the child holds its own copy now
    }
    child.unref();
    const h: Helper = { child, chan: mine, pending: new Map(), idle: null, dead: false };
    child.on('error', (err) => this.#fail(h, err));
    child.on('exit', () => this.#fail(h, null));
    this.#helper = h;
    return h;
  }

  /** Reads replies while anyone waits for one; stops (and lets the loop go idle) after. */
  #pump(h: Helper): void {
    if (h.idle !== null) return;
    const idle = new AbortController();
    h.idle = idle;
    void (async () => {
      while (!h.dead && h.pending.size > 0) {
        let m;
        try {
          m = await h.chan.recvmsg({ size: MAX_MESSAGE, fds: 4 }, { signal: idle.signal });
        } catch (err) {
          if (idle.signal.aborted || h.dead) break;
          this.#fail(h, err as Error);
          break;
        }
        if (m.eof || m.bytes === 0) {
          this.#fail(h, null);
          break;
        }
        this.#deliver(h, decode<OpenReply>(m.data), m.fds.take());
      }
      if (h.idle === idle) h.idle = null;
      if (!h.dead) release(h.chan);
    })();
  }

  #deliver(h: Helper, reply: OpenReply | null, fds: number[]): void {
    const p = reply ? h.pending.get(reply.id) : undefined;
    if (!reply || !p) {
      closeAll(fds); // a reply nobody waits for any more (abandoned request)
      return;
    }
    h.pending.delete(reply.id);
    if (reply.ok && fds.length > 0) {
      closeAll(fds.slice(1));
      p.resolve(fds[0]!);
      return;
    }
    closeAll(fds);
    const err = reply.ok ? openError(C.EMFILE, p.path) /* the fd could not be installed here */ : openError(reply.errno, p.path);
    p.reject(err);
  }

  /** A caller gave up: forget it, and stop reading once nobody else waits. */
  #abandon(h: Helper, id: number, p: Pending): boolean {
    if (h.pending.get(id) !== p) return false;
    h.pending.delete(id);
    if (h.pending.size === 0) h.idle?.abort();
    return true;
  }

  /** The helper is gone (or being stopped): reject everything in flight, release it all. */
  #fail(h: Helper, cause: Error | null): void {
    if (h.dead) return;
    h.dead = true;
    if (this.#helper === h) this.#helper = null;
    h.idle?.abort();
    h.chan.close();
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    const pending = [...h.pending.values()];
    h.pending.clear();
    for (const p of pending) p.reject(exited(p.path, cause));
  }
}

function exited(path: string, cause: Error | null): XsockError {
  return new XsockError('ERR_XSOCK_HELPER_EXITED', `the helper process exited before opening ${path}`, cause ? { cause } : undefined);
}

function openError(errno: number, path: string): SystemError {
  const err = systemError(-errno, 'open', path) as SystemError & { path: string };
  delete err.address;
  err.path = path;
  return err;
}

function closeAll(fds: number[]): void {
  for (const fd of fds) if (fd >= 0) closeFd(fd);
}

/**
 * Readiness keeps a bit armed for one more turn after its last waiter (cheap re-waits),
 * and an armed watcher keeps the process alive: an idle helper channel must not.
 */
function release(chan: Socket): void {
  if (!chan.closed) chan.readiness.idle();
}
