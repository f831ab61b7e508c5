// A zero-length seqpacket record is a message, not end-of-file: "a", "", "b" then a
// shutdown arrive as three messages and then the end, through every receiving face —
// recvmsg, recvBatch, messages(), the relay's channel and XTI t_rcv on /dev/ticots — and
// still when an independent sender races its shutdown against our reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { socketpair, socket } from '../dist/index.js';
import { t_open, t_bind, t_connect, t_listen, t_accept, t_alloc, t_rcv, t_look, t_close, O_RDWR, T_BIND, T_CALL, T_ALL, T_ORDREL, T_DISCONNECT, TLOOK } from '../dist/xti/index.js';
import { checkFdsAtEnd, tempDir, within, python, need } from './helpers.js';

checkFdsAtEnd();

function pattern(a) {
  a.trySend('a');
  a.trySend('');
  a.trySend('b');
  a.shutdown('write');
}

test('recvmsg: "a", "", "b" then end-of-file', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  try {
    pattern(a);
    const got = [];
    for (;;) {
      const m = await within(b.recvmsg(), 2000, 'recvmsg');
      if (m.eof) break;
      got.push(m.data.toString());
    }
    assert.deepEqual(got, ['a', '', 'b']);
    const again = await b.recvmsg();
    assert.equal(again.eof, true, 'end-of-file stays end-of-file');
  } finally {
    a.close(); b.close();
  }
});

test('recvBatch and messages(): the empty record is delivered, the end ends the batch', async () => {
  for (const face of ['batch', 'iterator']) {
    const [a, b] = socketpair('unix', 'seqpacket');
    try {
      pattern(a);
      const got = [];
      if (face === 'batch') {
        for (let done = false; !done;) {
          for (const m of await within(b.recvBatch(), 2000, 'recvBatch')) {
            if (m.eof) { done = true; break; }
            got.push(m.data.toString());
          }
        }
      } else {
        for await (const m of b.messages()) got.push(m.data.toString());
      }
      assert.deepEqual(got, ['a', '', 'b'], face);
    } finally {
      a.close(); b.close();
    }
  }
});

test('XTI t_rcv on /dev/ticots: the empty TSDU is read as 0 bytes, then T_ORDREL or T_DISCONNECT', async () => {
  const srv = t_open('/dev/ticots', O_RDWR, null);
  const cli = t_open('/dev/ticots', O_RDWR, null);
  const res = t_open('/dev/ticots', O_RDWR, null);
  try {
    const bind = t_alloc(srv, T_BIND, T_ALL);
    bind.qlen = 1;
    t_bind(srv, bind, bind);
    t_bind(cli, null, null);
    t_bind(res, null, null);
    const call = t_alloc(cli, T_CALL, T_ALL);
    bind.addr.buf.copy(call.addr.buf, 0, 0, bind.addr.len);
    call.addr.len = bind.addr.len;
    const connected = t_connect(cli, call, null);
    const ind = t_alloc(srv, T_CALL, T_ALL);
    await within(Promise.resolve(t_listen(srv, ind)), 3000, 't_listen');
    await within(Promise.resolve(t_accept(srv, res, ind)), 3000, 't_accept');
    await within(Promise.resolve(connected), 3000, 't_connect');
    const { lookup } = await import('../dist/socket/descriptors.js');
    pattern(lookup(cli));
    const buf = Buffer.alloc(16);
    const got = [];
    for (;;) {
      try {
        const n = await within(Promise.resolve(t_rcv(res, buf, buf.length, { flags: 0 })), 3000, 't_rcv');
        got.push(buf.toString('utf8', 0, n));
      } catch (err) {
        if (err.t_errno !== TLOOK) throw err;
        assert.ok([T_ORDREL, T_DISCONNECT].includes(t_look(res)));
        break;
      }
    }
    assert.deepEqual(got, ['a', '', 'b']);
  } finally {
    t_close(res); t_close(cli); t_close(srv);
  }
});

test('a python sender racing its shutdown against our reads: every sequence arrives exactly, 300 times', { skip: need('python3') }, async () => {
  const dir = tempDir();
  const path = join(dir, 'sq');
  const l = socket('unix', 'seqpacket');
  try {
    l.bind(path);
    l.listen(64);
    const ROUNDS = 300;
    const peer = python(`
import socket, sys
path, rounds = sys.argv[1], int(sys.argv[2])
print('READY', flush=True)
for r in range(rounds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    for i in range(r % 5):
        s.send(b'' if i % 2 else ('r%d-%d' % (r, i)).encode())
    s.send(b'')
    s.shutdown(socket.SHUT_WR)
    s.close()
`, [path, String(ROUNDS)], { seconds: 60 });
    await peer.ready;
    for (let r = 0; r < ROUNDS; r++) {
      const c = await within(l.accept(), 10000, `round ${r}: accept`);
      try {
        const got = [];
        for (;;) {
          const m = await within(c.recvmsg(), 5000, `round ${r}: recvmsg`);
          if (m.eof) break;
          got.push(m.data.toString());
        }
        const want = [];
        for (let i = 0; i < r % 5; i++) want.push(i % 2 ? '' : `r${r}-${i}`);
        want.push('');
        assert.deepEqual(got, want, `round ${r}`);
      } finally {
        c.close();
      }
    }
    assert.equal(await within(peer.exited, 10000, 'python exit'), 0);
  } finally {
    l.close();
  }
});
