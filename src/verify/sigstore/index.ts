export { SigstoreError } from './fields.ts';
export { EMPTY_TRUSTED_ROOT, parseTrustedRoot, publicGoodTrustedRoot, type CertificateAuthority, type TransparencyLog, type TrustedRoot } from './trusted-root.ts';
export { verifyBundle, type BundleVerification, type KeyForHint, type Signer, type VerifyBundleOptions } from './verify-bundle.ts';
export { IN_TOTO_PAYLOAD_TYPE, parseInTotoStatement, type InTotoStatement } from './in-toto.ts';
export type { AttestationStatus } from './attestation-status.ts';
