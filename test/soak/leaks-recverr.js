// Run by leaks.js: a pending recv on a UDP socket with IP_RECVERR and a queued ICMP error
// must wait quietly (item 5). Prints failures as JSON lines.
import { socket } from '../../dist/index.js';
import { sleep } from './lib.js';

const ctx = { fail: (f) => process.stdout.write(`${JSON.stringify(f)}\n`) };
const port = socket('inet', 'dgram');
port.bind('127.0.0.1:0');
const dead = port.getsockname();
port.close(); // nobody listens there now: sends earn ICMP port unreachable
const s = socket('inet', 'dgram');
try {
  s.setsockopt('SOL_IP', 'IP_RECVERR', true);
  await s.connect(dead);
  await s.send('x').catch(() => {});
  await sleep(20);
  // The first receive reports the error (ECONNREFUSED); the queued copy stays in the
  // error queue and keeps POLLERR up: the next receive is the one that must wait quietly.
  try { await s.recv(100, 0, { timeout: 300 }); } catch (e) { void e; }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let said = '';
  try { await s.recv(100, 0, { timeout: 300 }); } catch (e) { said = String(e?.message); }
  const wall = performance.now() - t0;
  const used = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000;
  const claimed = /after ([\d.]+) ms/.exec(said);
  if (claimed && Number(claimed[1]) < 250) ctx.fail({ check: 'leaks.recverr-busy', fn: 'recv', arg: '{ timeout: 300 } with a queued IP_RECVERR error', what: `the timeout error says "${said}" after ${wall.toFixed(0)} ms` });
  if (wall > 50 && used > wall * 0.3) ctx.fail({ check: 'leaks.recverr-busy', fn: 'recv', arg: 'UDP + IP_RECVERR + queued ICMP error', what: `busy loop: ${used.toFixed(0)} ms CPU in ${wall.toFixed(0)} ms waiting` });
} finally {
  s.close();
}
process.exit(0);
