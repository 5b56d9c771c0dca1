/**
 * Parsing a Sigstore bundle (protobuf JSON of `dev.sigstore.bundle.v1.Bundle`, media types
 * v0.1–v0.3) into typed data, before anything is verified. The bundle comes from upstream and is
 * hostile: every field is type-checked and size-capped, unknown fields are ignored, and an error
 * names the field. Nothing here decides trust; `verify-bundle.ts` does.
 */
import { X509Certificate } from 'node:crypto';
import { base64, fail, int64, list, object, optionalObject, safeInt, string } from './fields.ts';

export type BundleVersion = '0.1' | '0.2' | '0.3';

const MEDIA_TYPES: Readonly<Record<string, BundleVersion>> = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
};

/** Caps. Fulcio certificates are ~3 KB of DER; signatures < 600 bytes even for RSA-4096. */
export const LIMITS = {
  certBase64: 16_384,
  chainCerts: 10,
  signatureBase64: 1024,
  hintChars: 1024,
  payloadTypeChars: 256,
  /** DSSE payloads (attestations) up to 4 MiB decoded. */
  payloadBase64: Math.ceil((4 * 1024 * 1024) / 3) * 4,
  /** A Rekor body can carry the payload again (intoto, base64 twice) and the certificate. */
  bodyBase64: 16 * 1024 * 1024,
  tlogEntries: 8,
  /** An RFC 6962 audit path has at most one hash per level of a 2^63-leaf tree. */
  proofHashes: 64,
  hashBase64: 128,
  checkpointChars: 16_384,
  timestamps: 8,
  /** A DER TimeStampResp with its authority's certificates is a few KB. */
  timestampBase64: 65_536,
} as const;

export type KeyMaterial =
  | { readonly kind: 'certificate'; readonly leaf: X509Certificate; readonly leafDer: Buffer }
  | { readonly kind: 'key'; readonly hint: string };

export interface InclusionProof {
  readonly logIndex: bigint;
  readonly treeSize: bigint;
  readonly rootHash: Buffer;
  readonly hashes: readonly Buffer[];
  readonly checkpoint: string | null;
}

export interface TlogEntry {
  /** Where the entry is in `tlogEntries` (for messages). */
  readonly path: string;
  readonly logIndex: number;
  readonly logId: Buffer;
  readonly kind: string;
  readonly version: string;
  /** Seconds since the epoch; null when absent or 0 (Rekor v2 entries carry none). */
  readonly integratedTime: number | null;
  readonly signedEntryTimestamp: Buffer | null;
  readonly inclusionProof: InclusionProof | null;
  /** `canonicalizedBody` as given (the SET signs this base64 text) and decoded. */
  readonly bodyBase64: string;
  readonly body: Buffer;
}

export type Content =
  | { readonly kind: 'dsse'; readonly payloadType: string; readonly payload: Buffer; readonly signature: Buffer }
  | { readonly kind: 'message'; readonly digest: { readonly algorithm: string; readonly value: Buffer } | null; readonly signature: Buffer };

export interface Bundle {
  readonly version: BundleVersion;
  readonly material: KeyMaterial;
  readonly tlogEntries: readonly TlogEntry[];
  /** RFC 3161 timestamps (DER `TimeStampResp` or `TimeStampToken`), as given. */
  readonly timestamps: readonly Buffer[];
  readonly content: Content;
}

function certificate(v: unknown, path: string): { leaf: X509Certificate; leafDer: Buffer } {
  const der = base64(object(v, path)['rawBytes'], `${path}.rawBytes`, LIMITS.certBase64);
  try {
    return { leaf: new X509Certificate(der), leafDer: der };
  } catch (cause) {
    fail(`${path}.rawBytes is not a DER certificate (${(cause as Error).message})`);
  }
}

function material(vm: Record<string, unknown>, path: string): KeyMaterial {
  const present = ['certificate', 'x509CertificateChain', 'publicKey'].filter((k) => vm[k] !== undefined && vm[k] !== null);
  if (present.length !== 1) fail(`${path} must have exactly one of certificate, x509CertificateChain, publicKey (has ${present.length === 0 ? 'none' : present.join(', ')})`);
  if (vm['certificate'] !== undefined && vm['certificate'] !== null) return { kind: 'certificate', ...certificate(vm['certificate'], `${path}.certificate`) };
  if (vm['publicKey'] !== undefined && vm['publicKey'] !== null) {
    const hint = string(object(vm['publicKey'], `${path}.publicKey`)['hint'], `${path}.publicKey.hint`, LIMITS.hintChars);
    if (hint === '') fail(`${path}.publicKey.hint is empty`);
    return { kind: 'key', hint };
  }
  const chainPath = `${path}.x509CertificateChain.certificates`;
  const certs = list(object(vm['x509CertificateChain'], `${path}.x509CertificateChain`)['certificates'], chainPath, LIMITS.chainCerts);
  if (certs.length === 0) fail(`${chainPath} is empty`);
  // Only the leaf is used: the chain to a trusted CA is built from the trusted root, never from the bundle.
  return { kind: 'certificate', ...certificate(certs[0], `${chainPath}[0]`) };
}

