/**
 * Certificate transparency for Fulcio certificates (RFC 6962): Fulcio logs every certificate it
 * issues in a CT log before handing it out, and embeds the log's signed certificate timestamps
 * (SCTs) in the certificate. An SCT that verifies with a CT log of the trusted root shows the
 * certificate was published where its subject can see it; a certificate without one is what a
 * CA that was made to issue quietly would produce. Sigstore's clients require one SCT (their
 * `ctlogThreshold` is 1); so does this check, whenever the trusted root lists CT logs (a private
 * deployment whose root lists none has no CT to check).
 *
 * An SCT of an embedded list is signed over the certificate as the log saw it: the precertificate
 * entry, which is the TBSCertificate without the SCT list extension, and the SHA-256 of the issuing
 * certificate's public key. The log must have been trusted at the SCT's time. An SCT from a log
 * the root does not list is not a failed check (the root may predate the log); one from a listed
 * log that does not verify is.
 *
 * The SCT list is TLS-encoded inside the extension; it is parsed under limits (count, lengths
 * checked against what is left), and malformed input is a SigstoreError naming what was wrong.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { tbsWithoutExtension, type Extension } from './certificate.ts';
import { expectTag, readOne, subjectPublicKeyInfo, TAG } from './der.ts';
import { fail, isoTime, STALE_ROOT, type Problem } from './fields.ts';
import { verifies } from './tlog.ts';
import type { TrustedRoot } from './trusted-root.ts';

/** The X.509 extension holding a certificate's embedded SCTs. */
export const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
/** SCTs read from one certificate at most (Fulcio embeds one per log it uses). */
const MAX_SCTS = 16;
/** TLS HashAlgorithm sha256 and SignatureAlgorithm rsa / ecdsa (RFC 5246 §7.4.1.4.1). */
const HASH_SHA256 = 4;
const SIGNATURE_KEY_TYPES: Readonly<Record<number, string>> = { 1: 'rsa', 3: 'ec' };

export interface Sct {
  readonly logId: Buffer;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly extensions: Buffer;
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
  readonly signature: Buffer;
}

/** A cursor over TLS-encoded bytes: every read checks what is left and names `what` when it runs out. */
class Reader {
  #buf: Buffer;
  #at = 0;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  get done(): boolean {
    return this.#at === this.#buf.length;
  }
  bytes(n: number, what: string): Buffer {
    if (this.#at + n > this.#buf.length) fail(`the signing certificate's SCT list is truncated (${what})`);
    const out = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }
  uint(n: 1 | 2 | 8, what: string): number {
    const b = this.bytes(n, what);
    return n === 1 ? b.readUInt8(0) : n === 2 ? b.readUInt16BE(0) : Number(b.readBigUInt64BE(0));
  }
  /** A `<0..2^16-1>` vector: its 16-bit length, then that many bytes. */
  vector(what: string): Buffer {
    return this.bytes(this.uint(2, `${what}'s length`), what);
  }
}

/** The SCTs embedded in a certificate (from its `extensionsOf`): null when it has no SCT list extension. */
export function embeddedScts(extensions: readonly Extension[]): Sct[] | null {
  const ext = extensions.find((e) => e.oid === SCT_LIST_OID);
  return ext === undefined ? null : parseSctList(ext.value);
}

/** The SCTs of an SCT list extension's value (an OCTET STRING holding the TLS-encoded list); throws SigstoreError when it is malformed. */
export function parseSctList(extensionValue: Buffer): Sct[] {
  const list = new Reader(expectTag(readOne(extensionValue), TAG.OCTET_STRING, 'the SCT list').value);
  const items = new Reader(list.vector('the list'));
  if (!list.done) fail("the signing certificate's SCT list has bytes after its list");
  const scts: Sct[] = [];
  while (!items.done) {
    if (scts.length === MAX_SCTS) fail(`the signing certificate has more than ${MAX_SCTS} SCTs`);
    const item = new Reader(items.vector(`SCT ${scts.length}`));
    const version = item.uint(1, 'version');
    if (version !== 0) fail(`the signing certificate's SCT ${scts.length} has version ${version} (only v1, 0, is defined)`);
    const sct: Sct = {
      logId: item.bytes(32, 'log id'),
      timestamp: item.uint(8, 'timestamp'),
      extensions: item.vector('extensions'),
      hashAlgorithm: item.uint(1, 'hash algorithm'),
      signatureAlgorithm: item.uint(1, 'signature algorithm'),
      signature: item.vector('signature'),
    };
    if (!item.done) fail(`the signing certificate's SCT ${scts.length} has bytes after its signature`);
    scts.push(sct);
  }
  if (scts.length === 0) fail("the signing certificate's SCT list is empty");
  return scts;
}

