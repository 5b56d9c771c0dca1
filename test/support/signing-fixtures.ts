/**
 * The real signature test vectors in ../shared/protocols/fixtures (Sigstore bundles, trusted
 * roots), which tests read where they are; the product never does.
 */
import { join } from 'node:path';

export const SIGNING_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'protocols', 'fixtures');

/** A sigstore-js test bundle: a keyless npm publish attestation for sigstore@1.0.0 (the real tarball is test/fixtures/npm/sigstore-1.0.0.tgz). */
export function sigstoreJsBundle(name: string): string {
  return join(SIGNING_FIXTURES, 'sigstore-js-bundles', `${name}.sigstore`);
}
