/**
 * The fixture index is real: the real pip (in an insulated venv, no Airlock in between) installs
 * from it, resolves from its `.metadata` files, verifies its hashes, honours yanks and
 * `requires-python`, builds its sdists, and reads its HTML as well as its JSON.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildBackendWheels, buildSdist, buildWheel, FixturePypiIndex, pip, pipVenv, python, pythonImport, type FixturePypiIndexOptions, type WheelSpec } from './index.ts';

const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';
const dirs: string[] = [];
const indexes: FixturePypiIndex[] = [];

async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'airlock-pypi-fixture-'));
  dirs.push(d);
  return d;
}

async function startIndex(options: FixturePypiIndexOptions = {}): Promise<FixturePypiIndex> {
  const index = await new FixturePypiIndex(options).start();
  indexes.push(index);
  return index;
}

function publishWheel(index: FixturePypiIndex, spec: WheelSpec, extra: { yanked?: boolean | string } = {}): string {
  const w = buildWheel(spec);
  index.addFile(spec.name, { filename: w.filename, bytes: w.bytes, metadata: w.metadata, ...(spec.requiresPython === undefined ? {} : { requiresPython: spec.requiresPython }), ...extra });
  return w.filename;
}

async function install(index: FixturePypiIndex, ...requirements: string[]): Promise<{ dir: string; code: number | null; stdout: string; stderr: string }> {
  const dir = await scratch();
  const r = await pip(['install', '--index-url', index.url, '--target', dir, ...requirements]);
  return { dir, ...r };
}

before(async () => {
  await pipVenv();
});

after(async () => {
  for (const i of indexes) await i.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('pip here is the venv pip and reads no configuration from the machine', async () => {
  const venv = await pipVenv();
  const version = await pip(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.ok(version.stdout.includes(venv), version.stdout);
  const config = await pip(['config', 'list']);
  assert.equal(config.code, 0, config.stderr);
  assert.doesNotMatch(config.stdout, /index-url|find-links='[^']/, config.stdout);
});

test("pip gets none of the machine's REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (they would win over PIP_CERT); a test may still give them", async (t) => {
  const saved = { REQUESTS_CA_BUNDLE: process.env['REQUESTS_CA_BUNDLE'], CURL_CA_BUNDLE: process.env['CURL_CA_BUNDLE'] };
  process.env['REQUESTS_CA_BUNDLE'] = '/etc/ssl/certs/ca-certificates.crt';
  process.env['CURL_CA_BUNDLE'] = '/etc/ssl/certs/ca-certificates.crt';
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const script = 'import os\nprint(repr(os.environ.get("REQUESTS_CA_BUNDLE")), repr(os.environ.get("CURL_CA_BUNDLE")))';
  const inherited = await python(['-c', script]);
  assert.equal(inherited.code, 0, inherited.stderr);
  assert.equal(inherited.stdout.trim(), 'None None');
  const given = await python(['-c', script], { env: { REQUESTS_CA_BUNDLE: '/tmp/ca.pem' } });
  assert.equal(given.stdout.trim(), "'/tmp/ca.pem' None");
});

test('a built wheel is a valid zip whose RECORD matches every file', async () => {
  const w = buildWheel({ name: 'Wheel.Check', version: '1.2', files: { 'wheel_check/data,1.txt': 'x' }, entryPoints: '[console_scripts]\nwc = wheel_check:main\n' });
  assert.equal(w.filename, 'wheel_check-1.2-py3-none-any.whl');
  const dir = await scratch();
  const path = join(dir, w.filename);
  await writeFile(path, w.bytes);
  const check = [
    'import base64, csv, hashlib, io, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None',
    'rows = list(csv.reader(io.StringIO(z.read("wheel_check-1.2.dist-info/RECORD").decode())))',
    'assert sorted(r[0] for r in rows) == sorted(z.namelist()), (rows, z.namelist())',
    'for name, h, size in rows:',
    '    data = z.read(name)',
    '    if name.endswith("RECORD"): assert h == "" and size == ""; continue',
    '    assert h == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), name',
    '    assert int(size) == len(data), name',
    'sys.stdout.write(z.read("wheel_check-1.2.dist-info/METADATA").decode())',
  ].join('\n');
  const r = await python(['-c', check, path]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, w.metadata.toString('utf8'));
  assert.match(r.stdout, /^Metadata-Version: 2\.1\nName: Wheel\.Check\nVersion: 1\.2\n/);
});

test('pip installs a pinned wheel, resolving from .metadata, with every file fetched from the separate files origin', async () => {
  const index = await startIndex();
  publishWheel(index, { name: 'demo', version: '1.0' });
  const newest = publishWheel(index, { name: 'demo', version: '2.0' });
  const { dir, code, stderr } = await install(index, 'demo==1.0');
  assert.equal(code, 0, stderr);
  assert.equal(await pythonImport(dir, 'demo'), '1.0');

  const page = index.requests.find((r) => r.path === '/simple/demo/');
  assert.ok(page !== undefined && page.origin === 'index');
  assert.ok(page.accept?.startsWith(JSON_ACCEPT), page.accept);
  assert.equal(index.requests.filter((r) => r.path.endsWith('demo-1.0-py3-none-any.whl.metadata') && r.origin === 'files').length, 1);
  assert.equal(index.count('demo-1.0-py3-none-any.whl'), 2); // the .metadata, then the wheel
  assert.equal(index.count(newest), 0);
  assert.ok(index.requests.every((r) => (r.path.startsWith('/packages/') ? r.origin === 'files' : r.origin === 'index')));
  assert.notEqual(new URL(index.filesUrl).port, new URL(index.url).port);

  const dl = await scratch();
  const got = await pip(['download', '--index-url', index.url, '-d', dl, 'demo']);
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(await readFile(join(dl, newest)), buildWheel({ name: 'demo', version: '2.0' }).bytes);
});

test('pip picks the newest version and resolves its dependencies from metadata alone', async () => {
  const index = await startIndex();
  publishWheel(index, { name: 'app', version: '1.0' });
  publishWheel(index, { name: 'app', version: '1.10', requiresDist: ['helper>=1.0'] });
  publishWheel(index, { name: 'app', version: '1.9' });
  publishWheel(index, { name: 'helper', version: '1.0' });
  const { dir, code, stderr } = await install(index, 'app');
  assert.equal(code, 0, stderr);
  assert.equal(await pythonImport(dir, 'app'), '1.10');
  assert.equal(await pythonImport(dir, 'helper'), '1.0');
  assert.equal(index.count('app-1.9-py3-none-any.whl'), 0);
  assert.equal(index.count('/simple/helper/'), 1);
});

test('pip skips yanked and requires-python-incompatible files unless pinned, and shows the yank reason', async () => {
  const index = await startIndex();
  publishWheel(index, { name: 'lib', version: '1.0', requiresPython: '>=3.8' });
  publishWheel(index, { name: 'lib', version: '2.0' }, { yanked: 'broken <build>' });
  publishWheel(index, { name: 'lib', version: '3.0', requiresPython: '>=4' });
  const unpinned = await install(index, 'lib');
  assert.equal(unpinned.code, 0, unpinned.stderr);
  assert.equal(await pythonImport(unpinned.dir, 'lib'), '1.0');

  const pinned = await install(index, 'lib==2.0');
  assert.equal(pinned.code, 0, pinned.stderr);
  assert.equal(await pythonImport(pinned.dir, 'lib'), '2.0');
  assert.match(pinned.stderr, /yanked version: 'lib' candidate \(version 2\.0/);
  assert.match(pinned.stderr, /Reason for being yanked: broken <build>/);
});

test('pip verifies the listed hash: a corrupted file fails the install', async () => {
  const index = await startIndex();
  const filename = publishWheel(index, { name: 'tampered', version: '1.0' });
  const expected = createHash('sha256').update(buildWheel({ name: 'tampered', version: '1.0' }).bytes).digest('hex');
  index.corruptFile(filename);
  const r = await install(index, 'tampered');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /THESE PACKAGES DO NOT MATCH THE HASHES/);
  assert.match(r.stderr, new RegExp(`Expected sha256 ${expected}\\n\\s+Got +[0-9a-f]{64}`));
});

test('pip works against an HTML-only index and against one serving its files itself', async () => {
  const html = await startIndex({ htmlOnly: true });
  publishWheel(html, { name: 'old-style', version: '0.1', requiresPython: '>=3.8' });
  const a = await install(html, 'old-style');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(await pythonImport(a.dir, 'old_style'), '0.1');
  assert.equal(html.count('.whl.metadata'), 1, 'the HTML page advertises the metadata too');
  const res = await fetch(`${html.url}old-style/`, { headers: { accept: JSON_ACCEPT } });
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('vary'), null);
  assert.match(await res.text(), /data-requires-python="&gt;=3\.8"/);

  const same = await startIndex({ sameOrigin: true });
  publishWheel(same, { name: 'one-origin', version: '0.2' });
  const b = await install(same, 'one-origin');
  assert.equal(b.code, 0, b.stderr);
  assert.equal(await pythonImport(b.dir, 'one_origin'), '0.2');
  assert.equal(new URL(same.filesUrl).origin, new URL(same.url).origin);
  assert.ok(same.requests.every((r) => r.origin === 'index'));
  assert.ok(same.count('/packages/') >= 2);
});

test('pip builds an sdist-only project, fetching the build backend through the same index', async (t) => {
  const backend = await buildBackendWheels();
  if (backend === null) {
    t.skip('no setuptools wheel obtainable on this machine (offline, no mirror)');
    return;
  }
  const index = await startIndex();
  for (const w of backend) index.addFile('setuptools', w);
  const s = buildSdist({ name: 'Src.Only', version: '0.3', requiresPython: '>=3.8', requiresDist: ['helper'], files: { 'src_only/extra.py': 'X = 1\n' } });
  assert.equal(s.filename, 'src_only-0.3.tar.gz');
  index.addFile('Src.Only', { filename: s.filename, bytes: s.bytes, requiresPython: '>=3.8' });
  publishWheel(index, { name: 'helper', version: '1.0' });
  const r = await install(index, 'src-only==0.3');
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Building wheel for src-only \(pyproject\.toml\)/);
  assert.equal(await pythonImport(r.dir, 'src_only'), '0.3');
  assert.equal(await pythonImport(r.dir, 'src_only.extra', 'X'), '1');
  assert.equal(await pythonImport(r.dir, 'helper'), '1.0');
  assert.equal(index.count('/simple/setuptools/'), 1);
});

test('the index speaks the Simple API: negotiation, ETag/304, redirects, 404, removal, outage', async () => {
  const index = await startIndex();
  publishWheel(index, { name: 'Proto_Pkg', version: '1.0', requiresPython: '>=3.8' });
  const page = `${index.url}proto-pkg/`;

  const json = await fetch(page, { headers: { accept: 'application/vnd.pypi.simple.v1+json, text/html;q=0.01' } });
  assert.equal(json.headers.get('content-type'), JSON_ACCEPT);
  assert.equal(json.headers.get('vary'), 'Accept');
  const doc = (await json.json()) as { meta: Record<string, unknown>; name: string; versions: string[]; files: Array<Record<string, unknown>> };
  assert.equal(doc.meta['api-version'], '1.1');
  assert.equal(doc.name, 'proto-pkg');
  assert.deepEqual(doc.versions, ['1.0']);
  const file = doc.files[0] ?? {};
  assert.equal(file['requires-python'], '>=3.8');
  assert.equal(file['yanked'], false);
  assert.match(String(file['upload-time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.ok(String(file['url']).startsWith(index.filesUrl));
  assert.deepEqual(file['core-metadata'], file['dist-info-metadata']);

  for (const accept of [undefined, '*/*', 'text/html']) {
    const res = await fetch(page, accept === undefined ? {} : { headers: { accept } });
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', String(accept));
    assert.match(await res.text(), /#sha256=[0-9a-f]{64}" data-requires-python="&gt;=3\.8" data-dist-info-metadata="sha256=/);
  }

  const etag = json.headers.get('etag') ?? '';
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const revalidated = await fetch(page, { headers: { accept: JSON_ACCEPT, 'if-none-match': etag } });
  assert.equal(revalidated.status, 304);
  assert.equal(index.requests.at(-1)?.ifNoneMatch, etag);

  for (const spelling of ['Proto_Pkg/', 'proto.pkg/', 'proto-pkg']) {
    const res = await fetch(`${index.url}${spelling}`, { redirect: 'manual' });
    assert.equal(res.status, 301, spelling);
    assert.equal(res.headers.get('location'), '/simple/proto-pkg/');
  }
  assert.equal((await fetch(`${index.url}nope/`)).status, 404);
  const metadata = await fetch(`${String(file['url'])}.metadata`);
  assert.equal(await metadata.text(), buildWheel({ name: 'Proto_Pkg', version: '1.0', requiresPython: '>=3.8' }).metadata.toString('utf8'));

  index.setDown(true);
  assert.equal((await fetch(page)).status, 503);
  const down = await install(index, '--retries', '0', 'proto-pkg');
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /from versions: none/);
  index.setDown(false);

  index.removeProject('PROTO.pkg');
  assert.equal((await fetch(page)).status, 404);
  assert.equal((await fetch(String(file['url']))).status, 404);
});
