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

test('a repository variable is read against every repository whose name starts it: the one reading that names a setting applies, two are refused naming both (found by fuzzing)', () => {
  const repo = (name: string, format = 'npm') => ({ name, format, upstream: `https://${name.replace(/[._]/g, '-')}.example/` });
  const upstreams = (raw: unknown, env: Readonly<Record<string, string>>) => loaded(raw, env).repositories.map((r) => (r as ProxyRepositoryDraft).upstream);
  const ambiguous = (raw: unknown, env: Readonly<Record<string, string>>, message: string) =>
    assert.throws(() => loaded(raw, env), (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === message);
  // The longest name was taken whatever followed it: npm-timeouts has no key CONNECT, npm's timeouts have.
  const c = loaded({ repositories: [repo('npm'), repo('npm-timeouts')] }, { AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT: '2s' });
  assert.deepEqual(c.repositories.map((r) => (r as ProxyRepositoryDraft).timeouts.connectMs), [2000, 5000]);
  // Two names the same in capitals: the first listed took the variable.
  ambiguous({ repositories: [repo('a-b'), repo('a.b')] }, { AIRLOCK_REPOSITORIES_A_B_UPSTREAM: 'https://c.example/' }, 'AIRLOCK_REPOSITORIES_A_B_UPSTREAM: reads as repositories[0].upstream (a-b) and repositories[1].upstream (a.b); set it in the configuration file, or rename a repository');
  // Two settings one name: the longer name took it.
  const pypi = { repositories: [repo('pypi', 'pypi'), repo('pypi-files', 'pypi')] };
  ambiguous(pypi, { AIRLOCK_REPOSITORIES_PYPI_FILES_UPSTREAM: 'https://files.example/' }, 'AIRLOCK_REPOSITORIES_PYPI_FILES_UPSTREAM: reads as repositories[0].filesUpstream (pypi) and repositories[1].upstream (pypi-files); set it in the configuration file, or rename a repository');
  assert.deepEqual(upstreams(pypi, { AIRLOCK_REPOSITORIES_PYPI_FILES_MAX_ARTIFACT_SIZE: '1MiB', AIRLOCK_REPOSITORIES_PYPI_UPSTREAM: 'https://other.example/' }), ['https://other.example/', 'https://pypi-files.example/']);
  assert.throws(() => loaded(pypi, { AIRLOCK_REPOSITORIES_PYPI_FILES_UPSTREEM: 'x' }), (err: unknown) => isAirlockError(err) && err.message.startsWith('AIRLOCK_REPOSITORIES_PYPI_FILES_UPSTREEM: unknown repository key'));
});

test('a repository\'s timeouts that are not a mapping are refused when a variable sets one of them, as a section or policy.bundle is, not replaced (found by fuzzing)', () => {
  const npm = { name: 'npm', format: 'npm', upstream: 'https://registry.example/' };
  const refused = (raw: unknown, env: Readonly<Record<string, string>>) =>
    assert.throws(
      () => loaded(raw, env),
      (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === 'repositories[0].timeouts: expected a mapping (while applying AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT)',
    );
  // `timeouts: 5s` in the file, or in the variable before: the invalid value was dropped and the configuration loaded.
  refused({ repositories: [{ ...npm, timeouts: '5s' }] }, { AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT: '2s' });
  refused({ repositories: [npm] }, { AIRLOCK_REPOSITORIES_NPM_TIMEOUTS: '5s', AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT: '2s' });
  const c = loaded({ repositories: [{ ...npm, timeouts: null }] }, { AIRLOCK_REPOSITORIES_NPM_TIMEOUTS: '{body: 1m}', AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT: '2s' });
  assert.deepEqual((c.repositories[0] as ProxyRepositoryDraft).timeouts, { connectMs: 2000, headersMs: 30_000, bodyMs: 60_000 });
});
