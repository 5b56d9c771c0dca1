/**
 * Fuzz targets of what says who someone is: the DER of a signing certificate (a bundle's leaf,
 * read for its extensions, identity and embedded SCTs before any chain is checked, so any
 * certificate reaches it), an ID token (compact JWS) verified against a key set, and the key set
 * (JWKS) and discovery document an identity provider publishes. Each refuses bad input with its
 * own error (SigstoreError, JwtError, DiscoveryError); a token that verifies must be the one that
 * was signed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundle } from '../../../src/verify/sigstore/bundle.ts';
import { certificateIdentity, extensionsOf, hasExtendedKeyUsage, tbsWithoutExtension } from '../../../src/verify/sigstore/certificate.ts';
import { certificateNames, subjectPublicKeyInfo } from '../../../src/verify/sigstore/der.ts';
import { embeddedScts, SCT_LIST_OID } from '../../../src/verify/sigstore/sct.ts';
import { SigstoreError } from '../../../src/verify/sigstore/fields.ts';
import { SIGSTORE_JS, sigstoreJsBundles } from '../../../src/verify/sigstore/test-support.ts';
import { checkJwtClaims, parseCompactJwt, parseJwks, verifyJwt } from '../../../src/verify/jwt/index.ts';
import { DEFAULT_JWKS_LIMITS, DEFAULT_JWT_LIMITS, JwtError } from '../../../src/verify/jwt/types.ts';
import { jwksOf, newSigningKey, signJwt } from '../../../src/verify/jwt/test-support.ts';
import { DiscoveryError, fetchDiscovery } from '../../../src/api/auth/oidc/discovery.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

/** The leaf certificates of sigstore-js's bundles: Fulcio certificates with SANs, Fulcio extensions and SCTs. */
function leafCertificates(): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const name of sigstoreJsBundles()) {
    const m = parseBundle(JSON.parse(readFileSync(join(SIGSTORE_JS, name), 'utf8'))).material;
    if (m.kind !== 'certificate' || seen.has(m.leafDer.toString('base64'))) continue;
    seen.add(m.leafDer.toString('base64'));
    out.push(new Uint8Array(m.leafDer));
  }
  return out;
}

/** A DER element of `tag` around `content` (definite length). */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

/** A TBSCertificate-shaped certificate whose only extension is `oid` (DER content octets) with `value`. */
function certificateWith(oid: readonly number[], value: Buffer): Uint8Array {
  const ext = tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from(oid)), tlv(0x04, value)]));
  const tbs = tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0xa3, tlv(0x30, ext))]));
  return new Uint8Array(tlv(0x30, tbs));
}
/** 2.5.29.17 (subjectAltName) and 1.3.6.1.4.1.57264.1.8 (Fulcio's issuer). */
const SAN = [0x55, 0x1d, 0x11];
const FULCIO_ISSUER = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08];

const certificate: FuzzTarget = {
  seeds: leafCertificates,
  extra: () => [
    // Names that are not UTF-8: a URI SAN and a Fulcio issuer string of a lone continuation byte.
    certificateWith(SAN, tlv(0x30, tlv(0x86, Buffer.from([0x68, 0x80])))),
    certificateWith(FULCIO_ISSUER, tlv(0x0c, Buffer.from([0xc3]))),
    new Uint8Array(Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])])),
    new Uint8Array(Buffer.from(nested('\x30\x80', '', 10_000), 'latin1')),
  ],
  run: (input) => {
    const der = Buffer.from(input);
    certificateNames(der);
    subjectPublicKeyInfo(der);
    const extensions = extensionsOf(der);
    hasExtendedKeyUsage(extensions, '1.3.6.1.5.5.7.3.3');
    certificateIdentity(extensions);
    if (embeddedScts(extensions) !== null) tbsWithoutExtension(der, extensions, SCT_LIST_OID);
    return undefined;
  },
  accepts: ownError(SigstoreError),
};

const ISSUER = 'https://idp.example';
const AUDIENCE = 'airlock';
const NOW = Date.UTC(2026, 0, 1);
const rsa = newSigningKey('RS256', 'rsa-1');
const ec = newSigningKey('ES256', 'ec-1');
const ps = newSigningKey('PS384', 'ps-1');
const JWKS = jwksOf([rsa, ec, ps]);
const keySet = parseJwks(JWKS, DEFAULT_JWKS_LIMITS);
const CLAIMS = { iss: ISSUER, aud: [AUDIENCE, 'other'], sub: 'ada', exp: NOW / 1000 + 3600, iat: NOW / 1000 - 10, nbf: NOW / 1000 - 10, nonce: 'n-0', groups: ['admins', 'dev'], email: 'ada@example.org' };
const TOKENS = [signJwt(rsa, CLAIMS), signJwt(ec, CLAIMS), signJwt(ps, { ...CLAIMS, aud: AUDIENCE }), signJwt(ec, CLAIMS, { kid: undefined })];
/** What each signed token's signature covers, and its signature bytes: a token that verifies must be one of these. */
const SIGNED = new Set(TOKENS.map((t) => `${t.split('.').slice(0, 2).join('.')}.${Buffer.from(t.split('.')[2] as string, 'base64url').toString('hex')}`));
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

