/**
 * The process-wide Opener behind openThroughHelper(): one helper serves every caller,
 * started on first use and restarted after it dies.
 */
import type { WaitOptions } from '../readiness.js';
import { Opener } from './helper.js';

let shared: Opener | null = null;

/**
 * open(2) through the shared helper process: resolves to a descriptor of this process
 * (close-on-exec; the caller closes it). The event loop and libuv's threadpool stay free
 * however long the open blocks in the kernel. Errors are Node-style (code, errno,
 * syscall 'open', path); ERR_XSOCK_HELPER_EXITED if the helper dies first.
 */
export function openThroughHelper(path: string, flags: string | number = 'r', mode = 0o666, opts?: WaitOptions): Promise<number> {
  shared ??= new Opener();
  return shared.open(path, flags, mode, opts);
}

/** Stops the shared helper (a later openThroughHelper starts a new one). */
export function stopHelper(): void {
  shared?.close();
  shared = null;
}
