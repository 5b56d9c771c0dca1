/**
 * Standard Webhooks signatures (standardwebhooks.com, v1): HMAC-SHA256 over
 * `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's secret, sent as `v1,<base64>` in
 * the `webhook-signature` header. The secret is written `whsec_` followed by the key in base64, as
 * the specification presents it, so the receiver's Standard Webhooks library takes it as it is.
 */
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The specification's bounds on the key: at least 24 bytes, at most 64. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** The key of a `whsec_` secret, or why the text is not one (never quoting it). */
export function webhookKey(secret: string): Buffer | string {
  if (!secret.startsWith(PREFIX)) return `must start with ${PREFIX} followed by the key in base64 (make one with: echo "whsec_$(openssl rand -base64 32)")`;
  const b64 = secret.slice(PREFIX.length);
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return `must be ${PREFIX} followed by the key in base64`;
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return `must hold a key of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes (this one has ${key.length})`;
  return key;
}

/** The `webhook-signature` header value for one delivery. */
export function signDelivery(key: Buffer, id: string, timestampSeconds: number, body: Buffer): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}
