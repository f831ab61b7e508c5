/**
 * SIGURG as an event of this environment's loop, on the main thread and in every worker.
 *
 * Signals are process-wide and SIGURG carries no descriptor, so each listening environment
 * is told of every SIGURG and asks its own sockets what happened. The delivery is libuv's
 * (one uv_signal_t per environment, see native/sigurg.c): its one process-wide handler also
 * serves Node's process.on('SIGURG'), so a user's listener keeps working beside ours.
 */
import { native } from '../binding.js';
import { argType, check } from '../errors.js';

const listeners = new Set<() => void>();

function deliver(): void {
  for (const fn of [...listeners]) {
    try {
      fn();
    } catch (err) {
      queueMicrotask(() => { throw err; });
    }
  }
}

/**
 * Calls `fn()` on this thread's event loop after each SIGURG the process receives
 * (uv_signal_start, which installs the handler with sigaction(2) for the first listener of
 * the process). Does not keep the loop alive. Returns the function that stops listening.
 */
export function listenSigurg(fn: () => void): () => void {
  if (typeof fn !== 'function') throw argType('fn', 'a function', fn);
  if (listeners.size === 0) check(native.sigurgListen(deliver), 'sigaction');
  listeners.add(fn);
  return () => {
    if (!listeners.delete(fn) || listeners.size > 0) return;
    native.sigurgUnlisten();
  };
}
