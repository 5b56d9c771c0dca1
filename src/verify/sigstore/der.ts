/**
 * A minimal DER reader: just enough to walk a certificate to its extensions and read the values
 * Fulcio puts there (and one encoder, for the certificate a CT log signed: sct.ts). Node's
 * X509Certificate verifies signatures and dates but renders extensions only as text (its
 * `subjectAltName` escapes and joins values, which is a trap for identity checks), so the
 * identity is read from the DER itself. Definite lengths only, bounded nesting;
 * every read checks the bounds and a malformed encoding throws a SigstoreError.
 */
import { fail } from './fields.ts';

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  /** The content octets. */
  readonly value: Buffer;
  /** The whole element (identifier, length and content). */
  readonly raw: Buffer;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads one element at `offset`; `end` is where the enclosing content ends. */
export function readTlv(buf: Buffer, offset: number, end = buf.length): { readonly tlv: Tlv; readonly next: number } {
  if (offset + 2 > end) fail('DER: truncated element');
  const tag = buf[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) fail('DER: high tag numbers are not supported');
  let length = buf[offset + 1] ?? 0;
  let p = offset + 2;
  if (length === 0x80) fail('DER: indefinite length');
  if (length > 0x80) {
    const n = length & 0x7f;
    if (n > 4 || p + n > end) fail('DER: bad length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[p + i] ?? 0);
    p += n;
  }
  if (p + length > end) fail('DER: element runs past its container');
  return { tlv: { tag, value: buf.subarray(p, p + length), raw: buf.subarray(offset, p + length) }, next: p + length };
}

/** The single element `buf` holds (nothing may follow it). */
export function readOne(buf: Buffer): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) fail('DER: trailing bytes after the element');
  return tlv;
}

/** The elements of a constructed element's content. */
export function children(tlv: Tlv, max = 1024): Tlv[] {
  if ((tlv.tag & 0x20) === 0) fail(`DER: element 0x${tlv.tag.toString(16)} is not constructed`);
  const out: Tlv[] = [];
  let p = 0;
  while (p < tlv.value.length) {
    if (out.length >= max) fail('DER: too many elements');
    const { tlv: child, next } = readTlv(tlv.value, p);
    out.push(child);
    p = next;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined || tlv.tag !== tag) fail(`DER: ${what} is missing or not of the expected type`);
  return tlv;
}

/** Dotted text of an OBJECT IDENTIFIER's content. */
export function oidText(value: Buffer): string {
  if (value.length === 0 || value.length > 64) fail('DER: bad object identifier');
  const arcs: number[] = [];
  let n = 0;
  for (const [i, b] of value.entries()) {
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER) fail('DER: object identifier arc too large');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else arcs.push(n);
      n = 0;
    } else if (i === value.length - 1) fail('DER: truncated object identifier');
  }
  return arcs.join('.');
}

/** The fields of a DER certificate's TBSCertificate. */
export function tbsFields(der: Buffer): Tlv[] {
  const cert = expectTag(readOne(der), TAG.SEQUENCE, 'Certificate');
  return children(expectTag(children(cert)[0], TAG.SEQUENCE, 'TBSCertificate'));
}

/** The TBSCertificate's fields after its optional `[0]` version: serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … */
function fieldsAfterVersion(der: Buffer): Tlv[] {
  const tbs = tbsFields(der);
  return tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
}

/** The DER of a certificate's issuer and subject Names (TBSCertificate fields 4 and 6) and its serial number's content octets. */
export function certificateNames(der: Buffer): { readonly issuer: Buffer; readonly subject: Buffer; readonly serial: Buffer } {
  const fields = fieldsAfterVersion(der);
  return {
    issuer: expectTag(fields[2], TAG.SEQUENCE, 'issuer').raw,
    subject: expectTag(fields[4], TAG.SEQUENCE, 'subject').raw,
    serial: expectTag(fields[0], TAG.INTEGER, 'serialNumber').value,
  };
}

/** One DER element: `tag`, the definite length of `content`, and `content`. */
export function encodeTlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let length: number[];
  if (n < 0x80) length = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    length = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

/** A certificate's subjectPublicKeyInfo, as encoded in it (TBSCertificate field 7). */
export function subjectPublicKeyInfo(der: Buffer): Buffer {
  const fields = fieldsAfterVersion(der);
  return expectTag(fields[5], TAG.SEQUENCE, 'subjectPublicKeyInfo').raw;
}
