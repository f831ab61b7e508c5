// The seed's property table, measured on live sockets of every domain x type: 10,000
// numbered messages per transport, asserted against what each type promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSemantics, formatSemantics } from '../dist/cli/commands/semantics.js';
import { checkFdsAtEnd } from './helpers.js';

checkFdsAtEnd();

test('property table of every domain x type, from 10,000 numbered messages each', async () => {
  const rows = await measureSemantics(10000);
  const row = (d, t) => rows.find((r) => r.domain === d && r.type === t);
  assert.equal(rows.length, 9);
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
  assert.equal(text.split('\n').length, 11);
});
