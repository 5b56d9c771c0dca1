/**
 * Certificate mode (`x509CertificateChain`, a private PKI): the leaf must chain, through the
 * intermediates the signature carries, to a certificate authority the operator configured, every
 * certificate on the path valid at the leaf's notBefore (model_signing checks the chain then, not
 * now: the signature has no trusted time, and an expired leaf still verifies), every issuer a CA
 * (basicConstraints, and keyCertSign when it states a key usage). The leaf must be for signing:
 * KeyUsage digitalSignature or ExtendedKeyUsage codeSigning.
 *
 * No configured CA on any path is 'unverifiable' (not ours to judge); a path to one that is not
 * valid is 'invalid'. Every configured certificate is an anchor, self-signed or not.
 */
import type { X509Certificate } from 'node:crypto';
import { certificateIdentity, extensionsOf, hasExtendedKeyUsage, issuedBy, type Extension } from '../sigstore/certificate.ts';
import { expectTag, readOne, TAG } from '../sigstore/der.ts';
import type { ChainCertificate } from './envelope.ts';
import { invalid, unverifiable, type ModelProblem } from './types.ts';

/** id-kp-codeSigning (RFC 5280 §4.2.1.12). */
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const KEY_USAGE = '2.5.29.15';
/** KeyUsage bits (RFC 5280 §4.2.1.3), as masks of the BIT STRING's first octet. */
const DIGITAL_SIGNATURE = 0x80;
const KEY_CERT_SIGN = 0x04;
/** Issuer signature checks one chain may cost (each is a public-key operation). */
const MAX_ISSUER_CHECKS = 128;

export interface CheckedLeaf {
  readonly leaf: X509Certificate;
  /** The leaf's SAN (URI or e-mail), if it has one. */
  readonly identity: string | null;
  readonly subject: string;
  readonly issuer: string;
}

export const distinguishedName = (name: string): string => name.replace(/\n/g, ', ');

/** The first octet of a KeyUsage BIT STRING; null when the certificate states no key usage. */
function keyUsage(extensions: readonly Extension[]): number | null {
  const ku = extensions.find((e) => e.oid === KEY_USAGE);
  if (ku === undefined) return null;
  const bits = expectTag(readOne(ku.value), TAG.BIT_STRING, 'keyUsage').value;
  return bits.length < 2 ? 0 : (bits[1] ?? 0);
}

function validAt(cert: X509Certificate, at: number): boolean {
  return cert.validFromDate.getTime() <= at && at <= cert.validToDate.getTime();
}

/** Why `issuer` may not issue certificates at `at`, or null. */
function issuerProblem(issuer: X509Certificate, at: number): string | null {
  const name = distinguishedName(issuer.subject);
  if (!issuer.ca) return `${name} is not a CA certificate (basicConstraints)`;
  const usage = keyUsage(extensionsOf(Buffer.from(issuer.raw)));
  if (usage !== null && (usage & KEY_CERT_SIGN) === 0) return `${name} may not sign certificates (its key usage lacks keyCertSign)`;
  if (!validAt(issuer, at)) return `${name} was not valid at ${new Date(at).toISOString()} (valid from ${issuer.validFromDate.toISOString()} to ${issuer.validToDate.toISOString()})`;
  return null;
}

/**
 * Searches the paths from `cert` to an anchor through unused intermediates (depth first, within a
 * budget of signature checks). Returns true on a valid path; records why paths that reached an
 * anchor were not valid.
 */
function search(cert: X509Certificate, path: readonly X509Certificate[], intermediates: readonly X509Certificate[], anchors: readonly X509Certificate[], at: number, state: { checks: number; problems: string[] }): boolean {
  const issuedHere = (issuer: X509Certificate): boolean => {
    if (state.checks >= MAX_ISSUER_CHECKS) return false;
    state.checks++;
    return issuedBy(issuer, cert);
  };
  for (const anchor of anchors) {
    if (!issuedHere(anchor)) continue;
    const problem = [...path, anchor].map((c) => issuerProblem(c, at)).find((p) => p !== null);
    if (problem === undefined) return true;
    state.problems.push(problem);
  }
  for (const next of intermediates) {
    if (path.includes(next) || next === cert || !issuedHere(next)) continue;
    if (search(next, [...path, next], intermediates, anchors, at, state)) return true;
  }
  return false;
}

/** Checks the chain (leaf first) against the configured `anchors`; returns the leaf's facts or why not. */
export function checkCertificateChain(chain: readonly ChainCertificate[], anchors: readonly X509Certificate[], now: number, skewMs: number): CheckedLeaf | ModelProblem {
  const [first, ...rest] = chain;
  if (first === undefined) return invalid('the certificate chain is empty');
  const leaf = first.cert;
  const at = leaf.validFromDate.getTime();
  if (at > now + skewMs) return invalid(`the signing certificate is valid only from ${leaf.validFromDate.toISOString()}, later than this host's time (${new Date(now).toISOString()})`);
  if (!validAt(leaf, at)) return invalid(`the signing certificate's validity is empty (from ${leaf.validFromDate.toISOString()} to ${leaf.validToDate.toISOString()})`);
  const issuer = distinguishedName(leaf.issuer);
  if (anchors.length === 0) return unverifiable(`the signature is made with a certificate (issuer ${issuer}), and no certificate authority is configured for model signatures`);
  const state = { checks: 0, problems: [] as string[] };
  if (!search(leaf, [], rest.map((c) => c.cert), anchors, at, state)) {
    if (state.problems.length > 0) return invalid(`the signing certificate's chain is not valid at its notBefore (${leaf.validFromDate.toISOString()}): ${state.problems.join('; ')}`);
    const budget = state.checks >= MAX_ISSUER_CHECKS ? ` (gave up after ${MAX_ISSUER_CHECKS} issuer checks)` : '';
    return unverifiable(`the signing certificate (issuer ${issuer}) does not chain to a configured certificate authority${budget}`);
  }
  const extensions = extensionsOf(first.der);
  const usage = keyUsage(extensions);
  if ((usage === null || (usage & DIGITAL_SIGNATURE) === 0) && !hasExtendedKeyUsage(extensions, CODE_SIGNING)) {
    return invalid('the signing certificate is not for signing (neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning)');
  }
  return { leaf, identity: certificateIdentity(extensions).subjectAlternativeName, subject: distinguishedName(leaf.subject), issuer };
}
