import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalizePypiName, sha256DigestFromHex } from '../../../core/index.ts';
import type { HostedPackage } from '../../../storage/ports/index.ts';
import { openSqliteMetadataStore } from '../../../storage/sqlite/index.ts';
import { readPage, type Page, type PageFile } from './page.ts';
import { PypiReleases, yankReason } from './releases.ts';

const who = { actor: 'token:t1', name: 'release-bot' };
const name = normalizePypiName('acme-billing');
const rel = (version: string) => ({ kind: 'release', version }) as const;

function file(filename: string, sha: string): PageFile {
  return { filename, url: `https://h/acme-billing/${filename}`, hashes: { sha256: sha.repeat(64) }, size: 10, 'upload-time': '2026-01-01T00:00:00.000Z', yanked: false, '_uploaded-by': 'ci' };
}

/** A project with 1.0 (a wheel with its core metadata, an sdist) and 1.1 (a wheel). */
async function withProject(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-pypi-releases-'));
  const store = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const page: Page = {
    meta: { 'api-version': '1.1' },
    name,
    versions: ['1.0', '1.1'],
    files: [file('acme_billing-1.0-py3-none-any.whl', 'a'), file('acme_billing-1.0.tar.gz', 'b'), file('acme_billing-1.1-py3-none-any.whl', 'c')],
  };
  const blob = (c: string) => ({ blob: sha256DigestFromHex(c.repeat(64)), size: 10 });
  const pkg: HostedPackage = {
    repo: 'internal',
    ecosystem: 'pypi',
    name,
    rev: 1,
    document: JSON.stringify(page),
    files: { 'acme_billing-1.0-py3-none-any.whl': blob('a'), 'acme_billing-1.0-py3-none-any.whl.metadata': blob('d'), 'acme_billing-1.0.tar.gz': blob('b'), 'acme_billing-1.1-py3-none-any.whl': blob('c') },
    updatedAt: new Date('2026-01-01T00:00:00Z'),
  };
  assert.equal(await store.putHostedPackage(pkg, { at: pkg.updatedAt, actor: 'token:t0', action: 'package.publish', subject: 'x', details: {} }), true);
  const changed: string[] = [];
  const releases = new PypiReleases({ repo: 'internal', store, clock: () => new Date('2026-02-01T00:00:00Z'), changed: async (n) => void changed.push(n) }, { maxDocumentBytes: 1024 * 1024 });
  const read = async () => {
    const got = await store.getHostedPackage('internal', name);
    assert.ok(got !== null);
    return { pkg: got, page: readPage(got, name) };
  };
  return { store, releases, read, changed };
}

test('a yank marks every file of the release (matched by PEP 440 equality), once; an unyank undoes it', async (t) => {
  const { releases, read, changed } = await withProject(t);
  const yanked = await releases.yank(name, rel('1.0.0'), 'rounds wrong', who);
  assert.deepEqual(yanked, { name, target: 'release', version: '1.0', versions: ['1.0'], action: 'yank', files: ['acme_billing-1.0-py3-none-any.whl', 'acme_billing-1.0.tar.gz'], yanked: 'rounds wrong', changed: true });
  let { pkg, page } = await read();
  assert.deepEqual(page.files.map((f) => f.yanked), ['rounds wrong', 'rounds wrong', false]);
  assert.equal(pkg.rev, 2);
  assert.deepEqual(changed, [name]);
  assert.equal((await releases.yank(name, rel('1.0'), 'rounds wrong', who)).changed, false);
  assert.equal((await read()).pkg.rev, 2, 'the same yank again writes nothing');
  assert.equal((await releases.yank(name, rel('1.0'), '', who)).yanked, true, 'a yank without a reason');
  await releases.yank(name, rel('1.0'), null, who);
  ({ page } = await read());
  assert.deepEqual(page.files.map((f) => f.yanked), [false, false, false]);
  assert.equal(Object.keys((await read()).pkg.files).length, 4, 'a yank keeps every file');
});

test('a removal takes the release files and their core metadata off, keeps the names as removed, and leaves the other releases', async (t) => {
  const { releases, read } = await withProject(t);
  const removed = await releases.remove(name, rel('1.0'), who);
  assert.deepEqual(removed.files, ['acme_billing-1.0-py3-none-any.whl', 'acme_billing-1.0.tar.gz']);
  const { pkg, page } = await read();
  assert.deepEqual(page.versions, ['1.1']);
  assert.deepEqual(page.files.map((f) => f.filename), ['acme_billing-1.1-py3-none-any.whl']);
  assert.deepEqual(Object.keys(pkg.files), ['acme_billing-1.1-py3-none-any.whl']);
  assert.deepEqual(page._removed, [
    { filename: 'acme_billing-1.0-py3-none-any.whl', sha256: 'a'.repeat(64), 'removed-at': '2026-02-01T00:00:00.000Z', 'removed-by': 'release-bot' },
    { filename: 'acme_billing-1.0.tar.gz', sha256: 'b'.repeat(64), 'removed-at': '2026-02-01T00:00:00.000Z', 'removed-by': 'release-bot' },
  ]);
  await assert.rejects(releases.remove(name, rel('1.0'), who), /acme-billing 1\.0 is not in internal: it was removed \(its versions are 1\.1\)/);
  await assert.rejects(releases.yank(name, rel('2.0'), 'x', who), /acme-billing 2\.0 is not in internal \(its versions are 1\.1\)/);
  await assert.rejects(releases.yank(normalizePypiName('nothing-here'), rel('1.0'), 'x', who), /nothing has been uploaded to internal as nothing-here/);
  await releases.remove(name, rel('1.1'), who);
  const empty = (await read()).page;
  assert.deepEqual([empty.versions, empty.files, empty._removed?.length], [[], [], 3]);
});

