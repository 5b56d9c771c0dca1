/**
 * What checking an artifact's attestations (npm's, PyPI's PEP 740) came to, as the policy reads it
 * (`input.facts.attestations.status`): `verified`, every one verifies and attests this artifact;
 * `invalid`, one does not (a signature, certificate, log entry, subject or publisher fails, or the
 * document is malformed); `unverifiable`, they are listed but could not be checked (not served,
 * or of a kind Airlock does not verify); `absent`, none are listed.
 */
export type AttestationStatus = 'verified' | 'invalid' | 'unverifiable' | 'absent';
