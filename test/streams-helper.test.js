// Opening through a helper process: descriptors come back over SCM_RIGHTS, requests are
// concurrent and matched to replies, errors are Node-style, a dying helper fails what is
// in flight and is restarted, and blocking opens leave the event loop and threadpool free.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, chmodSync, statSync, fstatSync, closeSync, openSync, mkdirSync, readFileSync, constants as FS } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Opener, openThroughHelper, stopHelper } from '../dist/streams/index.js';
import { native } from '../dist/binding.js';
import { checkFdsAtEnd, tempDir, within, readableBuild } from './helpers.js';

const opener = new Opener();
after(() => { opener.close(); stopHelper(); }); // before the fd check, which runs after it
checkFdsAtEnd();
const dir = tempDir();
const streams = new URL('../dist/streams/index.js', import.meta.url).href;

function mkfifo(path) {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo ${path}: ${r.stderr}`);
}

/** Opens the write side of a FIFO without blocking, retrying until its reader is there. */
async function writerFor(path) {
  for (let i = 0; ; i++) {
    try {
      return openSync(path, FS.O_WRONLY | FS.O_NONBLOCK);
    } catch (err) {
      if (err.code !== 'ENXIO' || i > 1000) throw err; // no reader yet
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

test('opens a file: the descriptor is the file, close-on-exec, readable here', async () => {
  const path = join(dir, 'hello');
  writeFileSync(path, 'hello from the helper');
  const fd = await within(opener.open(path), 10000, 'helper open');
  try {
    const s = fstatSync(fd);
    assert.equal(s.ino, statSync(path).ino);
    assert.equal(native.getCloexec(fd), 1);
    assert.equal(readFileSync(fd, 'utf8'), 'hello from the helper');
  } finally {
    closeSync(fd);
  }
  assert.equal(typeof opener.pid, 'number');
});

test('flags and mode reach open(2): O_CREAT|O_EXCL with 0600 creates; a write lands', async () => {
  const path = join(dir, 'created');
  const fd = await within(opener.open(path, FS.O_CREAT | FS.O_EXCL | FS.O_WRONLY, 0o600), 10000);
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600 & ~process.umask());
    writeFileSync(fd, 'written through the helper fd');
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(path, 'utf8'), 'written through the helper fd');
  await assert.rejects(opener.open(path, 'wx'), { code: 'EEXIST', errno: -17, syscall: 'open', path });
});

test('errors come back as Node-style system errors: ENOENT, EISDIR, ENOTDIR, ENAMETOOLONG', async () => {
  const missing = join(dir, 'nope');
  await assert.rejects(opener.open(missing), (err) => {
    assert.equal(err.code, 'ENOENT');
    assert.equal(err.errno, -2);
    assert.equal(err.syscall, 'open');
    assert.equal(err.path, missing);
    assert.match(err.message, /ENOENT/);
    return true;
  });
  mkdirSync(join(dir, 'd'));
  await assert.rejects(opener.open(join(dir, 'd'), 'w'), { code: 'EISDIR', syscall: 'open' });
  writeFileSync(join(dir, 'f'), '');
  await assert.rejects(opener.open(join(dir, 'f', 'x')), { code: 'ENOTDIR', syscall: 'open' });
  await assert.rejects(opener.open('/' + 'x'.repeat(70000)), { code: 'ENAMETOOLONG', syscall: 'open' });
  await assert.rejects(opener.open('/' + 'x'.repeat(5000)), { code: 'ENAMETOOLONG', syscall: 'open' }, 'the kernel\'s own limit, from the helper');
});

test('EACCES from a helper without the right to open the file (helper runs as uid 65534 when root)', async () => {
  const secret = join(dir, 'secret');
  writeFileSync(secret, 's', { mode: 0o000 });
  chmodSync(dir, 0o755);
  if (process.getuid() !== 0) {
    await assert.rejects(within(opener.open(secret), 10000), { code: 'EACCES', errno: -13, syscall: 'open', path: secret });
    return;
  }
  // The helper runs as uid 65534 and must read its program, and the checkout may be closed
  // to it: a caller process loads a world-readable copy of the build (a second copy in
  // this process would be a second library instance with descriptors of its own).
  const code = `
    import { Opener } from '${readableBuild().url('dist/streams/index.js')}';
    const o = new Opener({ uid: 65534, gid: 65534 });
    try { await o.open(${JSON.stringify(secret)}); console.log('opened'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path })); }
    finally { o.close(); }`;
  const c = spawn('timeout', ['20', process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  await within(new Promise((r) => c.on('close', r)), 20000, 'the caller of the uid-65534 helper');
  assert.deepEqual(JSON.parse(out), { code: 'EACCES', errno: -13, syscall: 'open', path: secret });
});

test('bad arguments throw at once, naming the argument', () => {
  assert.throws(() => opener.open(42), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"path"/ });
  assert.throws(() => opener.open(''), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"path"/ });
  assert.throws(() => opener.open('/a\0b'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"path"/ });
  assert.throws(() => opener.open('/x', 1.5), { code: 'ERR_XSOCK_INVALID_ARG_TYPE', message: /"flags"/ });
  assert.throws(() => opener.open('/x', 'rw'), { code: 'ERR_XSOCK_INVALID_ARG_VALUE', message: /"flags"/ });
  assert.throws(() => opener.open('/x', 'r', 0o17777), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"mode"/ });
  assert.throws(() => new Opener({ threads: 0 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"options.threads"/ });
  assert.throws(() => new Opener({ uid: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /"options.uid"/ });
  assert.throws(() => opener.open('/x', 'r', 0o666, { timeout: -1 }), { code: 'ERR_XSOCK_OUT_OF_RANGE', message: /timeout/ });
});

test('1,000 concurrent opens of 50 files: each reply matches its request', async () => {
  const paths = [];
  for (let i = 0; i < 50; i++) {
    const p = join(dir, `many-${i}`);
    writeFileSync(p, String(i));
    paths.push(p);
  }
  const inos = paths.map((p) => statSync(p).ino);
  const N = 1000;
  const fds = await within(Promise.all(Array.from({ length: N }, (_, i) => opener.open(paths[i % 50]))), 60000, '1000 opens');
  try {
    assert.equal(new Set(fds).size, N, 'distinct descriptors');
    fds.forEach((fd, i) => assert.equal(fstatSync(fd).ino, inos[i % 50], `request ${i}`));
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});

test('the helper dies mid-request: in-flight opens reject cleanly; the next request restarts it', async () => {
  const fifo = join(dir, 'crash-fifo');
  mkfifo(fifo);
  const o = new Opener();
  try {
    const stuck = [o.open(fifo), o.open(fifo)];
    await new Promise((r) => setTimeout(r, 100)); // let the helper block in open(2)
    const pid = o.pid;
    process.kill(pid, 'SIGKILL');
    for (const p of stuck) await assert.rejects(within(p, 5000, 'rejection after the crash'), { code: 'ERR_XSOCK_HELPER_EXITED' });
    const path = join(dir, 'after-crash');
    writeFileSync(path, 'ok');
    const fd = await within(o.open(path), 10000, 'open after restart');
    assert.notEqual(o.pid, pid, 'a new helper');
    assert.equal(readFileSync(fd, 'utf8'), 'ok');
    closeSync(fd);
  } finally {
    o.close();
  }
});

test('close() stops the helper and fails what is in flight; timeout and abort give up one request', async () => {
  const fifo = join(dir, 'close-fifo');
  mkfifo(fifo);
  const o = new Opener();
  const a = o.open(fifo, 'r', 0o666, { timeout: 50 });
  await assert.rejects(within(a, 5000), { code: 'ERR_XSOCK_TIMEOUT' });
  const ac = new AbortController();
  const b = o.open(fifo, 'r', 0o666, { signal: ac.signal });
  ac.abort();
  await assert.rejects(within(b, 5000), { name: 'AbortError', code: 'ABORT_ERR' });
  const c = o.open(fifo);
  o.close();
  await assert.rejects(within(c, 5000), { code: 'ERR_XSOCK_HELPER_EXITED' });
  assert.equal(o.pid, undefined);
});

test('8 FIFOs whose writers come later: through the helper, readFile completes at once; all 8 opens complete when the writers arrive', async () => {
  const fifos = Array.from({ length: 8 }, (_, i) => join(dir, `fifo-${i}`));
  fifos.forEach(mkfifo);
  const other = join(dir, 'other');
  writeFileSync(other, 'not stalled');
  let opened = 0;
  const opens = fifos.map((f) => openThroughHelper(f, FS.O_RDONLY).then((fd) => { opened++; return fd; }));
  await new Promise((r) => setTimeout(r, 100)); // the helper is now blocked in 8 open(2)s
  const t0 = performance.now();
  assert.equal(await within(readFile(other, 'utf8'), 3000, 'readFile while 8 opens block'), 'not stalled');
  const readFileMs = performance.now() - t0;
  assert.equal(opened, 0, 'no FIFO open completed before its writer arrived');
  const writers = await within(Promise.all(fifos.map(writerFor)), 10000, 'writers');
  const fds = await within(Promise.all(opens), 10000, 'the 8 opens');
  try {
    fds.forEach((fd, i) => assert.equal(fstatSync(fd).ino, statSync(fifos[i]).ino));
  } finally {
    for (const fd of [...fds, ...writers]) closeSync(fd);
  }
  console.log(`# readFile during 8 blocked helper opens: ${readFileMs.toFixed(1)} ms`);
});