test('a file removal takes that file and its core metadata off, keeps the release with its other files, and keeps the name taken', async (t) => {
  const { releases, read, store } = await withProject(t);
  const file = (filename: string) => ({ kind: 'file', filename }) as const;
  const removed = await releases.remove(name, file('acme_billing-1.0-py3-none-any.whl'), who);
  assert.deepEqual(removed, { name, target: 'file', version: '1.0', versions: ['1.0'], action: 'remove', files: ['acme_billing-1.0-py3-none-any.whl'], yanked: null, changed: true });
  const { pkg, page } = await read();
  assert.deepEqual(page.versions, ['1.0', '1.1'], 'the release keeps its sdist');
  assert.deepEqual(page.files.map((f) => f.filename), ['acme_billing-1.0.tar.gz', 'acme_billing-1.1-py3-none-any.whl']);
  assert.deepEqual(Object.keys(pkg.files), ['acme_billing-1.0.tar.gz', 'acme_billing-1.1-py3-none-any.whl'], 'its .metadata goes with it');
  assert.deepEqual(page._removed?.map((r) => r.filename), ['acme_billing-1.0-py3-none-any.whl']);
  await assert.rejects(releases.remove(name, file('acme_billing-1.0-py3-none-any.whl'), who), /acme_billing-1\.0-py3-none-any\.whl is not a file of acme-billing in internal: it was removed on 2026-02-01T00:00:00\.000Z by release-bot/);
  await assert.rejects(releases.remove(name, file('acme_billing-9.0.tar.gz'), who), /acme_billing-9\.0\.tar\.gz is not a file of acme-billing in internal \(its versions are 1\.0, 1\.1\)/);
  // The last file of a release takes its version off.
  await releases.remove(name, file('acme_billing-1.0.tar.gz'), who);
  assert.deepEqual((await read()).page.versions, ['1.1']);
  const [event] = (await store.listAudit({ limit: 100 })).filter((e) => e.action === 'package.unpublish');
  assert.equal(event?.subject, 'pkg:pypi/acme-billing@1.0');
  assert.deepEqual(event?.details, { repo: 'internal', version: '1.0', files: [{ filename: 'acme_billing-1.0-py3-none-any.whl', sha256: 'a'.repeat(64), size: 10 }] });
});

test('a project yank marks every file of every release in one write, with the reason; an unyank undoes it', async (t) => {
  const { releases, read, store } = await withProject(t);
  await releases.yank(name, rel('1.1'), 'older reason', who);
  const yanked = await releases.yank(name, { kind: 'project' }, 'moved to acme-ledger', who);
  assert.deepEqual([yanked.target, yanked.version, yanked.versions, yanked.files.length, yanked.changed], ['project', null, ['1.0', '1.1'], 3, true]);
  const { pkg, page } = await read();
  assert.deepEqual(page.files.map((f) => f.yanked), ['moved to acme-ledger', 'moved to acme-ledger', 'moved to acme-ledger']);
  assert.equal(pkg.rev, 3, 'one write for the whole project');
  assert.equal((await releases.yank(name, { kind: 'project' }, 'moved to acme-ledger', who)).changed, false);
  const events = (await store.listAudit({ limit: 100 })).filter((e) => e.action === 'package.yank');
  assert.equal(events.at(-1)?.subject, 'pkg:pypi/acme-billing');
  assert.deepEqual(events.at(-1)?.details, {
    repo: 'internal',
    versions: ['1.0', '1.1'],
    whole: true,
    files: ['acme_billing-1.0-py3-none-any.whl', 'acme_billing-1.0.tar.gz', 'acme_billing-1.1-py3-none-any.whl'],
    reason: 'moved to acme-ledger',
  });
  await releases.yank(name, { kind: 'project' }, null, who);
  assert.deepEqual((await read()).page.files.map((f) => f.yanked), [false, false, false]);
});

test('a project removal takes every file off in one write, keeps the record and every name taken, and audits the reason', async (t) => {
  const { releases, read, store } = await withProject(t);
  const removed = await releases.remove(name, { kind: 'project' }, who, 'replaced by acme-ledger');
  assert.deepEqual([removed.target, removed.version, removed.versions, removed.files.length], ['project', null, ['1.0', '1.1'], 3]);
  const { pkg, page } = await read();
  assert.deepEqual([page.versions, page.files, Object.keys(pkg.files), page._removed?.length, pkg.rev], [[], [], [], 3, 2]);
  await assert.rejects(releases.remove(name, { kind: 'project' }, who), /acme-billing has no files in internal: every file of it was removed/);
  await assert.rejects(releases.yank(name, { kind: 'project' }, '', who), /acme-billing has no files in internal: every file of it was removed/);
  const [event] = (await store.listAudit({ limit: 100 })).filter((e) => e.action === 'package.unpublish');
  assert.equal(event?.subject, 'pkg:pypi/acme-billing');
  const details = event?.details as Record<string, unknown>;
  assert.deepEqual([details['versions'], details['whole'], details['reason'], (details['files'] as unknown[]).length], [['1.0', '1.1'], true, 'replaced by acme-ledger', 3]);
});

test('a yank reason is one line of text of bounded length', () => {
  assert.equal(yankReason('  broken\r\nbuild\t '), 'broken build');
  assert.equal(yankReason(''), '');
  assert.throws(() => yankReason('x'.repeat(1001)), /longer than 1000 characters/);
  assert.throws(() => yankReason('a\u0007b'), /control characters/);
});
