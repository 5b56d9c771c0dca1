/**
 * `server.tls` in the configuration: its shape (strict keys, paths relative to the file, the key
 * by path or reference, never inline), its defaults, the environment override and the
 * `--tls-cert`/`--tls-key` flags. The files themselves are checked by app/tls-material.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../core/index.ts';
import { loadConfig, type ConfigFlags } from './load.ts';
import type { ServerConfig } from './types.ts';

const REPO = 'repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n';

/** The server settings `server:` lines (YAML, indented two spaces) load to, from a file in a fresh directory. */
async function serverOf(lines: string, options: { readonly env?: NodeJS.ProcessEnv; readonly flags?: ConfigFlags } = {}): Promise<{ server: ServerConfig; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-tls-config-'));
  try {
    await writeFile(join(dir, 'airlock.yaml'), `${REPO}${lines === '' ? '' : `server:\n${lines}`}`);
    const c = await loadConfig({ file: join(dir, 'airlock.yaml'), env: options.env ?? {}, cwd: '/work', ...(options.flags === undefined ? {} : { flags: options.flags }) });
    return { server: c.server, dir };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function refused(lines: string, message: string | RegExp, options: { readonly env?: NodeJS.ProcessEnv; readonly flags?: ConfigFlags } = {}): Promise<void> {
  await assert.rejects(serverOf(lines, options), (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('server.tls: absent is plain HTTP; cert and key relative to the file, with the defaults', async () => {
  assert.equal((await serverOf('')).server.tls, null);
  const { server, dir } = await serverOf('  tls:\n    cert: tls/airlock.pem\n    key: tls/airlock-key.pem\n');
  assert.deepEqual(server.tls, {
    cert: join(dir, 'tls/airlock.pem'),
    key: { kind: 'file', path: join(dir, 'tls/airlock-key.pem') },
    ca: null,
    minVersion: 'TLSv1.2',
    clientCa: null,
    requireClientCert: false,
    watch: true,
  });
});

test('server.tls: every setting, the key by {file} or {env}, client certificates required once clientCa is named', async () => {
  const { server } = await serverOf('  tls:\n    cert: /etc/airlock/cert.pem\n    key: {file: /run/secrets/key.pem}\n    ca: /etc/airlock/chain.pem\n    minVersion: TLSv1.3\n    clientCa: /etc/airlock/clients.pem\n    watch: false\n');
  assert.deepEqual(server.tls, {
    cert: '/etc/airlock/cert.pem',
    key: { kind: 'file', path: '/run/secrets/key.pem' },
    ca: '/etc/airlock/chain.pem',
    minVersion: 'TLSv1.3',
    clientCa: '/etc/airlock/clients.pem',
    requireClientCert: true,
    watch: false,
  });
  const optional = await serverOf('  tls:\n    cert: /c.pem\n    key: /k.pem\n    clientCa: /clients.pem\n    requireClientCert: false\n');
  assert.equal(optional.server.tls?.requireClientCert, false);

  const fromEnv = await serverOf('  tls:\n    cert: /c.pem\n    key: {env: AIRLOCK_TLS_KEY}\n', { env: { AIRLOCK_TLS_KEY: '-----BEGIN PRIVATE KEY-----\\nMIG…\\n-----END PRIVATE KEY-----' } });
  const key = fromEnv.server.tls?.key;
  assert.equal(key?.kind, 'env');
  assert.equal(key?.kind === 'env' ? key.secret.source : '', 'env AIRLOCK_TLS_KEY');
  assert.doesNotMatch(JSON.stringify(fromEnv.server), /BEGIN PRIVATE KEY/, 'the key never shows in a dump of the configuration');
});

test('server.tls: unknown keys, missing settings, inline PEM, a key reference to nothing and client certificates without authorities are refused, naming the setting', async () => {
  await refused('  tls:\n    cert: /c.pem\n    key: /k.pem\n    certFile: /c.pem\n', /^server\.tls\.certFile: unknown key \(expected one of: cert, key, ca, minVersion, clientCa, requireClientCert, watch\)$/);
  await refused('  tls:\n    key: /k.pem\n', 'server.tls.cert: required: the PEM file of the server certificate (and its intermediates)');
  await refused('  tls:\n    cert: /c.pem\n', 'server.tls.key: required: the PEM file of the private key, or {env: NAME}');
  await refused('  tls: /c.pem\n', 'server.tls: expected a mapping, got a string');
  await refused('  tls:\n    cert: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"\n    key: /k.pem\n', 'server.tls.cert: give the path of a PEM file holding the certificate, not its text');
  await refused('  tls:\n    cert: /c.pem\n    key: "-----BEGIN PRIVATE KEY-----\\nMIG\\n-----END PRIVATE KEY-----"\n', 'server.tls.key: a private key is never written inline: give its file (a path or {file: PATH}) or {env: NAME}');
  await refused('  tls:\n    cert: /c.pem\n    key: {env: AIRLOCK_TLS_KEY}\n', 'server.tls.key: environment variable AIRLOCK_TLS_KEY is not set');
  await refused('  tls:\n    cert: /c.pem\n    key: {env: A, file: /k.pem}\n', 'server.tls.key: give a path, or exactly one of env or file');
  await refused('  tls:\n    cert: /c.pem\n    key: {path: /k.pem}\n', /^server\.tls\.key\.path: unknown key \(expected one of: env, file\)$/);
  await refused('  tls:\n    cert: /c.pem\n    key: /k.pem\n    minVersion: TLSv1.1\n', 'server.tls.minVersion: expected one of "TLSv1.2", "TLSv1.3", got "TLSv1.1"');
  await refused('  tls:\n    cert: /c.pem\n    key: /k.pem\n    requireClientCert: true\n', 'server.tls.requireClientCert: needs clientCa: the PEM file of the authorities client certificates must chain to');
  await refused('  tls:\n    cert: /c.pem\n    key: /k.pem\n    watch: sometimes\n', 'server.tls.watch: expected true or false, got a string');
});

test('AIRLOCK_SERVER_TLS sets server.tls; --tls-cert and --tls-key name the files over it, relative to the working directory', async () => {
  const { server } = await serverOf('', { env: { AIRLOCK_SERVER_TLS: '{cert: /etc/airlock/cert.pem, key: {file: /etc/airlock/key.pem}, minVersion: TLSv1.3}' } });
  assert.equal(server.tls?.cert, '/etc/airlock/cert.pem');
  assert.equal(server.tls?.minVersion, 'TLSv1.3');

  const flagged = await serverOf('', { flags: { tlsCert: 'certs/airlock.pem', tlsKey: 'certs/airlock-key.pem' } });
  assert.deepEqual(flagged.server.tls, { cert: '/work/certs/airlock.pem', key: { kind: 'file', path: '/work/certs/airlock-key.pem' }, ca: null, minVersion: 'TLSv1.2', clientCa: null, requireClientCert: false, watch: true });
  // A flag replaces its file; the configuration's other settings stay.
  const over = await serverOf('  tls:\n    cert: /c.pem\n    key: /k.pem\n    clientCa: /clients.pem\n', { flags: { tlsCert: '/renewed.pem' } });
  assert.equal(over.server.tls?.cert, '/renewed.pem');
  assert.deepEqual(over.server.tls?.key, { kind: 'file', path: '/k.pem' });
  assert.equal(over.server.tls?.requireClientCert, true);
  await refused('', '--tls-key: needed with --tls-cert (or server.tls.key in the configuration)', { flags: { tlsCert: '/c.pem' } });
  await refused('', '--tls-cert: needed with --tls-key (or server.tls.cert in the configuration)', { flags: { tlsKey: '/k.pem' } });
  // As the configuration's own file settings: a NUL is no file name (Node threw a TypeError on it when reading).
  await refused('', '--tls-cert: not a file path: it holds a NUL character', { flags: { tlsCert: '/c.pem\0x', tlsKey: '/k.pem' } });
  await refused('', '--tls-key: not a file path: it holds a NUL character', { flags: { tlsCert: '/c.pem', tlsKey: '/k\0.pem' } });
});
