import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'airlock-bundle-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { env: { BUNDLE_TOKEN: 'secret-token' }, baseDir: dir, cwd: dir };
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync(join(dir, 'bundle.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
writeFileSync(join(dir, 'private.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const URL = 'https://bundles.example.com/airlock/bundle.tar.gz';

function invalid(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateConfig(raw, ctx),
    (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message),
  );
}

test('policy.bundle: defaults; credentials, polling, signing and limits as written', () => {
  assert.equal(validateConfig({}, ctx).policy.bundle, null);
  const b = validateConfig({ policy: { bundle: { url: URL } } }, ctx).policy.bundle;
  assert.deepEqual(
    { ...b, bearer: null },
    { url: URL, bearer: null, minDelayMs: 60_000, maxDelayMs: 120_000, signing: null, maxSizeBytes: 16 * 1024 ** 2, maxUnpackedSizeBytes: 64 * 1024 ** 2, maxFiles: 2000, timeoutMs: 30_000, startupTimeoutMs: 60_000, persist: true, proxy: 'env', ca: null },
  );
  const c = validateConfig(
    { policy: { bundle: { url: URL, credentials: { bearer: { env: 'BUNDLE_TOKEN' } }, polling: { minDelay: '30s', maxDelay: '2m' }, signing: { publicKey: { file: 'bundle.pem' }, keyId: 'global', algorithm: 'ES256', scope: 'write' }, maxSize: '1MB', persist: false } } },
    ctx,
  ).policy.bundle;
  assert.equal(c?.bearer?.reveal(), 'secret-token');
  assert.equal(String(c?.bearer), '[secret]');
  assert.deepEqual([c?.minDelayMs, c?.maxDelayMs, c?.maxSizeBytes, c?.persist], [30_000, 120_000, 1_000_000, false]);
  assert.deepEqual({ ...c?.signing, publicKeyPem: undefined }, { publicKeyPem: undefined, keyId: 'global', algorithm: 'ES256', scope: 'write' });
});

test('policy.bundle: refused with the path named', () => {
  invalid({ policy: { paths: ['./policy'], bundle: { url: URL } } }, /^policy\.bundle: give either policy\.paths \(files\) or policy\.bundle \(a bundle server\), not both/);
  invalid({ policy: { bundle: {} } }, /^policy\.bundle\.url: is required/);
  invalid({ policy: { bundle: { url: 'ftp://x/b.tar.gz' } } }, /^policy\.bundle\.url: must be an http/);
  invalid({ policy: { bundle: { url: `${URL}?token=abc` } } }, /^policy\.bundle\.url: must not have a query/);
  invalid({ policy: { bundle: { url: 'https://u:p@bundles.example.com/b.tar.gz' } } }, /^policy\.bundle\.url: must not contain credentials/);
  invalid({ policy: { bundle: { url: URL, credentials: { bearer: 'inline' } } } }, /^policy\.bundle\.credentials\.bearer: secrets must be given by reference/);
  invalid({ policy: { bundle: { url: URL, credentials: { bearer: { env: 'MISSING' } } } } }, /^policy\.bundle\.credentials\.bearer: environment variable MISSING is not set/);
  invalid({ policy: { bundle: { url: URL, polling: { minDelay: '2m', maxDelay: '1m' } } } }, /^policy\.bundle\.polling\.maxDelay: must be at least minDelay/);
  invalid({ policy: { bundle: { url: URL, poling: {} } } }, /^policy\.bundle\.poling: unknown key/);
  invalid({ policy: { bundle: { url: URL, signing: { keyId: 'x' } } } }, /^policy\.bundle\.signing\.publicKey: is required/);
  invalid({ policy: { bundle: { url: URL, signing: { publicKey: { file: 'private.pem' } } } } }, /^policy\.bundle\.signing\.publicKey: the key is a private key/);
  invalid({ policy: { bundle: { url: URL, signing: { publicKey: { file: 'bundle.pem' }, algorithm: 'RS256' } } } }, /^policy\.bundle\.signing\.publicKey: the key is not used: its algorithm/);
  invalid({ policy: { bundle: { url: URL, signing: { publicKey: { file: 'bundle.pem' }, algorithm: 'HS256' } } } }, /^policy\.bundle\.signing\.algorithm: expected one of/);
});

test('policy.bundle: environment overrides, AIRLOCK_POLICY_BUNDLE_<KEY>', () => {
  const raw = applyEnvOverrides({}, { AIRLOCK_POLICY_BUNDLE_URL: URL, AIRLOCK_POLICY_BUNDLE_CREDENTIALS: '{bearer: {env: BUNDLE_TOKEN}}', AIRLOCK_POLICY_BUNDLE_POLLING: '{minDelay: 5s, maxDelay: 10s}' });
  const b = validateConfig(raw, ctx).policy.bundle;
  assert.deepEqual([b?.url, b?.bearer?.reveal(), b?.minDelayMs, b?.maxDelayMs], [URL, 'secret-token', 5000, 10_000]);
  assert.throws(() => applyEnvOverrides({}, { AIRLOCK_POLICY_BUNDLE_URI: URL }), /AIRLOCK_POLICY_BUNDLE_URI: unknown policy\.bundle key/);
});
