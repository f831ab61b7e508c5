// Shared test helpers: fd accounting, short temp dirs, bounded waits, peer processes.
import { readdirSync, mkdtempSync, rmSync, cpSync, chmodSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Number of open descriptors of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Call once at the top of a test file: asserts the open-fd count at the end equals the
 * count at the start (after a GC, so reaped sockets are counted as closed).
 */
export function checkFdsAtEnd() {
  const before = fdCount();
  after(async () => {
    for (let i = 0; i < 3; i++) {
      if (global.gc) global.gc();
      await new Promise((r) => setTimeout(r, 20));
      if (fdCount() === before) break;
    }
    assert.equal(fdCount(), before, 'open descriptors leaked by this test file');
  });
}

/** A fresh short temp dir (sun_path is 108 bytes), removed at the end of the file. */
export function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'xs-'));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A unique abstract name for this process. */
let seq = 0;
export function abstractName(tag = 'x') {
  return `xsock-test-${process.pid}-${tag}-${seq++}`;
}

/** Rejects after ms with a message naming what was awaited. */
export function within(promise, ms = 5000, what = 'operation') {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]);
}

/** True when an executable is on PATH. */
export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Skip reason when a peer program is missing (the suite says which, rather than failing obscurely). */
export function need(cmd) {
  return have(cmd) ? false : `${cmd} is not installed (apt-get install ${cmd === 'systemd-socket-activate' ? 'systemd' : cmd})`;
}

/** `ip ARGS...` (bounded by `timeout`), its stdout; throws with ip's stderr on failure. */
export function ip(...args) {
  const r = spawnSync('timeout', ['10', 'ip', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A network namespace for one test file, named `<prefix>ns<pid>`, made on first setUp() with
 * lo up and a veth pair `<prefix>a<pid>`/`<prefix>b<pid>` up inside it (`addr` on the first
 * end when given); deleted at file end. `skip` says why it cannot be made here.
 */
export function netnsFixture(prefix, { addr } = {}) {
  const tag = `${process.pid % 100000}`;
  const name = `${prefix}ns${tag}`;
  const veth = [`${prefix}a${tag}`, `${prefix}b${tag}`];
  const skip = process.getuid?.() !== 0 ? 'network namespaces need root'
    : need('ip') ? 'ip is not installed (apt-get install iproute2)' : false;
  let made = false;
  after(() => { if (made) spawnSync('timeout', ['10', 'ip', 'netns', 'del', name]); });
  return {
    name, veth, tag, skip,
    setUp() {
      if (made) return;
      made = true;
      ip('netns', 'add', name);
      ip('-n', name, 'link', 'set', 'lo', 'up');
      ip('-n', name, 'link', 'add', veth[0], 'type', 'veth', 'peer', 'name', veth[1]);
      for (const v of veth) ip('-n', name, 'link', 'set', v, 'up');
      if (addr) ip('-n', name, 'addr', 'add', addr, 'dev', veth[0]);
    },
  };
}

/**
 * Starts a peer (wrapped in `timeout`), resolves when it prints READY (or immediately if
 * ready is false). Lines after READY are collected in .lines; the process is killed at
 * file end.
 */
export function startPeer(cmd, args, { ready = true, seconds = 20, input } = {}) {
  const child = spawn('timeout', [String(seconds), cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { err += d; });
  const readyP = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      let i;
      while ((i = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line === 'READY') resolve();
        else lines.push(line);
      }
    });
    child.on('close', (code) => reject(new Error(`${cmd} exited ${code} before READY: ${err}`)));
    if (!ready) resolve();
  });
  if (input !== undefined) child.stdin.end(input);
  after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return { child, lines, ready: within(readyP, seconds * 1000, `${cmd} READY`), exited, stderr: () => err };
}

/** Runs python3 code as a peer; argv available as sys.argv[1:]. */
export function python(code, args = [], opts) {
  return startPeer('python3', ['-u', '-c', code, ...args], opts);
}

/**
 * socketpair() whose two ends are closed after the current test, pass or fail:
 * `const pair = trackedPairs(socketpair); const { a, b } = pair('seqpacket'); pair.track(s)`
 */
export function trackedPairs(socketpair) {
  const open = [];
  afterEach(() => { for (const s of open.splice(0)) s.close(); });
  const pair = (type) => {
    const [a, b] = socketpair('unix', type);
    open.push(a, b);
    return { a, b };
  };
  /** Other sockets to close after the current test. */
  pair.track = (...socks) => { open.push(...socks); };
  return pair;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick, then released). */
export async function freePort() {
  const { socket } = await import('../dist/index.js');
  const s = socket('inet', 'stream');
  s.bind('127.0.0.1:0');
  const { port } = s.getsockname();
  s.close();
  return port;
}

/** True when every directory from / down to `dir` lets other users pass (o+x). */
function othersCanEnter(dir) {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (d === dirname(d)) return true;
  }
}

/** Makes a copied tree readable (and its directories enterable) by everyone, whatever the umask. */
function openUp(path) {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const e of readdirSync(path)) openUp(join(path, e));
  } else chmodSync(path, (st.mode & 0o111) ? 0o755 : 0o644);
}

/**
 * A world-readable copy of the built package (package.json, dist/, the addon, examples/)
 * for children that run as another user (uid 65534): the checkout may sit in a directory
 * only its owner can enter (mktemp -d makes 0700, so do many homes). Call at the top of a
 * test file; removed at its end. `.url(rel)` is a file: URL to import, `.path(rel)` a path.
 */
export function readableBuild() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const base = [tmpdir(), '/tmp', '/var/tmp', '/dev/shm'].find(othersCanEnter);
  if (base === undefined) throw new Error('no temp directory other users can enter (tried TMPDIR, /tmp, /var/tmp, /dev/shm)');
  const dir = mkdtempSync(join(base, 'xs-pkg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The addon's loader (a runtime dependency) comes along: dist/binding.js requires it.
  for (const rel of ['package.json', 'dist', 'examples', 'build/Release/xsock.node', 'node_modules/node-gyp-build']) {
    cpSync(join(root, rel), join(dir, rel), { recursive: true });
  }
  openUp(dir);
  return { dir, path: (rel) => join(dir, rel), url: (rel) => pathToFileURL(join(dir, rel)).href };
}
