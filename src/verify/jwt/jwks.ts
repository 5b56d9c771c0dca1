/**
 * Reading an issuer's JSON Web Key Set (RFC 7517) into verification keys. The document is hostile
 * input: its size and key count are capped, only RSA (at least 2048 bits) and EC keys on the NIST
 * curves meant for signatures are taken, each rebuilt from its public members alone. A set that
 * publishes a private or symmetric key is refused whole: its issuer cannot be trusted to sign.
 * Keys of other kinds or uses are listed as unusable, with why, for the messages of tokens that
 * name them.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { isPlainObject, shownJson, type PlainObject } from '../../core/index.ts';
import { isJwtAlgorithm, JWT_ALGORITHMS, JwtError, type JwksLimits, type PublicJwk } from './types.ts';

const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;
const CURVES = ['P-256', 'P-384', 'P-521'] as const;
const MAX_KID_CHARS = 256;
/** Members only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface JwtKeySet {
  readonly keys: readonly PublicJwk[];
  /** Keys listed but not used, by kid (null: without one), and why. */
  readonly unusable: readonly { readonly kid: string | null; readonly why: string }[];
}

function member(o: PlainObject, name: string, kid: string | null): string {
  const v = o[name];
  if (typeof v !== 'string' || v === '' || v.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(v)) {
    throw new JwtError('malformed', `the key ${kid ?? '(without kid)'} has no base64url ${name}`);
  }
  return v;
}

/** A member's value as a message shows it (not `String(v)`: an object with a `toString` member that is not a function makes it throw). */
const shown = (v: unknown): string => shownJson(v, 20);

/** The key a JWK describes, or why it is not used for signatures here. */
function keyOf(o: PlainObject, kid: string | null): { readonly jwk: Omit<PublicJwk, 'kid'> } | { readonly why: string } {
  const kty = o['kty'];
  if (typeof kty !== 'string') throw new JwtError('malformed', `the key ${kid ?? '(without kid)'} has no kty`);
  if (kty === 'oct' || PRIVATE_MEMBERS.some((m) => o[m] !== undefined)) {
    throw new JwtError('malformed', `the key set publishes a private or symmetric key (${kid ?? 'without kid'}); a verification key set has public keys only`);
  }
  if (o['use'] !== undefined && o['use'] !== 'sig') return { why: `it is for ${shown(o['use'])}, not signatures` };
  const ops = o['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return { why: 'its key_ops do not include verify' };
  const alg = o['alg'];
  if (alg !== undefined && !isJwtAlgorithm(alg)) return { why: `its algorithm ${shown(alg)} is not one verified here` };
  let key: KeyObject;
  let crv: string | null = null;
  try {
    if (kty === 'RSA') {
      key = createPublicKey({ key: { kty, n: member(o, 'n', kid), e: member(o, 'e', kid) }, format: 'jwk' });
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) return { why: `it is an RSA key of ${bits} bits (${MIN_RSA_BITS} to ${MAX_RSA_BITS} are used)` };
    } else if (kty === 'EC') {
      const c = o['crv'];
      if (typeof c !== 'string' || !(CURVES as readonly string[]).includes(c)) return { why: `its curve ${shown(c)} is not one verified here (${CURVES.join(', ')})` };
      crv = c;
      key = createPublicKey({ key: { kty, crv: c, x: member(o, 'x', kid), y: member(o, 'y', kid) }, format: 'jwk' });
    } else {
      return { why: `its key type ${JSON.stringify(kty.slice(0, 20))} is not one verified here (RSA, EC)` };
    }
  } catch (err) {
    if (err instanceof JwtError) throw err;
    throw new JwtError('malformed', `the key ${kid ?? '(without kid)'} is not a valid ${kty} public key`);
  }
  return { jwk: { alg: typeof alg === 'string' ? alg : null, kty, crv, key } };
}

/** The verification keys of a JWKS document, or a JwtError (`too-large`, `malformed`). */
export function parseJwks(bytes: Buffer, limits: JwksLimits): JwtKeySet {
  if (bytes.length > limits.maxBytes) throw new JwtError('too-large', `the key set is ${bytes.length} bytes; at most ${limits.maxBytes}`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JwtError('malformed', 'the key set is not JSON');
  }
  const list = isPlainObject(doc) ? doc['keys'] : undefined;
  if (!Array.isArray(list)) throw new JwtError('malformed', 'the key set is not a JWKS (an object with a keys list)');
  if (list.length > limits.maxKeys) throw new JwtError('too-large', `the key set lists ${list.length} keys; at most ${limits.maxKeys}`);
  const keys: PublicJwk[] = [];
  const unusable: { kid: string | null; why: string }[] = [];
  for (const entry of list as unknown[]) {
    if (!isPlainObject(entry)) throw new JwtError('malformed', 'a key in the key set is not an object');
    const k = entry['kid'];
    if (k !== undefined && (typeof k !== 'string' || k === '' || k.length > MAX_KID_CHARS)) throw new JwtError('malformed', `a key's kid must be a string of 1 to ${MAX_KID_CHARS} characters`);
    const kid = k ?? null;
    const got = keyOf(entry, kid);
    if ('why' in got) unusable.push({ kid, why: got.why });
    else keys.push({ kid, ...got.jwk });
  }
  return { keys, unusable };
}

/**
 * A verification key given out of band as a PEM `PUBLIC KEY` (SPKI; an RSA `RSA PUBLIC KEY` or a
 * `CERTIFICATE` is taken for its key), held to the rules of a key set's keys: RSA of 2048 to 16384
 * bits or EC on a NIST curve, never a private or symmetric key. `alg`, when given, is the only
 * algorithm it verifies. A JwtError (`malformed`) says why a key is refused.
 */
export function publicJwkFromPem(pem: string, kid: string | null, alg: string | null): PublicJwk {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new JwtError('malformed', 'the key is a private key; give the public key only');
  if (alg !== null && !isJwtAlgorithm(alg)) throw new JwtError('malformed', `the algorithm ${JSON.stringify(alg.slice(0, 20))} is not one verified here (${JWT_ALGORITHMS.join(', ')})`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new JwtError('malformed', 'the key is not a PEM public key');
  }
  const exported = key.export({ format: 'jwk' });
  const got = keyOf({ ...exported, ...(alg === null ? {} : { alg }) } as PlainObject, kid);
  if ('why' in got) throw new JwtError('malformed', `the key is not used: ${got.why}`);
  const { kty, crv } = got.jwk;
  if (alg !== null && (alg.startsWith('ES') ? kty !== 'EC' || crv !== CURVES[['ES256', 'ES384', 'ES512'].indexOf(alg)] : kty !== 'RSA')) {
    throw new JwtError('malformed', `the key is not used: its algorithm ${alg} is not one for an ${kty === 'EC' ? `EC ${crv ?? ''}` : 'RSA'} key`);
  }
  return { kid, ...got.jwk };
}
