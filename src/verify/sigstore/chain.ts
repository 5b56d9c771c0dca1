/**
 * The signing certificate's path to a trusted Fulcio CA, built from the trusted root alone (the
 * certificates a bundle carries besides the leaf are ignored: a signer must not choose its own
 * anchors). The leaf must be issued and signed by a certificate of a CA whose `validFor` covers
 * the signing time, every certificate on the path up to the CA's self-signed root must be valid
 * at that time, and every issuer must be a CA (basicConstraints).
 */
import type { X509Certificate } from 'node:crypto';
import { issuedBy } from './certificate.ts';
import { isoTime, STALE_ROOT, type Problem } from './fields.ts';
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

/** A certificate of a root's CA that issued a leaf: the CA, and the certificate's place in its chain. */
export interface Issuing {
  readonly ca: CertificateAuthority;
  readonly issuer: number;
  readonly certificate: X509Certificate;
}

/** The certificates of `root`'s CAs that issued `leaf`: found once per bundle (each is a signature check). */
export function issuersOf(leaf: X509Certificate, root: TrustedRoot): readonly Issuing[] {
  return root.certificateAuthorities.flatMap((ca) => {
    const issuer = ca.chain.findIndex((c) => issuedBy(c, leaf));
    const certificate = ca.chain[issuer];
    return certificate === undefined ? [] : [{ ca, issuer, certificate }];
  });
}

/**
 * Null when `leaf` chains to a CA of `root` valid at `at` (ms), else why not: 'unsupported' when
 * no CA the root lists issued it (the root may predate a CA Sigstore has added since: nothing was
 * checked, nothing failed), 'invalid' when one did but not validly at that time. `issuing` is
 * `issuersOf(leaf, root)`.
 */
export function checkChain(leaf: X509Certificate, issuing: readonly Issuing[], at: number): Problem | null {
  if (issuing.length === 0) {
    return { status: 'unsupported', error: `the signing certificate (issuer ${leaf.issuer.replace(/\n/g, ', ')}) was not issued by a certificate authority the trusted root lists${STALE_ROOT}` };
  }
  const problems: string[] = [];
  for (const { ca, issuer } of issuing) {
    if (ca.validFrom > at || (ca.validUntil !== null && at > ca.validUntil)) {
      problems.push(`its certificate authority${ca.uri === '' ? '' : ` ${ca.uri}`} was not trusted at ${isoTime(at)}`);
      continue;
    }
    const why = caPath(ca, issuer, at);
    if (why === null) return null;
    problems.push(why);
  }
  return { status: 'invalid', error: `the signing certificate's chain is not valid: ${problems.join('; ')}` };
}
