/**
 * The signing certificate's path to a trusted Fulcio CA, built from the trusted root alone (the
 * certificates a bundle carries besides the leaf are ignored: a signer must not choose its own
 * anchors). The leaf must be issued and signed by a certificate of a CA whose `validFor` covers
 * the signing time, every certificate on the path up to the CA's self-signed root must be valid
 * at that time, and every issuer must be a CA (basicConstraints).
 */
import type { X509Certificate } from 'node:crypto';
import { issuedBy } from './certificate.ts';
import { isoTime } from './fields.ts';
import type { CertificateAuthority, TrustedRoot } from './trusted-root.ts';

export function certValidAt(cert: X509Certificate, at: number): boolean {
  return cert.validFromDate.getTime() <= at && at <= cert.validToDate.getTime();
}

export function certValidity(cert: X509Certificate): string {
  return `valid from ${cert.validFromDate.toISOString()} to ${cert.validToDate.toISOString()}`;
}

/** Null when `chain` (issuer first, root last) starting at `from` is a valid CA path at `at`, else why not. */
export function caPath(ca: CertificateAuthority, from: number, at: number): string | null {
  for (let i = from; i < ca.chain.length; i++) {
    const cert = ca.chain[i];
    if (cert === undefined) return 'the CA chain is incomplete';
    if (!cert.ca) return `the CA certificate ${cert.subject.replace(/\n/g, ', ')} is not a CA (basicConstraints)`;
    if (!certValidAt(cert, at)) return `the CA certificate ${cert.subject.replace(/\n/g, ', ')} was not valid at ${isoTime(at)} (${certValidity(cert)})`;
    if (ca.signedByNext[i] !== true) return `the CA certificate ${cert.subject.replace(/\n/g, ', ')} is not signed by the next certificate of its chain`;
  }
  return null;
}

/** Null when `leaf` chains to a CA of `root` valid at `at` (ms), else why not. */
export function checkChain(leaf: X509Certificate, root: TrustedRoot, at: number): string | null {
  const cas = root.certificateAuthorities.filter((ca) => ca.validFrom <= at && (ca.validUntil === null || at <= ca.validUntil));
  if (cas.length === 0) return `no certificate authority of the trusted root was valid at ${isoTime(at)}`;
  const problems: string[] = [];
  for (const ca of cas) {
    const issuer = ca.chain.findIndex((c) => issuedBy(c, leaf));
    if (issuer < 0) continue;
    const why = caPath(ca, issuer, at);
    if (why === null) return null;
    problems.push(why);
  }
  if (problems.length > 0) return `the signing certificate's chain is not valid: ${problems.join('; ')}`;
  return `the signing certificate (issuer ${leaf.issuer.replace(/\n/g, ', ')}) was not issued by a certificate authority of the trusted root valid at ${isoTime(at)}`;
}
