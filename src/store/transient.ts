/**
 * Which database errors are refusals of the rows themselves (a value the table cannot hold: find the
 * row at fault, store the others) and which are not. Everything that is not about a row — a lost
 * server, but also a missing privilege, a read-only server, a changed table — is an outage: the same
 * write is retried with backoff until it goes through. The class of an error decides what is done.
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
  // Galera: a node not (yet) part of the primary component answers "WSREP has not yet prepared node
  // for application use" with this code.
  'ER_UNKNOWN_COM_ERROR',
  // mysql2's pool cluster when every node is left out for a while (client.ts).
  'POOL_NONEONLINE',
  'POOL_NOEXIST',
]);

/** The first `field` of `error` or of its causes that has the `type` asked: drizzle wraps the driver's errors. */
function fieldOf(error: unknown, field: 'code' | 'errno', type: 'string' | 'number'): unknown {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return undefined;
    const value: unknown = (current as Record<string, unknown>)[field];
    if (typeof value === type) return value;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** The driver's error code (`ER_…` or a socket code), looking through drizzle's wrapping. */
export function errorCodeOf(error: unknown): string | undefined {
  return fieldOf(error, 'code', 'string') as string | undefined;
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

/**
 * True when another transaction won: a deadlock, or on Galera a certification failure at commit (a
 * transaction of another node wrote the same rows first; reported as a deadlock). Nothing is wrong
 * with the server: the same transaction, written again, goes through or finds its rows stored.
 */
export function isWriteConflict(error: unknown): boolean {
  return errorCodeOf(error) === 'ER_LOCK_DEADLOCK';
}

/** The server's error number (1406…), looking through drizzle's wrapping. */
export function errnoOf(error: unknown): number | undefined {
  return fieldOf(error, 'errno', 'number') as number | undefined;
}

/**
 * Errors about a value of the rows sent: NULL into NOT NULL (1048, 1263), a packet too large (1153),
 * out of range or cut (1264, 1265, 1292, 1366, 1367, 1406), invalid JSON (3140), a failed CHECK
 * (3819 on MySQL, 4025 on MariaDB).
 */
const ROW_ERRNOS = new Set([1048, 1153, 1263, 1264, 1265, 1292, 1366, 1367, 1406, 3140, 3819, 4025]);
/** The same by mysql2's names, for errors that carry no number (4025 has a wrong name there). */
const ROW_CODES = new Set([
  'LR_ROWS_REFUSED',
  'ER_BAD_NULL_ERROR',
  'ER_NET_PACKET_TOO_LARGE',
  'ER_WARN_NULL_TO_NOTNULL',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'WARN_DATA_TRUNCATED',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_ILLEGAL_VALUE_FOR_TYPE',
  'ER_DATA_TOO_LONG',
  'ER_INVALID_JSON_TEXT',
  'ER_CHECK_CONSTRAINT_VIOLATED',
]);

/**
 * True when the server refused the rows for a value of theirs: a statement warning other than a
 * duplicate key (warnings.ts), or an error about a value in strict mode. Only then is a batch split
 * to find the row at fault.
 */
export function isRowRefusal(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (code !== undefined && ROW_CODES.has(code)) return true;
  const errno = errnoOf(error);
  return errno !== undefined && ROW_ERRNOS.has(errno);
}
