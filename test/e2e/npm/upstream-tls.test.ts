/**
 * An https upstream whose certificate comes from a private certificate authority, as behind a
 * TLS-inspecting corporate proxy or in front of an internal registry. Installs use the real npm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { oneRepositoryConfig, serveForTest, unsetting, type RunningServe } from '../../support/serve-process.ts';
import { hasOpenssl, selfSignedCert } from '../../support/tls-cert.ts';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';
import { project } from './support.ts';

const ADMIN = { AIRLOCK_ADMIN_TOKEN: 'airlock_tls_test_admin_token_0123456789' };
/** Nothing from the test's own environment may widen or name Airlock's trust or its registry. */
const CLEAN = unsetting(/^(npm_config_|node_extra_ca_certs$|https?_proxy$|no_proxy$)/i);

test('an upstream certified by a private authority: refused with the reason until the repository trusts it (ca), then npm installs through Airlock; npm’s cafile serves when Airlock follows npm', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { key, cert } = selfSignedCert(dir, 'upstream', 'IP:127.0.0.1');
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES, 0, { tls: { key: await readFile(key), cert: await readFile(cert) } });
  t.after(() => registry.close());
  assert.match(registry.url, /^https:/);

  const start = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServe> => serveForTest(t, dir, [...args, '--port', '0'], { env: { ...CLEAN, ...ADMIN, ...env } });
  const configFile = (name: string, extra: string): Promise<string> => oneRepositoryConfig(dir, name, registry.url, extra);

  // Not trusted: npm is told what is wrong and what to do, and Airlock does not hammer the upstream.
  const untrusted = await start(['--config', await configFile('untrusted', '')]);
  const p1 = await project(`${untrusted.url}/npm/`, dir);
  const refused = await p1.npm(['install', 'left-pad']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /502 Bad Gateway - GET \S+\/npm\/left-pad - upstream npm presented a TLS certificate from an authority Airlock does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\) for \/left-pad; if the upstream, or a proxy that inspects TLS, uses a private certificate authority, give the repository its certificates \(ca: FILE\)/);
  const before = registry.connections;
  assert.equal((await fetch(`${untrusted.url}/npm/is-number`)).status, 502);
  assert.equal(registry.connections - before, 1, 'one request, one connection: a certificate refusal is not retried');
  await untrusted.stop();

  // The repository's ca file.
  const trusted = await start(['--config', await configFile('trusted', `    ca: ${cert}\n`)]);
  assert.ok(trusted.stderr().includes(`, trusting only the repository's ca file ${cert} (1 certificate)`), trusted.stderr());
  const p2 = await project(`${trusted.url}/npm/`, dir);
  const ok = await p2.npm(['install', 'left-pad']);
  assert.equal(ok.code, 0, `${ok.output}\n${trusted.stderr()}`);
  assert.equal((await p2.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  await trusted.stop();

  // No configuration: the registry and the trust are npm's.
  const npmrc = join(dir, 'npmrc');
  await writeFile(npmrc, `registry=${registry.url}\ncafile=${cert}\n`);
  const npmWay = await start(['--data-dir', join(dir, 'npm-way-data')], { npm_config_userconfig: npmrc, npm_config_globalconfig: join(dir, 'no-global-npmrc') });
  assert.ok(npmWay.stderr().includes(`upstream ${registry.url}, from npm's registry setting, reached directly (the upstream is on this machine), trusting only npm's cafile ${cert} (1 certificate)`), npmWay.stderr());
  const p3 = await project(`${npmWay.url}/npm/`, dir);
  const viaNpm = await p3.npm(['install', 'left-pad']);
  assert.equal(viaNpm.code, 0, `${viaNpm.output}\n${npmWay.stderr()}`);
});
