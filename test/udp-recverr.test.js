// A UDP socket with IP_RECVERR whose send drew an ICMP port-unreachable keeps POLLERR up
// while its error queue is non-empty, though recv(2) finds nothing. A pending receive must
// neither spin on that (it once burnt a full core) nor wait beside it for ever: it rejects
// with the queued error (syscall named after the call, address/port of the original
// destination, the queue entry as err.queued), and a receive after that idles at ~0 CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socket } from '../dist/index.js';
import { checkFdsAtEnd, within } from './helpers.js';

checkFdsAtEnd();

const V4 = { family: 'inet', address: '127.0.0.1' };
const V6 = { family: 'inet6', address: '::1' };

/** A loopback UDP port nobody listens on (bound, read, closed). */
function deadPort(where) {
  const d = socket(where.family, 'dgram');
  try {
    d.bind({ ...where, port: 0 });
    return d.getsockname().port;
  } finally {
    d.close();
  }
}

function recverrSocket(where) {
  const s = socket(where.family, 'dgram');
  s.setsockopt(where.family === 'inet' ? 'IPPROTO_IP' : 'IPPROTO_IPV6', where.family === 'inet' ? 'IP_RECVERR' : 'IPV6_RECVERR', true);
  s.bind({ ...where, port: 0 });
  return s;
}

/** Settles `p` (bounded), returning the rejection or null. */
async function failure(p, what) {
  return within(p.then(() => null, (e) => e), 5000, what);
}

/** A pending receive with nothing queued anywhere: times out after ~1 s having used little CPU. */
async function idleCostsNothing(s) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const err = await failure(s.recv(100, 0, { timeout: 1000 }), 'the idle recv');
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  const cpuMs = (used.user + used.system) / 1000;
  assert.equal(err?.code, 'ERR_XSOCK_TIMEOUT');
  assert.ok(ms >= 980 && ms < 2500, `timed out after ${ms.toFixed(0)} ms`);
  // A busy loop would cost ~1000 ms of CPU here.
  assert.ok(cpuMs < 250, `an idle pending recv used ${cpuMs.toFixed(0)} ms of CPU in ${ms.toFixed(0)} ms`);
}

for (const where of [V4, V6]) {
  test(`${where.family}: an error queued before the receive: recv rejects with it, then idles`, async (t) => {
    let s;
    try {
      s = recverrSocket(where);
    } catch (err) {
      if (where === V6) return t.skip(`no IPv6 loopback: ${err.code}`);
      throw err;
    }
    try {
      const port = deadPort(where);
      s.trySendto('x', { ...where, port });
      // The ICMP error arrives as an edge; give loopback a moment.
      await new Promise((r) => setTimeout(r, 50));
      // The kernel also sets the pending socket error (SO_ERROR) from the same ICMP: the first
      // receive may report that one, without an address. The queued entry must follow.
      let err = await failure(s.recv(100, 0, { timeout: 2000 }), 'recv');
      if (err?.port === undefined) err = await failure(s.recv(100, 0, { timeout: 2000 }), 'recv');
      assert.equal(err?.code, 'ECONNREFUSED', `expected the queued error, got ${err?.code}: ${err?.message}`);
      assert.equal(err.syscall, 'recv');
      assert.equal(err.address, where.address);
      assert.equal(err.port, port);
      assert.equal(Math.abs(err.errno), 111);
      assert.equal(err.queued.origin, where === V4 ? 2 : 3, 'SO_EE_ORIGIN_ICMP / ICMP6');
      assert.equal(err.queued.payload.toString(), 'x');
      assert.equal(s.tryRecvErrqueue(), null, 'the entry was consumed once, not left to wake again');
      await idleCostsNothing(s);
    } finally {
      s.close();
    }
  });
}

test('inet: a recvmsg already pending when the ICMP error arrives rejects, then the socket still receives', async () => {
  const s = recverrSocket(V4);
  const peer = socket('inet', 'dgram');
  try {
    peer.bind({ ...V4, port: 0 });
    const port = deadPort(V4);
    const pending = s.recvmsg({ timeout: 3000 });
    await new Promise((r) => setTimeout(r, 20));
    s.trySendto('y', { ...V4, port });
    let err = await failure(pending, 'recvmsg');
    if (err?.port === undefined) err = await failure(s.recvmsg({ timeout: 2000 }), 'recvmsg');
    assert.equal(err?.code, 'ECONNREFUSED');
    assert.equal(err.syscall, 'recvmsg');
    assert.equal(err.port, port);
    // Ordinary traffic is unaffected afterwards.
    peer.trySendto('hello', s.getsockname());
    const m = await within(s.recvmsg({ timeout: 2000 }), 3000, 'a datagram');
    assert.equal(m.data.toString(), 'hello');
    await idleCostsNothing(s);
  } finally {
    s.close();
    peer.close();
  }
});

test('without IP_RECVERR nothing is read from the error queue: the receive simply waits', async () => {
  const s = socket('inet', 'dgram');
  try {
    s.bind({ ...V4, port: 0 });
    s.trySendto('z', { ...V4, port: deadPort(V4) });
    await new Promise((r) => setTimeout(r, 50));
    await idleCostsNothing(s);
  } finally {
    s.close();
  }
});
