/**
 * A pypi repository when the index fails or lies, and the slopsquatting tripwire, with the real
 * pip; and the simple API as any HTTP client sees it (negotiation, ETags, canonical URLs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBackendWheels, buildSdist, pythonImport } from '../../support/pypi-index/index.ts';
import { createToken } from '../npm/support.ts';
import { OLD, pypiE2e, quarantineIdIn } from './support.ts';

test('the index down: pages and files Airlock has already served still install (stale-if-error)', async (t) => {
  const e = await pypiE2e({ config: { metadataMaxAge: '0s' } });
  t.after(() => e.close());
  e.wheel({ name: 'heron-io', version: '4.0' });
  const first = await e.install('heron-io');
  assert.equal(first.code, 0, first.stderr);

  e.index.setDown(true);
  const down = await e.install('heron-io');
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await pythonImport(down.target, 'heron_io'), '4.0');
  assert.ok(e.index.requests.some((r) => r.status === 503), 'Airlock did ask the index, which failed');
});

test('a name asked for before it existed is quarantined once somebody registers it (the slopsquatting tripwire)', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  const missing = await e.install('totally-real-ml-helper');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stdout + missing.stderr, /No matching distribution found for totally-real-ml-helper/);

  // An attacker registers the name an assistant made up (the index says when: after it was asked for).
  e.wheel({ name: 'totally-real-ml-helper', version: '0.1' }, { uploadTime: new Date() });
  const r = await e.install('totally-real-ml-helper==0.1');
  assert.notEqual(r.code, 0);
  const out = r.stdout + r.stderr;
  assert.match(out, /totally-real-ml-helper==0\.1 is quarantined by Airlock: .*totally-real-ml-helper was requested \d+ times while it did not exist/);
  assert.notEqual(quarantineIdIn(out), '');
});

test('an sdist-only project: pip builds it, fetching its build backend through Airlock too', async (t) => {
  const backend = await buildBackendWheels();
  if (backend === null) {
    t.skip('no setuptools wheel to serve as the build backend (no index or local mirror reachable)');
    return;
  }
  const e = await pypiE2e();
  t.after(() => e.close());
  for (const w of backend) e.index.addFile('setuptools', { filename: w.filename, bytes: w.bytes, uploadTime: OLD });
  const sdist = buildSdist({ name: 'ibis-build', version: '0.3' });
  e.index.addFile('ibis-build', { filename: sdist.filename, bytes: sdist.bytes, uploadTime: OLD });

  const r = await e.install('ibis-build');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await pythonImport(r.target, 'ibis_build'), '0.3');
  // Building ran the sdist's backend: the default policy warns (install_scripts: warn), and the
  // decision says what runs.
  const res = await fetch(`${e.airlock.url}/-/api/decisions?purl=${encodeURIComponent('pkg:pypi/ibis-build@0.3')}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } });
  const body = JSON.stringify(await res.json());
  assert.match(body, /runs install scripts \(build\)/);
});

test('the simple API: JSON or HTML by Accept, Vary and ETag with 304, canonical names, files under Airlock', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'puffin-db', version: '1.0' });
  const pipAccept = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

  const json = await fetch(`${e.simple}puffin-db/`, { headers: { accept: pipAccept } });
  assert.equal(json.status, 200);
  assert.equal(json.headers.get('content-type'), 'application/vnd.pypi.simple.v1+json');
  assert.equal(json.headers.get('vary'), 'Accept, Accept-Encoding');
  assert.equal(json.headers.get('content-encoding'), 'gzip', 'fetch, as pip, accepts gzip: the page comes compressed');
  const page = (await json.json()) as { name: string; versions: string[]; files: { filename: string; url: string; hashes: { sha256: string }; 'upload-time': string }[] };
  assert.equal(page.name, 'puffin-db');
  assert.deepEqual(page.versions, ['1.0']);
  const file = page.files[0];
  assert.ok(file !== undefined);
  assert.equal(file.url, `${e.airlock.url}/pypi/files/puffin-db/${file.hashes.sha256}/puffin_db-1.0-py3-none-any.whl`);
  assert.equal(Date.parse(file['upload-time']), OLD.getTime(), "the index's upload time, passed on");

  const etag = json.headers.get('etag') ?? '';
  const again = await fetch(`${e.simple}puffin-db/`, { headers: { accept: pipAccept, 'if-none-match': etag } });
  assert.equal(again.status, 304);

  const html = await fetch(`${e.simple}puffin-db/`);
  assert.equal(html.headers.get('content-type'), 'application/vnd.pypi.simple.v1+html');
  assert.match(await html.text(), new RegExp(`<a href="${e.airlock.url}/pypi/files/puffin-db/[0-9a-f]{64}/puffin_db-1\\.0-py3-none-any\\.whl#sha256=[0-9a-f]{64}"`));

  const redirect = await fetch(`${e.simple}Puffin_DB`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), `${e.simple}puffin-db/`);

  const refused = await fetch(`${e.simple}puffin-db/`, { headers: { accept: 'application/json' } });
  assert.equal(refused.status, 406);

  const unknown = await fetch(`${e.airlock.url}/pypi/files/puffin-db/${'0'.repeat(64)}/puffin_db-1.0-py3-none-any.whl`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.statusText, /^Not Found \(Airlock: puffin-db has no file/);
});

test('with anonymous reads off, pip needs a reader token, given as the password in the index URL', async (t) => {
  const e = await pypiE2e({ top: { access: { anonymousRead: false } } });
  t.after(() => e.close());
  e.wheel({ name: 'gannet-auth', version: '1.0' });

  const anonymous = await e.install('gannet-auth');
  assert.notEqual(anonymous.code, 0);
  assert.equal(e.index.requests.length, 0, 'nothing reached the index for an anonymous client');

  const token = await createToken(e.airlock, 'reader', 'pip');
  const r = await e.installFrom(e.simple.replace('http://', `http://pip:${token}@`), 'gannet-auth');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await pythonImport(r.target, 'gannet_auth'), '1.0');
});

test('core metadata that does not match the hash on the page is refused and not kept: the right bytes are served once the index has them', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'skua-meta', version: '1.0' });
  const filename = 'skua_meta-1.0-py3-none-any.whl';
  e.index.corruptFile(`${filename}.metadata`);
  const page = (await (await fetch(`${e.simple}skua-meta/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; url: string }[] };
  const url = `${page.files.find((f) => f.filename === filename)?.url ?? ''}.metadata`;

  const bad = await fetch(url);
  assert.equal(bad.status, 502);
  assert.match(bad.statusText, /skua-meta: the upstream's core metadata for skua_meta-1\.0-py3-none-any\.whl does not match the sha256 its index page gives; refused, nothing was stored/);

  e.index.corruptFile(`${filename}.metadata`, false);
  const good = await fetch(url);
  assert.equal(good.status, 200);
  assert.match(await good.text(), /^Metadata-Version: .*\nName: skua-meta\nVersion: 1\.0\n/);
});
