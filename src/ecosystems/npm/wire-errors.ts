/**
 * The npm error dialect, in one place: `{"error": "<one line>"}` with a status npm renders well
 * (npm.md §11). npm prints `<status> <text> - <METHOD> <url> - <error>`. Codes map to statuses
 * in `shared/error-status.ts`, for every ecosystem; unknown errors become a generic 500 carrying
 * the request id.
 */
import { isAirlockError } from '../../core/index.ts';
import { ERROR_STATUS as STATUS } from '../shared/error-status.ts';

export interface WireError {
  readonly status: number;
  readonly body: { readonly error: string };
  /** Whether this is Airlock's fault or an outage worth a log line at error level. */
  readonly serious: boolean;
}

export function npmWireError(err: unknown, requestId: string): WireError {
  if (isAirlockError(err)) {
    const status = STATUS[err.code];
    const message = err.code === 'UPSTREAM_NOT_FOUND' ? `not found: ${err.message}` : err.message;
    // Airlock's own faults carry the request id, for its operator; an upstream's (502, 504) do not.
    const own = status === 500 || status === 501 || status === 503;
    return { status, body: { error: oneLine(own ? `${message} (request ${requestId})` : message) }, serious: status >= 500 };
  }
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: oneLine(err instanceof Error ? err.message : 'bad request') }, serious: false };
  }
  return { status: 500, body: { error: `internal error in Airlock (request ${requestId})` }, serious: true };
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 2000);
}
