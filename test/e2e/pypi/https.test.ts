/**
 * The real pip installing from Airlock over HTTPS (`server.tls`), with the private authority that
 * issued Airlock's certificate as its `--cert` (PIP_CERT): the index page links every file at
 * https://, pip installs, and without the authority pip refuses Airlock's certificate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pip, pythonImport } from '../../support/pypi-index/index.ts';
import { hasOpenssl, httpsGet, servingTlsFor } from '../../support/tls-cert.ts';
import { pypiE2e } from './support.ts';

test('pip installs through Airlock over HTTPS with PIP_CERT naming the private authority, and refuses Airlock’s certificate without it', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async (t) => {
  const { ca, tls } = await servingTlsFor(t);
  const e = await pypiE2e({ top: { server: { tls } } });
  t.after(() => e.close());
  e.wheel({ name: 'quokka-tools', version: '1.1', requiresDist: ['wombat-core>=2'] });
  e.wheel({ name: 'wombat-core', version: '2.0' });
  assert.match(e.simple, /^https:\/\/127\.0\.0\.1:\d+\/pypi\/simple\/$/);

  // The files are linked where pip reaches Airlock, over TLS (no publicUrl set).
  const page = await httpsGet(`${e.simple}quokka-tools/`, { ca: ca.cert, headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(page.status, 200);
  const files = (JSON.parse(page.body) as { files: { url: string }[] }).files;
  assert.ok(files.length > 0 && files.every((f) => f.url.startsWith(`${e.airlock.url}/pypi/`)), JSON.stringify(files));

  // The pip helper leaves out this machine's REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE, which would win over PIP_CERT.
  const target = join(e.tmp, 'with-cert');
  const ok = await pip(['install', '--index-url', e.simple, '--retries', '0', '--target', target, 'quokka-tools'], { env: { PIP_CERT: ca.cert } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await pythonImport(target, 'quokka_tools'), '1.1');
  assert.equal(await pythonImport(target, 'wombat_core'), '2.0');

  const refused = await pip(['install', '--index-url', e.simple, '--retries', '0', '--target', join(e.tmp, 'without-cert'), 'wombat-core']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, /Could not fetch URL https:\/\/127\.0\.0\.1:\d+\/pypi\/simple\/wombat-core\/: There was a problem confirming the ssl certificate: .*CERTIFICATE_VERIFY_FAILED/);
});
