/**
 * Where the S3 store's signing credentials come from: fixed keys, or temporary credentials that a
 * source hands out and that run out (a role assumed with a web identity token, a container's or
 * an instance's role). Temporary credentials are fetched when first needed, renewed in the
 * background some minutes before they run out, and renewed at once when the endpoint says they
 * have expired. A renewal that fails leaves the current credentials in use while they last; after
 * that, requests fail with what the source answered.
 */
import { AirlockError } from '../../core/index.ts';
import type { SigV4Credentials } from './sigv4.ts';

/** Temporary credentials, with when they run out. */
export interface ExpiringCredentials extends SigV4Credentials {
  readonly expiresAt: Date;
}

export interface S3CredentialSource {
  /** What the start-up line and error messages call it (never a secret). */
  readonly description: string;
  /** Credentials to sign the next request with. */
  get(): Promise<SigV4Credentials>;
  /**
   * The endpoint refused `used`, perhaps as expired: true when the next `get` fetches new ones
   * (a request refused with them is worth sending again); false for fixed keys, for credentials
   * already replaced, and soon after the last report acted on.
   */
  expired(used: SigV4Credentials): boolean;
  /** Closes the source's connections (the store closing); a later `get` opens them again. */
  close(): void;
}

/**
 * Checks a set of keys the way S3 reads them; `invalid(option, message)` throws. The key id and
 * the token travel in header values (Authorization, x-amz-security-token), which carry visible
 * ASCII: any other character there would fail every request as it is sent, and be reported as an
 * endpoint that cannot be reached. A secret of white space alone is none.
 */
export function checkCredentials(c: SigV4Credentials, invalid: (option: string, message: string) => never): void {
  if (c.accessKeyId === '') invalid('accessKeyId', 'credentials need an access key id');
  if (c.secretAccessKey.trim() === '') invalid('secretAccessKey', 'credentials need a secret access key');
  if (!/^[\x21-\x7e]{1,128}$/.test(c.accessKeyId) || /[,/=]/.test(c.accessKeyId)) invalid('accessKeyId', 'the access key id must be at most 128 visible ASCII characters without commas, slashes or =');
  if (/[\u0000-\u001f\u007f]/.test(c.secretAccessKey) || c.secretAccessKey.length > 1024) invalid('secretAccessKey', 'the secret access key must be at most 1024 characters without control characters');
  if (c.sessionToken !== undefined && !/^[\x21-\x7e]{0,16384}$/.test(c.sessionToken)) invalid('sessionToken', 'the session token must be at most 16384 visible ASCII characters');
}

/** Fixed keys (configured, or from AWS_ACCESS_KEY_ID and its companions). */
export function fixedCredentials(c: SigV4Credentials, description = 'access keys'): S3CredentialSource {
  const frozen: SigV4Credentials = Object.freeze({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }) });
  return { description, get: () => Promise.resolve(frozen), expired: () => false, close: () => undefined };
}

export interface RenewingOptions {
  readonly description: string;
  /** Fetches fresh credentials from the source (throws a message-bearing error when it cannot). */
  readonly fetch: () => Promise<ExpiringCredentials>;
  readonly clock?: () => number;
  /** Renew this long before the credentials run out (default 5 min). */
  readonly renewAheadMs?: number;
  /** After a background renewal, failed or not, wait this long before the next one (default 30 s). */
  readonly retryAfterMs?: number;
  /** Closes what `fetch` keeps open. */
  readonly close?: () => void;
}

/** Credentials are not handed out within this long of running out: a request signed now must still be accepted when it lands. */
const MIN_VALIDITY_MS = 30_000;

/** Temporary credentials from a source, renewed ahead of their expiry (see the file comment). */
export class RenewingCredentials implements S3CredentialSource {
  readonly description: string;
  readonly #o: RenewingOptions;
  #onRenewalFailure: ((err: unknown) => void) | null = null;
  readonly #clock: () => number;
  #current: ExpiringCredentials | null = null;
  #pending: Promise<ExpiringCredentials> | null = null;
  /** No background renewal before this (just after one). */
  #quietUntil = 0;
  /** When an expiry report was last acted on. */
  #reportedAt = Number.NEGATIVE_INFINITY;

  constructor(options: RenewingOptions) {
    this.description = options.description;
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  async get(): Promise<SigV4Credentials> {
    const now = this.#clock();
    const cur = this.#current;
    if (cur !== null && cur.expiresAt.getTime() - now > MIN_VALIDITY_MS) {
      if (now >= this.#renewAt(cur) && now >= this.#quietUntil && this.#pending === null) {
        void this.#renew().catch((err: unknown) => {
          this.#quietUntil = this.#clock() + (this.#o.retryAfterMs ?? 30_000);
          this.#onRenewalFailure?.(err);
        });
      }
      return cur;
    }
    return this.#renew();
  }

  close(): void {
    this.#o.close?.();
  }

  /** Who is told of a failed background renewal (the current credentials are still used). */
  reportRenewalFailuresTo(listener: (err: unknown) => void): void {
    this.#onRenewalFailure = listener;
  }

  expired(used: SigV4Credentials): boolean {
    // Reports about credentials already replaced change nothing; nor does a report soon after
    // the last one honoured (a refusal that is not about expiry must not have the source asked
    // again at every request).
    const now = this.#clock();
    if (this.#current !== used) return this.#current !== null;
    if (now < this.#reportedAt + (this.#o.retryAfterMs ?? 30_000)) return false;
    this.#reportedAt = now;
    this.#current = null;
    return true;
  }

  #renewAt(c: ExpiringCredentials): number {
    return c.expiresAt.getTime() - (this.#o.renewAheadMs ?? 5 * 60_000);
  }

  /** One fetch at a time; every caller waiting gets its outcome. */
  #renew(): Promise<ExpiringCredentials> {
    if (this.#pending !== null) return this.#pending;
    const pending = (async () => {
      let fresh: ExpiringCredentials;
      try {
        fresh = await this.#o.fetch();
      } catch (err) {
        throw new AirlockError('STORAGE_ERROR', `S3 blob store: no credentials from ${this.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (fresh.expiresAt.getTime() - this.#clock() <= MIN_VALIDITY_MS) {
        throw new AirlockError('STORAGE_ERROR', `S3 blob store: ${this.description} handed out credentials that expire at ${fresh.expiresAt.toISOString()}, already past or too soon to use`);
      }
      this.#current = fresh;
      this.#quietUntil = this.#clock() + (this.#o.retryAfterMs ?? 30_000);
      return fresh;
    })();
    this.#pending = pending;
    const clear = (): void => {
      if (this.#pending === pending) this.#pending = null;
    };
    pending.then(clear, clear);
    return pending;
  }
}
