// 1 GiB through the relay (unix stream listen -> unix stream connect) with a SHA-256 on
// each side: nothing lost, duplicated, reordered or torn on a long transfer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkFdsAtEnd, tempDir, python } from './helpers.js';
import { xsock } from './cli-helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const TOTAL = 1 << 30;

test('1 GiB relayed through unix stream arrives with the same checksum', { timeout: 60000 }, async () => {
  const sinkPath = join(dir, 'sink.sock');
  const frontPath = join(dir, 'front.sock');
  const sink = python(`
import socket, sys, hashlib
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print('READY', flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0; buf = bytearray(1 << 20); view = memoryview(buf)
while True:
    k = c.recv_into(buf)
    if not k: break
    h.update(view[:k]); n += k
print(n, h.hexdigest(), flush=True)
`, [sinkPath], { seconds: 55 });
  await sink.ready;
  const x = xsock(['--json', '--no-progress', `unix-listen:${frontPath}`, `unix:${sinkPath}`], { seconds: 55 });
  await x.event('listening');
  // Each 1 MiB block differs (its index is stamped in), so a reordered block changes the hash.
  const source = python(`
import socket, sys, hashlib, os
total = int(sys.argv[2]); base = bytearray(os.urandom(1 << 20)); h = hashlib.sha256()
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for i in range(total >> 20):
    base[0:8] = i.to_bytes(8, 'little'); h.update(base); s.sendall(base)
s.shutdown(socket.SHUT_WR)
print(total, h.hexdigest(), flush=True)
print('READY', flush=True)
`, [frontPath, String(TOTAL)], { seconds: 55 });
  await source.ready;
  assert.equal(await sink.exited, 0);
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sink.lines[0], source.lines[0], 'byte count and SHA-256 match');
  assert.equal(sink.lines[0].split(' ')[0], String(TOTAL));
  const close = x.events.find((e) => e.event === 'close');
  assert.equal(close.bytes['>'], TOTAL);
});
