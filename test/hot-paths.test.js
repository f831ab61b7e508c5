// The per-message fast paths: sender addresses decoded once per distinct sender, a
// connect destination encoded once per distinct unix name, small batches sent packed, the
// batch after a full queue offering one message, and ownership bookkeeping deferred to
// the end of the job. Each is checked against what the kernel
// delivers, and against the same answers the slow paths gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socket, socketpair } from '../dist/index.js';
import { socketOwning } from '../dist/socket/index.js';
import { join } from 'node:path';
import { checkFdsAtEnd, fdCount, abstractName, within, tempDir } from './helpers.js';

checkFdsAtEnd();

function receiverAndSenders(k) {
  const rx = socket('unix', 'dgram');
  rx.bind({ family: 'unix', abstract: abstractName('hot-rx') });
  const names = Array.from({ length: k }, (_, i) => abstractName(`hot-tx${i}`));
  const txs = names.map((n) => {
    const s = socket('unix', 'dgram');
    s.bind({ family: 'unix', abstract: n });
    return s;
  });
  return { rx, txs, names, close: () => { rx.close(); for (const s of txs) s.close(); } };
}

test('recvfrom: alternating senders each get their own address, and a caller changing one changes no other', () => {
  const { rx, txs, names, close } = receiverAndSenders(2);
  try {
    const to = rx.getsockname();
    for (let i = 0; i < 6; i++) assert.equal(txs[i % 2].trySendto(Buffer.from(`m${i}`), to), 2);
    const got = [];
    for (let d; (d = rx.tryRecvfrom(16)) !== null;) got.push(d);
    assert.equal(got.length, 6);
    got.forEach((d, i) => {
      assert.equal(d.data.toString(), `m${i}`);
      assert.deepEqual(d.from, { family: 'unix', abstract: names[i % 2] });
    });
    // Repeats of one sender: distinct objects, so a change to one is not seen by the next.
    for (let i = 0; i < 3; i++) txs[0].trySendto(Buffer.from('x'), to);
    const a = rx.tryRecvfrom(16);
    a.from.abstract = 'changed';
    const b = rx.tryRecvfrom(16);
    const c = rx.tryRecvfrom(16);
    assert.notEqual(b.from, c.from);
    assert.deepEqual(b.from, { family: 'unix', abstract: names[0] });
    assert.deepEqual(c.from, { family: 'unix', abstract: names[0] });
  } finally {
    close();
  }
});

test('recvBatch: senders decoded per message across batches; changing one changes no other', () => {
  const { rx, txs, names, close } = receiverAndSenders(3);
  try {
    const to = rx.getsockname();
    const order = [0, 0, 1, 2, 2, 0, 1, 1];
    for (const k of order) assert.equal(txs[k].trySendto(Buffer.from(`s${k}`), to), 2);
    const first = rx.tryRecvBatch({ count: 3, size: 16 });
    first[0].from.abstract = 'changed';
    const rest = rx.tryRecvBatch({ count: 64, size: 16 });
    const all = [...first, ...rest];
    assert.equal(all.length, order.length);
    all.slice(1).forEach((m, i) => {
      const k = order[i + 1];
      assert.equal(m.data.toString(), `s${k}`);
      assert.deepEqual(m.from, { family: 'unix', abstract: names[k] });
    });
  } finally {
    close();
  }
});

