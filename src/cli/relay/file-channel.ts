/**
 * File endpoints as socat opens them: open(2) with flags from the keyword, the relay's
 * direction (read, write or both) and the address options, then fs streams on the one
 * descriptor (the thread pool reads and writes; the offset is shared, as socat's is).
 */
import { constants as FS, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as fs from 'node:fs';
import { once } from 'node:events';
import type { FileSpec } from './addresses.js';
import { StreamChannel, regularFile } from './stream-channel.js';

/** What the relay does with an endpoint. */
export interface Access { read: boolean; write: boolean }

/** True for keywords that only ever write (their files are never read back). */
export function writeOnly(spec: FileSpec): boolean {
  return spec.keyword === 'create' || spec.keyword === 'append';
}

/** The open(2) flags of a file address used for `access`. */
export function openFlags(spec: FileSpec, access: Access, exists: boolean): number {
  const o = spec.options;
  const read = access.read && !writeOnly(spec);
  const write = access.write || writeOnly(spec);
  let flags = read && write ? FS.O_RDWR : write ? FS.O_WRONLY : FS.O_RDONLY;
  if (spec.keyword === 'create') flags |= FS.O_CREAT | FS.O_TRUNC;
  if (spec.keyword === 'append') flags |= FS.O_CREAT | FS.O_APPEND;
  if (spec.keyword === 'gopen') flags |= exists ? FS.O_APPEND : FS.O_CREAT;
  if (o.creat) flags |= FS.O_CREAT;
  if (o.excl) flags |= FS.O_EXCL;
  if (o.trunc) flags |= FS.O_TRUNC;
  if (o.append) flags |= FS.O_APPEND;
  return flags;
}

/** gopen: on a unix socket socat connects instead of opening. */
export function isSocketPath(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Opens a file address; the open error (ENOENT, EACCES, EEXIST, EISDIR ...) rejects. */
export async function fileChannel(spec: FileSpec, access: Access): Promise<StreamChannel> {
  let exists = false;
  if (spec.keyword === 'gopen') {
    try {
      statSync(spec.path);
      exists = true;
    } catch {
      // created below
    }
  }
  const flags = openFlags(spec, access, exists);
  const accmode = flags & (FS.O_RDONLY | FS.O_WRONLY | FS.O_RDWR);
  let fh;
  try {
    fh = await open(spec.path, flags, spec.options.perm ?? 0o666);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (accmode === FS.O_RDWR && (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EISDIR' || e.code === 'ETXTBSY')) {
      e.message += ' (opened read-write for a two-way relay: -u or -U opens it one way)';
    }
    throw e;
  }
  const fd = fh.fd;
  // fs streams close their fd on destroy() whatever autoClose says; both streams share
  // this one, which the FileHandle alone closes, last.
  const shared = { ...fs, close: (_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => cb(null) };
  const input = accmode === FS.O_WRONLY ? null : fs.createReadStream('', { fd, fs: shared, autoClose: false, highWaterMark: 1 << 17 });
  const output = accmode === FS.O_RDONLY ? null : fs.createWriteStream('', { fd, fs: shared, autoClose: false });
  return new StreamChannel(spec.text, input, output, regularFile(fd), async () => {
    // A read in the thread pool still uses the number: close it only after the stream is done.
    if (input && !input.closed) await once(input, 'close');
    await fh.close();
  });
}
