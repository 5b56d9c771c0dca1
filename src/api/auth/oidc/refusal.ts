/**
 * Why an ID token was not exchanged, as a typed error: the reason is a stable word (logged and
 * sent to the client with the message), the code says whose fault it is — the token's
 * (UNAUTHORIZED), the trust rules' (FORBIDDEN: a valid token no rule grants anything), or the
 * issuer's keys being out of reach (UNAVAILABLE: asking again later may work).
 */
import { AirlockError, type ErrorCode } from '../../../core/index.ts';
import type { JwtProblem } from '../../../verify/index.ts';

export type OidcRefusalReason = JwtProblem | 'unknown-issuer' | 'no-rule' | 'keys-unavailable';

function codeOf(reason: OidcRefusalReason): ErrorCode {
  if (reason === 'no-rule') return 'FORBIDDEN';
  if (reason === 'keys-unavailable') return 'UNAVAILABLE';
  return 'UNAUTHORIZED';
}

export class OidcRefusal extends AirlockError {
  readonly reason: OidcRefusalReason;

  /** `details`: what the client may be shown besides the message (the issuer, the claims checked). */
  constructor(reason: OidcRefusalReason, message: string, details: Readonly<Record<string, unknown>> = {}, cause?: unknown) {
    super(codeOf(reason), message, { details: { reason, ...details }, ...(cause === undefined ? {} : { cause }) });
    this.name = 'OidcRefusal';
    this.reason = reason;
  }
}

export function isOidcRefusal(err: unknown): err is OidcRefusal {
  return err instanceof OidcRefusal;
}