const jwt: FuzzTarget = {
  seeds: () => TOKENS.map(text),
  text: true,
  extra: () => [
    text(`${b64({ alg: 'RS256', kid: 'rsa-1' })}.${b64({ a: JSON.parse(nested('{"a":', '}', 5_000, '1')) as unknown })}.AAAA`),
    text(`${b64({ alg: 'RS256' })}.${Buffer.from(nested('[', ']', 100_000)).toString('base64url')}.AAAA`),
    text(`${'A'.repeat(DEFAULT_JWT_LIMITS.maxTokenChars - 2)}..`),
    text('.'.repeat(100_000)),
  ],
  run: (input) => {
    const parsed = parseCompactJwt(asText(input), DEFAULT_JWT_LIMITS);
    const verified = verifyJwt(parsed, keySet, { issuer: ISSUER, audience: AUDIENCE, now: NOW, leewayMs: 60_000 });
    if (!SIGNED.has(`${parsed.signingInput}.${parsed.signature.toString('hex')}`)) return 'a token that was never signed verifies';
    if (verified.expiresAt !== checkJwtClaims(verified.claims, { issuer: ISSUER, audience: AUDIENCE, now: NOW, leewayMs: 60_000 })) return 'two expiries';
    return undefined;
  },
  accepts: ownError(JwtError),
};

const jwks: FuzzTarget = {
  seeds: () => [new Uint8Array(JWKS)],
  text: true,
  extra: () => [
    text(`{"keys":${nested('[', ']', 100_000)}}`),
    text(`{"keys":[{"kty":"RSA","kid":"a","use":{"toString":1},"n":"AQAB","e":"AQAB"}]}`),
    text(`{"keys":[{"kty":"EC","kid":"b","crv":{"toString":1},"x":"AA","y":"AA"}]}`),
    text(`{"keys":[{"kty":"RSA","kid":"c","alg":{"toString":1},"n":"AQAB","e":"AQAB"}]}`),
    text(`{"keys":[${Array.from({ length: 40 }, () => '{}').join(',')}]}`),
  ],
  run: (input) => {
    const set = parseJwks(Buffer.from(input), DEFAULT_JWKS_LIMITS);
    for (const k of set.keys) if (k.key.type !== 'public') return `a ${k.key.type} key is taken as a verification key`;
    return undefined;
  },
  accepts: ownError(JwtError),
};

const DISCOVERY = JSON.stringify({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/oauth2/v1/authorize`,
  token_endpoint: `${ISSUER}/oauth2/v1/token`,
  userinfo_endpoint: `${ISSUER}/oauth2/v1/userinfo`,
  jwks_uri: `${ISSUER}/oauth2/v1/keys`,
  response_types_supported: ['code', 'id_token', 'code id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  scopes_supported: ['openid', 'email', 'profile', 'groups'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  claims_supported: ['iss', 'sub', 'aud', 'email', 'groups'],
  code_challenge_methods_supported: ['S256'],
});

/** An identity provider's discovery document, as the token exchange and single sign-on read it. */
const discovery: FuzzTarget = {
  seeds: () => [text(DISCOVERY)],
  text: true,
  extra: () => [text(`{"issuer":{"toString":1}}`), text(`{"issuer":${nested('[', ']', 100_000)}}`), text(`{"issuer":"${ISSUER}","jwks_uri":"https://${'a'.repeat(3000)}"}`)],
  run: async (input) => {
    const d = await fetchDiscovery({ fetch: async () => Buffer.from(input) }, ISSUER, 1 << 20);
    for (const u of [d.jwksUri, d.authorizationEndpoint, d.tokenEndpoint, d.userinfoEndpoint]) if (u !== null && u.protocol !== 'https:') return `an endpoint ${u.href} that is not https`;
    return undefined;
  },
  accepts: ownError(DiscoveryError),
};

export const targets: Record<string, FuzzTarget> = { 'x509-certificate': certificate, jwt, jwks, 'oidc-discovery': discovery };
