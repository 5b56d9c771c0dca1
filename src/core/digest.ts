import { createHash } from 'node:crypto';
import type { Brand } from './brand.ts';
import { AirlockError } from './errors.ts';

/** `sha256:<64 lowercase hex>` — the content address of a blob. */
export type Sha256Digest = Brand<string, 'Sha256Digest'>;

const SHA256_RE = /^sha256:[0-9a-f]{64}$/;

export function parseSha256Digest(text: string): Sha256Digest {
  if (!SHA256_RE.test(text)) {
    throw new AirlockError('INVALID_DIGEST', `not a sha256 digest: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return text as Sha256Digest;
}

export function sha256DigestFromHex(hex: string): Sha256Digest {
  return parseSha256Digest(`sha256:${hex.toLowerCase()}`);
}

export function sha256Of(data: Uint8Array | string): Sha256Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Sha256Digest;
}

export function digestHex(digest: Sha256Digest): string {
  return digest.slice('sha256:'.length);
}

export type HashAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** One entry of a Subresource Integrity string (`sha512-<base64>`). */
export interface IntegrityEntry {
  readonly algorithm: HashAlgorithm;
  /** Raw digest bytes, hex encoded. */
  readonly hex: string;
}

const SRI_RE = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/;
const DIGEST_BYTES: Readonly<Record<HashAlgorithm, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/**
 * Parse an SRI string (space-separated entries). Unknown algorithms are ignored as the SRI
 * specification requires; malformed entries of known algorithms are errors.
 */
export function parseIntegrity(sri: string): IntegrityEntry[] {
  const out: IntegrityEntry[] = [];
  for (const token of sri.trim().split(/\s+/)) {
    if (token === '') continue;
    const m = SRI_RE.exec(token);
    if (m === null) {
      if (/^(sha1|sha256|sha384|sha512)-/.test(token)) {
        throw new AirlockError('INVALID_DIGEST', `malformed integrity entry: ${JSON.stringify(token.slice(0, 120))}`);
      }
      continue;
    }
    const algorithm = m[1] as HashAlgorithm;
    const bytes = Buffer.from(m[2] ?? '', 'base64');
    if (bytes.length !== DIGEST_BYTES[algorithm]) {
      throw new AirlockError('INVALID_DIGEST', `integrity entry has the wrong length for ${algorithm}`);
    }
    out.push({ algorithm, hex: bytes.toString('hex') });
  }
  return out;
}

export function formatIntegrity(algorithm: HashAlgorithm, hex: string): string {
  return `${algorithm}-${Buffer.from(hex, 'hex').toString('base64')}`;
}
