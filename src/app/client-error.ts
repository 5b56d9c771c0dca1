/**
 * Fastify's `clientErrorHandler`: bytes on a connection that Node cannot read as an HTTP/1.1
 * request (a malformed request line or header, headers past the size limit, a request that did
 * not arrive in time). No route has been chosen, so no API's error format is known: the answer is
 * Airlock's own `{error, code}`, saying what was wrong, with `Connection: close`. The connection
 * ends with it: whatever follows the bad bytes cannot be told apart from them. (Fastify's default
 * answer named none of this, had no `Connection: close`, and was in no API's format.)
 */
import type { Duplex } from 'node:stream';

/** What Node's HTTP parser reports: a code (`HPE_…`, `ERR_HTTP_REQUEST_TIMEOUT`) and, for parse errors, its reason. */
type ClientError = Error & { readonly code?: string; readonly reason?: string };

/** The status, Airlock's error code and the message for a client error. */
function clientErrorAnswer(err: ClientError): { readonly status: number; readonly code: string; readonly message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'BAD_REQUEST', message: 'the request did not arrive in time' };
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'LIMIT_EXCEEDED', message: 'the request headers are larger than Airlock reads' };
  // The parser's reason is a fixed phrase of its own ("Invalid method encountered"), never the client's bytes.
  const reason = typeof err.reason === 'string' && /^[\x20-\x7e]{1,120}$/.test(err.reason) ? `: ${err.reason}` : '';
  return { status: 400, code: 'BAD_REQUEST', message: `not a valid HTTP/1.1 request (${err.code ?? 'parse error'}${reason})` };
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

export function answerClientError(err: ClientError, socket: Duplex): void {
  // A reset connection, or one already gone: there is no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, code, message } = clientErrorAnswer(err);
    const body = JSON.stringify({ error: message, code });
    socket.write(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
