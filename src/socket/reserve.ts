/**
 * The reserve descriptor (libuv's trick for EMFILE): one spare descriptor held per
 * environment while any listener asked for it (accept({ onEmfile: 'shed' })). When
 * accept(2) fails with EMFILE the spare is closed, the queued connection accepted into
 * the slot it freed and closed at once (the client sees its connection end instead of
 * hanging in the backlog), and the spare is reopened.
 *
 * The spare is /dev/null opened read-only and close-on-exec (open(2)); it is recorded
 * with the environment (the shim's own table) so a terminated worker's teardown closes it.
 */
import { openSync } from 'node:fs';
import { native } from '../binding.js';
import { own, disown } from './owned.js';
import { constants as C } from '../constants.js';

let spare = -1;
let holders = 0;

function reopen(): void {
  if (spare >= 0) return;
  try {
    spare = openSync('/dev/null', 'r');
    own(spare);
  } catch {
    spare = -1; // no slot free now; the next shed tries again
  }
}

/** A listener wants the spare kept (opened now, while a slot is free). */
export function holdReserve(): void {
  holders++;
  reopen();
}

/** A listener that held the spare is closed: the spare goes with the last one. */
export function dropReserve(): void {
  if (holders === 0) return;
  if (--holders > 0 || spare < 0) return;
  disown(spare);
  native.close(spare);
  spare = -1;
}

/**
 * accept(2) on `listener` failed with EMFILE: frees the spare, accepts and closes queued
 * connections (at most `max`), and takes the spare back. Returns how many were shed and
 * whether the queue was found empty (EAGAIN) — then readiness will announce the next one.
 */
export function shed(listener: number, max: number): { shed: number; drained: boolean } {
  let n = 0;
  let drained = false;
  while (n < max) {
    if (spare < 0) break; // no spare to give up: the caller backs off instead
    disown(spare);
    native.close(spare);
    spare = -1;
    const fd = native.acceptSlot(listener);
    if (fd >= 0) {
      native.close(fd);
      n++;
    }
    reopen();
    if (fd === -C.EAGAIN) {
      drained = true;
      break;
    }
    if (fd < 0 && fd !== -C.ECONNABORTED) break;
  }
  return { shed: n, drained };
}
