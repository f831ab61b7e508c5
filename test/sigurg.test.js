// SIGURG: onUrgent() tells of urgent data when the kernel learns of the urgent pointer,
// before the byte is readable (the receive window is closed by a reader that does not
// read). The sender is python3.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { socket, socketpair, onUrgent, poll, POLLPRI } from '../dist/index.js';
import { checkFdsAtEnd, within, python, need } from './helpers.js';

checkFdsAtEnd();
const open = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

// Fills the receiver's (tiny) window from a large send buffer, then sends one urgent byte:
// its pointer reaches the receiver in window probes while the byte itself cannot. Less
// than 64 KiB is queued: the urgent pointer is a 16-bit offset from the unacknowledged data.
const SENDER = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.connect(('127.0.0.1', int(sys.argv[1])))
s.setblocking(False)
sent = 0
try:
    while sent < 30000:
        sent += s.send(b'n' * 4096)
except BlockingIOError:
    pass
time.sleep(0.2)
s.send(b'!', socket.MSG_OOB)
print('SENT', sent + 1); print('READY')
s.setblocking(True)
time.sleep(float(sys.argv[2]))
s.close()
`;

async function receiver(count) {
  const l = socket('inet', 'stream');
  open.push(l);
  l.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 2048); // inherited: a window a few segments wide
  l.bind('127.0.0.1:0');
  l.listen();
  const out = [];
  for (let i = 0; i < count; i++) {
    const peer = python(SENDER, [String(l.getsockname().port), '10']);
    const s = await l.accept({ timeout: 5000 });
    open.push(s);
    out.push({ s, peer });
  }
  return out;
}

test('the notification comes while the urgent byte is held back by a closed window; then the byte is read', async () => {
  if (need('python3')) return;
  const [{ s, peer }] = await receiver(1);
  const calls = [];
  let told;
  const toldP = new Promise((r) => { told = r; });
  const off = onUrgent(s, (sock, state) => {
    // Checked in the handler, as a SIGURG handler would: the byte is not readable yet.
    calls.push({ state, pri: 0 });
    told({ sock, state });
  });
  try {
    const { sock, state } = await within(toldP, 8000, 'the urgent notification');
    assert.equal(sock, s);
    assert.equal(state, 'announced', 'the pointer is known, the byte is not in');
    assert.equal(s.urgentState(), 'announced');
    assert.equal((await poll([{ fd: s.fd, events: POLLPRI }], 0))[0].revents & POLLPRI, 0, 'POLLPRI has not fired: the byte is not readable');
    assert.equal(s.tryRecvOob(), null);
    await peer.ready;
    // Read the normal data: the window opens, the byte arrives, recv(MSG_OOB) gets it.
    const buf = Buffer.alloc(65536);
    let n = 0;
    const total = Number(peer.lines.find((x) => x.startsWith('SENT')).split(' ')[1]) - 1;
    while (n < total) n += await within(s.recvInto(buf, 0), 5000, 'normal data');
    assert.equal(await within(s.recvOob({ timeout: 5000 }), 5000, 'the urgent byte'), '!'.charCodeAt(0));
    assert.equal(s.urgentState(), 'none');
    assert.ok(calls.length >= 1);
  } finally {
    off();
    peer.child.kill();
    await within(peer.exited, 5000, 'the sender');
  }
});

test('several sockets: only the one with new urgent data is told', async () => {
  if (need('python3')) return;
  const l = socket('inet', 'stream');
  open.push(l);
  l.setsockopt('SOL_SOCKET', 'SO_RCVBUF', 2048);
  l.bind('127.0.0.1:0');
  l.listen();
  const quiet = python(`
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.send(b'hello'); print('READY'); time.sleep(5)`, [String(l.getsockname().port)]);
  const q = await l.accept({ timeout: 5000 });
  open.push(q);
  await quiet.ready;
  const loud = python(SENDER, [String(l.getsockname().port), '5']);
  const u = await l.accept({ timeout: 5000 });
  open.push(u);
  const told = [];
  let done;
  const first = new Promise((r) => { done = r; });
  const offs = [q, u].map((s) => onUrgent(s, (sock, state) => { told.push([sock === u ? 'loud' : 'quiet', state]); done(); }));
  try {
    await within(first, 8000, 'the urgent notification');
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(told.length >= 1 && told.every(([who]) => who === 'loud'), JSON.stringify(told));
    assert.equal(q.urgentState(), 'none');
  } finally {
    for (const off of offs) off();
    for (const p of [quiet, loud]) {
      p.child.kill();
      await within(p.exited, 5000, 'a peer');
    }
  }
});

test('bad input: not a TCP socket, not a function; refused in a worker thread', async () => {
  const [a, b] = socketpair('unix', 'stream');
  open.push(a, b);
  assert.throws(() => onUrgent(a, () => {}), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  assert.throws(() => onUrgent({}, () => {}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"sock"/ });
  const t = socket('inet', 'stream');
  open.push(t);
  assert.throws(() => onUrgent(t, 'f'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fn"/ });
  const w = new Worker(`
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}).then(({ socket, onUrgent }) => {
      const s = socket('inet', 'stream');
      try { onUrgent(s, () => {}); parentPort.postMessage('accepted'); } catch (e) { parentPort.postMessage(e.code); }
      s.close();
    });`, { eval: true });
  const msg = await within(new Promise((r) => w.once('message', r)), 5000, 'the worker');
  await w.terminate();
  assert.equal(msg, 'ERR_XSOCK_WRONG_SOCKET_TYPE');
});
