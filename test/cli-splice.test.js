// The relay's zero-copy path, seen from outside: strace shows the xsock process moving
// the bytes with splice(2) (unix stream and TCP, socket to file), sendfile(2) (file to
// socket) or copy_file_range(2) (file to file), and the SHA-256 of what arrives equals
// what was sent; with -v (every byte shown), and where the kernel refuses (an O_APPEND
// target), the copying path carries them instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { checkFdsAtEnd, tempDir, python, need, within, freePort } from './helpers.js';
import { BIN } from './cli-helpers.js';
import '../dist/index.js'; // its epoll descriptor exists before the fd count starts (freePort loads it later)

checkFdsAtEnd();
const dir = tempDir();
const TOTAL = 16 << 20;

const SINK = `
import socket, sys, hashlib
fam = socket.AF_UNIX if sys.argv[1] == 'unix' else socket.AF_INET
s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(sys.argv[2] if sys.argv[1] == 'unix' else ('127.0.0.1', int(sys.argv[2]))); s.listen(1); print('READY', flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
`;
const SOURCE = `
import socket, sys, hashlib, os, time
fam = socket.AF_UNIX if sys.argv[1] == 'unix' else socket.AF_INET
addr = sys.argv[2] if sys.argv[1] == 'unix' else ('127.0.0.1', int(sys.argv[2]))
total = int(sys.argv[3]); h = hashlib.sha256()
for i in range(500):
    try:
        s = socket.socket(fam); s.connect(addr); break
    except OSError:
        s.close(); time.sleep(0.01)
for i in range(total >> 20):
    b = os.urandom(1 << 20); h.update(b); s.sendall(b)
s.shutdown(socket.SHUT_WR)
print(total, h.hexdigest(), flush=True)
print('READY', flush=True)
`;

/**
 * Relays `total` random bytes (whole MiB) front -> back under strace; returns the splice
 * calls that moved data, and every traced line (`calls`: what strace traces besides splice).
 */
