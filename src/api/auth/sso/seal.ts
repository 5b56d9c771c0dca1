/**
 * Sealing what single sign-on hands through the browser — the sign-in state in a cookie, the
 * one-time code in the UI's URL fragment — so that any gateway sharing the key can open it and
 * nobody else can read or change it: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * configured secret, one key per purpose, with the purpose as associated data and an expiry
 * inside. The same secret derives the token a one-time code redeems for (an HMAC of the code's
 * id), so a second redemption makes the same token, which the store refuses: single use across
 * gateways without shared memory.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { isPlainObject, type PlainObject } from '../../../core/index.ts';
import { TOKEN_PREFIX } from '../token-service.ts';

export type SealPurpose = 'login' | 'handoff';

/** A sealed value's characters at most (a cookie or a fragment). */
const MAX_SEALED_CHARS = 4096;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type Opened = { readonly kind: 'ok'; readonly payload: PlainObject } | { readonly kind: 'expired' } | { readonly kind: 'invalid' };

function derive(secret: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'airlock single sign-on', info, 32));
}

export class SsoSeal {
  readonly #keys: Readonly<Record<SealPurpose, Buffer>>;
  readonly #tokenKey: Buffer;

  constructor(secret: string) {
    this.#keys = { login: derive(secret, 'login state'), handoff: derive(secret, 'handoff code') };
    this.#tokenKey = derive(secret, 'token secret');
  }

  /** `payload` with `exp` (ms since the epoch) sealed for `purpose`, as base64url. */
  seal(purpose: SealPurpose, payload: PlainObject, expiresAtMs: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[purpose], iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify({ ...payload, exp: expiresAtMs }), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** What `text` sealed for `purpose`: `invalid` when it is not one (changed, another purpose or key), `expired` after its `exp`. */
  open(purpose: SealPurpose, text: string, nowMs: number): Opened {
    if (text.length > MAX_SEALED_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return { kind: 'invalid' };
    const bytes = Buffer.from(text, 'base64url');
    // Decoding ignores the last character's spare bits; only the one spelling seal() writes opens.
    if (bytes.length < IV_BYTES + TAG_BYTES + 2 || bytes.toString('base64url') !== text) return { kind: 'invalid' };
    let payload: unknown;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#keys[purpose], bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      payload = JSON.parse(plain.toString('utf8'));
    } catch {
      return { kind: 'invalid' };
    }
    if (!isPlainObject(payload) || typeof payload['exp'] !== 'number') return { kind: 'invalid' };
    if (payload['exp'] <= nowMs) return { kind: 'expired' };
    return { kind: 'ok', payload };
  }

  /** The token secret a one-time code with id `codeId` redeems for (the same every time). */
  tokenSecret(codeId: string): string {
    return `${TOKEN_PREFIX}${createHmac('sha256', this.#tokenKey).update(codeId, 'utf8').digest('base64url')}`;
  }
}
