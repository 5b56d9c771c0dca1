/**
 * Test-only: sigstore/model-transparency's real vectors (test/fixtures/model-signing, see its
 * README), the trust they verify with, and assertion helpers for the tests beside it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicGoodTrustedRoot } from '../sigstore/index.ts';
import type { ModelSignatureCheck, ModelSigningTrust } from './types.ts';

/** sigstore/model-transparency's test vectors, copied into the repository (see its README). */
export const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/model-signing');
export const fixture = (...parts: string[]): Buffer => readFileSync(join(FIXTURES, ...parts));
export const SIGNING_KEY = fixture('keys', 'signing-key-pub.pem').toString('utf8');
export const ROOT_CA = fixture('keys', 'ca-cert.pem').toString('utf8');
export const INTERMEDIATE_CA = fixture('keys', 'int-ca-cert.pem').toString('utf8');
/** The certificate fixtures' leaf key (the same key as SIGNING_KEY): its model_signing hint. */
export const SIGNING_KEY_HINT = 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e';
export const NOW = new Date('2026-06-01T00:00:00Z');

export function trust(parts: Partial<ModelSigningTrust> = {}): ModelSigningTrust {
  return { sigstoreRoot: publicGoodTrustedRoot(), keys: [SIGNING_KEY], certificateAuthorities: [ROOT_CA], ...parts };
}

export function verified(check: ModelSignatureCheck): Extract<ModelSignatureCheck, { status: 'verified' }> {
  assert.equal(check.status, 'verified', JSON.stringify(check).slice(0, 500));
  return check as Extract<ModelSignatureCheck, { status: 'verified' }>;
}

/** Asserts the check failed with `status`, its error matching `pattern`, in `mode`. */
export function refused(check: ModelSignatureCheck, status: 'invalid' | 'unverifiable', pattern: RegExp, mode?: ModelSignatureCheck['mode']): void {
  assert.equal(check.status, status, JSON.stringify(check).slice(0, 500));
  assert.match(check.status === status ? check.error : '', pattern);
  if (mode !== undefined) assert.equal(check.mode, mode);
}