/** What a CT log signs for a precertificate entry (RFC 6962 §3.2): `tbs` without the SCT list, `issuerKeyHash` the SHA-256 of the issuer's SubjectPublicKeyInfo. */
export function precertificateSignedData(timestamp: number, issuerKeyHash: Buffer, tbs: Buffer, extensions: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt8(0, 0); // sct_version v1
  head.writeUInt8(0, 1); // signature_type certificate_timestamp
  head.writeBigUInt64BE(BigInt(timestamp), 2);
  head.writeUInt16BE(1, 10); // entry_type precert_entry
  const tbsLength = Buffer.alloc(3);
  tbsLength.writeUIntBE(tbs.length, 0, 3);
  const extensionsLength = Buffer.alloc(2);
  extensionsLength.writeUInt16BE(extensions.length, 0);
  return Buffer.concat([head, issuerKeyHash, tbsLength, tbs, extensionsLength, extensions]);
}

/**
 * Null when the leaf carries an SCT that verifies with a CT log of `root` trusted at its time (or
 * when `root` lists no CT logs), else why not: 'unsupported' when its SCTs are all from logs the
 * root does not list, 'invalid' when it has none or one from a listed log fails.
 */
export function checkCertificateTransparency(leaf: { readonly der: Buffer; readonly extensions: readonly Extension[] }, issuer: X509Certificate, root: TrustedRoot): Problem | null {
  if (root.ctlogs.length === 0) return null;
  const scts = embeddedScts(leaf.extensions);
  if (scts === null) {
    return { status: 'invalid', error: 'the signing certificate has no signed certificate timestamp (SCT): nothing shows it was published in a certificate transparency log the trusted root lists' };
  }
  const tbs = tbsWithoutExtension(leaf.der, leaf.extensions, SCT_LIST_OID);
  const issuerKeyHash = createHash('sha256').update(subjectPublicKeyInfo(issuer.raw)).digest();
  const failures: string[] = [];
  const unknown: string[] = [];
  for (const [i, sct] of scts.entries()) {
    const log = root.ctlogs.find((l) => l.logId.equals(sct.logId));
    if (log === undefined) {
      unknown.push(sct.logId.toString('base64'));
      continue;
    }
    const name = `SCT ${i} (${log.baseUrl || sct.logId.toString('base64')})`;
    if (sct.timestamp < log.validFrom || (log.validUntil !== null && sct.timestamp > log.validUntil)) {
      failures.push(`${name} is dated ${isoTime(sct.timestamp)}, when its log was not trusted`);
    } else if (sct.hashAlgorithm !== HASH_SHA256 || SIGNATURE_KEY_TYPES[sct.signatureAlgorithm] !== log.key.asymmetricKeyType) {
      failures.push(`${name} is signed with hash ${sct.hashAlgorithm} and signature algorithm ${sct.signatureAlgorithm}, which do not match its log's ${log.key.asymmetricKeyType ?? 'unknown'} key with SHA-256`);
    } else if (verifies(log.key, precertificateSignedData(sct.timestamp, issuerKeyHash, tbs, sct.extensions), sct.signature, 'sha256')) {
      return null;
    } else {
      failures.push(`${name}'s signature does not verify over the certificate with its log's key`);
    }
  }
  if (failures.length > 0) return { status: 'invalid', error: `the signing certificate's certificate transparency does not verify: ${failures.join('; ')}` };
  return { status: 'unsupported', error: `the signing certificate's SCTs are from certificate transparency logs the trusted root does not list (log ids ${unknown.join(', ')})${STALE_ROOT}` };
}
