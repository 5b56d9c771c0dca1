/**
 * The registry's own signatures and keys, for tests (../shared/protocols/fixtures): three
 * versions with the signature the registry made for each (two that verify, one altered), and the
 * registry keys as its TUF repository lists them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'protocols', 'fixtures');
export const SIGNATURE_VECTORS = join(FIXTURES, 'npm-registry-signatures.vectors.json');
export const TUF_REGISTRY_KEYS = join(FIXTURES, 'sigstore-trust', 'npm-registry-keys.from-tuf.json');

export interface SignatureVector {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly signature: { readonly keyid: string; readonly sig: string };
  /** `valid`, or why the signature does not verify. */
  readonly expect: string;
}

export function signatureVectors(): SignatureVector[] {
  return (JSON.parse(readFileSync(SIGNATURE_VECTORS, 'utf8')) as { vectors: SignatureVector[] }).vectors;
}
