/**
 * Which database errors are outages (retry the same write later) and which are refusals of the data
 * itself (retrying cannot help). The class of an error decides whether it is retried.
 */

/** Codes of a lost or busy server: the write is retried with backoff, never given up. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_QUERY_INTERRUPTED',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_CANT_LOCK',
  'ER_LOCK_TABLE_FULL',
  'ER_RECORD_FILE_FULL',
  'ER_DISK_FULL',
]);

/** The driver's error code (`ER_…` or a socket code), looking through drizzle's wrapping. */
export function errorCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return undefined;
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** True when the error says the server is away or busy, not that it refuses these rows. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (code === undefined) {
    // mysql2 reports a closed pool or connection without a code; that is an outage too.
    return /closed state|Pool is closed|Connection lost/i.test(String(error));
  }
  return TRANSIENT_CODES.has(code);
}
