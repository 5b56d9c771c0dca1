/**
 * Test-only: the real cosign vectors copied into test/fixtures/cosign (see its README), and
 * assertion helpers for the tests beside it. Never imported by the library.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_TRUSTED_ROOT } from '../sigstore/index.ts';
import { legacySignatureOf } from './manifest.ts';
import { readSigstoreJsonSignature } from './test-support.ts';
import type { CosignCheck, CosignSigner, CosignTrust, LegacyCosignSignature } from './types.ts';

export const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/cosign');
export const fixture = (...parts: string[]): Buffer => readFileSync(join(FIXTURES, ...parts));

export const COSIGN_PUB = fixture('containers-image', 'cosign.pub').toString('utf8');
export const COSIGN2_PUB = fixture('containers-image', 'cosign2.pub').toString('utf8');
/** A time after every fixture was signed. */
export const NOW = new Date('2026-06-01T00:00:00Z');

export interface ContainersImageCase {
  /** sha256 of the image manifest's bytes: the digest the signature is for. */
  readonly digest: string;
  readonly payload: Buffer;
  readonly annotations: Record<string, string>;
  readonly signature: LegacyCosignSignature;
}

/** A containers/image fixture directory (`dir-img-cosign-valid`, `dir-img-cosign-key-rekor-valid`) as the `.sig` layer it came from. */
export function containersImageCase(dir: string): ContainersImageCase {
  const manifest = fixture('containers-image', dir, 'manifest.json');
  const { payload, annotations } = readSigstoreJsonSignature(fixture('containers-image', dir, 'signature-1'));
  return { digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, payload, annotations, signature: legacySignatureOf(annotations, payload) };
}

export function keyTrust(...keys: CosignTrust['keys']): CosignTrust {
  return { sigstoreRoot: EMPTY_TRUSTED_ROOT, keys };
}

export function verifiedSigners(check: CosignCheck): readonly CosignSigner[] {
  assert.equal(check.status, 'verified', JSON.stringify(check).slice(0, 600));
  return check.status === 'verified' ? check.signers : [];
}

/** Asserts the check failed with `status`, its error matching `pattern`. */
export function refused(check: CosignCheck, status: 'invalid' | 'unverifiable', pattern: RegExp): void {
  assert.equal(check.status, status, JSON.stringify(check).slice(0, 600));
  assert.match(check.status === status ? check.error : '', pattern);
}
