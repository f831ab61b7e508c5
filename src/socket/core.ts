/**
 * The small core every socket call works on: the descriptor, its ownership and its
 * readiness. A descriptor is closed exactly once — by close(), by the reaper when its
 * Socket is garbage-collected unclosed, or by the environment's teardown when a worker is
 * terminated (the shim's `own` record) — and its watcher is stopped before that close.
 */
import { native } from '../binding.js';
import { XsockError, systemError, type ErrorAddress } from '../errors.js';
import { Readiness, POLL_OUT } from '../readiness.js';
import { describeAddress, type AddressLike } from '../address.js';
import { constants as C } from '../constants.js';
import { ReceivedFds, closeHeld, type Held } from './rights.js';
import { holdReserve, dropReserve } from './reserve.js';
import { own, disown } from './owned.js';
import type { Message } from './message.js';
import type { Waiting } from './retry.js';

interface Holdings { fd: number; readiness: Readiness | null; reserve: boolean }

/**
 * The live owner of each descriptor number in this environment. A raw close of a number
 * (streams close(n)) must close its owner instead, or the owner would later close whatever
 * new file reused the number; and a second owner of one number would close it twice.
 * An entry is the owner itself until the end of the job that made it (as strong as a
 * WeakRef's own keep-alive for that job would be), then a WeakRef to it: see settleYoung.
 * Indexed by the number itself: descriptor numbers are small and dense (the kernel hands
 * out the lowest free one), and a Map's hashing, and its rehashing as deletions pile up,
 * was the largest user-space cost of a short-lived connection.
 */
const owners: (object | undefined)[] = [];

/** The live object (a Socket) that owns `fd` in this environment, or undefined. */
export function ownerOf(fd: number): object | undefined {
  const e = owners[fd];
  if (e === undefined) return undefined;
  const o = e instanceof WeakRef ? (e.deref() as object | undefined) : e;
  if (o === undefined) owners[fd] = undefined;
  return o;
}

/**
 * Descriptors of the cores made in this job. Their weak bookkeeping — the reaper's
 * registration and the WeakRef in `owners` — is made at the end of the job and only for
 * those still open, so a socket opened and closed within one job (a connection accepted
 * and answered at once, a probe) never pays for it. Until then `owners` holds the owner
 * strongly, so nothing it owns can be garbage-collected unreaped. Numbers, not the cores:
 * a number's store needs no write barrier, and `owners` says which are still young (an
 * owner held strongly); a number listed twice, or closed since, is settled at most once.
 */
const young: number[] = [];
let youngRoom = 1024;
/** settleYoung is queued for the end of this job (young may be empty again by then: see release). */
let settleQueued = false;
function settleYoung(): void {
  settleQueued = false;
  for (let i = 0; i < young.length; i++) youngOwner(young[i]!)?.core?.settleOwnership();
  young.length = 0;
  youngRoom = 1024;
}

/** The owner of `fd` while it is held strongly (made in this job, not settled yet). */
function youngOwner(fd: number): { core?: SocketCore } | undefined {
  const o = owners[fd];
  return o === undefined || o instanceof WeakRef ? undefined : o;
}

/** A long synchronous run of short-lived sockets: closed ones and repeats are dropped from `young`. */
function compactYoung(): void {
  const seen = new Set<number>();
  let k = 0;
  for (let i = 0; i < young.length; i++) {
    const fd = young[i]!;
    if (youngOwner(fd) === undefined || seen.has(fd)) continue;
    seen.add(fd);
    young[k++] = fd;
  }
  young.length = k;
  if (k * 2 > youngRoom) youngRoom *= 2;
}

/** Calls waiting for a descriptor slot (accept after EMFILE): told when a Socket frees one. */
const freedListeners = new Set<() => void>();

/** Calls `fn` once the next time a Socket of this environment gives its descriptor up; returns the unsubscribe. */
export function onDescriptorFreed(fn: () => void): () => void {
  const once = (): void => { freedListeners.delete(once); fn(); };
  freedListeners.add(once);
  return () => { freedListeners.delete(once); };
}

function descriptorFreed(): void {
  for (const fn of [...freedListeners]) fn();
}

/** Sockets whose handed-out rights wait for reaper registration at the end of this job. */
const toReap: SocketCore[] = [];
function reapLater(): void {
  for (let i = 0; i < toReap.length; i++) toReap[i]!.registerUnreaped();
  toReap.length = 0;
}

