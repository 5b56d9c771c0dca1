/**
 * Test-only: model signatures made here, in key mode, as model_signing ≥ 1.1 makes them (a
 * Sigstore bundle v0.3 whose `publicKey.hint` is the hex sha256 of the SPKI PEM, no log entry, a
 * DSSE envelope over an in-toto v1 statement with the `https://model_signing/signature/v1.0`
 * predicate, ECDSA with the curve's digest). For the unit tests beside it and for the gateway's
 * end-to-end tests, which sign the models their fixture Hub serves. Never imported by the library.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../sigstore/index.ts';
import { MODEL_SIGNING_IGNORE_PATHS, MODEL_SIGNATURE_V1 } from './statement.ts';
import { curveDigest, modelSigningKeyHint } from './trust.ts';

export interface ModelFile {
  /** POSIX path relative to the model root (`dir/weights.safetensors`). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface SignModelOptions {
  /** Paths to record as ignored, besides model_signing's defaults (files under them are left out). */
  readonly ignorePaths?: readonly string[];
  /** The subject's name (informational; model_signing writes the model directory's name). */
  readonly modelName?: string;
  /** Sign a single-file model: `files` holds one file, listed as `.`. */
  readonly singleFile?: boolean;
  /** Leave out `publicKey.hint` (as model_signing 1.0.x did). */
  readonly omitHint?: boolean;
}

/** Python's PurePosixPath ordering, which model_signing sorts resources by: component by component, by code point. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = [...(pa[i] ?? '')].map((c) => c.codePointAt(0) ?? 0);
    const y = [...(pb[i] ?? '')].map((c) => c.codePointAt(0) ?? 0);
    for (let j = 0; j < Math.min(x.length, y.length); j++) if (x[j] !== y[j]) return (x[j] ?? 0) - (y[j] ?? 0);
    if (x.length !== y.length) return x.length - y.length;
  }
  return pa.length - pb.length;
}

/** The in-toto statement model_signing would sign for `files` (files method, sha256). */
export function modelStatement(files: readonly ModelFile[], options: SignModelOptions = {}): Record<string, unknown> {
  const ignorePaths = [...MODEL_SIGNING_IGNORE_PATHS, ...(options.ignorePaths ?? [])];
  const kept = files.filter((f) => !ignorePaths.some((p) => f.path === p || f.path.startsWith(`${p}/`)));
  if (options.singleFile === true && kept.length !== 1) throw new Error(`a single-file model has one file (got ${kept.length})`);
  const resources = kept
    .map((f) => ({ name: options.singleFile === true ? '.' : f.path, algorithm: 'sha256', digest: createHash('sha256').update(f.bytes).digest('hex') }))
    .sort((a, b) => comparePaths(a.name, b.name));
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: options.modelName ?? 'model', digest: { sha256: root.digest('hex') } }],
    predicateType: MODEL_SIGNATURE_V1,
    predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ignorePaths }, resources },
  };
}

/** model.sig's bytes for `statement` (any JSON value, or the exact payload bytes) signed in key mode with `privateKey` (ECDSA P-256/P-384/P-521). */
export function signModelStatement(statement: unknown, privateKey: KeyObject | string, options: Pick<SignModelOptions, 'omitHint'> = {}): Buffer {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const publicKey = createPublicKey(key);
  const digest = curveDigest(publicKey);
  if (digest === null) throw new Error('model_signing signs with ECDSA P-256, P-384 or P-521 keys');
  const payload = statement instanceof Uint8Array ? Buffer.from(statement) : Buffer.from(JSON.stringify(statement), 'utf8');
  const sig = sign(digest, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), key);
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: options.omitHint === true ? {} : { hint: modelSigningKeyHint(publicKey) }, tlogEntries: [] },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
  };
  return Buffer.from(JSON.stringify(bundle), 'utf8');
}

/** model.sig's bytes signing `files` as a model (key mode, files method, sha256): what `model_signing sign key` writes. */
export function signModelFiles(files: readonly ModelFile[], privateKey: KeyObject | string, options: SignModelOptions = {}): Buffer {
  return signModelStatement(modelStatement(files, options), privateKey, options);
}
