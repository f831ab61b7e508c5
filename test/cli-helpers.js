// Running the xsock command as a black box: spawned under `timeout`, stdout and stderr
// collected, --json events parsed as they arrive.
import { spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { within } from './helpers.js';

export const BIN = fileURLToPath(new URL('../bin/xsock.js', import.meta.url));

/**
 * Starts `xsock ...args`. Returns { child, exited (resolves { code, stdout, stderr }),
 * event(name) (resolves the first --json event of that name), events }.
 */
export function xsock(args, { input, seconds = 30, stdio, netns } = {}) {
  // netns: run inside that network namespace (ip netns exec).
  const cmd = netns ? ['ip', 'netns', 'exec', netns, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  const child = spawn('timeout', ['-s', 'KILL', String(seconds), ...cmd], { stdio: stdio ?? ['pipe', 'pipe', 'pipe'] });
  let stdout = Buffer.alloc(0);
  let stderr = '';
  const events = [];
  const waiting = [];
  child.stdout?.on('data', (d) => { stdout = Buffer.concat([stdout, d]); });
  child.stderr?.setEncoding('utf8');
  let partial = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
    partial += d;
    let i;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      if (!line.startsWith('{')) continue;
      try {
        const e = JSON.parse(line);
        events.push(e);
        for (const w of waiting.slice()) if (w.name === e.event) { waiting.splice(waiting.indexOf(w), 1); w.resolve(e); }
      } catch { /* not an event */ }
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  if (input !== undefined && child.stdin) child.stdin.end(input);
  after(() => { if (child.exitCode === null) child.kill('SIGTERM'); });
  const event = (name, ms = 10000) => {
    const seen = events.find((e) => e.event === name);
    if (seen) return Promise.resolve(seen);
    return within(new Promise((resolve, reject) => {
      waiting.push({ name, resolve });
      exited.then(({ code }) => reject(new Error(`xsock exited ${code} before '${name}': ${stderr}`)));
    }), ms, `xsock event '${name}'`);
  };
  return { child, exited: within(exited, seconds * 1000 + 2000, 'xsock to exit'), event, events, stderr: () => stderr };
}