async function relayTraced(family, extra, total = TOTAL, calls = '') {
  const tag = `${family}${extra.join('')}`;
  const trace = join(dir, `${tag}.strace`);
  const [front, back] = family === 'unix' ? [join(dir, `${tag}-f.sock`), join(dir, `${tag}-b.sock`)] : [String(await freePort()), String(await freePort())];
  const sink = python(SINK, [family, back], { seconds: 30 });
  await sink.ready;
  const [listen, connect] = family === 'unix' ? [`unix-listen:${front}`, `unix:${back}`] : [`tcp-listen:127.0.0.1:${front}`, `tcp:127.0.0.1:${back}`];
  const relay = spawn('timeout', ['-s', 'KILL', '30', 'strace', '-f', '-e', `trace=splice${calls}`, '-o', trace,
    process.execPath, BIN, '--no-progress', ...extra, listen, connect], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  relay.stderr.on('data', (d) => { stderr += d; });
  const relayed = new Promise((resolve) => relay.on('close', resolve));
  const source = python(SOURCE, [family, front, String(total)], { seconds: 30 });
  try {
    await source.ready;
    assert.equal(await within(sink.exited, 30000, 'sink'), 0);
    assert.equal(await within(relayed, 30000, 'relay exit'), 0, stderr);
  } finally {
    if (relay.exitCode === null) relay.kill('SIGKILL');
    relay.stderr.destroy();
  }
  assert.equal(sink.lines[0], source.lines[0], 'byte count and SHA-256 match');
  const lines = readFileSync(trace, 'utf8').split('\n');
  const moved = lines.filter((l) => /splice\(.*\)\s+= [1-9]/.test(l));
  moved.lines = lines;
  return moved;
}

/** The pipe sizes asked for (F_SETPIPE_SZ) and the largest length any splice asked for. */
function pipeUse(lines) {
  const sizes = lines.map((l) => /F_SETPIPE_SZ, (\d+)\)/.exec(l)?.[1]).filter(Boolean).map(Number);
  const lens = lines.map((l) => /splice\([^,]+, [^,]+, [^,]+, [^,]+, (\d+),/.exec(l)?.[1]).filter(Boolean).map(Number);
  return { sizes, maxLen: Math.max(...lens) };
}

for (const family of ['unix', 'tcp']) {
  test(`${family} stream relay moves the bytes with splice(2), intact`, { skip: need('strace') || need('python3'), timeout: 60000 }, async () => {
    const moved = await relayTraced(family, []);
    assert.ok(moved.length >= 2, `splice moved data (${moved.length} calls)`);
  });
}

test('the splice pipe is 1 MiB by default and -b N sizes it (and every splice) instead', { skip: need('strace') || need('python3'), timeout: 60000 }, async () => {
  const byDefault = pipeUse((await relayTraced('unix', ['-u'], 4 << 20, ',fcntl')).lines);
  // (where /proc/sys/fs/pipe-max-size is lower, a second F_SETPIPE_SZ asks for that)
  assert.equal(byDefault.sizes[0], 1 << 20, 'the pipe is asked to be 1 MiB (F_SETPIPE_SZ)');
  assert.equal(byDefault.maxLen, 1 << 20);
  const small = pipeUse((await relayTraced('unix', ['-u', '-b', '131072'], 4 << 20, ',fcntl')).lines);
  assert.deepEqual(small.sizes, [131072], 'one pipe, of -b bytes');
  assert.equal(small.maxLen, 131072, 'no splice asks for more than -b');
});

test('-v keeps the copying path (every byte is shown), still intact', { skip: need('strace') || need('python3'), timeout: 60000 }, async () => {
  const moved = await relayTraced('unix', ['-v', '-u'], 1 << 20); // -v prints a hexdump of every byte
  assert.equal(moved.length, 0);
});

/** Runs `xsock --no-progress ...args` under strace for `calls`; resolves to the trace lines that moved data. */
async function traced(calls, args) {
  const trace = join(dir, `${calls}-${args.length}-${Math.random().toString(36).slice(2)}.strace`);
  const relay = spawn('timeout', ['-s', 'KILL', '30', 'strace', '-f', '-e', `trace=${calls}`, '-o', trace,
    process.execPath, BIN, '--no-progress', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  relay.stderr.on('data', (d) => { stderr += d; });
  const code = await within(new Promise((resolve) => relay.on('close', resolve)), 30000, 'relay exit');
  assert.equal(code, 0, stderr);
  return readFileSync(trace, 'utf8').split('\n').filter((l) => new RegExp(`(${calls.replace(',', '|')})\\(.*\\)\\s+= [1-9]`).test(l));
}

const sha = (b) => createHash('sha256').update(b).digest('hex');
const ZC = { skip: need('strace') || need('python3'), timeout: 60000 };

test('file -> unix stream goes by sendfile(2), intact', ZC, async () => {
  const data = randomBytes(6 << 20);
  const file = join(dir, 'sf-src');
  writeFileSync(file, data);
  const back = join(dir, 'sf-sink.sock');
  const sink = python(SINK, ['unix', back], { seconds: 30 });
  await sink.ready;
  const moved = await traced('sendfile', ['-u', `file:${file}`, `unix:${back}`]);
  assert.equal(await within(sink.exited, 30000, 'sink'), 0);
  assert.equal(sink.lines[0], `${data.length} ${sha(data)}`);
  assert.ok(moved.length >= 1, 'sendfile moved data');
});

test('unix stream -> file goes by splice(2); file -> file by copy_file_range(2)', ZC, async () => {
  const front = join(dir, 'sp-front.sock');
  const out = join(dir, 'sp-out');
  const relaying = traced('splice', ['-u', `unix-listen:${front}`, `create:${out}`]);
  const source = python(SOURCE, ['unix', front, String(8 << 20)], { seconds: 30 });
  await source.ready;
  const moved = await relaying;
  const got = readFileSync(out);
  assert.equal(`${got.length} ${sha(got)}`, source.lines[0]);
  assert.ok(moved.length >= 2, 'splice moved data');
  const copy = join(dir, 'sp-copy');
  const copied = await traced('copy_file_range', ['-u', `file:${out}`, `create:${copy}`]);
  assert.equal(sha(readFileSync(copy)), sha(got));
  assert.ok(copied.length >= 1, 'copy_file_range moved data');
});

test('an O_APPEND file refuses splice(2): the copying path appends the bytes instead', ZC, async () => {
  const front = join(dir, 'ap-front.sock');
  const out = join(dir, 'ap-out');
  writeFileSync(out, 'head:');
  const relaying = traced('splice', ['-u', `unix-listen:${front}`, `append:${out}`]);
  const source = python(SOURCE, ['unix', front, String(2 << 20)], { seconds: 30 });
  await source.ready;
  await relaying;
  const got = readFileSync(out);
  assert.equal(got.subarray(0, 5).toString(), 'head:');
  assert.equal(`${got.length - 5} ${sha(got.subarray(5))}`, source.lines[0]);
});
