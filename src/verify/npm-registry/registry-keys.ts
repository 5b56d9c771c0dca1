/**
 * The keys a repository trusts for npm registry signatures (`dist.signatures`) and for the
 * registry's publish attestations (`/-/npm/v1/attestations`, signed by key): ECDSA P-256 keys by
 * keyid, each valid for a span of publish times. Read from a file in either format the keys are
 * published in — the registry's `/-/npm/v1/keys` answer, or the `keys.json` target the public
 * registry distributes through Sigstore's TUF repository — or the public registry's own keys,
 * pinned here. Key documents are operator input (the configuration reads the files), parsed under
 * limits with errors naming the entry.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AirlockError, isPlainObject, shownJson, type PlainObject } from '../../core/index.ts';

/** What the registry signs with a key (a TUF `keys.json` says; a `/-/npm/v1/keys` answer does not). */
export type RegistryKeyUsage = 'npm:signatures' | 'npm:attestations';

export interface RegistryKey {
  readonly keyid: string;
  /** null: not stated (a `/-/npm/v1/keys` entry), trusted for both. */
  readonly usage: RegistryKeyUsage | null;
  readonly key: KeyObject;
  /** Versions published before this time (ms) are not signed by it; null: no start. */
  readonly validFrom: number | null;
  /** Versions published at or after this time (ms) are not signed by it; null: no end. */
  readonly validUntil: number | null;
}

/** Trusted keys by keyid (a keyid may have more than one validity span). */
export type RegistryKeySet = ReadonlyMap<string, readonly RegistryKey[]>;

export const NO_REGISTRY_KEYS: RegistryKeySet = new Map();

const MAX_KEYS = 100;
const MAX_KEYID = 256;
const MAX_KEY_BASE64 = 4096;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const P256 = 'ecdsa-sha2-nistp256';
const TUF_P256 = 'PKIX_ECDSA_P256_SHA_256';
const SIGNATURES_USAGE = 'npm:signatures';
const ATTESTATIONS_USAGE = 'npm:attestations';

/**
 * The public npm registry's signing keys, as its TUF `keys.json` target lists them: for
 * `dist.signatures` (usage `npm:signatures`) the key rotated out in January 2025, valid for
 * versions published before 2025-01-29, and its successor, valid from 2025-01-13; the same two
 * keys sign its publish attestations (usage `npm:attestations`), the old one from 2022-12-01.
 */
const KEY_2022 = { keyId: 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', rawBytes: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==' };
const KEY_2025 = { keyId: 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U', rawBytes: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==' };

function tufKey(k: typeof KEY_2022, keyUsage: RegistryKeyUsage, validFor: { start: string; end?: string }): PlainObject {
  return { keyId: k.keyId, keyUsage, publicKey: { rawBytes: k.rawBytes, keyDetails: TUF_P256, validFor } };
}

const PUBLIC_REGISTRY_KEYS = {
  keys: [
    tufKey(KEY_2022, SIGNATURES_USAGE, { start: '1999-01-01T00:00:00.000Z', end: '2025-01-29T00:00:00.000Z' }),
    tufKey(KEY_2025, SIGNATURES_USAGE, { start: '2025-01-13T00:00:00.000Z' }),
    tufKey(KEY_2022, ATTESTATIONS_USAGE, { start: '2022-12-01T00:00:00.000Z', end: '2025-01-29T00:00:00.000Z' }),
    tufKey(KEY_2025, ATTESTATIONS_USAGE, { start: '2025-01-13T00:00:00.000Z' }),
  ],
};

function bad(what: string, message: string): never {
  throw new AirlockError('CONFIG_INVALID', `${what}: ${message}`);
}

/** A key file's value in a message (JSON.stringify of a list nested deep overflows the stack). */
const shown = (v: unknown): string => shownJson(v, 64);

function time(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  const ms = typeof v === 'string' && v.length <= 64 ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) bad(what, 'not a date (RFC 3339, e.g. 2025-01-29T00:00:00.000Z)');
  return ms;
}

