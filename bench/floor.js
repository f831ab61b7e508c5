// The N-API floor of the single-process workloads: bench/msg.js's loops with the library
// taken out — the shim's functions called straight, arguments prepared once, no checks,
// no ownership, no objects per message. Nothing built on Node-API, one system call per
// call, can do the work faster on this machine, so floor/C bounds what xsock/C can reach
// and xsock/floor is what the library itself costs. Not an API: it imports the internal
// binding and hands the kernel's results back unchecked.
import { openSync, closeSync } from 'node:fs';
import { native } from '../dist/binding.js';
import { sendCall, recvCall, recvfromCall } from '../dist/socket/data-call.js';
import { constants as C } from '../dist/constants.js';
import { ADDR_BUF_SIZE } from '../dist/address.js';
import { destination } from '../dist/socket/address-slots.js';
import { socketpair, socket } from '../dist/index.js';
import { frames, u32Frame } from './frames.js';

const EAGAIN = -C.EAGAIN;

// The data calls through the shim's own calling convention (socket/data-call.ts: the
// scalars written to scratch, the call, the result read back), flags always 0.
const send = (fd, b, off, len) => sendCall(fd, b, off, len, 0);
const recv = (fd, b, off, len) => recvCall(fd, b, off, len, 0);
const recvfrom = (fd, b, off, len, from) => recvfromCall(fd, b, off, len, 0, from);

/** Two ends of a pair as bare numbers (the Sockets stay alive and close them at the end). */
function pair(type) {
  const [a, b] = socketpair('unix', type);
  return { a, b, fa: a.fd, fb: b.fd, close: () => { a.close(); b.close(); } };
}

function check(rc, what) {
  if (rc < 0 && rc !== EAGAIN) throw new Error(`${what}: errno ${-rc}`);
  return rc;
}

export function fdpass(n) {
  const p = pair('seqpacket');
  const f = openSync('/dev/null', 'r');
  const ctl = Buffer.alloc(24); // one cmsghdr of SCM_RIGHTS with one int
  ctl.writeUInt32LE(20, 0);
  ctl.writeInt32LE(C.SOL_SOCKET, 8);
  ctl.writeInt32LE(C.SCM_RIGHTS, 12);
  ctl.writeInt32LE(f, 16);
  const one = Buffer.from('x');
  const rbuf = Buffer.alloc(16);
  const rctl = Buffer.alloc(24);
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n && check(native.sendmsg(p.fa, one, null, 0, ctl, 24, 0), 'sendmsg') >= 0) sent++;
    while (check(native.recvmsg(p.fb, rbuf, null, rctl, C.MSG_CMSG_CLOEXEC), 'recvmsg') >= 0) {
      native.close(rctl.readInt32LE(16));
      got++;
    }
  }
  closeSync(f);
  p.close();
  return got;
}

function messages(n, type, unconn) {
  let tx, rx, close;
  if (unconn) {
    const name = { family: 'unix', abstract: `xsock-floor-${process.pid}` };
    rx = socket('unix', 'dgram');
    tx = socket('unix', 'dgram');
    rx.bind(name);
    tx.bind({ family: 'unix' });
    tx.tryConnect(name);
    close = () => { tx.close(); rx.close(); };
  } else {
    const p = pair(type);
    [tx, rx, close] = [p.a, p.b, p.close];
  }
  const ftx = tx.fd;
  const frx = rx.fd;
  const msg = Buffer.alloc(64, 0x64);
  const buf = Buffer.alloc(64);
  const from = Buffer.alloc(ADDR_BUF_SIZE);
  let sent = 0;
  let got = 0;
  while (got < n) {
    while (sent < n && check(send(ftx, msg, 0, 64), 'send') >= 0) sent++;
    if (unconn) while (check(recvfrom(frx, buf, 0, 64, from), 'recvfrom') >= 0) got++;
    else while (check(recv(frx, buf, 0, 64), 'recv') >= 0) got++;
  }
  close();
  return got;
}

export const dgram = (n) => messages(n, 'dgram', false);
export const dgramUnconn = (n) => messages(n, 'dgram', true);
export const seqpacket = (n) => messages(n, 'seqpacket', false);

export function streamU32(n) {
  const p = pair('stream');
  const frame = u32Frame();
  const inb = Buffer.alloc(1 << 16);
  let have = 0;
  let sent = 0;
  let got = 0;
  const drain = () => {
    for (;;) {
      const r = check(recv(p.fb, inb, have, inb.length - have), 'recv');
      if (r < 0) return;
      const [k, q] = frames(inb, have + r);
      got += k;
      inb.copy(inb, 0, q, have + r);
      have = have + r - q;
    }
  };
  while (got < n) {
    while (sent < n) {
      const w = check(send(p.fa, frame, 0, 68), 'send');
      if (w < 0) break;
      for (let off = w; off < 68;) {
        const k = check(send(p.fa, frame, off, 68 - off), 'send');
        if (k < 0) drain();
        else off += k;
      }
      sent++;
    }
    drain();
  }
  p.close();
  return got;
}

export function accept(n) {
  // The shim's registered address slots, as the library's connect and accept use them.
  const len = destination.encode({ family: 'unix', abstract: `xsock-floor-${process.pid}-acc` });
  const l = native.socket(C.AF_UNIX, C.SOCK_STREAM, 0);
  check(native.bind(l, destination.buf, len), 'bind');
  check(native.listen(l, 64), 'listen');
  const inflight = [];
  let made = 0;
  let done = 0;
  while (done < n) {
    while (inflight.length < 8 && made < n) {
      const c = check(native.socket(C.AF_UNIX, C.SOCK_STREAM, 0), 'socket');
      if (check(native.connectSlot(c, len), 'connect') < 0) throw new Error('connect did not complete at once');
      inflight.push(c);
      made++;
    }
    const a = check(native.acceptSlot(l), 'accept');
    if (a < 0) throw new Error('nothing to accept');
    native.close(a);
    native.close(inflight.pop());
    done++;
  }
  for (const c of inflight) native.close(c);
  native.close(l);
  return done;
}