function inclusionProof(v: unknown, path: string): InclusionProof | null {
  const o = optionalObject(v, path);
  if (o === null) return null;
  const cp = optionalObject(o['checkpoint'], `${path}.checkpoint`);
  return {
    logIndex: int64(o['logIndex'] ?? '0', `${path}.logIndex`),
    treeSize: int64(o['treeSize'], `${path}.treeSize`),
    rootHash: base64(o['rootHash'], `${path}.rootHash`, LIMITS.hashBase64),
    hashes: list(o['hashes'] ?? [], `${path}.hashes`, LIMITS.proofHashes).map((h, i) => base64(h, `${path}.hashes[${i}]`, LIMITS.hashBase64)),
    checkpoint: cp === null ? null : string(cp['envelope'], `${path}.checkpoint.envelope`, LIMITS.checkpointChars),
  };
}

function tlogEntry(v: unknown, path: string): TlogEntry {
  const o = object(v, path);
  const kv = object(o['kindVersion'], `${path}.kindVersion`);
  const promise = optionalObject(o['inclusionPromise'], `${path}.inclusionPromise`);
  const time = o['integratedTime'] === undefined ? 0 : safeInt(o['integratedTime'], `${path}.integratedTime`);
  const bodyBase64 = string(o['canonicalizedBody'], `${path}.canonicalizedBody`, LIMITS.bodyBase64);
  return {
    path,
    logIndex: safeInt(o['logIndex'] ?? '0', `${path}.logIndex`),
    logId: base64(object(o['logId'], `${path}.logId`)['keyId'], `${path}.logId.keyId`, LIMITS.hashBase64),
    kind: string(kv['kind'], `${path}.kindVersion.kind`, 64),
    version: string(kv['version'], `${path}.kindVersion.version`, 64),
    integratedTime: time === 0 ? null : time,
    signedEntryTimestamp: promise === null ? null : base64(promise['signedEntryTimestamp'], `${path}.inclusionPromise.signedEntryTimestamp`, LIMITS.signatureBase64),
    inclusionProof: inclusionProof(o['inclusionProof'], `${path}.inclusionProof`),
    bodyBase64,
    body: base64(bodyBase64, `${path}.canonicalizedBody`, LIMITS.bodyBase64),
  };
}

function content(b: Record<string, unknown>): Content {
  const hasDsse = b['dsseEnvelope'] !== undefined && b['dsseEnvelope'] !== null;
  const hasMessage = b['messageSignature'] !== undefined && b['messageSignature'] !== null;
  if (hasDsse === hasMessage) fail(`the bundle must have exactly one of dsseEnvelope, messageSignature (has ${hasDsse ? 'both' : 'neither'})`);
  if (hasMessage) {
    const ms = object(b['messageSignature'], 'messageSignature');
    const md = optionalObject(ms['messageDigest'], 'messageSignature.messageDigest');
    return {
      kind: 'message',
      digest: md === null ? null : { algorithm: string(md['algorithm'], 'messageSignature.messageDigest.algorithm', 64), value: base64(md['digest'], 'messageSignature.messageDigest.digest', LIMITS.hashBase64) },
      signature: base64(ms['signature'], 'messageSignature.signature', LIMITS.signatureBase64),
    };
  }
  const env = object(b['dsseEnvelope'], 'dsseEnvelope');
  const sigs = list(env['signatures'], 'dsseEnvelope.signatures', 16);
  if (sigs.length !== 1) fail(`dsseEnvelope.signatures has ${sigs.length} signatures (a bundle's envelope must have exactly one)`);
  return {
    kind: 'dsse',
    payloadType: string(env['payloadType'], 'dsseEnvelope.payloadType', LIMITS.payloadTypeChars),
    payload: base64(env['payload'], 'dsseEnvelope.payload', LIMITS.payloadBase64, true),
    signature: base64(object(sigs[0], 'dsseEnvelope.signatures[0]')['sig'], 'dsseEnvelope.signatures[0].sig', LIMITS.signatureBase64),
  };
}

/** Parses a bundle (already JSON.parse'd); throws SigstoreError naming the field. */
export function parseBundle(json: unknown): Bundle {
  const b = object(json, 'the bundle');
  const mediaType = b['mediaType'];
  const version = typeof mediaType === 'string' && Object.hasOwn(MEDIA_TYPES, mediaType) ? MEDIA_TYPES[mediaType] : undefined;
  if (version === undefined) fail(`mediaType ${typeof mediaType === 'string' ? JSON.stringify(mediaType.slice(0, 100)) : 'is missing or not a string, and'} is not a Sigstore bundle media type (v0.1–v0.3)`);
  const vm = object(b['verificationMaterial'], 'verificationMaterial');
  const entries = list(vm['tlogEntries'] ?? [], 'verificationMaterial.tlogEntries', LIMITS.tlogEntries);
  const tsd = optionalObject(vm['timestampVerificationData'], 'verificationMaterial.timestampVerificationData');
  const stamps = tsd === null ? [] : list(tsd['rfc3161Timestamps'] ?? [], 'verificationMaterial.timestampVerificationData.rfc3161Timestamps', LIMITS.timestamps);
  return {
    version,
    material: material(vm, 'verificationMaterial'),
    tlogEntries: entries.map((e, i) => tlogEntry(e, `verificationMaterial.tlogEntries[${i}]`)),
    timestamps: stamps.map((s, i) => {
      const path = `verificationMaterial.timestampVerificationData.rfc3161Timestamps[${i}]`;
      return base64(object(s, path)['signedTimestamp'], `${path}.signedTimestamp`, LIMITS.timestampBase64);
    }),
    content: content(b),
  };
}
