// EMFILE: a server out of descriptors must neither livelock (accept rejecting at once in
// an ordinary retry loop) nor die. The Promise accept backs off until a descriptor is freed;
// with onEmfile: 'shed' it accepts and closes what it cannot serve (a spare descriptor).
// The server runs in a child under a lowered RLIMIT_NOFILE (prlimit) and is flooded with
// connections; it must keep its timers running at low CPU and serve again afterwards.
// `xsock --fork` under `ulimit -n` must log, back off and keep listening, not exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socket } from '../dist/index.js';
import { existsSync } from 'node:fs';
import { checkFdsAtEnd, tempDir, within, need } from './helpers.js';
import { BIN } from './cli-helpers.js';

checkFdsAtEnd();
const dir = tempDir();
const CHILD = fileURLToPath(new URL('./emfile-server.child.js', import.meta.url));
const SLOTS = 8;
const FLOOD = 40;

/** Starts the child server; .last() is its latest status line. */
async function server(path, mode) {
  const cp = spawn('timeout', ['60', process.execPath, CHILD, path, mode, String(SLOTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let last = null;
  let buf = '';
  const exited = new Promise((resolve) => cp.on('close', resolve));
  const ready = new Promise((resolve) => {
    cp.stdout.setEncoding('utf8');
    cp.stdout.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0;) {
        const msg = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (msg.ready) resolve();
        else last = msg;
      }
    });
  });
  await within(ready, 10000, 'the server to listen');
  return {
    last: () => last,
    async stop() {
      cp.stdin.end('quit\n');
      try {
        return await within(exited, 5000, 'the server to exit');
      } catch (err) {
        cp.kill(); // a frozen server does not read its stdin
        throw err;
      }
    },
  };
}

async function connect(path) {
  const s = socket('unix', 'stream');
  try {
    await within(s.connect(path), 5000, 'connect');
  } catch (err) {
    s.close();
    throw err;
  }
  return s;
}

/** Sends `text`; the echo, '' for an orderly end, or the error code; null when nothing came within `ms`. */
async function echo(s, text, ms) {
  try {
    s.trySend(text);
    return (await s.recv(100, 0, { timeout: ms })).toString();
  } catch (err) {
    return err.code === 'ERR_XSOCK_TIMEOUT' ? null : err.code;
  }
}

/** Over `ms`, the server's ticks and CPU time: alive and idle, not spinning. */
async function liveliness(srv, ms) {
  for (let i = 0; i < 100 && srv.last() === null; i++) await new Promise((r) => setTimeout(r, 20));
  const a = srv.last();
  await new Promise((r) => setTimeout(r, ms));
  const b = srv.last();
  return { ticks: b.tick - a.tick, cpu: b.cpu - a.cpu };
}

const skip = need('prlimit');

test('out of descriptors, accept() backs off: no livelock, queued clients are served once slots free', { skip }, async () => {
  const path = join(dir, 'wait.sock');
  const srv = await server(path, 'wait');
  const clients = [];
  try {
    for (let i = 0; i < FLOOD; i++) clients.push(await connect(path));
    const first = await echo(clients[0], 'c0', 3000);
    assert.equal(first, 'c0', 'the first client is served');
    const last = await echo(clients[FLOOD - 1], `c${FLOOD - 1}`, 300);
    assert.equal(last, null, 'the last client waits in the backlog (the server is out of descriptors)');
    const { ticks, cpu } = await liveliness(srv, 1000);
    assert.ok(ticks >= 10, `the server's timers starved: ${ticks} ticks in 1 s`);
    assert.ok(cpu < 300, `a server out of descriptors used ${cpu.toFixed(0)} ms of CPU in 1 s`);
    assert.equal(srv.last().failures, 0, 'accept() never rejected');
    // Clients leave one by one; each freed slot lets a queued one in, in order.
    clients[0].close();
    for (let i = 1; i < FLOOD - 1; i++) {
      assert.equal(await echo(clients[i], `c${i}`, 5000), `c${i}`, `client ${i} served`);
      clients[i].close();
    }
    assert.equal((await within(clients[FLOOD - 1].recv(100, 0, { timeout: 5000 }), 6000, 'the last echo')).toString(), `c${FLOOD - 1}`);
    const fresh = await connect(path);
    clients.push(fresh);
    assert.equal(await echo(fresh, 'again', 5000), 'again', 'the listener still serves after the flood');
    await new Promise((r) => setTimeout(r, 200)); // the next status line
    assert.equal(srv.last().accepted, FLOOD + 1);
  } finally {
    for (const c of clients) c.close();
    await srv.stop();
  }
});

