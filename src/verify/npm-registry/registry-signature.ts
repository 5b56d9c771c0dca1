/**
 * Checking a version's registry signatures (`dist.signatures`) against the keys a repository
 * trusts, as pacote does for `npm audit signatures`: each is an ECDSA P-256 / SHA-256 signature
 * over `<name>@<version>:<integrity>`, made by a key valid when the version was published. The
 * integrity is the one the tarball's bytes were verified against, so a verified signature ties
 * the bytes to the registry's key: a mirror or proxy that swaps a tarball and its integrity cannot
 * sign the new pair. The upstream's signatures are hostile input: counted, length-capped, and a
 * malformed one by a trusted key fails like a wrong one.
 */
import { verify } from 'node:crypto';
import type { PlainObject } from '../../core/index.ts';
import type { RegistryKey, RegistryKeySet } from './registry-keys.ts';

export type SignatureStatus = 'verified' | 'invalid' | 'untrusted' | 'absent';

/** A type, not an interface: it goes into the policy's facts as it is (JSON). */
export type SignatureCheck = {
  /**
   * `verified`: every signature by a trusted key verifies, and there is at least one;
   * `invalid`: one by a trusted key does not (or its key was not valid when the version was
   * published, or the signatures cannot be read); `untrusted`: signatures, none by a trusted key;
   * `absent`: none.
   */
  readonly status: SignatureStatus;
  /** The trusted key that verified, or whose signature failed. */
  readonly keyid: string | null;
  /** Why the check failed (`invalid` only). */
  readonly error: string | null;
  /** The keyids the signatures name (the first 16, each at most 256 characters). */
  readonly keyids: readonly string[];
};

const MAX_SIGNATURES = 16;
const MAX_KEYID = 256;
const MAX_SIG_BASE64 = 512;
/** The signed text is shown up to this length in the reason (an upstream's integrity can be long). */
const MAX_SHOWN = 300;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
/** Publish time assumed for a version the packument gives none (pacote's cutoff). */
const MISSING_TIME = '2015-01-01T00:00:00.000Z';
/** An SRI entry as ssri reads it (non-strict). */
const SRI_ENTRY_RE = /^([a-z0-9]+)-([^?]+)([?\S*]*)$/;

/**
 * The integrity text a registry signs, as pacote renders the version's integrity: `dist.integrity`'s
 * entries grouped by algorithm in order of first appearance, joined by a space; or, for versions
 * with only a `shasum`, its `sha1-<base64>` form.
 */
export function signedIntegrity(dist: PlainObject): string | null {
  const integrity = dist['integrity'];
  if (typeof integrity === 'string') {
    const byAlgorithm = new Map<string, string[]>();
    for (const token of integrity.trim().split(/\s+/)) {
      const m = SRI_ENTRY_RE.exec(token);
      if (m === null) continue;
      const algorithm = m[1] ?? '';
      // Appended in place: a copy per token is quadratic in an upstream's integrity string.
      const tokens = byAlgorithm.get(algorithm);
      if (tokens === undefined) byAlgorithm.set(algorithm, [token]);
      else tokens.push(token);
    }
    if (byAlgorithm.size > 0) return [...byAlgorithm.values()].flat().join(' ');
  }
  const shasum = dist['shasum'];
  if (typeof shasum === 'string' && /^[0-9a-fA-F]{40}$/.test(shasum)) return `sha1-${Buffer.from(shasum, 'hex').toString('base64')}`;
  return null;
}

function keyValidAt(k: RegistryKey, at: number): boolean {
  return (k.validFrom === null || at >= k.validFrom) && (k.validUntil === null || at < k.validUntil);
}

function span(k: RegistryKey): string {
  const from = k.validFrom === null ? '' : `from ${new Date(k.validFrom).toISOString()}`;
  const until = k.validUntil === null ? '' : `until ${new Date(k.validUntil).toISOString()}`;
  return [from, until].filter((s) => s !== '').join(' ') || 'always';
}

/** One signature by a trusted key: null when it verifies, else why not. */
function failure(keys: readonly RegistryKey[], keyid: string, sig: unknown, message: Buffer, publishedAt: string): string | null {
  if (typeof sig !== 'string' || sig.length > MAX_SIG_BASE64 || !BASE64_RE.test(sig)) return `the signature by ${keyid} is not a base64 ECDSA signature`;
  const at = Date.parse(publishedAt);
  if (Number.isNaN(at)) return `the version's publish time ${JSON.stringify(publishedAt.slice(0, 64))} is not a date, so the key ${keyid} cannot be checked against it`;
  const valid = keys.filter((k) => keyValidAt(k, at));
  if (valid.length === 0) return `the key ${keyid} was not valid when the version was published (${publishedAt}; the key is valid ${keys.map(span).join(', ')})`;
  const signature = Buffer.from(sig, 'base64');
  for (const k of valid) {
    try {
      if (verify('sha256', message, k.key, signature)) return null;
    } catch {
      // A malformed DER signature: it fails like a wrong one.
    }
  }
  const text = message.toString('utf8');
  return `the signature by ${keyid} does not verify over ${text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text}`;
}

/** Check `dist.signatures` of `name@version` against `trusted`. `publishedAt`: the packument's `time[version]`. */
export function checkRegistrySignature(name: string, version: string, dist: PlainObject, publishedAt: string | null, trusted: RegistryKeySet): SignatureCheck {
  const raw = dist['signatures'];
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return { status: 'absent', keyid: null, error: null, keyids: [] };
  const entries: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
  const keyids = entries.slice(0, MAX_SIGNATURES).map((e) => {
    const id = e !== null && typeof e === 'object' ? (e as PlainObject)['keyid'] : undefined;
    return typeof id === 'string' ? id.slice(0, MAX_KEYID) : '';
  });
  if (trusted.size === 0) return { status: 'untrusted', keyid: null, error: null, keyids };
  const invalid = (keyid: string | null, error: string): SignatureCheck => ({ status: 'invalid', keyid, error, keyids });
  if (!Array.isArray(raw)) return invalid(null, 'dist.signatures is not a list');
  if (raw.length > MAX_SIGNATURES) return invalid(null, `dist.signatures has ${raw.length} entries (at most ${MAX_SIGNATURES} are read)`);
  const integrity = signedIntegrity(dist);
  let verified: string | null = null;
  for (const [i, e] of raw.entries()) {
    const keyid = keyids[i] ?? '';
    const keys = trusted.get(keyid);
    if (keys === undefined) continue;
    if (integrity === null) return invalid(keyid, 'the version has no integrity to check the signature over');
    const message = Buffer.from(`${name}@${version}:${integrity}`, 'utf8');
    const why = failure(keys, keyid, (e as PlainObject)['sig'], message, publishedAt ?? MISSING_TIME);
    if (why !== null) return invalid(keyid, why);
    verified ??= keyid;
  }
  return verified === null ? { status: 'untrusted', keyid: null, error: null, keyids } : { status: 'verified', keyid: verified, error: null, keyids };
}
