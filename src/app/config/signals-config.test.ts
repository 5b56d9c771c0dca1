import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig } from './schema.ts';

const ctx = { env: {}, baseDir: '/tmp', cwd: '/tmp' };

function invalid(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateConfig(raw, ctx),
    (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message),
  );
}

test('signals: defaults, internal names, durations', () => {
  const d = validateConfig({}, ctx).signals;
  assert.deepEqual(d, { enabled: true, internalNames: { npm: [], pypi: [] }, factsTtlMs: 600_000, feedPollMs: 2000 });
  const c = validateConfig({ signals: { enabled: false, internalNames: { npm: ['@acme/ui', 'acme-billing', 'acme-billing'] }, factsTtl: '1m', feedPoll: 0 } }, ctx).signals;
  assert.deepEqual(c, { enabled: false, internalNames: { npm: ['@acme/ui', 'acme-billing'], pypi: [] }, factsTtlMs: 60_000, feedPollMs: 0 });
});

test('signals: strict keys and values, errors name the path', () => {
  invalid({ signals: { enable: true } }, /^signals\.enable: unknown key/);
  invalid({ signals: { internalNames: { maven: [] } } }, /^signals\.internalNames\.maven: unknown key/);
  invalid({ signals: { internalNames: { npm: ['has space'] } } }, /^signals\.internalNames\.npm\[0\]: a package name without spaces/);
  invalid({ signals: { factsTtl: '2d' } }, /^signals\.factsTtl: must be between/);
});

test('signals: environment overrides', () => {
  const raw = applyEnvOverrides({}, { AIRLOCK_SIGNALS_FEED_POLL: '250ms', AIRLOCK_SIGNALS_INTERNAL_NAMES: '{npm: [acme-core]}' });
  const c = validateConfig(raw, ctx).signals;
  assert.deepEqual([c.feedPollMs, c.internalNames.npm], [250, ['acme-core']]);
  assert.throws(() => applyEnvOverrides({}, { AIRLOCK_SIGNALS_FOO: '1' }), /AIRLOCK_SIGNALS_FOO: unknown signals key/);
});