test("accept({ onEmfile: 'shed' }): connections it cannot serve are accepted and closed, then it serves again", { skip }, async () => {
  const path = join(dir, 'shed.sock');
  const srv = await server(path, 'shed');
  const clients = [];
  try {
    for (let i = 0; i < FLOOD; i++) clients.push(await connect(path));
    const outcomes = await Promise.all(clients.map((c, i) => echo(c, `c${i}`, 3000)));
    const served = outcomes.filter((o, i) => o === `c${i}`).length;
    const shed = outcomes.filter((o) => o === '' || o === 'ECONNRESET' || o === 'EPIPE').length;
    assert.ok(served >= 1 && served < SLOTS, `served ${served} (slots ${SLOTS}, one spare)`);
    assert.equal(served + shed, FLOOD, `every client was served or shed, none left hanging: ${JSON.stringify(outcomes)}`);
    const { ticks, cpu } = await liveliness(srv, 500);
    assert.ok(ticks >= 5, `the server's timers starved: ${ticks} ticks`);
    assert.ok(cpu < 200, `used ${cpu.toFixed(0)} ms of CPU in 0.5 s`);
    for (const c of clients) c.close();
    clients.length = 0;
    await new Promise((r) => setTimeout(r, 100));
    const fresh = await connect(path);
    clients.push(fresh);
    assert.equal(await echo(fresh, 'again', 5000), 'again', 'the listener still serves after the flood');
    assert.equal(srv.last().failures, 0);
  } finally {
    for (const c of clients) c.close();
    await srv.stop();
  }
});

test('xsock --fork out of descriptors logs, backs off and keeps listening (its socket file stays)', { skip: need('sh') }, async () => {
  const path = join(dir, 'fork.sock');
  const up = join(dir, 'up.sock');
  // The upstream each client is relayed to: an echo server here.
  const echoL = socket('unix', 'stream');
  echoL.bind(up);
  echoL.listen();
  const upstream = [];
  void (async () => {
    for (;;) {
      let c;
      try { c = await echoL.accept(); } catch { return; }
      upstream.push(c);
      void (async () => {
        try { for (let b; (b = await c.recv(100, 0, { timeout: 20000 })).length > 0;) await c.sendAll(b); } catch { /* gone */ }
        c.close();
      })();
    }
  })();
  const x = spawn('sh', ['-c', `ulimit -n 128 && exec timeout 60 "${process.execPath}" "${BIN}" --fork unix-listen:${path} unix:${up}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  x.stderr.setEncoding('utf8');
  x.stderr.on('data', (d) => { stderr += d; });
  let code = null;
  const exited = new Promise((resolve) => x.on('close', (c) => { code = c; resolve(c); }));
  const clients = [];
  try {
    for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(path), `xsock did not listen: ${stderr}`);
    // The file appears at bind(2), a moment before listen(2): until then connect is refused.
    for (let i = 0; i < 100; i++) {
      try { clients.push(await connect(path)); break; } catch (err) {
        if (err.code !== 'ECONNREFUSED') throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.equal(clients.length, 1, 'xsock listens');
    // 128 descriptors leave Node room to load the CLI's modules (it opens them concurrently)
    // and about 45 relayed clients (two descriptors each): 120 clients run it out.
    for (let i = 1; i < 120; i++) clients.push(await connect(path));
    await Promise.all(clients.map((c, i) => echo(c, `c${i}`, 1500)));
    assert.match(stderr, /EMFILE/, 'the flood drove xsock out of descriptors (and it said so)');
    assert.equal(code, null, `xsock exited (${code}) during the flood: ${stderr.slice(-500)}`);
    for (const c of clients) c.close();
    clients.length = 0;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(existsSync(path), 'the listener\'s socket file is still there');
    const fresh = await connect(path);
    clients.push(fresh);
    assert.equal(await echo(fresh, 'again', 5000), 'again', 'xsock still relays after the flood');
    assert.equal(code, null);
  } finally {
    for (const c of clients) c.close();
    x.kill('SIGTERM'); // timeout passes it on to xsock
    await within(exited, 5000, 'xsock to exit');
    echoL.close();
    for (const c of upstream) c.close();
  }
});
