// The classic table of socket-type properties, measured on live sockets of every domain x type: 10,000
// numbered messages per transport, asserted against what each type promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSemantics, formatSemantics } from '../dist/cli/commands/semantics.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

test('property table of every domain x type, from 10,000 numbered messages each', async () => {
  const rows = await measureSemantics(10000);
  const row = (d, t) => rows.find((r) => r.domain === d && r.type === t);
  const table = rows.filter((r) => r.type !== '*');
  // unix x 3, inet and inet6 x (3 + mptcp + raw), netlink x 2, packet x 2, vsock x 3, pipe.
  assert.equal(table.length, 21);
  // Reliable connection-oriented types: everything arrives once, in order.
  for (const [d, t] of [['unix', 'stream'], ['unix', 'seqpacket'], ['inet', 'stream'], ['inet6', 'stream']]) {
    const r = row(d, t);
    assert.equal(r.supported, true, `${d} ${t}`);
    assert.deepEqual([r.ordered, r.unduplicated, r.reliable, r.connectionOriented], [true, true, true, true], `${d} ${t}`);
    assert.equal(r.received, 10000);
  }
  // Boundaries: kept by datagram and sequenced-packet sockets, merged by streams.
  for (const t of ['stream']) for (const d of ['unix', 'inet', 'inet6']) assert.equal(row(d, t).boundaries, false);
  for (const [d, t] of [['unix', 'dgram'], ['unix', 'seqpacket'], ['inet', 'dgram'], ['inet6', 'dgram']]) {
    assert.equal(row(d, t).boundaries, true, `${d} ${t}`);
  }
  // Datagram sockets are connectionless; UDP under load loses (no flow control to the
  // receiver) while Linux unix datagrams make the sender wait and so lose nothing.
  for (const d of ['unix', 'inet', 'inet6']) assert.equal(row(d, 'dgram').connectionOriented, false);
  assert.equal(row('inet', 'dgram').reliable, false);
  assert.ok(row('inet', 'dgram').received < 10000);
  assert.equal(row('unix', 'dgram').reliable, true);
  // Out-of-band: TCP urgent data and unix stream MSG_OOB (this kernel); never dgram/seqpacket.
  assert.equal(row('inet', 'stream').outOfBand, true);
  assert.equal(row('unix', 'stream').outOfBand, true);
  for (const [d, t] of [['unix', 'dgram'], ['unix', 'seqpacket'], ['inet', 'dgram'], ['inet6', 'dgram']]) {
    assert.equal(row(d, t).outOfBand, false, `${d} ${t}`);
  }
  // inet seqpacket needs SCTP: either measured as reliable/ordered or reported unsupported.
  const sctp = row('inet', 'seqpacket');
  if (!sctp.supported) assert.match(sctp.error, /^E[A-Z]+/);
  const text = formatSemantics(rows);
  assert.match(text, /^domain\s+type\s+ordered/);
  assert.match(text, /\npipe +pipe +yes +yes +yes +yes +no +no +10000\/10000\n/);
  assert.match(text, /\nrefused by this kernel: .*EAFNOSUPPORT/);
});

test('the other domains: MPTCP, netlink, packet, raw IP, vsock and pipes, each measured or saying why not', async () => {
  const rows = await measureSemantics(2000);
  const row = (d, t) => rows.find((r) => r.domain === d && r.type === t);
  const measured = (r) => r.supported && r.note === undefined;
  // A pipe: one connection from birth, a reliable ordered byte stream without out-of-band.
  assert.deepEqual(pick(row('pipe', 'pipe')), { ordered: true, unduplicated: true, reliable: true, connectionOriented: true, boundaries: false, outOfBand: false });
  // MPTCP behaves as the stream it is; no urgent data (MPTCP does not carry it).
  for (const d of ['inet', 'inet6']) {
    const r = row(d, 'stream mptcp');
    if (!measured(r)) continue;
    assert.deepEqual(pick(r), { ordered: true, unduplicated: true, reliable: true, connectionOriented: true, boundaries: false, outOfBand: false });
  }
  // Netlink between two user ports: datagrams, connectionless, the sender waits (reliable).
  for (const t of ['raw usersock', 'dgram usersock']) {
    const r = row('netlink', t);
    assert.ok(measured(r), JSON.stringify(r));
    assert.deepEqual([r.boundaries, r.connectionOriented, r.outOfBand, r.reliable], [true, false, false, true], t);
  }
  // Raw IP and packet sockets need CAP_NET_RAW; measured, they are connectionless datagrams.
  for (const [d, t] of [['inet', 'raw ip253'], ['inet6', 'raw ip253'], ['packet', 'raw lo'], ['packet', 'dgram lo']]) {
    const r = row(d, t);
    if (process.getuid() !== 0) {
      assert.equal(r.error, 'EPERM');
      continue;
    }
    if (!measured(r)) continue; // e.g. IPv6 disabled: the note says why
    assert.deepEqual([r.boundaries, r.connectionOriented, r.outOfBand], [true, false, false], `${d} ${t}`);
  }
  // vsock: measured where a transport is loaded, otherwise each row says why.
  for (const t of ['stream', 'dgram', 'seqpacket']) {
    const r = row('vsock', t);
    if (!measured(r)) assert.match(r.note ?? r.error, /vsock transport|^E[A-Z]+/, t);
  }
  const refused = rows.filter((r) => r.type === '*' && !r.supported);
  assert.ok(refused.length > 0);
  for (const r of refused) assert.match(r.error, /^E[A-Z]+/);
});

function pick(r) {
  const { ordered, unduplicated, reliable, connectionOriented, boundaries, outOfBand } = r;
  return { ordered, unduplicated, reliable, connectionOriented, boundaries, outOfBand };
}
