#!/usr/bin/env node
// Example 9-1 of the SunOS 5 guide, "file descriptor passing", in Node with xsock/streams.
//
//   node examples/streams-9-1.mjs [TESTFILE] [--child-uid=N --child-gid=N]
//
// The parent prints the stat line of TESTFILE (default /dev/null), makes a STREAMS pipe
// and starts a child (Node has no fork(): the child is a new process given one pipe end as
// fd 3). The child opens TESTFILE and passes the descriptor back with I_SENDFD; the parent
// receives it with I_RECVFD and prints the stat line of the received descriptor — the
// same file, so mode, ino, dev and rdev match — and the sender's uid/gid as the kernel
// reported them. Run as root, --child-uid/--child-gid start the child as another user.
import { statSync, fstatSync, closeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pipe, close, ioctl, I_RECVFD } from 'xsock/streams';

const args = process.argv.slice(2);
const option = (/** @type {string} */ name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const TESTFILE = args.find((a) => !a.startsWith('--')) ?? '/dev/null';

/**
 * @param {string} from
 * @param {import('node:fs').Stats} s
 */
function statout(from, s) {
  console.log(`stat: from=${from} mode=0${s.mode.toString(8)}, ino=${s.ino}, dev=${s.dev.toString(16)}, rdev=${s.rdev.toString(16)}`);
}

statout(TESTFILE, statSync(TESTFILE));
const [p0, p1] = pipe();
const ids = {};
if (option('child-uid') !== undefined) ids.uid = Number(option('child-uid'));
if (option('child-gid') !== undefined) ids.gid = Number(option('child-gid'));
const child = spawn(process.execPath, [fileURLToPath(new URL('./streams-9-1-child.mjs', import.meta.url)), TESTFILE], {
  stdio: ['ignore', 'inherit', 'inherit', p1],
  ...ids,
});
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
close(p1); // the child holds its end; ours would keep the pipe from ever hanging up

try {
  const r = await ioctl(p0, I_RECVFD);
  statout(`recvfd=${r.fd}`, fstatSync(r.fd));
  console.log(`sender: uid=${r.uid} gid=${r.gid}`);
  closeSync(r.fd);
} finally {
  close(p0);
}
const code = await exited;
if (code !== 0) {
  console.error(`child exited with ${code}`);
  process.exitCode = 1;
}
