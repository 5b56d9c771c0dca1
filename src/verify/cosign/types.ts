/**
 * What verifying an image's cosign signatures takes and gives: the trust they are checked
 * against, the signatures as found (legacy `.sig` layers and Sigstore bundles from referrers),
 * who signed, and the outcome for the image.
 */
import type { KeyObject } from 'node:crypto';
import type { TrustedRoot } from '../sigstore/index.ts';

export interface CosignTrust {
  /** Keyless signatures (a Fulcio certificate and a Rekor entry) are checked against it. */
  readonly sigstoreRoot: TrustedRoot;
  /**
   * Public keys for key-based signatures: KeyObjects or SPKI PEM text (one `PUBLIC KEY` block,
   * with any text around it). ECDSA P-256/P-384/P-521, Ed25519 or RSA (≥ 2048 bits), as cosign
   * signs.
   */
  readonly keys: readonly (KeyObject | string)[];
}

/**
 * One legacy signature: a layer of the `sha256-<hex>.sig` manifest (oci.md §5). Made from the
 * layer's annotations and its blob by `legacySignatureOf`.
 */
export interface LegacyCosignSignature {
  /** The layer blob's bytes: the simple-signing JSON the signature is over. */
  readonly payload: Buffer;
  /** `dev.cosignproject.cosign/signature`: base64 of the DER signature ('' when the layer has none). */
  readonly signature: string;
  /** `dev.sigstore.cosign/certificate`: the PEM signing certificate (keyless); null for key-based. */
  readonly certificate: string | null;
  /** `dev.sigstore.cosign/chain`: PEM certificates above the leaf. Not used: the chain is built from the trusted root. */
  readonly chain: string | null;
  /** `dev.sigstore.cosign/bundle`: the Rekor entry (`{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`). */
  readonly bundle: string | null;
}

/** Where a signature was found: the legacy `.sig` tag, or a Sigstore bundle stored as an OCI 1.1 referrer. */
export type CosignSignatureSource = 'tag' | 'referrer';

export interface CosignSigner {
  /** `keyless`: a Fulcio certificate checked against the Sigstore root; `key`: a configured public key. */
  readonly mode: 'key' | 'keyless';
  /** keyless: the certificate's SAN (e-mail or URI); key: null. */
  readonly identity: string | null;
  /** keyless: the OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, else .1.1); key: null. */
  readonly issuer: string | null;
  /**
   * key: hex sha256 of the verifying key's SPKI PEM (as Node exports it) — the same hint
   * model_signing uses, so one key has one hint across Airlock (`modelSigningKeyHint`); keyless: null.
   */
  readonly keyHint: string | null;
  readonly source: CosignSignatureSource;
  /** referrer: the in-toto statement's predicateType (`https://sigstore.dev/cosign/sign/v1` for `cosign sign`); tag: null. */
  readonly predicateType: string | null;
  /** When a verified Rekor entry (or, for bundles, timestamp) shows it was signed (ms since the epoch); null when none was checked. */
  readonly signedAt: number | null;
  /** keyless: the certificate's Fulcio extensions by sigstore-js's names (`sourceRepositoryUri`, …); key: empty. */
  readonly extensions: Readonly<Record<string, string>>;
}

export type CosignCheck =
  /** At least one signature verified for this digest against the trust; every one that did is listed. */
  | { readonly status: 'verified'; readonly signers: readonly CosignSigner[] }
  /** Signatures are present, none verified, and one is forged, altered, malformed or for another image. */
  | { readonly status: 'invalid'; readonly error: string }
  /** Signatures are present, none verified, and none could be checked (a key or CA not trusted, a format not read, a limit). */
  | { readonly status: 'unverifiable'; readonly error: string }
  | { readonly status: 'absent' };

export interface CosignLimits {
  /** Signatures checked per image (legacy and referrer together); the rest are not looked at. */
  readonly maxSignatures: number;
  /** Largest simple-signing payload (bytes). */
  readonly maxPayloadBytes: number;
  /** Largest Sigstore bundle (bytes). */
  readonly maxBundleBytes: number;
  /** Largest `.sig` manifest (bytes). */
  readonly maxManifestBytes: number;
  /** Most layers a `.sig` manifest may have. */
  readonly maxLayers: number;
  /** Most annotations on one layer. */
  readonly maxAnnotations: number;
  /** Longest annotation key or value (characters). */
  readonly maxAnnotationChars: number;
}

export const COSIGN_LIMITS: CosignLimits = Object.freeze({
  maxSignatures: 64,
  maxPayloadBytes: 64 * 1024,
  maxBundleBytes: 8 * 1024 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  maxLayers: 64,
  maxAnnotations: 64,
  maxAnnotationChars: 256 * 1024,
});

/** A check of one signature that did not pass. */
export type CosignProblem = { readonly status: 'invalid' | 'unverifiable'; readonly error: string };

export const invalid = (error: string): CosignProblem => ({ status: 'invalid', error });
export const unverifiable = (error: string): CosignProblem => ({ status: 'unverifiable', error });

export const isProblem = (v: object): v is CosignProblem => 'status' in v;

/** Media types and annotation keys cosign writes (oci.md §5–6). */
export const COSIGN = {
  simpleSigningMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  simpleSigningType: 'cosign container image signature',
  signPredicate: 'https://sigstore.dev/cosign/sign/v1',
  bundleArtifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  signatureAnnotation: 'dev.cosignproject.cosign/signature',
  certificateAnnotation: 'dev.sigstore.cosign/certificate',
  chainAnnotation: 'dev.sigstore.cosign/chain',
  bundleAnnotation: 'dev.sigstore.cosign/bundle',
} as const;

/** Clock skew allowed between this host and the transparency log. */
export const MAX_SKEW_MS = 5 * 60 * 1000;
