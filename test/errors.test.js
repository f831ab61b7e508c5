// Errors shaped as Node core's: the same failing call made through `net` and through
// xsock gives the same code, negative errno, syscall, address and port; aborts are
// AbortErrors; timeouts say what timed out and the limit in whole milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { socket, socketpair } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, freePort, within } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();

/** The error `net` gives for a connect to `options`. */
async function netConnectError(options) {
  const c = net.connect(options);
  const [err] = await within(once(c, 'error').catch((e) => [e]), 5000, 'net connect error');
  c.destroy();
  return err;
}

/** The error xsock gives for the same connect. */
async function xsockConnectError(domain, address) {
  const s = socket(domain, 'stream');
  try {
    await within(s.connect(address), 5000, 'xsock connect');
  } catch (err) {
    return err;
  } finally {
    s.close();
  }
  assert.fail('the connect succeeded');
}

/** The fields Node core's system errors carry, and the set of own enumerable keys. */
function shape(err) {
  const { code, errno, syscall, address, port } = err;
  return { keys: Object.keys(err).sort(), code, errno, syscall, address, port };
}

test('TCP connect to a closed port: ECONNREFUSED, errno -111, address and port apart, as from net', async () => {
  const port = await freePort();
  const fromNet = await netConnectError({ host: '127.0.0.1', port });
  const fromXsock = await xsockConnectError('inet', { family: 'inet', address: '127.0.0.1', port });
  assert.deepEqual(shape(fromXsock), shape(fromNet));
  assert.deepEqual(shape(fromXsock), {
    keys: ['address', 'code', 'errno', 'port', 'syscall'], code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port,
  });
  assert.ok(fromXsock.message.startsWith(fromNet.message), `${fromXsock.message} extends ${fromNet.message}`);
  assert.match(fromXsock.message, /Connection refused/);
  // The text form of the address gives the same fields.
  assert.deepEqual(shape(await xsockConnectError('inet', `127.0.0.1:${port}`)), shape(fromNet));
});

test('TCP over IPv6 loopback: the address without brackets and the port apart, as from net', async (t) => {
  const probe = socket('inet6', 'stream');
  try { probe.bind('[::1]:0'); } catch { probe.close(); return t.skip('no IPv6 loopback here'); }
  const { port } = probe.getsockname();
  probe.close();
  const fromNet = await netConnectError({ host: '::1', port });
  const fromXsock = await xsockConnectError('inet6', `[::1]:${port}`);
  assert.deepEqual(shape(fromXsock), shape(fromNet));
  assert.equal(fromXsock.address, '::1');
});

test('unix connect to a missing path: ENOENT, errno -2, the path as address and no port, as from net', async () => {
  const path = join(dir, 'nobody-here');
  const fromNet = await netConnectError({ path });
  const fromXsock = await xsockConnectError('unix', path);
  assert.deepEqual(shape(fromXsock), shape(fromNet));
  assert.deepEqual(shape(fromXsock), { keys: ['address', 'code', 'errno', 'syscall'], code: 'ENOENT', errno: -2, syscall: 'connect', address: path, port: undefined });
  assert.ok(fromXsock.message.startsWith(fromNet.message), `${fromXsock.message} extends ${fromNet.message}`);
});

test('sendto a missing unix path: the same shape from a call net does not have', async () => {
  const s = socket('unix', 'dgram');
  const path = join(dir, 'no-receiver');
  try {
    await assert.rejects(s.sendto('x', path), (err) => {
      assert.deepEqual(shape(err), { keys: ['address', 'code', 'errno', 'syscall'], code: 'ENOENT', errno: -2, syscall: 'sendto', address: path, port: undefined });
      return true;
    });
  } finally {
    s.close();
  }
});

test('an abort is an AbortError like Node core\'s: name, code ABORT_ERR, cause the signal\'s reason', async () => {
  const reason = new Error('enough');
  const ac = new AbortController();
  const fromNode = delay(10_000, null, { signal: ac.signal }).catch((e) => e);
  const [a, b] = socketpair('unix', 'stream');
  try {
    const fromXsock = a.recv(10, 0, { signal: ac.signal }).catch((e) => e);
    ac.abort(reason);
    const [n, x] = await within(Promise.all([fromNode, fromXsock]), 5000, 'aborts');
    for (const err of [n, x]) {
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'AbortError');
      assert.equal(err.code, 'ABORT_ERR');
      assert.equal(err.cause, reason);
    }
    assert.deepEqual(Object.keys(x).sort(), Object.keys(n).sort());
    assert.match(x.message, /\brecv\b.*aborted/);
    // Already aborted before the call: the same error, without waiting.
    await assert.rejects(a.recv(10, 0, { signal: AbortSignal.abort(reason) }), { name: 'AbortError', code: 'ABORT_ERR', cause: reason });
  } finally {
    a.close(); b.close();
  }
});

test('a timeout names the call and its limit in whole milliseconds, however many waits the call took', async () => {
  const [a, b] = socketpair('unix', 'stream');
  const l = socket('unix', 'stream');
  try {
    await assert.rejects(a.recv(10, 0, { timeout: 30.4 }), { code: 'ERR_XSOCK_TIMEOUT', message: 'recv timed out after 30 ms' });
    l.bind(join(dir, 'quiet-listener'));
    l.listen(1);
    await assert.rejects(l.accept({ timeout: 20 }), { code: 'ERR_XSOCK_TIMEOUT', message: 'accept timed out after 20 ms' });
    // A bare readiness wait names the descriptor and the events.
    await assert.rejects(a.readiness.wait(1, { timeout: 10 }), { code: 'ERR_XSOCK_TIMEOUT', message: `the wait for readable on fd ${a.fd} timed out after 10 ms` });
  } finally {
    a.close(); b.close(); l.close();
  }
});
