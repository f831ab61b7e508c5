// Out-of-band data on TCP and unix stream: the mark, sockatmark, priority readiness.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { socket, socketpair, constants as C, POLL_PRI } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

const open = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

async function tcpPair() {
  const l = socket('inet', 'stream');
  open.push(l);
  l.bind('127.0.0.1:0');
  l.listen();
  const c = socket('inet', 'stream');
  open.push(c);
  const [, s] = await Promise.all([c.connect(l.getsockname(), { timeout: 2000 }), l.accept({ timeout: 2000 })]);
  open.push(s);
  c.setsockopt('IPPROTO_TCP', 'TCP_NODELAY', true);
  return { a: c, b: s };
}
function unixPair() {
  const [a, b] = socketpair('unix', 'stream');
  open.push(a, b);
  return { a, b };
}
const kinds = { tcp: tcpPair, unix: async () => unixPair() };

/** Reads normal data until the mark (or `n` bytes). */
async function readToMark(s, n) {
  let got = '';
  while (got.length < n && !s.sockatmark()) got += (await within(s.recvmsg({ size: n - got.length }), 2000, 'normal data')).data.toString();
  return got;
}

for (const [kind, make] of Object.entries(kinds)) {
  test(`${kind}: the mark stops a normal read; sockatmark; recvmsg(MSG_OOB) gets the urgent byte`, async () => {
    const { a, b } = await make();
    const urgent = b.readiness.wait(POLL_PRI, { timeout: 2000 });
    await a.sendmsg({ data: 'abc' });
    await a.sendmsg({ data: 'X', flags: C.MSG_OOB });
    await a.sendmsg({ data: 'ef' });
    assert.ok((await urgent) & POLL_PRI, 'priority readiness reported');
    const first = await within(b.recvmsg({ size: 100 }), 2000, 'data before the mark');
    assert.equal(first.data.toString(), 'abc', 'read stopped at the mark');
    assert.equal(b.sockatmark(), true);
    const oob = await b.recvmsg({ size: 10, flags: C.MSG_OOB });
    assert.equal(oob.data.toString(), 'X');
    if (kind === 'tcp') assert.ok(oob.flags & C.MSG_OOB, 'MSG_OOB reported in flags');
    let rest = '';
    while (rest.length < 2) rest += (await within(b.recvmsg({ size: 10 }), 2000, 'data after the mark')).data.toString();
    assert.equal(rest, 'ef');
    assert.equal(b.sockatmark(), false, 'past the mark');
  });

  test(`${kind}: a second urgent byte turns the first into normal data`, async () => {
    const { a, b } = await make();
    const urgent = b.readiness.wait(POLL_PRI, { timeout: 2000 });
    a.send('a1', C.MSG_OOB);
    await urgent;
    a.send('2', C.MSG_OOB);
    await new Promise((r) => setTimeout(r, 50)); // loopback: the second segment is in by now
    assert.equal(await readToMark(b, 10), 'a1', 'the old urgent byte reads as normal data');
    assert.equal(b.sockatmark(), true);
    assert.equal(String.fromCharCode(await b.recvOob({ timeout: 2000 })), '2');
  });

  test(`${kind}: no urgent data pending gives EINVAL; tryRecvOob gives null; recvOob waits for it`, async () => {
    const { a, b } = await make();
    assert.throws(() => b.tryRecvmsg({ flags: C.MSG_OOB }), { code: 'EINVAL', syscall: 'recvmsg' });
    assert.equal(b.tryRecvOob(), null);
    const pending = b.recvOob({ timeout: 3000 });
    setTimeout(() => a.send('Z', C.MSG_OOB), 20);
    assert.equal(String.fromCharCode(await pending), 'Z');
    assert.throws(() => b.tryRecvmsg({ flags: C.MSG_OOB }), { code: 'EINVAL' }, 'already read: EINVAL again');
  });

  test(`${kind}: SO_OOBINLINE leaves the urgent byte in the stream; recvOob fails instead of hanging`, async () => {
    const { a, b } = await make();
    b.setsockopt('SOL_SOCKET', 'SO_OOBINLINE', true);
    assert.equal(b.getsockopt('SOL_SOCKET', 'SO_OOBINLINE'), true);
    const urgent = b.readiness.wait(POLL_PRI, { timeout: 2000 });
    a.send('pq', C.MSG_OOB);
    await urgent;
    await assert.rejects(b.recvOob({ timeout: 2000 }), { code: 'EINVAL' });
    let got = '';
    while (got.length < 2) got += (await within(b.recvmsg({ size: 10 }), 2000, 'inline')).data.toString();
    assert.equal(got, 'pq');
  });

  test(`${kind}: a priority subscriber is told once urgent data arrives`, async () => {
    const { a, b } = await make();
    const told = new Promise((resolve) => {
      const off = b.readiness.subscribe(POLL_PRI, (ev) => { off(); resolve(ev); });
    });
    a.send('!', C.MSG_OOB);
    assert.ok((await within(told, 2000, 'SIGPOLL-like notification')) & POLL_PRI);
    assert.equal(b.tryRecvOob(), '!'.charCodeAt(0));
  });
}

test('seqpacket and dgram: MSG_OOB gives EOPNOTSUPP; recvOob rejects at once', async () => {
  for (const type of ['seqpacket', 'dgram']) {
    const [a, b] = socketpair('unix', type);
    open.push(a, b);
    await assert.rejects(a.sendmsg({ data: 'x', flags: C.MSG_OOB }), { code: 'EOPNOTSUPP', syscall: 'sendmsg' });
    await assert.rejects(b.recvOob({ timeout: 1000 }), { code: 'EOPNOTSUPP' });
  }
});

test('sockatmark on a closed socket names the problem', () => {
  const s = socket('inet', 'stream');
  s.close();
  assert.throws(() => s.sockatmark(), { code: 'ERR_XSOCK_CLOSED' });
});
