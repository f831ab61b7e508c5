// strerror (xsock) against the C library's own texts as python reports them, and the XTI
// t_strerror/t_error pair as a ported program uses them (stderr of a child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { strerror, constants as C } from '../dist/index.js';
import * as X from '../dist/xti/index.js';
import { checkFdsAtEnd, python } from './helpers.js';

checkFdsAtEnd();

test('strerror gives the C library\'s text for every errno, negative (Node) numbers too, and names bad input', async () => {
  const nums = Array.from({ length: 140 }, (_, i) => i).concat([4096, 99999]);
  const peer = python('import os, sys\nfor n in sys.argv[1:]: print(os.strerror(int(n)))\nprint("READY", flush=True)', nums.map(String));
  await peer.ready;
  assert.deepEqual(nums.map((n) => strerror(n)), peer.lines);
  assert.equal(strerror(-C.ECONNREFUSED), strerror(C.ECONNREFUSED));
  assert.throws(() => strerror('ECONNRESET'), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE' && /"errno"/.test(e.message));
  assert.throws(() => strerror(1.5), (e) => e.code === 'ERR_XSOCK_INVALID_ARG_TYPE');
});

test('t_strerror covers every t_errno; t_error writes "msg: text", with the system text for TSYSERR', () => {
  for (let n = 1; n <= X.TPROTO; n++) assert.ok(X.t_strerror(n).length > 0 && !/unknown/.test(X.t_strerror(n)), X.t_errnoNames[n]);
  assert.equal(X.t_strerror(X.TADDRBUSY), 'Transport address is in use');
  assert.equal(X.t_strerror(-1), '-1: error unknown');
  const program = `
import * as X from 'xsock/xti';
const fd = X.t_open('/dev/udp', X.O_RDWR | X.O_NONBLOCK);
X.t_bind(fd, null, null);
try { X.t_rcvudata(fd, X.t_alloc(fd, X.T_UNITDATA, X.T_ALL), { flags: 0 }); } catch { X.t_error('t_rcvudata'); }
try {
  await X.t_sndudata(fd, { addr: X.netbufOf(X.addressBytes('255.255.255.255:9')), opt: X.netbufOf(''), udata: X.netbufOf('x') });
} catch { X.t_error('t_sndudata'); }
X.t_error('');
X.t_close(fd);
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 10000, cwd: new URL('..', import.meta.url) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, [
    't_rcvudata: No message currently available',
    `t_sndudata: System error: ${strerror(C.EACCES)}`,
    `System error: ${strerror(C.EACCES)}`,
    '',
  ].join('\n'));
});
