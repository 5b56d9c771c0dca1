/**
 * Typed errors with stable codes. An AirlockError never carries an HTTP status:
 * each protocol plugin maps codes to its own wire dialect in one place.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_NAME',
  'INVALID_VERSION',
  'INVALID_DIGEST',
  'INVALID_PURL',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFLICT',
  'LIMIT_EXCEEDED',
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_NOT_FOUND',
  'QUARANTINED',
  'BLOCKED',
  'POLICY_ERROR',
  'CONFIG_INVALID',
  'STORAGE_ERROR',
  /** Airlock cannot decide or serve this just now (its store or gate failed); asking again later may work. */
  'UNAVAILABLE',
  'SCAN_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AirlockErrorOptions {
  readonly cause?: unknown;
  /** Client-safe structured details (never secrets, never internals). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class AirlockError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: AirlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AirlockError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isAirlockError(err: unknown, code?: ErrorCode): err is AirlockError {
  return err instanceof AirlockError && (code === undefined || err.code === code);
}

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new AirlockError('INTERNAL', `unexpected ${what}: ${JSON.stringify(value)}`);
}
