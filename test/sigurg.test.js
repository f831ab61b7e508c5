// SIGURG: onUrgent() tells of urgent data when the kernel learns of the urgent pointer,
// before the byte is readable (the receive window is closed by a reader that does not
// read). The senders are python3 and xsock itself; the receivers live on the main thread
// and in worker threads.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { socket, socketpair, onUrgent, poll, POLLPRI } from '../dist/index.js';
import { checkFdsAtEnd, within, python, need, fdCount } from './helpers.js';
import { listener, pair, sendHeldBackUrgent, readThrough } from './sigurg-peer.js';

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

test('bad input: not a TCP socket, not a function, a closed socket', () => {
  const [a, b] = socketpair('unix', 'stream');
  open.push(a, b);
  assert.throws(() => onUrgent(a, () => {}), { code: 'ERR_XSOCK_WRONG_SOCKET_TYPE' });
  assert.throws(() => onUrgent({}, () => {}), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"sock"/ });
  const t = socket('inet', 'stream');
  open.push(t);
  assert.throws(() => onUrgent(t, 'f'), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"fn"/ });
  t.close();
  assert.throws(() => onUrgent(t, () => {}), { code: 'ERR_XSOCK_CLOSED' });
});

test('main thread, two sockets at once (xsock sender): each handler fires only for its own socket', async () => {
  const l = listener();
  open.push(l);
  const socks = { A: await pair(l), B: await pair(l) };
  for (const p of Object.values(socks)) open.push(p.c, p.s);
  const log = [];
  const waiting = {};
  const offs = Object.entries(socks).map(([name, p]) => onUrgent(p.s, (sock, state) => {
    log.push(`${name}: ${sock === p.s ? 'own' : 'other'} ${state}`);
    waiting[name]?.();
  }));
  try {
    for (const [name, p] of Object.entries(socks)) {
      const told = new Promise((r) => { waiting[name] = r; });
      log.push(`send ${name}`);
      const sent = await sendHeldBackUrgent(p.c);
      await within(told, 8000, `the notification on ${name}`);
      assert.equal(p.s.urgentState(), 'announced', 'the byte is held back');
      assert.equal(await readThrough(p.s, sent), '!'.charCodeAt(0));
      assert.equal(p.s.urgentState(), 'none');
    }
    assert.deepEqual(log, ['send A', 'A: own announced', 'send B', 'B: own announced']);
  } finally {
    for (const off of offs) off();
  }
});

test('a second urgent pointer while the first byte sits unread notifies again', async () => {
  const l = listener();
  open.push(l);
  const { c, s } = await pair(l);
  open.push(c, s);
  const told = [];
  let wake;
  const off = onUrgent(s, (sock, state) => { told.push(state); wake?.(); });
  try {
    let p = new Promise((r) => { wake = r; });
    const first = await sendHeldBackUrgent(c);
    await within(p, 8000, 'the first notification');
    // Read the normal data only: the window opens and the first urgent byte arrives, unread.
    const buf = Buffer.alloc(65536);
    for (let n = 0; n < first;) n += await within(s.recvInto(buf, 0), 5000, 'normal data');
    await within(poll([{ fd: s.fd, events: POLLPRI }], 5000), 5000, 'POLLPRI');
    assert.equal(s.urgentState(), 'arrived');
    p = new Promise((r) => { wake = r; });
    const second = await sendHeldBackUrgent(c);
    await within(p, 8000, 'the second notification');
    assert.deepEqual(told, ['announced', 'announced']);
    assert.equal(await readThrough(s, second), '!'.charCodeAt(0));
    assert.equal(s.urgentState(), 'none');
  } finally {
    off();
  }
});

