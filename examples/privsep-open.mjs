#!/usr/bin/env node
// Privilege separation with descriptor passing: a privileged process (this one, run as
// root) opens a file the unprivileged worker may not open, and hands it the open
// descriptor with I_SENDFD. The worker runs with every right dropped
// (setpriv --reuid/--regid/--clear-groups), proves it cannot open the file itself, then
// reads it through the descriptor it received.
//
//   sudo node examples/privsep-open.mjs FILE [--user=65534]
import { openSync, closeSync, constants } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pipe, close, ioctl, I_SENDFD } from 'xsock/streams';

const args = process.argv.slice(2);
const FILE = args.find((a) => !a.startsWith('--'));
const user = args.find((a) => a.startsWith('--user='))?.split('=')[1] ?? '65534';
if (!FILE) {
  console.error('usage: node examples/privsep-open.mjs FILE [--user=UID]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('privsep-open: run as root (the privileged side drops rights for the worker)');
  process.exit(2);
}

const [mine, theirs] = pipe();
const worker = spawn('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--clear-groups', '--',
  process.execPath, fileURLToPath(new URL('./privsep-worker.mjs', import.meta.url)), FILE], {
  stdio: ['ignore', 'inherit', 'inherit', theirs],
});
const exited = new Promise((resolve) => worker.on('exit', (code, signal) => resolve(code ?? signal)));
close(theirs);

// The privileged part is this one open(2); everything else runs unprivileged.
const fd = openSync(FILE, constants.O_RDONLY);
console.log(`privileged: uid=${process.getuid?.()} opened ${FILE}, passing it to the worker`);
try {
  await ioctl(mine, I_SENDFD, fd);
} finally {
  closeSync(fd);
}
const code = await exited;
close(mine);
if (code !== 0) {
  console.error(`worker exited with ${code}`);
  process.exitCode = 1;
}
