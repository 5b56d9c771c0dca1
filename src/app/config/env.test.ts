import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig, type ProxyRepositoryDraft } from './schema.ts';

const ctx = { env: {}, baseDir: '/etc/airlock', cwd: '/srv' };

function loaded(raw: unknown, env: Readonly<Record<string, string>>) {
  return validateConfig(applyEnvOverrides(raw, env), ctx);
}

test('null and ~ are YAML null, as in the file: a setting turned off or left to its default, not the text "null" (found by fuzzing)', () => {
  const hub = { repositories: [{ name: 'hub', format: 'oci', upstream: 'https://registry-1.docker.io/' }] };
  // The text "null" passed as an image namespace: alpine would have been looked up as null/alpine.
  assert.equal((loaded(hub, { AIRLOCK_REPOSITORIES_HUB_DEFAULT_NAMESPACE: 'null' }).repositories[0] as ProxyRepositoryDraft).defaultNamespace, null);
  const file = { server: { publicUrl: 'https://airlock.example/' }, storage: { artifactRetention: '30d' } };
  const c = loaded(file, { AIRLOCK_SERVER_PUBLIC_URL: '~', AIRLOCK_STORAGE_ARTIFACT_RETENTION: 'null' });
  assert.equal(c.server.publicUrl, null);
  assert.equal(c.storage.artifactRetentionMs, null);
  // An empty value is no YAML node: the empty text, which a string setting refuses.
  assert.throws(() => loaded({}, { AIRLOCK_SERVER_HOST: '' }), (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === 'server.host: must not be empty');
});