function p256Key(v: unknown, what: string): KeyObject {
  if (typeof v !== 'string' || v.length > MAX_KEY_BASE64 || !BASE64_RE.test(v)) bad(what, 'not a base64 DER public key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(v, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    bad(what, `not a DER public key (${(cause as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') bad(what, 'not an ECDSA P-256 key (npm registry signatures are ecdsa-sha2-nistp256)');
  return key;
}

function keyid(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '' || v.length > MAX_KEYID) bad(what, `not a keyid (a string of at most ${MAX_KEYID} characters)`);
  return v;
}

/** One entry of a `/-/npm/v1/keys` answer: `{keyid, keytype, scheme, key, expires}`. */
function registryEntry(e: PlainObject, what: string): RegistryKey {
  for (const field of ['keytype', 'scheme'] as const) {
    if (e[field] !== undefined && e[field] !== P256) bad(`${what}.${field}`, `${shown(e[field])} is not supported (only ${P256})`);
  }
  return { keyid: keyid(e['keyid'], `${what}.keyid`), usage: null, key: p256Key(e['key'], `${what}.key`), validFrom: null, validUntil: time(e['expires'], `${what}.expires`) };
}

/** One entry of a TUF `keys.json`: `{keyId, keyUsage, publicKey: {rawBytes, keyDetails, validFor: {start, end}}}`; null for other usages. */
function tufEntry(e: PlainObject, what: string): RegistryKey | null {
  const usage = e['keyUsage'];
  if (usage !== undefined && usage !== SIGNATURES_USAGE && usage !== ATTESTATIONS_USAGE) return null;
  const pk = e['publicKey'];
  if (!isPlainObject(pk)) bad(`${what}.publicKey`, 'not an object');
  if (pk['keyDetails'] !== undefined && pk['keyDetails'] !== TUF_P256) bad(`${what}.publicKey.keyDetails`, `${shown(pk['keyDetails'])} is not supported (only ${TUF_P256})`);
  const valid = pk['validFor'] ?? {};
  if (!isPlainObject(valid)) bad(`${what}.publicKey.validFor`, 'not an object');
  return {
    keyid: keyid(e['keyId'], `${what}.keyId`),
    usage: usage ?? null,
    key: p256Key(pk['rawBytes'], `${what}.publicKey.rawBytes`),
    validFrom: time(valid['start'], `${what}.publicKey.validFor.start`),
    validUntil: time(valid['end'], `${what}.publicKey.validFor.end`),
  };
}

/** Keys from a key document's parsed JSON. `what` names the source in errors. */
export function registryKeysOf(doc: unknown, what: string): RegistryKey[] {
  if (!isPlainObject(doc) || !Array.isArray(doc['keys'])) bad(what, 'expected {"keys": [...]} (the registry\'s /-/npm/v1/keys answer, or its TUF keys.json)');
  const entries: unknown[] = doc['keys'];
  if (entries.length > MAX_KEYS) bad(what, `more than ${MAX_KEYS} keys`);
  const keys: RegistryKey[] = [];
  entries.forEach((e, i) => {
    const at = `${what}: keys[${i}]`;
    if (!isPlainObject(e)) bad(at, 'not an object');
    const k = e['keyId'] !== undefined || e['publicKey'] !== undefined ? tufEntry(e, at) : registryEntry(e, at);
    if (k !== null) keys.push(k);
  });
  if (keys.length === 0) bad(what, `no registry key in it (TUF entries need keyUsage ${SIGNATURES_USAGE} or ${ATTESTATIONS_USAGE})`);
  return keys;
}

/** The public npm registry's keys, pinned in Airlock. */
export function publicRegistryKeys(): RegistryKey[] {
  return registryKeysOf(PUBLIC_REGISTRY_KEYS, 'the built-in registry keys');
}

/** The keys trusted for one usage, by keyid (keys of no stated usage serve both). */
export function registryKeySet(keys: readonly RegistryKey[], usage: RegistryKeyUsage): RegistryKeySet {
  const byId = new Map<string, RegistryKey[]>();
  for (const k of keys) if (k.usage === null || k.usage === usage) byId.set(k.keyid, [...(byId.get(k.keyid) ?? []), k]);
  return byId;
}
