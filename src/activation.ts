/**
 * Inherited sockets and systemd-style socket activation (sd_listen_fds(3) semantics, no
 * libsystemd needed): the service manager — systemd, or systemd-socket-activate — opens
 * and binds the sockets, then starts us with them as fds 3.. and describes them in
 * LISTEN_FDS (how many), LISTEN_PID (for whom) and LISTEN_FDNAMES (colon-separated names).
 *
 * Inherited descriptors are not close-on-exec, so every child we spawned would hold our
 * listening sockets open. There is no F_SETFD in the shim, so each is moved to a
 * close-on-exec duplicate (fcntl F_DUPFD_CLOEXEC) and the original closed: the sockets
 * are the same, only their numbers change (use the returned Socket, not fd 3).
 */
import { fstatSync } from 'node:fs';
import { argType } from './errors.js';
import { Socket, dupCloexec, isCloexec, closeFd } from './socket/index.js';

/** First inherited descriptor (SD_LISTEN_FDS_START). */
export const LISTEN_FDS_START = 3;

/** One inherited descriptor. */
export interface ActivatedSocket {
  /** Its name from LISTEN_FDNAMES ('unknown' when none was given, as systemd says). */
  name: string;
  /** The adopted socket, or null when the descriptor is not a socket (a FIFO, a file). */
  socket: Socket | null;
  /** The (close-on-exec) descriptor now holding it; owned by `socket` when there is one. */
  fd: number;
}

/** Options of listenFds(). */
export interface ListenFdsOptions {
  /** Remove LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES so children do not see them (default true). */
  unsetEnvironment?: boolean | undefined;
  /** The environment to read (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * sd_listen_fds(3) + adoption: the sockets passed to this process by socket activation,
 * in order, each as a Socket (via Socket.fromFd, non-blocking, close-on-exec). An empty
 * array when nothing was passed to this process (no LISTEN_FDS, or LISTEN_PID names
 * another process: the variables were inherited from a parent).
 */
export function listenFds(options: ListenFdsOptions = {}): ActivatedSocket[] {
  if (options === null || typeof options !== 'object') throw argType('options', 'an object', options);
  const env = options.env ?? process.env;
  const pid = env.LISTEN_PID;
  const count = env.LISTEN_FDS;
  const names = env.LISTEN_FDNAMES?.split(':') ?? [];
  if (options.unsetEnvironment ?? true) {
    delete env.LISTEN_PID;
    delete env.LISTEN_FDS;
    delete env.LISTEN_FDNAMES;
  }
  if (pid === undefined || count === undefined || !/^\d+$/.test(pid) || Number(pid) !== process.pid) return [];
  if (!/^\d+$/.test(count)) return [];
  const out: ActivatedSocket[] = [];
  for (let i = 0; i < Number(count); i++) {
    const inherited = LISTEN_FDS_START + i;
    const fd = closeOnExec(inherited);
    const name = names[i] || 'unknown';
    out.push({ name, fd, socket: isSocket(fd) ? Socket.fromFd(fd) : null });
  }
  return out;
}

/** The descriptor moved to a close-on-exec number (see the file comment). */
function closeOnExec(fd: number): number {
  if (isCloexec(fd)) return fd;
  const dup = dupCloexec(fd);
  closeFd(fd);
  return dup;
}

function isSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}
