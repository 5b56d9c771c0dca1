import { isAirlockError, type AirlockError, type ErrorCode } from '../../core/index.ts';
import { isCircuitOpen } from '../../upstream/index.ts';

/**
 * Errors as every ecosystem's clients get them: the HTTP status of each error code and a one-line
 * message (their dialects differ in how they carry it, not here). Unknown errors become a generic
 * 500 carrying the request id.
 */

/** The HTTP status of each error code. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_NAME: 400,
  INVALID_VERSION: 400,
  INVALID_DIGEST: 400,
  INVALID_PURL: 400,
  NOT_FOUND: 404,
  UPSTREAM_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  QUARANTINED: 403,
  BLOCKED: 403,
  CONFLICT: 409,
  LIMIT_EXCEEDED: 413,
  DIGEST_MISMATCH: 502,
  SIZE_MISMATCH: 502,
  UPSTREAM_BAD_RESPONSE: 502,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  POLICY_ERROR: 503,
  CONFIG_INVALID: 500,
  STORAGE_ERROR: 500,
  UNAVAILABLE: 503,
  SCAN_ERROR: 500,
  INTERNAL: 500,
};

export interface WireError {
  readonly status: number;
  /** One line; Airlock's own faults carry the request id, for its operator. */
  readonly message: string;
  /** Whether this is Airlock's fault or an outage worth a log line at error level. */
  readonly serious: boolean;
}

/**
 * The status an answer to a client that went away is counted with: nobody receives it, and the
 * logs and metrics tell it apart from a refusal (nginx's "client closed request").
 */
const CLIENT_CLOSED = 499;

/**
 * Whether `err` is the client going away: Node ends a request whose connection closed before its
 * body had arrived with an `aborted` error (ECONNRESET) and destroys it. An interrupted `docker
 * push` or `twine upload` is routine and no fault of Airlock's: an info line, not an error one.
 * The request must be destroyed too, so that an upstream's response cut short (the same error,
 * on a response Airlock was reading) is never taken for it.
 */
function clientWentAway(err: unknown, request: { readonly destroyed: boolean }): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return request.destroyed && e !== null && typeof e === 'object' && e.code === 'ECONNRESET' && e.message === 'aborted';
}

/**
 * `err` as a client gets it. `request` (the incoming message) tells a client that went away
 * (`clientWentAway`) from Airlock's own failures.
 */
export function wireError(err: unknown, requestId: string, request?: { readonly destroyed: boolean }): WireError {
  if (request !== undefined && clientWentAway(err, request)) {
    return { status: CLIENT_CLOSED, message: 'the client closed the connection before its request had been read', serious: false };
  }
  if (isAirlockError(err)) {
    const status = ERROR_STATUS[err.code];
    const message = err.code === 'UPSTREAM_NOT_FOUND' ? `not found: ${err.message}` : err.message;
    // An upstream's faults (502, 504) are not Airlock's: no request id.
    const own = status === 500 || status === 501 || status === 503;
    const serious = status >= 500 && !refusedByDesign(err);
    return { status, message: oneLine(own ? `${message} (request ${requestId})` : message), serious };
  }
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, message: oneLine(err instanceof Error ? err.message : 'bad request'), serious: false };
  }
  return { status: 500, message: `internal error in Airlock (request ${requestId})`, serious: true };
}

/**
 * Refusals Airlock makes by design to protect itself or an upstream, not faults: a request an
 * admission turned away (503 with Retry-After; logged at warn where it was turned away, and
 * counted), and one refused at once while an upstream's circuit is open (the failures that opened
 * it were logged, and each trial after `breakerOpenMs` that fails is too). Logged as refusals:
 * under a fleet's load or through an outage, an error line each would flood the log.
 */
function refusedByDesign(err: AirlockError): boolean {
  return err.details['turnedAway'] === true || isCircuitOpen(err);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 2000);
}

/**
 * A message as one line of printable ASCII, at most `max` characters: what an HTTP reason phrase
 * or header may hold (pip prints the reason phrase, the Hub's clients read `X-Error-Message`).
 */
export function asciiLine(message: string, max: number): string {
  const ascii = message
    .replace(/…/g, '...')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length > max ? `${ascii.slice(0, max - 3)}...` : ascii;
}
