// End-of-file with SO_PASSCRED: the kernel attaches an empty credentials record to the
// EOF read of a stream; it must still read as EOF (not a message from pid 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketpair } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

for (const type of ['stream', 'seqpacket']) {
  test(`${type} with SO_PASSCRED: EOF reads as eof, without credentials`, async () => {
    const [a, b] = socketpair('unix', type);
    b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
    await a.send('x');
    a.close();
    const m1 = await within(b.recvmsg({ size: 10 }));
    assert.equal(m1.data.toString(), 'x');
    assert.equal(m1.credentials.pid, process.pid);
    const m2 = await within(b.recvmsg({ size: 10 }));
    assert.equal(m2.bytes, 0);
    assert.equal(m2.eof, true);
    assert.equal(m2.credentials, undefined);
    b.close();
  });
}

test('seqpacket with SO_PASSCRED: a zero-length message from a live peer is not EOF', async () => {
  const [a, b] = socketpair('unix', 'seqpacket');
  b.setsockopt('SOL_SOCKET', 'SO_PASSCRED', true);
  await a.send(Buffer.alloc(0));
  const m = await within(b.recvmsg({ size: 10 }));
  assert.equal(m.bytes, 0);
  assert.equal(m.eof, false);
  assert.equal(m.credentials.pid, process.pid);
  a.close(); b.close();
});