test('tryConnect: a destination given again goes where it names now (object changed in place, text, path vs abstract)', () => {
  const dir = tempDir();
  const same = join(dir, 's'); // one string, bound once as a path and once as an abstract name
  const n2 = abstractName('memo2');
  const listeners = {
    abs: { family: 'unix', abstract: same }, path: { family: 'unix', path: same }, n2: { family: 'unix', abstract: n2 },
  };
  const ls = {};
  for (const [k, a] of Object.entries(listeners)) {
    ls[k] = socket('unix', 'stream');
    ls[k].bind(a);
    ls[k].listen(8);
  }
  const to = { family: 'unix', abstract: same };
  const steps = [
    ['abs', () => to], ['abs', () => to],
    ['path', () => ({ family: 'unix', path: same })], // the same string, a path this time
    ['abs', () => ({ family: 'unix', abstract: same })], // and abstract again
    ['abs', () => to],
    ['n2', () => { to.abstract = n2; return to; }], // the same object, changed in place
    ['abs', () => ({ family: 'unix', abstract: Buffer.from(same) })],
    ['abs', () => `@${same}`], ['abs', () => `@${same}`],
    ['path', () => same], ['n2', () => `unix:@${n2}`],
  ];
  try {
    for (const [want, addr] of steps) {
      const c = socket('unix', 'stream');
      try {
        assert.equal(c.tryConnect(addr()), true);
        const by = [];
        for (const [k, l] of Object.entries(ls)) {
          const a = l.tryAccept();
          if (a !== null) by.push(k);
          a?.close();
        }
        assert.deepEqual(by, [want]);
      } finally {
        c.close();
      }
    }
    // A bad destination after a good one is still refused, naming the argument.
    const c = socket('unix', 'stream');
    try {
      assert.throws(() => c.tryConnect({ family: 'unix', abstract: 5 }), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"address\.abstract"/ });
      assert.throws(() => c.tryConnect({ family: 'unix', path: 'a\0b' }), /NUL/);
    } finally {
      c.close();
    }
  } finally {
    for (const l of Object.values(ls)) l.close();
  }
});

test('trySendBatch until EAGAIN: every message arrives once, in order, packed or as views', () => {
  for (const size of [64, 2000]) { // 64 x 64 B are packed; 64 x 2000 B go as views
    const [a, b] = socketpair('unix', 'dgram');
    try {
      const batch = (base) => Array.from({ length: 64 }, (_, i) => {
        const m = Buffer.alloc(size, 0x61);
        m.writeUInt32LE(base + i, 0);
        return m;
      });
      let sent = 0;
      let got = 0;
      let calls = 0;
      while (sent < 1000) {
        let k;
        while (sent < 1000 && (k = a.trySendBatch(batch(sent).slice(0, Math.min(64, 1000 - sent)))) !== null) {
          assert.ok(k >= 1 && k <= 64);
          sent += k;
          calls++;
        }
        for (let ms; (ms = b.tryRecvBatch({ count: 64, size })) !== null;) {
          for (const m of ms) {
            assert.equal(m.data.length, size);
            assert.equal(m.data.readUInt32LE(0), got++, `size ${size}: order`);
          }
        }
      }
      assert.equal(got, 1000, `size ${size}`);
      assert.ok(calls >= 1000 / 64);
    } finally {
      a.close();
      b.close();
    }
  }
});

test('a socket opened this job is found by its number, reaped if dropped, and its number reusable', async () => {
  const s = socket('unix', 'dgram');
  assert.equal(socketOwning(s.fd), s, 'found before the end of the job');
  await null;
  assert.equal(socketOwning(s.fd), s, 'and after');
  s.close();
  const before = fdCount();
  (() => { for (let i = 0; i < 20; i++) socket('unix', 'stream'); })(); // dropped unclosed in this job
  assert.equal(fdCount(), before + 20);
  for (let i = 0; i < 20 && fdCount() > before; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fdCount(), before, 'reaped');
  // Many short-lived sockets in one synchronous run: closed ones are dropped as it goes.
  for (let i = 0; i < 3000; i++) socket('unix', 'stream').close();
  assert.equal(fdCount(), before);
  const t = socket('unix', 'stream');
  await within(Promise.resolve(), 100, 'a turn');
  assert.equal(socketOwning(t.fd), t);
  t.close();
});

test('recvmsg and recvBatch copy each message out of the shared buffer: short and long, kept past the next receive', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    const sizes = [0, 1, 2, 63, 64, 65, 100, 4000, 3, 64];
    const body = (i, n) => Buffer.alloc(n, 0x30 + i);
    sizes.forEach((n, i) => a.trySend(body(i, n)));
    const kept = [];
    for (let i = 0; i < 5; i++) kept.push(b.tryRecvmsg({ size: 8192 }));
    kept.push(...b.tryRecvBatch({ count: 5, size: 8192 }));
    assert.equal(kept.length, sizes.length);
    kept.forEach((m, i) => assert.deepEqual(m.data, body(i, sizes[i]), `message ${i} (${sizes[i]} bytes)`));
  } finally {
    a.close();
    b.close();
  }
});
