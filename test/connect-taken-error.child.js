// Child of connect-taken-error.test.js: a non-blocking TCP connect to a closed port fails,
// another call takes its error (getsockopt SO_ERROR, or recv), then connect() is awaited.
// Prints one JSON line per case. Run in its own process because the defect it guards froze
// the event loop (a microtask loop): no timer of the process itself could end the test.
import { socket, POLL_OUT } from '../dist/index.js';

const probe = socket('inet', 'stream');
probe.bind('127.0.0.1:0');
const { port } = probe.getsockname();
probe.close();
const to = { family: 'inet', address: '127.0.0.1', port };

for (const taker of process.argv.slice(2)) {
  const c = socket('inet', 'stream');
  const out = { taker };
  try {
    out.inProgress = c.tryConnect(to) === false;
    // Until the refusal is in: the socket is then writable (and hung up).
    await c.readiness.wait(POLL_OUT, { timeout: 5000 });
    if (taker === 'getsockopt') out.taken = c.getsockopt('SOL_SOCKET', 'SO_ERROR');
    else {
      try { c.tryRecv(1); } catch (err) { out.taken = err.code; }
    }
    out.soErrorAfter = c.getsockopt('SOL_SOCKET', 'SO_ERROR');
    try {
      await c.connect(to, { timeout: 1000 });
      out.connect = 'resolved';
    } catch (err) {
      out.connect = { code: err.code, syscall: err.syscall };
    }
  } finally {
    c.close();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
