// Transparency (the first goal of the socket interface): the same client code, unchanged, reaches a server
// on this host and on another host. Two network namespaces joined by a veth pair are the
// two hosts; the client finds the server by name through resolve(), the name coming
// from /etc/netns/NAME/hosts (which `ip netns exec` bind-mounts over /etc/hosts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { checkFdsAtEnd, tempDir, startPeer, need, within } from './helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const tag = `${process.pid % 100000}`;
const NS = { near: `xsn${tag}a`, far: `xsn${tag}b` };
const VETH = [`xv${tag}a`, `xv${tag}b`];

const skip = process.getuid?.() !== 0 ? 'network namespaces need root'
  : need('ip') ? need('ip').replace('apt-get install ip', 'apt-get install iproute2') : false;

function ip(...args) {
  const r = spawnSync('timeout', ['10', 'ip', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

let ready = false;
let made = false;
// Always delete what was made (the veth pair goes with its namespaces).
after(() => {
  if (!made) return;
  for (const ns of Object.values(NS)) {
    spawnSync('timeout', ['10', 'ip', 'netns', 'del', ns]);
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
});
function setUp() {
  made = true;
  ip('netns', 'add', NS.near);
  ip('netns', 'add', NS.far);
  ip('link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]);
  ip('link', 'set', VETH[0], 'netns', NS.near);
  ip('link', 'set', VETH[1], 'netns', NS.far);
  ip('-n', NS.near, 'addr', 'add', '10.250.0.1/30', 'dev', VETH[0]);
  ip('-n', NS.far, 'addr', 'add', '10.250.0.2/30', 'dev', VETH[1]);
  ip('-n', NS.near, '-6', 'addr', 'add', 'fd99:250::1/64', 'dev', VETH[0], 'nodad');
  ip('-n', NS.far, '-6', 'addr', 'add', 'fd99:250::2/64', 'dev', VETH[1], 'nodad');
  for (const ns of Object.values(NS)) ip('-n', ns, 'link', 'set', 'lo', 'up');
  ip('-n', NS.near, 'link', 'set', VETH[0], 'up');
  ip('-n', NS.far, 'link', 'set', VETH[1], 'up');
  // The client's host knows both servers by name; each name has a v4 and a v6 address.
  const hosts = '127.0.0.1 localhost\n::1 localhost\n10.250.0.1 near-host\nfd99:250::1 near-host\n10.250.0.2 far-host\nfd99:250::2 far-host\n';
  for (const ns of Object.values(NS)) {
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/hosts`, hosts);
  }
  ready = true;
}

// The server: binds the passive (wildcard) address resolve() gives, answers one peer.
const SERVER = `
import { resolve, socket, AI_PASSIVE } from ${JSON.stringify(dist)};
const [family, type, port] = process.argv.slice(2);
const [ai] = await resolve(null, port, { family, type, flags: AI_PASSIVE });
const s = socket(ai.family, ai.type, ai.protocol);
s.bind(ai.address);
if (type === 'stream') {
  s.listen(); console.log('READY');
  const c = await s.accept();
  const m = await c.recv(1000);
  await c.sendAll('server saw ' + m + ' from ' + c.remoteAddress.address);
  c.close();
} else {
  console.log('READY');
  const m = await s.recvfrom(1000);
  await s.sendto('server saw ' + m.data + ' from ' + m.from.address, m.from);
}
s.close();
`;

// The client: identical whichever host the server is on; only the name differs.
const CLIENT = `
import { resolve, socket } from ${JSON.stringify(dist)};
const [host, service, family, type] = process.argv.slice(2);
const [ai] = await resolve(host, service, { family, type });
const s = socket(ai.family, ai.type, ai.protocol);
await s.connect(ai.address, { timeout: 5000 });
await s.send('hello');
const reply = await s.recv(1000, 0, { timeout: 5000 });
console.log(JSON.stringify({ server: ai.address.address, local: s.getsockname().address, reply: reply.toString() }));
s.close();
`;
const serverPath = join(dir, 'server.mjs');
const clientPath = join(dir, 'client.mjs');
writeFileSync(serverPath, SERVER);
writeFileSync(clientPath, CLIENT);

let port = 20000 + (process.pid % 20000);
const expect = {
  inet: { near: ['10.250.0.1', '10.250.0.1'], far: ['10.250.0.2', '10.250.0.1'] },
  inet6: { near: ['fd99:250::1', 'fd99:250::1'], far: ['fd99:250::2', 'fd99:250::1'] },
};

for (const family of ['inet', 'inet6']) {
  for (const type of ['stream', 'dgram']) {
    for (const where of ['near', 'far']) {
      test(`${family}/${type}: the client reaches ${where}-host by name (server ${where === 'near' ? 'on this host' : 'on the other host'})`, { skip }, async () => {
        if (!ready) setUp();
        const p = String(port++);
        const server = startPeer('ip', ['netns', 'exec', NS[where], process.execPath, serverPath, family, type, p], { seconds: 20 });
        await server.ready;
        const client = startPeer('ip', ['netns', 'exec', NS.near, process.execPath, clientPath, `${where}-host`, p, family, type], { ready: false, seconds: 20 });
        const code = await within(client.exited, 15000, 'client');
        assert.equal(code, 0, client.stderr());
        const [serverAddr, clientAddr] = expect[family][where];
        assert.deepEqual(JSON.parse(client.lines[0]), { server: serverAddr, local: clientAddr, reply: `server saw hello from ${clientAddr}` });
        assert.equal(await within(server.exited, 5000, 'server'), 0, server.stderr());
      });
    }
  }
}
