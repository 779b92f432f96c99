/** Seconds a client is asked to wait before retrying while the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Socket errors of the driver's connection (refused, reset, unreachable, name not resolved).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shutting down, crashed or
// starting) and 53300 (too many connections).
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
// What pg and pg-pool say when a connection dies or none can be had in time.
const MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * True when `error` (a TypeORM error, a pg error, or what either wraps: `driverError`, `cause`,
 * the `errors` of an AggregateError from a multi-address connect) says the database could not be
 * reached, rather than that a statement failed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const queue: unknown[] = [error];
  for (let seen = 0; seen < 16 && queue.length > 0; seen++) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object') continue;
    const { code, message, driverError, cause, errors } = e as ErrorLike;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    queue.push(driverError, cause, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}
