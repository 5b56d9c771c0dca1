/**
 * Reading `model.sig`: a Sigstore bundle (JSON) whose content is a DSSE envelope over an in-toto
 * statement, and whose verification material says the mode: `certificate` (a Fulcio leaf:
 * Sigstore keyless), `publicKey` (a bare key) or `x509CertificateChain` (a private PKI's leaf and
 * intermediates). Read leniently as JSON, not as strict protobuf (model_signing 1.0.0 wrote a
 * non-standard `publicKey.rawBytes`), but every field used is type-checked and size-capped, and
 * every failure names the field. Nothing here decides trust.
 */
import { X509Certificate } from 'node:crypto';
import { isPlainObject, type PlainObject } from '../../core/index.ts';
import { LIMITS } from '../sigstore/bundle.ts';
import { base64, fail, list, object, shown, string } from '../sigstore/fields.ts';
import { IN_TOTO_PAYLOAD_TYPE, SigstoreError } from '../sigstore/index.ts';
import { invalid, unverifiable, type ModelProblem, type ModelSigningLimits, type ModelSigningMode } from './types.ts';

export interface ChainCertificate {
  readonly cert: X509Certificate;
  readonly der: Buffer;
}

export type SigningMaterial =
  | { readonly kind: 'sigstore' }
  /**
   * `hint`: hex sha256 of the signer's SPKI PEM (model_signing ≥ 1.1); `embedded`: the key
   * model_signing 1.0.0 wrote into `rawBytes` (never trusted: it only says which configured key
   * is meant). Either may be null.
   */
  | { readonly kind: 'key'; readonly hint: string | null; readonly embedded: Buffer | null }
  /** Leaf first, then the intermediates the signer included. */
  | { readonly kind: 'certificate'; readonly chain: readonly ChainCertificate[] };

export interface ModelSignatureBundle {
  /** The parsed JSON, for the Sigstore bundle verifier (keyless mode). */
  readonly json: PlainObject;
  readonly material: SigningMaterial;
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

export type ParsedModelSignature =
  | { readonly ok: true; readonly mode: ModelSigningMode; readonly bundle: ModelSignatureBundle }
  | { readonly ok: false; readonly mode: ModelSigningMode | null; readonly problem: ModelProblem };

const MEDIA_TYPES: readonly string[] = [
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
];

const MATERIAL_KEYS = { certificate: 'sigstore', publicKey: 'key', x509CertificateChain: 'certificate' } as const satisfies Record<string, ModelSigningMode>;

const present = (o: PlainObject, k: string): boolean => o[k] !== undefined && o[k] !== null;

function certificate(v: unknown, path: string): ChainCertificate {
  const der = base64(object(v, path)['rawBytes'], `${path}.rawBytes`, LIMITS.certBase64);
  try {
    return { cert: new X509Certificate(der), der };
  } catch (cause) {
    fail(`${path}.rawBytes is not a DER certificate (${(cause as Error).message.slice(0, 200)})`);
  }
}

function material(vm: PlainObject, mode: ModelSigningMode): SigningMaterial {
  if (mode === 'sigstore') return { kind: 'sigstore' };
  if (mode === 'key') {
    const pk = object(vm['publicKey'], 'verificationMaterial.publicKey');
    const hint = present(pk, 'hint') ? string(pk['hint'], 'verificationMaterial.publicKey.hint', LIMITS.hintChars) : '';
    const embedded = present(pk, 'rawBytes') ? base64(pk['rawBytes'], 'verificationMaterial.publicKey.rawBytes', LIMITS.certBase64) : null;
    return { kind: 'key', hint: hint === '' ? null : hint, embedded };
  }
  const path = 'verificationMaterial.x509CertificateChain.certificates';
  const certs = list(object(vm['x509CertificateChain'], 'verificationMaterial.x509CertificateChain')['certificates'], path, LIMITS.chainCerts);
  if (certs.length === 0) fail(`${path} is empty (it holds the signing certificate first)`);
  return { kind: 'certificate', chain: certs.map((c, i) => certificate(c, `${path}[${i}]`)) };
}

function envelope(b: PlainObject, maxBase64: number): Omit<ModelSignatureBundle, 'json' | 'material'> {
  if (!present(b, 'dsseEnvelope')) {
    fail(`model.sig has no dsseEnvelope (a model signature is a DSSE envelope over an in-toto statement${present(b, 'messageSignature') ? '; this bundle has a messageSignature' : ''})`);
  }
  const env = object(b['dsseEnvelope'], 'dsseEnvelope');
  const payloadType = string(env['payloadType'], 'dsseEnvelope.payloadType', LIMITS.payloadTypeChars);
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) fail(`dsseEnvelope.payloadType is ${shown(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  const sigs = list(env['signatures'], 'dsseEnvelope.signatures', 16);
  if (sigs.length !== 1) fail(`dsseEnvelope.signatures has ${sigs.length} signatures (a model signature has exactly one)`);
  return {
    payloadType,
    payload: base64(env['payload'], 'dsseEnvelope.payload', maxBase64),
    signature: base64(object(sigs[0], 'dsseEnvelope.signatures[0]')['sig'], 'dsseEnvelope.signatures[0].sig', LIMITS.signatureBase64),
  };
}

/** Reads model.sig's bytes; never throws for bad input. */
export function parseModelSignature(bytes: Uint8Array, limits: ModelSigningLimits): ParsedModelSignature {
  const refuse = (mode: ModelSigningMode | null, problem: ModelProblem): ParsedModelSignature => ({ ok: false, mode, problem });
  if (bytes.length > limits.maxSignatureBytes) return refuse(null, unverifiable(`model.sig is ${bytes.length} bytes (at most ${limits.maxSignatureBytes} are read)`));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    return refuse(null, invalid(`model.sig is not UTF-8 JSON (${(cause as Error).message.slice(0, 200)})`));
  }
  if (!isPlainObject(json)) return refuse(null, invalid(`model.sig is not a JSON object (a Sigstore bundle)`));
  const mediaType = json['mediaType'];
  if (typeof mediaType !== 'string') return refuse(null, invalid(`model.sig has no mediaType (got ${shown(mediaType)}): it is not a Sigstore bundle`));
  if (!MEDIA_TYPES.includes(mediaType)) return refuse(null, unverifiable(`model.sig's mediaType ${shown(mediaType)} is not a Sigstore bundle version Airlock reads (v0.1–v0.3)`));
  const vm = json['verificationMaterial'];
  if (!isPlainObject(vm)) return refuse(null, invalid(`model.sig has no verificationMaterial object (got ${shown(vm)})`));
  const kinds = Object.keys(MATERIAL_KEYS).filter((k) => present(vm, k)) as (keyof typeof MATERIAL_KEYS)[];
  const [kind] = kinds;
  if (kind === undefined || kinds.length !== 1) {
    return refuse(null, invalid(`verificationMaterial must have exactly one of certificate, publicKey, x509CertificateChain (has ${kinds.length === 0 ? 'none' : kinds.join(', ')})`));
  }
  const mode = MATERIAL_KEYS[kind];
  try {
    const m = material(vm, mode);
    return { ok: true, mode, bundle: { json, material: m, ...envelope(json, Math.ceil(limits.maxSignatureBytes / 3) * 4) } };
  } catch (e) {
    if (e instanceof SigstoreError) return refuse(mode, invalid(e.message));
    throw e;
  }
}
