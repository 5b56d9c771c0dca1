/**
 * What verifying an OpenSSF model signature (`model.sig`, sigstore/model-transparency) takes and
 * gives: the trust it is checked against, the signed manifest, and the outcome.
 */
import type { KeyObject } from 'node:crypto';
import type { TrustedRoot } from '../sigstore/index.ts';

/** How the signature was made: Sigstore keyless (Fulcio certificate, Rekor), a bare key, or a certificate chain of a private PKI. */
export type ModelSigningMode = 'sigstore' | 'key' | 'certificate';

export interface ModelSigningTrust {
  /** Keyless (`sigstore` mode) signatures are checked against it. */
  readonly sigstoreRoot: TrustedRoot;
  /**
   * Public keys trusted for `key` mode: KeyObjects or PEM text (a `PUBLIC KEY` block, with any
   * text around it). ECDSA P-256, P-384 or P-521, as model_signing signs.
   */
  readonly keys: readonly (KeyObject | string)[];
  /**
   * Certificate authorities trusted for `certificate` mode: PEM text, each holding one or more
   * `CERTIFICATE` blocks. Every one is a trust anchor (a chain may end at an intermediate the
   * operator lists); each must be a CA certificate (basicConstraints).
   */
  readonly certificateAuthorities: readonly string[];
}

/** Who signed. Which fields are set depends on the mode (see `verifyModelSignature`). */
export interface ModelSigner {
  /** sigstore: the Fulcio certificate's SAN (e-mail or URI); certificate: the leaf's SAN (e-mail or URI) if it has one; key: null. */
  readonly identity: string | null;
  /** sigstore: the OIDC issuer (Fulcio extension); certificate: the leaf's issuer DN; key: null. */
  readonly issuer: string | null;
  /** key and certificate: hex sha256 of the SPKI PEM of the key that verified the signature (model_signing's key hint); sigstore: null. */
  readonly keyHint: string | null;
  /** certificate: the leaf's subject DN; otherwise null. */
  readonly subject: string | null;
}

export interface ModelManifest {
  /** `v1.0`: predicate `https://model_signing/signature/v1.0`; `v0.1`: the legacy `https://model_signing/Digests/v0.1` (model_signing 0.2.x). */
  readonly format: 'v1.0' | 'v0.1';
  readonly method: 'files' | 'shards';
  /** `sha256`, `blake2b`, `blake3`, … as the signature records it. */
  readonly hashType: string;
  /** Paths excluded from the model: those the signature records and the defaults (`.git`, `model.sig`, `.gitattributes`, `.github`, `.gitignore`). */
  readonly ignorePaths: readonly string[];
  /** `files` method: resource name (POSIX path relative to the model root; `.` for a single-file model) → lower-case hex digest. */
  readonly files: ReadonlyMap<string, string>;
  /** v1.0: the statement's subject digest (sha256 over the resources' raw digests, checked); v0.1: null. */
  readonly rootDigest: string | null;
}

export type ModelSignatureCheck =
  | { readonly status: 'verified'; readonly mode: ModelSigningMode; readonly signer: ModelSigner; readonly manifest: ModelManifest }
  /** The signature or the statement does not check out: altered, forged, or malformed. */
  | { readonly status: 'invalid'; readonly mode: ModelSigningMode | null; readonly error: string }
  /** It cannot be judged: no trusted key or CA for it, a format or hash this verifier does not implement, a limit. */
  | { readonly status: 'unverifiable'; readonly mode: ModelSigningMode | null; readonly error: string };

/** What a verified manifest says of one file the gateway serves. */
export type ModelFileCoverage = 'signed' | 'mismatch' | 'unsigned' | 'ignored';

export interface ModelSigningLimits {
  /** Largest model.sig read (bytes). */
  readonly maxSignatureBytes: number;
  /** Most resources (files or shards) a manifest may list. */
  readonly maxResources: number;
  /** Longest resource name or ignore path (characters). */
  readonly maxNameChars: number;
  /** Most ignore paths a manifest may record. */
  readonly maxIgnorePaths: number;
}

export const MODEL_SIGNING_LIMITS: ModelSigningLimits = Object.freeze({
  maxSignatureBytes: 16 * 1024 * 1024,
  maxResources: 100_000,
  maxNameChars: 4096,
  maxIgnorePaths: 1024,
});

/** A check that did not pass. */
export type ModelProblem = { readonly status: 'invalid' | 'unverifiable'; readonly error: string };

export const invalid = (error: string): ModelProblem => ({ status: 'invalid', error });
export const unverifiable = (error: string): ModelProblem => ({ status: 'unverifiable', error });
