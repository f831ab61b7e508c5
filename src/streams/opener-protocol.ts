/**
 * The wire format between the opener client (helper.ts) and the helper process
 * (opener-child.ts): one JSON object per SOCK_SEQPACKET message, so boundaries are the
 * kernel's. A reply carrying a descriptor has it attached as SCM_RIGHTS.
 */

/** Caller -> helper: open `path` with `flags` (number or fs flag string) and `mode`. */
export interface OpenRequest { id: number; path: string; flags: number | string; mode: number }

/** Helper -> caller: success (the fd rides along) or the open(2) error. */
export type OpenReply =
  | { id: number; ok: true }
  | { id: number; ok: false; errno: number; code: string };

/** The largest request: a PATH_MAX path, JSON-escaped, plus the other fields. */
export const MAX_MESSAGE = 64 * 1024;

/** Encodes one message. */
export function encode(msg: OpenRequest | OpenReply): Buffer {
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

/** Decodes one message; null for anything that is not a well-formed object with an id. */
export function decode<T extends { id: number }>(data: Buffer): T | null {
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'number') return v as T;
  } catch {
    // a malformed message is dropped below
  }
  return null;
}
