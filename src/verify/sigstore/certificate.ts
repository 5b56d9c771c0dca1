/**
 * The signer's identity in a Fulcio certificate: the subjectAltName (the URI or e-mail the OIDC
 * token named) and the Fulcio extensions under 1.3.6.1.4.1.57264.1 (issuer, the build and source
 * claims of CI tokens). Read from the DER, not from Node's text rendering: its `subjectAltName`
 * string escapes and comma-joins names, so a crafted name could pass a textual comparison.
 */
import type { X509Certificate } from 'node:crypto';
import { certificateNames, children, encodeTlv, expectTag, oidText, readOne, TAG, tbsFields, type Tlv } from './der.ts';
import { fail } from './fields.ts';

const SAN_OID = '2.5.29.17';
const FULCIO = '1.3.6.1.4.1.57264.1.';
/** Legacy issuer: the extension value is the raw issuer text, not a DER string. */
const LEGACY_ISSUER = `${FULCIO}1`;
/** Extension values longer than this are not identities (and are not copied). */
const MAX_VALUE = 4096;

/** Fulcio extensions 1.3.6.1.4.1.57264.1.8–.22 by the names sigstore-js uses for them. */
const FULCIO_NAMES: Readonly<Record<string, string>> = {
  '8': 'issuer',
  '9': 'buildSignerUri',
  '10': 'buildSignerDigest',
  '11': 'runnerEnvironment',
  '12': 'sourceRepositoryUri',
  '13': 'sourceRepositoryDigest',
  '14': 'sourceRepositoryRef',
  '15': 'sourceRepositoryIdentifier',
  '16': 'sourceRepositoryOwnerUri',
  '17': 'sourceRepositoryOwnerIdentifier',
  '18': 'buildConfigUri',
  '19': 'buildConfigDigest',
  '20': 'buildTrigger',
  '21': 'runInvocationUri',
  '22': 'sourceRepositoryVisibilityAtSigning',
};

export interface CertificateIdentity {
  /** The first URI or e-mail subjectAltName; null when the certificate has neither. */
  readonly subjectAlternativeName: string | null;
  /** The OIDC issuer (extension .1.8, else legacy .1.1); null when absent. */
  readonly issuer: string | null;
  readonly extensions: Readonly<Record<string, string>>;
}

export interface Extension {
  readonly oid: string;
  readonly value: Buffer;
  /** The whole Extension element, as encoded in the certificate. */
  readonly raw: Buffer;
}

/** The extensions of a DER certificate (TBSCertificate's `[3]` field). */
export function extensionsOf(der: Buffer): Extension[] {
  const wrapper = tbsFields(der).find((t) => t.tag === 0xa3);
  if (wrapper === undefined) return [];
  const seq = expectTag(children(wrapper)[0], TAG.SEQUENCE, 'Extensions');
  const seen = new Set<string>();
  return children(seq).map((ext) => {
    const parts = children(expectTag(ext, TAG.SEQUENCE, 'Extension'));
    const oid = oidText(expectTag(parts[0], TAG.OID, 'extnID').value);
    // RFC 5280 §4.2: an extension appears at most once; two SANs or issuers would make the identity ambiguous.
    if (seen.has(oid)) fail(`the certificate has the extension ${oid} twice`);
    seen.add(oid);
    const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue').value;
    return { oid, value, raw: ext.raw };
  });
}

const EXT_KEY_USAGE = '2.5.29.37';

/** Whether a certificate's extended key usage (from its `extensionsOf`) lists `purpose` (an OID); false without the extension. */
export function hasExtendedKeyUsage(extensions: readonly Extension[], purpose: string): boolean {
  const eku = extensions.find((e) => e.oid === EXT_KEY_USAGE);
  if (eku === undefined) return false;
  return children(expectTag(readOne(eku.value), TAG.SEQUENCE, 'extKeyUsage')).some((u) => u.tag === TAG.OID && oidText(u.value) === purpose);
}

/**
 * The certificate's TBSCertificate re-encoded without the extension `oid` (and without the
 * extensions field when nothing else is left in it): what a certificate transparency log signed
 * for a certificate that now carries the log's SCTs in that extension (RFC 6962 §3.2).
 * `extensions` are the certificate's, as `extensionsOf` read them.
 */
export function tbsWithoutExtension(der: Buffer, extensions: readonly Extension[], oid: string): Buffer {
  const kept = extensions.filter((ext) => ext.oid !== oid);
  const field = kept.length === 0 ? [] : [encodeTlv(0xa3, encodeTlv(TAG.SEQUENCE, Buffer.concat(kept.map((ext) => ext.raw))))];
  const fields = tbsFields(der).flatMap((f) => (f.tag === 0xa3 ? field : [f.raw]));
  return encodeTlv(TAG.SEQUENCE, Buffer.concat(fields));
}

function utf8(value: Buffer, what: string): string {
  if (value.length > MAX_VALUE) fail(`certificate ${what} is longer than ${MAX_VALUE} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    // The decoder's TypeError would escape verifyBundle, which turns only SigstoreErrors into 'invalid'.
    return fail(`certificate ${what} is not UTF-8`);
  }
}

/** A DER string (UTF8String, IA5String or PrintableString) in an extension value. */
function derString(value: Buffer, what: string): string {
  const t: Tlv = readOne(value);
  if (t.tag !== TAG.UTF8_STRING && t.tag !== TAG.IA5_STRING && t.tag !== TAG.PRINTABLE_STRING) fail(`certificate ${what} is not a DER string`);
  return utf8(t.value, what);
}

/** The first URI ([6]) or rfc822Name ([1]) of a GeneralNames value; URIs win. */
function subjectAlternativeName(value: Buffer): string | null {
  const names = children(expectTag(readOne(value), TAG.SEQUENCE, 'subjectAltName'));
  const uri = names.find((n) => n.tag === 0x86);
  const email = names.find((n) => n.tag === 0x81);
  const chosen = uri ?? email;
  return chosen === undefined ? null : utf8(chosen.value, 'subjectAltName');
}

/** Reads the identity from a certificate's extensions (`extensionsOf`); throws SigstoreError when one is malformed. */
export function certificateIdentity(certificateExtensions: readonly Extension[]): CertificateIdentity {
  let san: string | null = null;
  let legacyIssuer: string | null = null;
  const extensions: Record<string, string> = {};
  for (const ext of certificateExtensions) {
    if (ext.oid === SAN_OID) san = subjectAlternativeName(ext.value);
    else if (ext.oid === LEGACY_ISSUER) legacyIssuer = utf8(ext.value, 'issuer (1.3.6.1.4.1.57264.1.1)');
    else if (ext.oid.startsWith(FULCIO)) {
      const name = FULCIO_NAMES[ext.oid.slice(FULCIO.length)];
      if (name !== undefined) extensions[name] = derString(ext.value, `extension ${ext.oid}`);
    }
  }
  const issuer = extensions['issuer'] ?? legacyIssuer;
  if (issuer !== null) extensions['issuer'] = issuer;
  return { subjectAlternativeName: san, issuer, extensions: Object.freeze(extensions) };
}

/**
 * Whether `issuer` issued `cert`: the names match byte for byte and the signature verifies.
 * (Not `checkIssued`: OpenSSL's check also applies purpose rules that reject Fulcio's
 * intermediate, whose extended key usage is code signing.)
 */
export function issuedBy(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return certificateNames(cert.raw).issuer.equals(certificateNames(issuer.raw).subject) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
