// systemd-style socket activation: systemd-socket-activate (no systemd needed) binds the
// sockets and starts a node child with them as fds 3..; the child adopts them with
// listenFds() and serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { socket, listenFds } from '../dist/index.js';
import { checkFdsAtEnd, tempDir, within, startPeer, need, freePort } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// The activated service: reports what it inherited (one JSON line), then answers one
// connection (or datagram) per socket with that socket's name.
const CHILD = `
import { readFileSync } from 'node:fs';
import { listenFds } from ${JSON.stringify(dist)};
const fds = listenFds();
const cloexec = (fd) => (parseInt(/flags:\\s*(\\d+)/.exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8) & 0o2000000) !== 0;
console.log(JSON.stringify({
  env: ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'].filter((k) => k in process.env),
  fds: fds.map((f) => ({ name: f.name, domain: f.socket.domainName, type: f.socket.typeName, cloexec: cloexec(f.fd), addr: f.socket.getsockname() })),
}));
await Promise.all(fds.map(async ({ name, socket }) => {
  if (socket.typeName === 'dgram') {
    const m = await socket.recvfrom(100);
    console.log(JSON.stringify({ name, got: m.data.toString() }));
  } else {
    const c = await socket.accept();
    await c.sendAll(name);
    c.close();
  }
  socket.close();
}));
`;
const childPath = join(dir, 'child.mjs');
writeFileSync(childPath, CHILD);

/** connect(), again every 20 ms while the address is not there or not listening yet. */
async function connectOnceListening(s, address) {
  for (;;) {
    try { await s.connect(address); return; } catch (e) { if (e.code !== 'ENOENT' && e.code !== 'ECONNREFUSED') throw e; }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readAll(s) {
  const parts = [];
  for (let b; (b = await within(s.recv(100), 10000, 'recv')).length > 0;) parts.push(b);
  return Buffer.concat(parts).toString();
}

test('listenFds() adopts a unix and a TCP listener with their names, close-on-exec, env cleared', async (t) => {
  if (need('systemd-socket-activate')) return t.skip(need('systemd-socket-activate'));
  const path = join(dir, 'act.sock');
  const port = await freePort();
  const peer = startPeer('systemd-socket-activate', ['-l', path, '-l', `127.0.0.1:${port}`, '--fdname=web:api',
    process.execPath, childPath], { ready: false });
  // The manager binds first; connecting to the unix socket starts the child.
  const u = socket('unix', 'stream');
  await within(connectOnceListening(u, path), 10000, 'activation socket');
  // The manager sets up its sockets one after the other: the TCP one may not listen yet.
  const i = socket('inet', 'stream');
  await within(connectOnceListening(i, `127.0.0.1:${port}`), 10000, 'tcp connect');
  assert.equal(await readAll(u), 'web');
  assert.equal(await readAll(i), 'api');
  u.close(); i.close();
  assert.equal(await within(peer.exited, 10000, 'child exit'), 0, peer.stderr());
  const info = JSON.parse(peer.lines[0]);
  assert.deepEqual(info.env, [], 'LISTEN_* removed from the environment');
  assert.deepEqual(info.fds, [
    { name: 'web', domain: 'unix', type: 'stream', cloexec: true, addr: { family: 'unix', path } },
    { name: 'api', domain: 'inet', type: 'stream', cloexec: true, addr: { family: 'inet', address: '127.0.0.1', port } },
  ]);
});

test('listenFds() adopts a unix datagram socket (systemd-socket-activate -d)', async (t) => {
  if (need('systemd-socket-activate')) return t.skip(need('systemd-socket-activate'));
  const path = join(dir, 'act-d.sock');
  const peer = startPeer('systemd-socket-activate', ['-d', '-l', path, '--fdname=log', process.execPath, childPath], { ready: false });
  const tx = socket('unix', 'dgram');
  await within((async () => {
    for (;;) {
      try { await tx.sendto('a log line', path); return; } catch (e) { if (e.code !== 'ENOENT' && e.code !== 'ECONNREFUSED') throw e; }
      await new Promise((r) => setTimeout(r, 20));
    }
  })(), 10000, 'activation socket');
  tx.close();
  assert.equal(await within(peer.exited, 10000, 'child exit'), 0, peer.stderr());
  const [info, got] = peer.lines.map((l) => JSON.parse(l));
  assert.deepEqual(info.fds.map((f) => [f.name, f.domain, f.type, f.cloexec]), [['log', 'unix', 'dgram', true]]);
  assert.deepEqual(got, { name: 'log', got: 'a log line' });
});

test('listenFds() ignores variables meant for another process, and checks its options', () => {
  const env = { LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '2', LISTEN_FDNAMES: 'a:b' };
  assert.deepEqual(listenFds({ env }), []);
  assert.deepEqual(env, {}, 'still unset, as sd_listen_fds(unset_environment=1) does');
  const env2 = { LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '1' };
  assert.deepEqual(listenFds({ env: env2, unsetEnvironment: false }), []);
  assert.equal(env2.LISTEN_FDS, '1');
  assert.deepEqual(listenFds({ env: {} }), []);
  assert.throws(() => listenFds(null), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"options"/ });
});
