// Urgent data held back by a closed receive window, made with xsock on both ends; shared
// by sigurg.test.js and its worker (sigurg-worker.child.js), so it imports no node:test.
import { socket, constants as C } from '../dist/index.js';

/** Rejects after ms with a message naming what was awaited. */
export function bounded(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]);
}

/** A loopback listener whose accepted sockets inherit a receive buffer a few segments wide. */
export function listener() {
  const l = socket('inet', 'stream');
  l.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 2048);
  l.bind('127.0.0.1:0');
  l.listen();
  return l;
}

/** A connected pair: `c` the sender (a large send buffer), `s` the receiver that does not read. */
export async function pair(l) {
  const c = socket('inet', 'stream');
  c.setsockopt('SOL_SOCKET', 'SO_SNDBUF', 1 << 20);
  await c.connect(`127.0.0.1:${l.getsockname().port}`, { timeout: 5000 });
  const s = await l.accept({ timeout: 5000 });
  return { c, s };
}

/**
 * Fills the receiver's window, then sends one urgent byte: its pointer reaches the receiver
 * in window probes while the byte cannot. Stops at EAGAIN or 30000 bytes: the urgent
 * pointer is a 16-bit offset from the unacknowledged data, so less than 64 KiB is queued.
 * Returns the normal bytes sent.
 */
export async function sendHeldBackUrgent(c) {
  const chunk = Buffer.alloc(4096, 'n');
  let sent = 0;
  while (sent < 30000) {
    const n = c.trySend(chunk);
    if (n === null) break;
    sent += n;
  }
  await new Promise((r) => setTimeout(r, 200)); // the receiver's window closes
  if (c.trySend('!', C.MSG_OOB) !== 1) throw new Error('the urgent byte was not queued');
  return sent;
}

/** Reads the `count` normal bytes (opening the window), then the urgent byte. */
export async function readThrough(s, count) {
  const buf = Buffer.alloc(65536);
  let n = 0;
  while (n < count) n += await bounded(s.recvInto(buf, 0), 5000, 'normal data');
  return bounded(s.recvOob({ timeout: 5000 }), 5000, 'the urgent byte');
}