/** Sockets garbage-collected unclosed still give their descriptor back. */
const reaper = new FinalizationRegistry<Holdings>((h) => {
  h.readiness?.close();
  if (h.fd >= 0) {
    const e = owners[h.fd];
    if (e instanceof WeakRef && e.deref() === undefined) owners[h.fd] = undefined;
    disown(h.fd);
    native.close(h.fd);
  }
  if (h.reserve) dropReserve();
});

/** The read-ahead list of every socket that never read ahead (frozen: see keepReadAhead). */
const NO_MESSAGES: Message[] = Object.freeze([]) as unknown as Message[];

/** The descriptor of one Socket, its ownership and its readiness. */
export class SocketCore {
  fd: number;
  readonly domain: number;
  readonly type: number;
  readonly protocol: number;
  /** Destination of a non-blocking connect still in progress (address and port, for errors). */
  connecting: ErrorAddress | null = null;
  /**
   * What the reaper needs to give the descriptor back, made on first need (a wait, the
   * reserve, or the end of the job with the socket still open): a connection opened and
   * closed within one job never allocates it.
   */
  private held: Holdings | null = null;
  /** SO_PASSCRED / SO_PASSPIDFD as set through this socket: what a receive makes room for. */
  passcred = false;
  passpidfd = false;
  /**
   * Rights of the last messages handed out, closed at the next receive unless taken. Their
   * ownership records are held, not the lists: a dropped message is still reaped by GC
   * (which empties the record), and no WeakRef is made per message.
   */
  private untaken: Held[] | null = null;
  /**
   * Messages read from the kernel ahead of delivery by an iterator that was left early:
   * the next receive of any kind hands them out first, so nothing read is lost. Add to it
   * with keepReadAhead only (until then it is the shared, frozen, empty list).
   */
  readAhead: Message[] = NO_MESSAGES;
  /** The last sendmmsg stopped short (the queue filled): the next one tries a single message first (batch.ts). */
  batchFilled = false;
  /**
   * Unix seqpacket only: bytes of records known to be queued — what ioctl(SIOCINQ) counted,
   * less what this socket's recvmsg calls have read since. While it is above zero the next
   * read returns a record, never end-of-file, so it needs no poll(2) first (message.ts
   * recordProbe). Any other receive zeroes it (settle), as it cannot say what it consumed.
   */
  recordBytes = 0;
  /** Consecutive recvmsg reads that found a record: from 2 on, a drain is asked SIOCINQ instead of a poll per read. */
  recordRun = 0;
  /** The Waiting of each readiness mask, made on first use (transfer.ts waitingFor); none for a socket that never waits. */
  waitings: (Waiting | undefined)[] | undefined = undefined;

  /** Takes ownership of `fd` on behalf of `owner` (reaped when the owner is collected). */
  constructor(owner: object, fd: number, domain: number, type: number, protocol: number) {
    const stale = ownerOf(fd);
    if (stale !== undefined) {
      // The number was just handed out anew (socket, accept, dup3 onto it): the file the old
      // owner had is gone, closed behind its back by a raw close of the number. That owner
      // is released now without close(2), so it can never close the new file. (Adopting a
      // number a live Socket owns is refused earlier, in Socket.fromFd.)
      (stale as { core?: SocketCore }).core?.release(stale);
    }
    this.fd = fd;
    this.domain = domain;
    this.type = type;
    this.protocol = protocol;
    owners[fd] = owner;
    if (young.length >= youngRoom) compactYoung();
    young.push(fd);
    if (!settleQueued) {
      settleQueued = true;
      queueMicrotask(settleYoung);
    }
    own(fd);
  }

  private holdings(): Holdings {
    return this.held ??= { fd: this.fd, readiness: null, reserve: false };
  }

  /**
   * A message an iterator read ahead, kept for the next receive (batch.ts): the list is made
   * on first use, sockets that never read ahead share the frozen empty one.
   */
  keepReadAhead(m: Message): void {
    if (this.readAhead === NO_MESSAGES) this.readAhead = [];
    this.readAhead.push(m);
  }

  /** This core's WeakRef in `owners` once settled: compared by identity on release, never dereferenced (no keep-alive). */
  private ownerRef: WeakRef<object> | null = null;

  /** @internal End of the job that made this core: reaped if its owner is collected unclosed, found by number weakly. */
  settleOwnership(): void {
    if (this.fd < 0 || this.ownerRef !== null) return;
    const owner = owners[this.fd];
    if (owner === undefined || owner instanceof WeakRef || (owner as { core?: unknown }).core !== this) return;
    reaper.register(owner, this.holdings(), owner);
    this.ownerRef = new WeakRef(owner);
    owners[this.fd] = this.ownerRef;
  }