test('contrast: with fs.promises.open the 8 FIFO opens occupy libuv\'s threadpool and readFile stalls until the writers come', async () => {
  const sub = join(dir, 'contrast');
  mkdirSync(sub);
  const fifos = Array.from({ length: 8 }, (_, i) => join(sub, `fifo-${i}`));
  fifos.forEach(mkfifo);
  writeFileSync(join(sub, 'other'), 'x');
  // A fresh process with the default threadpool (4 threads) so the measurement is clean.
  const code = `
    import { open, readFile } from 'node:fs/promises';
    import { openSync, closeSync, constants as FS } from 'node:fs';
    import { openThroughHelper, stopHelper } from '${streams}';
    const fifos = ${JSON.stringify(fifos)};
    const other = ${JSON.stringify(join(sub, 'other'))};
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    async function writers() {
      const ws = [];
      for (const f of fifos) for (let i = 0; ; i++) {
        try { ws.push(openSync(f, FS.O_WRONLY | FS.O_NONBLOCK)); break; }
        catch (e) { if (e.code !== 'ENXIO' || i > 2000) throw e; await sleep(2); }
      }
      return ws;
    }
    async function trial(openOne) {
      const opens = fifos.map(openOne);
      await sleep(100);
      const t0 = performance.now();
      let readAt = null;
      const read = readFile(other).then(() => { readAt = performance.now() - t0; });
      await sleep(${300});
      const writersAt = performance.now() - t0;
      const ws = await writers();
      const opened = await Promise.all(opens);
      await read;
      for (const o of opened) typeof o === 'number' ? closeSync(o) : await o.close();
      for (const fd of ws) closeSync(fd);
      return { readFileMs: Math.round(readAt), writersAt: Math.round(writersAt), stalled: readAt >= writersAt };
    }
    const fsOpen = await trial((f) => open(f, 'r')); // FileHandles: closed by handle, never by number
    const helper = await trial((f) => openThroughHelper(f, 'r'));
    stopHelper();
    console.log(JSON.stringify({ fsOpen, helper }));`;
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const c = spawn('timeout', ['60', process.execPath, '--input-type=module', '-e', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errText = '';
  c.stderr.setEncoding('utf8').on('data', (d) => { errText += d; });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  const status = await within(new Promise((r) => c.on('close', r)), 60000, 'contrast child');
  assert.equal(status, 0, errText);
  const r = JSON.parse(out);
  console.log(`# fs.promises.open: readFile took ${r.fsOpen.readFileMs} ms (writers came at ${r.fsOpen.writersAt} ms); helper: readFile took ${r.helper.readFileMs} ms`);
  assert.equal(r.fsOpen.stalled, true, 'readFile waited for the writers: the threadpool was full of blocked opens');
  assert.equal(r.helper.stalled, false, 'readFile finished before any writer: the threadpool stayed free');
});

test('an orphaned helper leaves quietly: its caller dies with replies unread, nothing reaches the shared stderr', async () => {
  const path = join(dir, 'orphan');
  writeFileSync(path, 'x');
  // The caller fires 200 opens, then blocks its loop so the replies queue up unread, then
  // dies. The helper's next receive fails (ECONNRESET): it must leave without a trace.
  const code = `
    import { openThroughHelper } from '${streams}';
    for (let i = 0; i < 200; i++) openThroughHelper(${JSON.stringify(path)}, 'r').catch(() => {});
    setTimeout(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
      process.kill(process.pid, 'SIGKILL');
    }, 50);`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errText = '';
  c.stderr.setEncoding('utf8').on('data', (d) => { errText += d; });
  // The pipe ends when the last holder (caller and helper) is gone.
  await within(new Promise((r) => c.stderr.on('end', r)), 20000, 'caller and helper to exit');
  assert.equal(errText, '', 'the helper printed on the caller\'s terminal');
});
