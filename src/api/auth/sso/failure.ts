/**
 * Why a sign-in did not go through, as the person signing in is to be told it: a stable reason
 * (logged), a message saying what happened and what to do, and the lines to show under it.
 */
export type SsoFailureReason =
  /** The identity provider answered the sign-in with an error (`error=access_denied` …). */
  | 'idp-error'
  /** The sign-in's state is missing, changed, from another browser or too old: start again. */
  | 'state'
  /** The identity provider is out of reach or answered something unusable. */
  | 'idp-unavailable'
  /** The token endpoint refused the code. */
  | 'idp-refused'
  /** The ID token did not verify (signature, issuer, audience, expiry, nonce, azp). */
  | 'id-token'
  /** Signed in, but no role rule matches. */
  | 'no-role'
  /** The one-time code is not one, expired, or was used. */
  | 'code';

export class SsoFailure extends Error {
  readonly reason: SsoFailureReason;
  readonly lines: readonly string[];

  constructor(reason: SsoFailureReason, message: string, lines: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? {} : { cause });
    this.name = 'SsoFailure';
    this.reason = reason;
    this.lines = lines;
  }
}

export function isSsoFailure(err: unknown): err is SsoFailure {
  return err instanceof SsoFailure;
}

/** The HTTP status a failure is answered with. */
export function ssoStatus(reason: SsoFailureReason): number {
  switch (reason) {
    case 'idp-error':
    case 'no-role':
      return 403;
    case 'state':
    case 'code':
      return 400;
    case 'id-token':
      return 401;
    case 'idp-unavailable':
    case 'idp-refused':
      return 502;
  }
}