// Connects, queues 30000 normal bytes behind the receiver's closed window, and sends its
// urgent byte when a line comes on stdin.
const STDIN_SENDER = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.connect(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'n' * 30000)
print('READY')
sys.stdin.readline()
s.send(b'!', socket.MSG_OOB)
time.sleep(10)
`;

test('worker threads: two workers with two sockets each (xsock and python3 senders) and the main thread, each told only of its own; terminate() leaks nothing', async (t) => {
  if (need('python3')) return t.skip(need('python3'));
  const before = fdCount();
  const l = listener();
  const m = await pair(l);
  const log = [];
  let mainTold;
  const mainP = new Promise((r) => { mainTold = r; });
  const off = onUrgent(m.s, (sock, state) => { log.push(`main: ${sock === m.s ? 'own' : 'other'} ${state}`); mainTold(); });
  const peers = [];
  const workers = ['W1', 'W2'].map((name) => {
    const w = new Worker(new URL('./sigurg-worker.child.js', import.meta.url), { workerData: { name } });
    let peer;
    const failed = new Promise((_, reject) => w.on('error', reject));
    failed.catch(() => {});
    const seen = (what) => Promise.race([failed, new Promise((resolve) => w.on('message', (msg) => { if (msg[what]) resolve(msg); }))]);
    w.on('message', (msg) => {
      if (msg.ready) peers.push(peer = python(STDIN_SENDER, [String(msg.port)]));
      else if (msg.call) log.push(`${msg.call}: ${msg.own ? 'own' : 'other'} ${msg.state} (${msg.now})`);
      else if (msg.sending) {
        log.push(`send ${msg.sending}`);
        if (msg.python) peer.child.stdin.write('go\n');
      } else if (msg.read) log.push(`read ${msg.read}: ${String.fromCharCode(msg.byte)}, then ${msg.after}`);
    });
    return { w, subscribed: seen('subscribed'), done: seen('done') };
  });
  try {
    for (const { subscribed } of workers) await within(subscribed, 10000, 'a worker subscribed');
    for (const p of peers) await p.ready;
    for (const { w, done } of workers) {
      w.postMessage('go');
      await within(done, 20000, 'a worker\'s urgent data');
    }
    log.push('send main');
    const sent = await sendHeldBackUrgent(m.c);
    await within(mainP, 8000, 'the notification on the main thread');
    assert.equal(await readThrough(m.s, sent), '!'.charCodeAt(0));
    await new Promise((r) => setTimeout(r, 100)); // a stray call from a worker would be in by now
    const steps = (w) => [
      `send ${w}A`, `${w}A: own announced (announced)`, `read ${w}A: !, then none`,
      `send ${w}B`, `${w}B: own announced (announced)`, `read ${w}B: !, then none`,
    ];
    assert.deepEqual(log, [...steps('W1'), ...steps('W2'), 'send main', 'main: own announced']);
  } finally {
    off();
    // Terminated while subscribed, with their sockets open: the environment teardown
    // closes both the sockets and the signal handle.
    for (const { w } of workers) await within(w.terminate(), 10000, 'worker termination');
    for (const s of [l, m.c, m.s]) s.close();
    for (const p of peers) {
      p.child.kill();
      await within(p.exited, 5000, 'a python sender');
    }
  }
  assert.equal(fdCount(), before, 'descriptors left behind by terminated workers');
});

test("Node's process.on('SIGURG') and onUrgent share the signal: either keeps working when the other comes or goes", async () => {
  const l = listener();
  open.push(l);
  const a = await pair(l);
  const b = await pair(l);
  open.push(a.c, a.s, b.c, b.s);
  const told = [];
  const waiting = {};
  const offs = [['a', a], ['b', b]].map(([name, p]) => onUrgent(p.s, (sock, state) => { told.push(`${name} ${state}`); waiting[name]?.(); }));
  let nodeCalls = 0;
  let nodeTold;
  const nodeListener = () => { nodeCalls++; nodeTold?.(); };
  try {
    // Added after onUrgent: Node's listener and ours are both told of the kernel's SIGURG.
    process.on('SIGURG', nodeListener);
    let nodeP = new Promise((r) => { nodeTold = r; });
    let p = new Promise((r) => { waiting.a = r; });
    const sentA = await sendHeldBackUrgent(a.c);
    await within(Promise.all([p, nodeP]), 8000, 'both SIGURG listeners');
    assert.equal(await readThrough(a.s, sentA), '!'.charCodeAt(0));
    // Node's listener gone: onUrgent is still told.
    process.removeListener('SIGURG', nodeListener);
    const seen = nodeCalls;
    p = new Promise((r) => { waiting.b = r; });
    const sentB = await sendHeldBackUrgent(b.c);
    await within(p, 8000, 'the notification after Node\'s listener left');
    assert.equal(await readThrough(b.s, sentB), '!'.charCodeAt(0));
    assert.equal(nodeCalls, seen);
    assert.deepEqual(told, ['a announced', 'b announced']);
    // onUrgent gone: a listener of Node's added now is told of a SIGURG.
    for (const off of offs.splice(0)) off();
    process.on('SIGURG', nodeListener);
    nodeP = new Promise((r) => { nodeTold = r; });
    process.kill(process.pid, 'SIGURG');
    await within(nodeP, 5000, 'Node\'s SIGURG listener');
    assert.deepEqual(told, ['a announced', 'b announced'], 'unsubscribed handlers are not called');
  } finally {
    process.removeListener('SIGURG', nodeListener);
    for (const off of offs) off();
  }
});
