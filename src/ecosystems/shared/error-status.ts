import type { ErrorCode } from '../../core/index.ts';

/** The HTTP status of each error code, for every ecosystem's clients (their dialects differ in the body, not here). */
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
