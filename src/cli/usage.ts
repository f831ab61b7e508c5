/** Bad usage of the command: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** Bad usage: our own, node:util parseArgs's, and an address the socket layer refused. */
export function isUsage(err: unknown): boolean {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: string } | null)?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS_') || code === 'ERR_XSOCK_BAD_ADDRESS' || code === 'ERR_XSOCK_PATH_TOO_LONG';
}
