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
  /** The userinfo endpoint's answer was refused (another subject, a bad signature, too large, not JSON, too many values). */
  | 'userinfo'
  /** A claim the role rules name was left out as too long (Microsoft Entra ID's groups overage): the provider must send fewer. */
  | 'groups-overage'
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
    case 'groups-overage':
      return 403;
    case 'state':
    case 'code':
      return 400;
    case 'id-token':
      return 401;
    case 'idp-unavailable':
    case 'idp-refused':
    case 'userinfo':
      return 502;
  }
}

/** The failures an administrator must act on (logged as warnings). */
export function ssoNeedsAdmin(reason: SsoFailureReason): boolean {
  return reason === 'userinfo' || reason === 'groups-overage';
}

/** The identity provider out of reach, or its answer unusable (`message` says which and why). */
export function idpUnavailable(message: string, cause?: unknown): SsoFailure {
  return new SsoFailure('idp-unavailable', `the identity provider is out of reach or answered something Airlock cannot use: ${message}`, ['Try again in a while; if it persists, an administrator should look at access.sso and the gateway log.'], cause);
}
