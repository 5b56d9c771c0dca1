/**
 * The real npm installing from Airlock over HTTPS (`server.tls`), its certificate from a private
 * authority made with openssl: npm trusts it with `cafile` and installs, every tarball URL
 * Airlock wrote is https://, and npm without the authority is refused with its certificate
 * error. With client certificates required, npm gets in with the registry-scoped `certfile` and
 * `keyfile`, and not without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasOpenssl, privateCa, servingTlsFor } from '../../support/tls-cert.ts';
import { e2e } from './support.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' };

test('npm installs through Airlock over HTTPS with the private authority as its cafile, and is refused without it', needsOpenssl, async (t) => {
  const { ca, tls } = await servingTlsFor(t);
  const e = await e2e({ config: { server: { tls } } });
  t.after(() => e.close());
  assert.match(e.registry, /^https:\/\/127\.0\.0\.1:\d+\/npm\/$/);

  const p = await e.project();
  const ok = await p.npm(['install', 'left-pad', '--cafile', ca.cert]);
  assert.equal(ok.code, 0, ok.output);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const lock = (await p.readJson('package-lock.json')) as { packages: Record<string, { resolved?: string }> };
  assert.equal(lock.packages['node_modules/left-pad']?.resolved, `${e.registry}left-pad/-/left-pad-1.3.0.tgz`);

  const untrusting = await e.project();
  const refused = await untrusting.npm(['install', 'is-number']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /npm error code UNABLE_TO_VERIFY_LEAF_SIGNATURE\n(.*\n)*npm error request to https:\/\/127\.0\.0\.1:\d+\/npm\/is-number failed, reason: unable to verify the first certificate/);
  assert.doesNotMatch(refused.output, /added \d+ package/);
});

test('client certificates required: npm without one is refused at the handshake; with the registry’s certfile and keyfile it installs', needsOpenssl, async (t) => {
  const { dir, ca, tls } = await servingTlsFor(t);
  const clients = privateCa(dir, 'clients');
  const developer = clients.issue('developer', { client: true });
  const e = await e2e({ config: { server: { tls: { ...tls, clientCa: clients.cert, requireClientCert: true } } } });
  t.after(() => e.close());

  const without = await e.project();
  const refused = await without.npm(['install', 'left-pad', '--cafile', ca.cert]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /npm error code ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\n(.*\n)*npm error request to https:\/\/127\.0\.0\.1:\d+\/npm\/left-pad failed, reason: .*tlsv13 alert certificate required/);

  const p = await e.project();
  // As npm's documentation says: certfile and keyfile are scoped to the registry, in the user's .npmrc.
  const scope = e.registry.replace(/^https:/, '');
  await appendFile(join(p.dir, '.npmrc-user'), `${scope}:certfile=${developer.cert}\n${scope}:keyfile=${developer.key}\n`);
  const ok = await p.npm(['install', 'left-pad', '--cafile', ca.cert]);
  assert.equal(ok.code, 0, ok.output);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
});
