/**
 * RFC 3161 timestamps in a Sigstore bundle (`timestampVerificationData.rfc3161Timestamps`): a
 * timestamp authority's signed statement that the bundle's signature existed at a time. Rekor v2
 * entries carry no integrated time, so for them a timestamp is the only evidence that a
 * short-lived Fulcio certificate was valid when it signed.
 *
 * A stamp is a DER `TimeStampResp` (or its bare `TimeStampToken`): CMS SignedData whose content is
 * a `TSTInfo`. It counts when, all against the trusted root and never against certificates the
 * stamp carries (a signer must not bring its own anchors):
 * - the response status is granted, the content is a TSTInfo, and the message imprint is the hash
 *   (SHA-256/384/512, as the stamp names it) of the bundle's signature bytes;
 * - the single SignerInfo names a timestamp authority of the trusted root (its certificate's
 *   issuer and serial number, or subject key identifier) and has signed attributes: the content
 *   type (TSTInfo) and the message digest of the TSTInfo's bytes; their DER (as a SET) verifies
 *   with that authority's key, and its `validFor` covers the stamp's time;
 * - that authority's leaf certificate may stamp (extended key usage timeStamping) and, with
 *   every certificate up its chain, was valid at that time.
 * A stamp by an authority the root does not list is 'unsupported' (the root may predate it:
 * nothing was checked); one that fails a check is 'invalid'. Everything is parsed under the DER
 * reader's bounds, and a malformed stamp is 'invalid' with what is wrong.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { extensionsOf, hasExtendedKeyUsage } from './certificate.ts';
import { caPath, certValidAt, certValidity } from './chain.ts';
import { certificateNames, children, expectTag, oidText, readOne, TAG, type Tlv } from './der.ts';
import { fail, isoTime, SigstoreError, STALE_ROOT, type Problem } from './fields.ts';
import { verifies } from './tlog.ts';
import type { CertificateAuthority, TrustedRoot } from './trusted-root.ts';

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  subjectKeyIdentifier: '2.5.29.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

/** Digest algorithms by OID (messageImprint, digestAlgorithm). */
const DIGESTS: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithms that name their digest; a bare key algorithm takes the digestAlgorithm's. */
const SIGNATURE_DIGESTS: Readonly<Record<string, string | null>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
};
const KEY_ALGORITHMS = new Set(['1.2.840.10045.2.1', '1.2.840.113549.1.1.1']);

/** Who signed a stamp, as its SignerInfo names the certificate. */
export type SignerId = { readonly issuer: Buffer; readonly serial: Buffer } | { readonly keyId: Buffer };

/** A stamp as read, before any signature is checked. */
export interface ParsedTimestamp {
  readonly signer: SignerId;
  /** The TSTInfo's genTime, ms since the epoch. */
  readonly time: number;
  readonly imprintDigest: string;
  readonly imprint: Buffer;
  /** The TSTInfo's DER (the signed content) and the digest its message-digest attribute names. */
  readonly content: Buffer;
  readonly digest: string;
  readonly contentDigest: Buffer;
  /** The signed attributes re-tagged as a SET: what the signature is over. */
  readonly signedAttributes: Buffer;
  readonly signatureDigest: string | null;
  readonly signature: Buffer;
}

function integer(t: Tlv | undefined, what: string): number {
  const v = expectTag(t, TAG.INTEGER, what).value;
  if (v.length === 0 || v.length > 4) fail(`DER: ${what} is not a small integer`);
  return v.readIntBE(0, v.length);
}

function algorithm(t: Tlv | undefined, what: string): string {
  return oidText(expectTag(children(expectTag(t, TAG.SEQUENCE, what))[0], TAG.OID, `${what} algorithm`).value);
}

function digestName(oid: string, what: string): string {
  const name = DIGESTS[oid];
  if (name === undefined) fail(`${what} ${oid} is not SHA-256, SHA-384 or SHA-512`);
  return name;
}

/** The [n] EXPLICIT wrapper's single element. */
function explicit(t: Tlv | undefined, n: number, what: string): Tlv {
  const wrapper = expectTag(t, 0xa0 + n, what);
  const inner = children(wrapper, 2);
  if (inner.length !== 1) fail(`DER: ${what} must hold one element`);
  return inner[0] as Tlv;
}

/** GeneralizedTime as RFC 3161 allows it: `YYYYMMDDhhmmss[.f…]Z`. */
function generalizedTime(t: Tlv | undefined): number {
  const text = expectTag(t, 0x18, 'TSTInfo genTime').value.toString('latin1');
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (m === null) fail(`the TSTInfo's genTime ${JSON.stringify(text.slice(0, 40))} is not a UTC GeneralizedTime`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(m[3]) || check.getUTCHours() !== Number(m[4])) fail(`the TSTInfo's genTime ${text} is not a valid date`);
  return ms;
}