  /** The fd, or throws ERR_XSOCK_CLOSED. */
  live(): number {
    if (this.fd < 0) throw new XsockError('ERR_XSOCK_CLOSED', 'the socket is closed');
    return this.fd;
  }

  /** The descriptor's readiness (the shared watcher is made on first wait). */
  get readiness(): Readiness {
    const fd = this.live();
    const h = this.holdings();
    return h.readiness ??= Readiness.of(fd);
  }

  /** A try* call met EAGAIN for these bits: readiness subscribers may be told again. */
  drained(bits: number): void {
    this.held?.readiness?.drained(bits);
  }

  /**
   * A syscall's result: the count, null on EAGAIN (telling readiness the direction
   * drained), or the system error thrown.
   */
  settle(rc: number, bit: number, syscall: string, address?: AddressLike): number | null {
    if (bit !== POLL_OUT) this.recordBytes = 0;
    if (rc >= 0) return rc;
    if (rc === -C.EAGAIN) {
      this.drained(bit);
      return null;
    }
    throw systemError(rc, syscall, address === undefined ? undefined : describeAddress(address));
  }

  /**
   * Remembers the rights of a message handed out, to close them at the next receive; and
   * has them reaped by GC if the message is dropped while they are still held (registered
   * at the end of this job, so rights the next receive closes first never are).
   */
  keepUntaken(m: { fds: ReceivedFds; pidfd?: ReceivedFds | undefined }): void {
    const h = ReceivedFds.recordOf(m.fds);
    if (h !== null) this.keep(h, m.fds);
    if (m.pidfd !== undefined) {
      const p = ReceivedFds.recordOf(m.pidfd);
      if (p !== null) this.keep(p, m.pidfd);
    }
  }

  private keep(h: Held, list: ReceivedFds): void {
    (this.untaken ??= []).push(h);
    (this.unreaped ??= []).push(list);
    if (!this.reapQueued) {
      this.reapQueued = true;
      toReap.push(this);
      if (toReap.length === 1) queueMicrotask(reapLater);
    }
  }

  /** Lists of rights handed out and not yet registered with their reaper (see keepUntaken). */
  private unreaped: ReceivedFds[] | null = null;
  private reapQueued = false;

  /** @internal Registers the lists still holding rights with their reaper (end of the job). */
  registerUnreaped(): void {
    this.reapQueued = false;
    const u = this.unreaped;
    if (u === null) return;
    while (u.length > 0) ReceivedFds.reapWhenDropped(u.pop()!);
  }

  /**
   * A new receive is starting: descriptors of earlier messages the caller did not take()
   * are closed now, deterministically, rather than at some garbage collection.
   */
  releaseUntaken(): void {
    // Emptied by pop(), not `length = 0`: that goes through the runtime and drops the
    // backing store, which the next message's push() then grows again.
    const u = this.untaken;
    if (u === null) return;
    while (u.length > 0) closeHeld(u.pop()!);
    const r = this.unreaped; // closed: nothing left for a reaper
    if (r !== null) while (r.length > 0) r.pop();
  }

  /** Keeps the environment's spare descriptor while this (listening) socket lives: accept sheds on EMFILE. */
  holdReserve(): void {
    const h = this.holdings();
    if (h.reserve) return;
    h.reserve = true;
    holdReserve();
  }

  /** Stops watching and gives up ownership; returns the fd (or -1 when already released). */
  release(owner: object): number {
    const fd = this.fd;
    if (fd < 0) return -1;
    // What the socket still holds for its next reader goes with it.
    this.releaseUntaken();
    if (this.readAhead.length > 0) {
      for (const m of this.readAhead.splice(0)) {
        m.fds.close();
        m.pidfd?.close();
      }
    }
    const h = this.held;
    if (h !== null) {
      h.readiness?.close();
      h.readiness = null;
      h.fd = -1;
    }
    this.fd = -1;
    // Closed in the job that made it, as the last one made (an accepted connection answered
    // at once, a client closed right after connecting): no longer young, so a long
    // synchronous run of them leaves `young` as short as it found it.
    if (young[young.length - 1] === fd) young.pop();
    const e = owners[fd];
    if (this.ownerRef !== null) reaper.unregister(owner);
    if (e === owner || (e !== undefined && e === this.ownerRef)) owners[fd] = undefined;
    disown(fd);
    if (h !== null && h.reserve) {
      h.reserve = false;
      dropReserve();
    }
    // The caller closes (or hands over) the fd right after: a slot frees on this turn.
    if (freedListeners.size > 0) queueMicrotask(descriptorFreed);
    return fd;
  }
}
