import { AirlockError, isAirlockError } from '../core/index.ts';
import { TIMEOUT_CODE } from './transport.ts';

const TIMEOUT_WHAT: Readonly<Record<string, string>> = {
  [TIMEOUT_CODE.connect]: 'connecting',
  [TIMEOUT_CODE.headers]: 'waiting for the response headers',
  [TIMEOUT_CODE.body]: 'waiting for the response body',
  ETIMEDOUT: 'connecting',
};

/** OpenSSL's verification failures for an issuer Airlock has no certificate of. */
const UNTRUSTED_ISSUER = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/** Every certificate verification failure Node reports as an error code. */
const CERTIFICATE_CODES = new Set([
  ...UNTRUSTED_ISSUER,
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turn a transport failure (a time-out of ours or a socket error) into a typed, client-safe error. The
 * message names the upstream and the request path, never internal details; the original
 * error is kept as `cause` for the logs.
 */
export function transportError(err: unknown, upstream: string, path: string): AirlockError {
  if (isAirlockError(err)) return err;
  const code = errorCode(err);
  if (code === 'ERR_PROXY_TUNNEL') return tunnelError(err as Error & { readonly statusCode?: unknown; readonly proxyTunnelTimeout?: unknown }, upstream, path);
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    // Not a passing fault: the same certificate fails the same way until someone changes the trust.
    const message = UNTRUSTED_ISSUER.has(code)
      ? `upstream ${upstream} presented a TLS certificate from an authority Airlock does not trust (${code}) for ${path}; if the upstream, or a proxy that inspects TLS, uses a private certificate authority, give the repository its certificates (ca: FILE)`
      : `upstream ${upstream} presented a TLS certificate Airlock refused (${code}) for ${path}`;
    return new AirlockError('UPSTREAM_BAD_RESPONSE', message, { cause: err, details: { upstream } });
  }
  if (code !== undefined && (code.startsWith('Z_') || code.startsWith('ERR__') || code.startsWith('ERR_BROTLI'))) {
    return new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${upstream} sent a body that does not decode (${code}: ${String((err as Error).message).slice(0, 80)}) for ${path}`, {
      cause: err,
      details: { upstream },
    });
  }
  if (code !== undefined && Object.hasOwn(TIMEOUT_WHAT, code)) {
    return new AirlockError('UPSTREAM_TIMEOUT', `upstream ${upstream} timed out ${TIMEOUT_WHAT[code]} for ${path}`, {
      cause: err,
      details: { upstream, retryable: true },
    });
  }
  return new AirlockError('UPSTREAM_UNAVAILABLE', `upstream ${upstream} is unreachable (${code ?? 'connection failed'}) for ${path}`, {
    cause: err,
    details: { upstream, retryable: true },
  });
}

/** The proxy would not open a CONNECT tunnel to an https upstream: Node says why in the error's `statusCode` or time-out. */
function tunnelError(err: Error & { readonly statusCode?: unknown; readonly proxyTunnelTimeout?: unknown }, upstream: string, path: string): AirlockError {
  const status = err.statusCode;
  if (status === 407) return proxyAuthError(upstream, path);
  if (typeof status === 'number') {
    // The proxy's own refusal (403: the host is not allowed) stands until its policy changes; its
    // 5xx (it could not reach the upstream) is the upstream's health seen through it.
    const retryable = status >= 500 || status === 429;
    return new AirlockError(retryable ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_BAD_RESPONSE', `the proxy to upstream ${upstream} would not connect Airlock to it (it answered ${status} to CONNECT) for ${path}`, {
      cause: err,
      details: { upstream, status, ...(retryable ? { retryable: true } : {}) },
    });
  }
  if (err.proxyTunnelTimeout !== undefined) {
    return new AirlockError('UPSTREAM_TIMEOUT', `upstream ${upstream} timed out connecting through its proxy for ${path}`, { cause: err, details: { upstream, retryable: true } });
  }
  return new AirlockError('UPSTREAM_UNAVAILABLE', `the proxy to upstream ${upstream} closed the connection before its tunnel was open for ${path}`, {
    cause: err,
    details: { upstream, retryable: true },
  });
}

/** Not the upstream's answer: the proxy in front of it wants other credentials than it was given. */
function proxyAuthError(upstream: string, path: string): AirlockError {
  return new AirlockError('UPSTREAM_BAD_RESPONSE', `the proxy to upstream ${upstream} refused Airlock (407 Proxy Authentication Required) for ${path}; check the repository's proxy setting`, {
    details: { upstream, status: 407 },
  });
}

export function statusError(status: number, upstream: string, path: string, retryAfterMs: number | null, challenge: string | null = null): AirlockError {
  if (status === 404 || status === 410) {
    return new AirlockError('UPSTREAM_NOT_FOUND', `upstream ${upstream} has no ${path}`, { details: { upstream, status } });
  }
  if (status === 407) return proxyAuthError(upstream, path);
  if (status === 401) {
    // The upstream wants credentials Airlock did not give, or refuses the ones it gave.
    return new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${upstream} answered 401 Unauthorized for ${path}; if it needs credentials, check the repository's upstreamAuth setting`, {
      // The challenge (`WWW-Authenticate`) says how to authenticate: a registry's token service.
      details: { upstream, status, ...(challenge === null ? {} : { challenge: challenge.slice(0, 2048) }) },
    });
  }
  if (status === 508) {
    // An Airlock upstream (this one, reached by another name, or another) saw its own request come back.
    return new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${upstream} answered 508 Loop Detected for ${path}: it leads back to an Airlock it is proxied by; check the repository's upstream setting`, {
      details: { upstream, status },
    });
  }
  if (status === 429 || status >= 500) {
    return new AirlockError('UPSTREAM_UNAVAILABLE', `upstream ${upstream} answered ${status} for ${path}`, {
      details: { upstream, status, retryable: true, ...(retryAfterMs === null ? {} : { retryAfterMs }) },
    });
  }
  return new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${upstream} answered ${status} for ${path}`, { details: { upstream, status } });
}

export function isRetryable(err: AirlockError): boolean {
  return err.details['retryable'] === true;
}

/** Whether the error says something about the upstream's health (feeds the circuit breaker). */
export function isHealthFailure(err: AirlockError): boolean {
  return err.code === 'UPSTREAM_TIMEOUT' || (err.code === 'UPSTREAM_UNAVAILABLE' && !isCircuitOpen(err));
}

/** The `circuit` detail of an upstream client's refusal to try while its circuit is open. */
export const CIRCUIT_OPEN = 'open';

/**
 * Whether `err` is that refusal (no request was made): the failures that opened the circuit were
 * reported as they happened, and the circuit's state is a metric, so callers log this one quietly
 * instead of once for every request of an outage.
 */
export function isCircuitOpen(err: unknown): boolean {
  return isAirlockError(err, 'UPSTREAM_UNAVAILABLE') && err.details['circuit'] === CIRCUIT_OPEN;
}