/** The values of the attribute `oid` among signed attributes (exactly one attribute of it). */
function attribute(attrs: readonly Tlv[], oid: string, what: string): Tlv[] {
  const found = attrs.filter((a) => oidText(expectTag(children(expectTag(a, TAG.SEQUENCE, 'Attribute'))[0], TAG.OID, 'attribute type').value) === oid);
  if (found.length !== 1) fail(`the timestamp's signed attributes have ${found.length === 0 ? 'no' : 'more than one'} ${what} attribute`);
  const values = children(expectTag(children(found[0] as Tlv)[1], TAG.SET, `${what} values`));
  if (values.length !== 1) fail(`the timestamp's ${what} attribute must have one value`);
  return values;
}

/** Reads a stamp (DER TimeStampResp or TimeStampToken); throws SigstoreError when it is malformed or not granted. */
export function parseTimestamp(der: Buffer): ParsedTimestamp {
  const top = expectTag(readOne(der), TAG.SEQUENCE, 'the timestamp');
  const parts = children(top, 8);
  let token = top;
  // TimeStampResp: SEQUENCE { PKIStatusInfo SEQUENCE { status INTEGER, … }, timeStampToken ContentInfo OPTIONAL }.
  if (parts[0]?.tag === TAG.SEQUENCE) {
    const status = integer(children(parts[0])[0], 'PKIStatusInfo status');
    if (status !== 0 && status !== 1) fail(`the timestamp response's status is ${status} (not granted)`);
    token = expectTag(parts[1], TAG.SEQUENCE, 'the timestamp token');
  }
  const info = children(token, 4);
  const type = oidText(expectTag(info[0], TAG.OID, 'ContentInfo contentType').value);
  if (type !== OID.signedData) fail(`the timestamp token is ${type}, not CMS SignedData`);
  const sd = children(expectTag(explicit(info[1], 0, 'ContentInfo content'), TAG.SEQUENCE, 'SignedData'), 8);
  const encap = children(expectTag(sd[2], TAG.SEQUENCE, 'encapContentInfo'), 4);
  const eType = oidText(expectTag(encap[0], TAG.OID, 'eContentType').value);
  if (eType !== OID.tstInfo) fail(`the timestamp token's content is ${eType}, not a TSTInfo`);
  const content = expectTag(explicit(encap[1], 0, 'eContent'), TAG.OCTET_STRING, 'eContent').value;
  const signerInfos = children(expectTag(sd[sd.length - 1], TAG.SET, 'signerInfos'), 4);
  if (signerInfos.length !== 1) fail(`the timestamp token has ${signerInfos.length} signers (exactly one is accepted)`);
  const si = children(expectTag(signerInfos[0], TAG.SEQUENCE, 'SignerInfo'), 8);
  let signer: SignerId;
  if (si[1]?.tag === 0x80) signer = { keyId: si[1].value };
  else {
    const ias = children(expectTag(si[1], TAG.SEQUENCE, 'SignerInfo sid'), 2);
    signer = { issuer: expectTag(ias[0], TAG.SEQUENCE, 'sid issuer').raw, serial: expectTag(ias[1], TAG.INTEGER, 'sid serialNumber').value };
  }
  const digest = digestName(algorithm(si[2], 'SignerInfo digestAlgorithm'), 'the SignerInfo digest algorithm');
  const signed = expectTag(si[3], 0xa0, 'SignerInfo signedAttrs (required for a timestamp)');
  const attrs = children(signed, 32);
  const ct = oidText(expectTag(attribute(attrs, OID.contentType, 'content-type')[0], TAG.OID, 'content-type value').value);
  if (ct !== OID.tstInfo) fail(`the timestamp's content-type attribute is ${ct}, not TSTInfo`);
  const contentDigest = expectTag(attribute(attrs, OID.messageDigest, 'message-digest')[0], TAG.OCTET_STRING, 'message-digest value').value;
  const sigAlg = algorithm(si[4], 'SignerInfo signatureAlgorithm');
  let signatureDigest: string | null;
  if (Object.hasOwn(SIGNATURE_DIGESTS, sigAlg)) signatureDigest = SIGNATURE_DIGESTS[sigAlg] ?? null;
  else if (KEY_ALGORITHMS.has(sigAlg)) signatureDigest = digest;
  else fail(`the timestamp's signature algorithm ${sigAlg} is not supported (ECDSA, RSA PKCS#1 v1.5 or Ed25519)`);
  const signature = expectTag(si[5], TAG.OCTET_STRING, 'SignerInfo signature').value;
  // The signature covers the attributes' DER with the SET tag, not the [0] IMPLICIT one they are sent with.
  const signedAttributes = Buffer.concat([Buffer.from([TAG.SET]), signed.raw.subarray(1)]);

  const tst = children(expectTag(readOne(content), TAG.SEQUENCE, 'TSTInfo'), 12);
  if (integer(tst[0], 'TSTInfo version') !== 1) fail('the TSTInfo is not version 1');
  const imprint = children(expectTag(tst[2], TAG.SEQUENCE, 'messageImprint'), 2);
  return {
    signer,
    time: generalizedTime(tst[4]),
    imprintDigest: digestName(algorithm(imprint[0], 'messageImprint hashAlgorithm'), 'the message imprint algorithm'),
    imprint: expectTag(imprint[1], TAG.OCTET_STRING, 'messageImprint hashedMessage').value,
    content,
    digest,
    contentDigest,
    signedAttributes,
    signatureDigest,
    signature,
  };
}

