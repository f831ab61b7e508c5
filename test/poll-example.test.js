// examples/poll-xti-pipe.mjs against two python3 servers: one process polls two XTI
// endpoints and a STREAMS pipe fed by a child, reading each as it becomes ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkFdsAtEnd, within, need } from './helpers.js';

checkFdsAtEnd();
const example = fileURLToPath(new URL('../examples/poll-xti-pipe.mjs', import.meta.url));

// Two servers that answer at different times, release in order, then wait for our release.
const SERVERS = `
import socket, threading, time
def serve(l, text, delay):
    c, _ = l.accept()
    time.sleep(delay)
    c.sendall(text)
    time.sleep(delay)
    c.shutdown(socket.SHUT_WR)
    c.settimeout(10)
    c.recv(10)
    c.close()
ls = []
for i in range(2):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1); ls.append(l)
print(ls[0].getsockname()[1], ls[1].getsockname()[1], flush=True)
ts = [threading.Thread(target=serve, args=(ls[0], b'one', 0.05)), threading.Thread(target=serve, args=(ls[1], b'two', 0.15))]
for t in ts: t.start()
for t in ts: t.join()
print('RELEASED BOTH', flush=True)
`;

function run(cmd, args) {
  const c = spawn('timeout', ['20', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  c.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  const line = new Promise((resolve) => c.stdout.on('data', () => { if (out.includes('\n')) resolve(out.split('\n')[0]); }));
  const done = new Promise((resolve) => c.on('close', (code) => resolve({ code, out, err })));
  return { line, done };
}

test('poll-xti-pipe reads two XTI endpoints and a pipe as each becomes ready (3 runs)', async () => {
  need('python3');
  for (let i = 0; i < 3; i++) {
    const py = run('python3', ['-c', SERVERS]);
    const [p1, p2] = (await within(py.line, 10000, 'the servers\' ports')).split(' ');
    const prog = run(process.execPath, [example, `127.0.0.1:${p1}`, `127.0.0.1:${p2}`]);
    const [r, s] = await within(Promise.all([prog.done, py.done]), 20000, 'the example and the servers');
    assert.equal(r.code, 0, `run ${i}: exit 0 (stderr ${r.err})`);
    assert.equal(s.code, 0, `run ${i}: servers exit 0 (stderr ${s.err})`);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.at(-1), 'DONE');
    assert.deepEqual(lines.slice(0, -1).sort(), ['EP1 RELEASED', 'EP1 one', 'EP2 RELEASED', 'EP2 two', 'PIPE HUP', 'PIPE hello from the child'].sort());
    // Per stream, data comes before its end; EP1 answers before EP2 does.
    assert.ok(lines.indexOf('EP1 one') < lines.indexOf('EP1 RELEASED'));
    assert.ok(lines.indexOf('EP2 two') < lines.indexOf('EP2 RELEASED'));
    assert.ok(lines.indexOf('PIPE hello from the child') < lines.indexOf('PIPE HUP'));
    assert.ok(lines.indexOf('EP1 one') < lines.indexOf('EP2 two'), r.out);
  }
});
