/**
 * Says why a domain refused a call when the errno alone misleads: a vsock socket opens on
 * any kernel with the af_vsock core, but binds and connects fail with EADDRNOTAVAIL or
 * ENODEV until a transport (vsock_loopback, vhost_vsock, virtio_vsock ...) is loaded;
 * packet and raw sockets need CAP_NET_RAW. The error keeps its code and errno; only the
 * message grows a sentence.
 */
import { constants as C } from './constants.js';
import type { SystemError } from './errors.js';

const VSOCK_NO_TRANSPORT = new Set(['EADDRNOTAVAIL', 'ENODEV', 'ENETUNREACH', 'ESOCKTNOSUPPORT', 'EAFNOSUPPORT']);

/** Adds the explanation to `err` (in place) when one applies; returns it. */
export function explainDomainError(err: SystemError, domain: number): SystemError {
  let why = '';
  if (domain === C.AF_VSOCK && VSOCK_NO_TRANSPORT.has(err.code)) {
    why = 'no vsock transport is loaded (modprobe vsock_loopback for CID 1 (VMADDR_CID_LOCAL), '
      + 'vhost_vsock on a host, virtio_vsock in a guest)';
  } else if (domain === C.AF_VSOCK && err.code === 'ETIMEDOUT') {
    // Without a transport for the CID a connect is never answered.
    why = 'is a vsock transport loaded for this CID? (modprobe vsock_loopback for CID 1, vhost_vsock on a host, virtio_vsock in a guest)';
  } else if ((err.code === 'EPERM' || err.code === 'EACCES') && err.syscall === 'socket') {
    why = 'packet and raw sockets need CAP_NET_RAW';
  } else if (err.code === 'EAFNOSUPPORT' && err.syscall === 'socket') {
    why = 'this kernel does not offer the domain (not built, module not loaded, or disabled in this namespace)';
  }
  if (why) err.message = `${err.message} — ${why}`;
  return err;
}