/** Whether `cert` is the certificate the stamp's SignerInfo names. */
function isSigner(cert: X509Certificate, id: SignerId): boolean {
  try {
    if ('keyId' in id) {
      const ski = extensionsOf(cert.raw).find((e) => e.oid === OID.subjectKeyIdentifier);
      return ski !== undefined && expectTag(readOne(ski.value), TAG.OCTET_STRING, 'subjectKeyIdentifier').value.equals(id.keyId);
    }
    const names = certificateNames(cert.raw);
    return names.issuer.equals(id.issuer) && names.serial.equals(id.serial);
  } catch (err) {
    if (err instanceof SigstoreError) return false;
    throw err;
  }
}

/** Null when `tsa`'s leaf signed the stamp and may have at its time, else why not. */
function signedBy(tsa: CertificateAuthority, stamp: ParsedTimestamp): string | null {
  const leaf = tsa.chain[0] as X509Certificate;
  if (tsa.validFrom > stamp.time || (tsa.validUntil !== null && stamp.time > tsa.validUntil)) return `the authority was not trusted at ${isoTime(stamp.time)}`;
  if (!verifies(leaf.publicKey, stamp.signedAttributes, stamp.signature, stamp.signatureDigest)) return 'its signature does not verify with the authority\'s key';
  if (!certValidAt(leaf, stamp.time)) return `the authority's certificate was not valid at ${isoTime(stamp.time)} (it is ${certValidity(leaf)})`;
  if (!hasExtendedKeyUsage(extensionsOf(leaf.raw), OID.timeStamping)) return 'the authority\'s certificate is not for timestamping (extended key usage)';
  if (tsa.chain.length > 1 && tsa.signedByNext[0] !== true) return 'the authority\'s certificate is not signed by the next certificate of its chain';
  return tsa.chain.length > 1 ? caPath(tsa, 1, stamp.time) : null;
}

/**
 * The time (ms) a stamp shows `signature` existed at, once it verifies against a timestamp
 * authority of `root`; else why not. `path` names the stamp.
 */
export function verifyTimestamp(der: Buffer, signature: Buffer, root: TrustedRoot, path: string): number | Problem {
  let stamp: ParsedTimestamp;
  try {
    stamp = parseTimestamp(der);
  } catch (err) {
    if (!(err instanceof SigstoreError)) throw err;
    return { status: 'invalid', error: `${path} is not a usable RFC 3161 timestamp: ${err.message}` };
  }
  if (!createHash(stamp.imprintDigest).update(signature).digest().equals(stamp.imprint)) return { status: 'invalid', error: `${path} does not stamp the bundle's signature (its message imprint is another hash)` };
  if (!createHash(stamp.digest).update(stamp.content).digest().equals(stamp.contentDigest)) return { status: 'invalid', error: `${path}'s message-digest attribute is not the digest of its TSTInfo` };
  const authorities = root.timestampAuthorities.filter((a) => a.chain[0] !== undefined && isSigner(a.chain[0], stamp.signer));
  if (authorities.length === 0) return { status: 'unsupported', error: `${path} is signed by a timestamp authority the trusted root does not list${STALE_ROOT}` };
  const problems: string[] = [];
  for (const tsa of authorities) {
    const why = signedBy(tsa, stamp);
    if (why === null) return stamp.time;
    problems.push(`${tsa.uri || 'its authority'}: ${why}`);
  }
  return { status: 'invalid', error: `${path} does not verify (${problems.join('; ')})` };
}
