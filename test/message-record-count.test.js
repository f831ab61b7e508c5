// A unix seqpacket reader tells an empty record from end-of-file before it reads. In a
// drain it does so once for the whole queue — ioctl(SIOCINQ) counts the bytes queued and
// every record read is taken off that count — rather than with a poll(2) per record. These
// tests hold the count to the truth: empty records inside and at the end of a drain,
// records cut short, other receives consuming behind the count's back, a peek, and an
// independent sender; and they count the probes with strace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { socketpair, socket } from '../dist/index.js';
import { constants as C } from '../dist/constants.js';
import { checkFdsAtEnd, need, tempDir, within, python } from './helpers.js';

checkFdsAtEnd();

/** Record i of a run: lengths cycle through empty, small, and a few bigger ones. */
const lengthOf = (i) => [0, 5, 0, 0, 64, 1, 300, 0, 2][i % 9];
const recordOf = (i) => Buffer.alloc(lengthOf(i), 97 + (i % 26));

/** Everything queued, as tryRecvmsg returns it until it says "nothing now" or end-of-file. */
function drain(b, opts) {
  const got = [];
  for (let m; (m = b.tryRecvmsg(opts)) !== null;) {
    got.push(m.eof ? 'EOF' : m.data.toString('latin1'));
    if (m.eof) break;
  }
  return got;
}

test('a drain with empty records among them, then more, then the end: every record and one end-of-file', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    const want = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 90; i++) {
        a.trySend(recordOf(i));
        want.push(recordOf(i).toString('latin1'));
      }
      assert.deepEqual(drain(b), want.splice(0), `round ${round}`);
    }
    for (let i = 0; i < 40; i++) {
      a.trySend(recordOf(i + 2));
      want.push(recordOf(i + 2).toString('latin1'));
    }
    for (let i = 0; i < 2; i++) { // the last records before the end are empty
      a.trySend('');
      want.push('');
    }
    a.shutdown('write');
    assert.deepEqual(drain(b), [...want, 'EOF']);
    assert.deepEqual(drain(b), ['EOF'], 'end-of-file stays end-of-file');
  } finally {
    a.close();
    b.close();
  }
});

test('records cut short (MSG_TRUNC) and peeks keep the count honest', () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    for (let i = 0; i < 30; i++) a.trySend(i % 3 === 0 ? '' : 'x'.repeat(10 + i));
    const got = [];
    for (let i = 0; i < 30; i++) {
      if (i % 4 === 0) {
        const p = b.tryRecvmsg({ size: 64, flags: C.MSG_PEEK });
        assert.equal(p.data.length, i % 3 === 0 ? 0 : 10 + i, `peek ${i}`);
      }
      const m = b.tryRecvmsg({ size: 4 });
      assert.equal(m.eof, false, `record ${i} is not the end`);
      assert.equal(m.bytes, i % 3 === 0 ? 0 : 4);
      assert.equal((m.flags & C.MSG_TRUNC) !== 0, i % 3 !== 0);
      got.push(m.data.length);
    }
    a.close();
    assert.deepEqual(drain(b), ['EOF']);
    assert.equal(got.filter((n) => n === 0).length, 10);
  } finally {
    a.close();
    b.close();
  }
});

test('records consumed by another receive are not counted again: end-of-file after them is end-of-file', () => {
  for (const other of ['tryRecvInto', 'tryRecv', 'tryRecvBatch']) {
    const [a, b] = socketpair('unix', 'seqpacket');
    try {
      for (let i = 0; i < 20; i++) a.trySend(`r${i}`);
      // Two records in a row: the count of the whole queue is taken.
      assert.equal(b.tryRecvmsg().data.toString(), 'r0');
      assert.equal(b.tryRecvmsg().data.toString(), 'r1');
      assert.equal(b.tryRecvmsg().data.toString(), 'r2');
      // The rest is read another way; then the peer goes.
      let n = 0;
      if (other === 'tryRecvBatch') for (let ms; (ms = b.tryRecvBatch({ count: 64, size: 16 })) !== null;) n += ms.length;
      else if (other === 'tryRecv') while (b.tryRecv(16) !== null) n++;
      else while (b.tryRecvInto(Buffer.alloc(16)) !== null) n++;
      assert.equal(n, 17, other);
      a.close();
      const m = b.tryRecvmsg();
      assert.equal(m?.eof, true, `${other}: the read after the peer left is end-of-file, not an empty record`);
    } finally {
      a.close();
      b.close();
    }
  }
});

test('an independent sender (python) racing its close against our drain: records, then one end-of-file', { skip: need('python3') }, async () => {
  const dir = tempDir();
  const path = join(dir, 's');
  const l = socket('unix', 'seqpacket');
  try {
    l.bind({ family: 'unix', path });
    l.listen(1);
    const peer = python(`
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
for i in range(3000):
    s.send(b'' if i % 4 == 0 else bytes([97 + i % 26]) * (i % 7 + 1))
s.close()
`, [path], { ready: false });
    const c = await within(l.accept(), 5000, 'accept');
    try {
      const got = [];
      for (;;) {
        const m = await within(c.recvmsg({ size: 16 }), 5000, 'recvmsg');
        if (m.eof) break;
        got.push(m.data.toString('latin1'));
      }
      assert.equal(got.length, 3000);
      for (let i = 0; i < 3000; i++) assert.equal(got[i], i % 4 === 0 ? '' : String.fromCharCode(97 + i % 26).repeat(i % 7 + 1), `record ${i}`);
      await within(peer.exited, 5000, 'python exit');
    } finally {
      c.close();
    }
  } finally {
    l.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a drain of 2000 records asks the kernel a handful of times, not once per record', { skip: need('strace') }, () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'counts');
    const code = `
const { socketpair } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
const [a, b] = socketpair('unix', 'seqpacket');
let got = 0;
for (let round = 0; round < 20; round++) {
  for (let i = 0; i < 100; i++) a.trySend(i % 10 === 0 ? '' : 'x');
  for (let m; (m = b.tryRecvmsg({ size: 8 })) !== null;) got++;
}
if (got !== 2000) throw new Error('got ' + got);
a.close(); b.close();`;
    const r = spawnSync('strace', ['-c', '-o', file, '-e', 'trace=poll,ioctl,recvmsg', process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const calls = new Map();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 5 && /^\d/.test(f[0])) calls.set(f[f.length - 1], Number(f[3]));
    }
    assert.equal(calls.get('recvmsg'), 2000, 'one read per record');
    const probes = (calls.get('poll') ?? 0) + (calls.get('ioctl') ?? 0);
    // Per round: a poll for each of the first two records, a count, a recount after every
    // empty record read off it, and the poll that finds the queue empty.
    assert.ok(probes <= 20 * 16, `${probes} probes for 2000 records`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
