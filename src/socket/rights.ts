/**
 * Ownership of received rights (descriptors that arrived with SCM_RIGHTS or SCM_PIDFD).
 *
 * The kernel installs a received descriptor in this process the moment recvmsg(2)
 * returns; if nobody closes it, it leaks. So every received fd belongs to the library
 * until the caller take()s it: close() releases the rest, and a message dropped unread
 * is reaped when garbage-collected (close(2) on each fd still held).
 */
import { native } from '../binding.js';
import { own, disown } from './owned.js';

/** The descriptors one ReceivedFds still owns: shared with the reaper, emptied when closed or taken. */
export interface Held { fds: number[] }

/** Symbol.dispose where the runtime has it (Node 20.4+), so `using` works on received rights. */
const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('nodejs.dispose') as typeof Symbol.dispose);

/** close(2) on every descriptor `h` still holds; idempotent (a record is emptied first). */
export function closeHeld(h: Held): void {
  const fds = h.fds;
  if (fds.length === 0) return; // closed or taken already
  h.fds = NONE;
  for (let i = 0; i < fds.length; i++) {
    const fd = fds[i]!;
    if (fd < 0) continue;
    disown(fd);
    native.close(fd);
  }
}

const reaper = new FinalizationRegistry<Held>(closeHeld);

/** The emptied record's list (never written: records are only ever replaced, not pushed to). */
const NONE: number[] = Object.freeze([]) as unknown as number[];

/**
 * The descriptors of one received message: an Array of fd numbers (index, length and
 * iteration work) that also owns them. A peeked duplicate closed at once reads as -1.
 */
export class ReceivedFds extends Array<number> {
  /** map/filter/slice give plain arrays: only the message's own list owns descriptors. */
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  #held: Held | null = null;

  /** @internal Takes ownership of `fds` (already installed in this process) and of the array itself. */
  static adopt(fds: number[]): ReceivedFds {
    const r = ReceivedFds.adoptUnreaped(fds);
    ReceivedFds.reapWhenDropped(r);
    return r;
  }

  /**
   * @internal adopt() without the garbage-collection reaping yet: the receiving socket
   * holds the list strongly and calls reapWhenDropped before anything can drop it (at the
   * end of the current job at the latest), unless its next receive has closed it first —
   * which a busy reader's does, so it never pays for a registration per message.
   */
  static adoptUnreaped(fds: number[]): ReceivedFds {
    // Made at its length and filled by index: push() on an Array subclass costs twice as much.
    const r = new ReceivedFds(fds.length);
    for (let i = 0; i < fds.length; i++) r[i] = fds[i]!;
    if (fds.length > 0) {
      // Recorded with the environment, so a terminated worker's teardown closes them too.
      for (let i = 0; i < fds.length; i++) own(fds[i]!);
      r.#held = { fds };
    }
    return r;
  }

  /** @internal Closes what `r` still holds once `r` is garbage-collected (nothing when it holds none). */
  static reapWhenDropped(r: ReceivedFds): void {
    const h = r.#held;
    if (h !== null && h.fds.length > 0) reaper.register(r, h);
  }

  /** @internal A list that records how many fds arrived but holds none (closed peeks). */
  static closedCount(n: number): ReceivedFds {
    const r = new ReceivedFds(n);
    for (let i = 0; i < n; i++) r[i] = -1;
    return r;
  }

  /**
   * @internal The ownership record while it holds descriptors (else null). A socket keeps
   * these strongly until its next receive — the record, not the list, so a message dropped
   * unread is still collected and reaped — and closing it empties the list's record too.
   */
  static recordOf(r: ReceivedFds): Held | null {
    const h = r.#held;
    return h !== null && h.fds.length > 0 ? h : null;
  }

  /** True while the library still owns (and will close) these descriptors. */
  get owned(): boolean {
    return this.#held !== null && this.#held.fds.length > 0;
  }

  /** Hands the descriptors to the caller, who must close them; later calls give []. */
  take(): number[] {
    const h = this.#held;
    if (h === null) return [];
    this.#held = null;
    // Left registered on purpose: unregister costs more than the emptied record's no-op reaping.
    const fds = h.fds;
    if (fds.length === 0) return []; // closed already (a later receive): the caller's own array
    h.fds = NONE;
    for (let i = 0; i < fds.length; i++) disown(fds[i]!);
    return fds;
  }

  /** close(2) on every descriptor not taken. Idempotent. */
  close(): void {
    const h = this.#held;
    if (h === null) return;
    this.#held = null;
    closeHeld(h);
  }

  /** `using fds = msg.fds`: closes what was not taken when the scope ends. */
  [disposeSymbol](): void {
    this.close();
  }
}

/** The shared list for messages that carried no descriptors (nothing to own or reap). */
export const NO_FDS: ReceivedFds = Object.freeze(ReceivedFds.adopt([])) as ReceivedFds;
