/**
 * Yanking, unyanking and removing a release of a hosted pypi repository with `airlock pypi`, as
 * the real clients see it: twine uploads two releases; a yanked release is skipped by an unpinned
 * `pip install` and installed by a pinned one, which prints the reason; an unyank brings it back
 * (through a group that publishes to the hosted repository); a removal needs an admin by default,
 * takes the release off the page and its files off the file URLs, and twine cannot upload under
 * the removed file name again. Publisher, reader, scoped and anonymous tokens, and a proxy, are
 * refused with what the CLI prints. Every change is in the audit trail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWheel, pythonImport, twineUpload, twineVersion } from '../../support/pypi-index/index.ts';
import { adminGet, airlockCli } from '../npm/support.ts';
import { hostedPypiE2e, OLD, printed as out } from './support.ts';

const version = await twineVersion();
const skip = version === null ? 'twine is not installed (apt-get install twine): the hosted pypi end-to-end tests need it' : false;

test('hosted pypi releases: airlock pypi yank, unyank and remove, as pip and twine see them', { skip }, async (t) => {
  const { index, airlock, hosted, publisher, reader, cli, wheelFile, install, page: pageOf } = await hostedPypiE2e(t);
  const pub = buildWheel({ name: 'public-tool', version: '2.0' });
  index.addFile('public-tool', { filename: pub.filename, bytes: pub.bytes, metadata: pub.metadata, uploadTime: OLD });
  const page = () => pageOf('acme-billing');

  const newer = await wheelFile({ name: 'acme-billing', version: '1.1' });
  const uploaded = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '1.0' }), newer]);
  assert.equal(uploaded.code, 0, out(uploaded));
  const before = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(before.code, 0, out(before));
  assert.equal(await pythonImport(before.target, 'acme_billing'), '1.1');
  // The uploaded bytes are served as they were stored: the first download records them, it does not copy them again.
  const metrics = await (await fetch(`${airlock.url}/-/metrics`)).text();
  assert.match(metrics, /airlock_cache_requests_total\{repo="internal",kind="artifact",result="hit"\} 1\n/);
  assert.doesNotMatch(metrics, /airlock_upstream_requests_total\{repo="internal",kind="artifact"/);

  // A publisher yanks 1.1 (given as 1.1.0: PEP 440 equality): pip skips it unless pinned, and a pinned install prints the reason.
  const yanked = await cli(publisher, 'yank', 'internal', 'acme-billing', '1.1.0', '--reason', 'broken build: the ledger rounds wrong');
  assert.equal(yanked.code, 0, out(yanked));
  assert.equal(yanked.stdout, 'yanked acme-billing 1.1 (acme_billing-1.1-py3-none-any.whl): broken build: the ledger rounds wrong\n');
  assert.deepEqual(
    (await page()).files.map((f) => [f.filename, f.yanked]),
    [
      ['acme_billing-1.0-py3-none-any.whl', false],
      ['acme_billing-1.1-py3-none-any.whl', 'broken build: the ledger rounds wrong'],
    ],
  );
  const html = await (await fetch(`${hosted}simple/acme-billing/`)).text();
  assert.match(html, /acme_billing-1\.1-py3-none-any\.whl#sha256=[0-9a-f]{64}" data-yanked="broken build: the ledger rounds wrong"/);
  const unpinned = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(unpinned.code, 0, out(unpinned));
  assert.equal(await pythonImport(unpinned.target, 'acme_billing'), '1.0', 'pip skips the yanked release');
  const pinned = await install(`${hosted}simple/`, 'acme-billing==1.1');
  assert.equal(pinned.code, 0, out(pinned));
  assert.equal(await pythonImport(pinned.target, 'acme_billing'), '1.1', 'a pin installs a yanked release');
  assert.match(out(pinned), /yanked version.*Reason for being yanked: broken build: the ledger rounds wrong/);
  const again = await cli(publisher, 'yank', 'internal', 'acme-billing', '1.1', '--reason', 'broken build: the ledger rounds wrong');
  assert.equal(again.code, 0, out(again));
  assert.match(again.stdout, /acme-billing 1\.1 \(acme_billing-1\.1-py3-none-any\.whl\) was already yanked so/);

  // Undone through the group, which changes releases where it publishes: the unpinned install takes 1.1 again.
  const unyanked = await cli(publisher, 'unyank', 'python', 'acme-billing', '1.1');
  assert.equal(unyanked.code, 0, out(unyanked));
  assert.equal(unyanked.stdout, 'unyanked acme-billing 1.1 (acme_billing-1.1-py3-none-any.whl)\n');
  assert.ok((await page()).files.every((f) => f.yanked === false));
  const restored = await install(`${airlock.url}/python/simple/`, 'acme-billing');
  assert.equal(restored.code, 0, out(restored));
  assert.equal(await pythonImport(restored.target, 'acme_billing'), '1.1');

  // Refusals, each printed: no token, a reader, a token scoped to other projects, a proxy, an unknown version.
  const anonymous = await cli(null, 'yank', 'internal', 'acme-billing', '1.1');
  assert.equal(anonymous.code, 4, out(anonymous));
  assert.match(out(anonymous), /changing a release needs a token with the publisher role/);
  const byReader = await cli(reader, 'yank', 'internal', 'acme-billing', '1.1');
  assert.equal(byReader.code, 4, out(byReader));
  assert.match(out(byReader), /needs the publisher role; the token has the reader role/);
  const scoped = await airlockCli(['token', 'create', '--role', 'publisher', '--label', 'ledger-ci', '--package', 'acme-ledger', '--server', airlock.url], { AIRLOCK_TOKEN: airlock.adminToken });
  assert.equal(scoped.code, 0, out(scoped));
  const byScoped = await cli(scoped.stdout.trim(), 'yank', 'internal', 'acme-billing', '1.1');
  assert.equal(byScoped.code, 4, out(byScoped));
  assert.match(out(byScoped), /this token may write only acme-ledger; not acme-billing/);
  const atProxy = await cli(publisher, 'yank', 'pypi', 'public-tool', '2.0');
  assert.equal(atProxy.code, 1, out(atProxy));
  assert.match(out(atProxy), /pypi is a proxy: its releases are the index's/);
  const yankAt = `${hosted}-/projects/acme-billing/1.1/yank`;
  const auth = { authorization: `Bearer ${publisher}` };
  const notJson = await fetch(yankAt, { method: 'POST', headers: auth, body: 'broken build' });
  assert.equal(notJson.status, 400);
  assert.match(await notJson.text(), /a yank's body is JSON: \{"reason": "…"\}/);
  const huge = await fetch(yankAt, { method: 'POST', headers: auth, body: JSON.stringify({ reason: 'x'.repeat(20_000) }) });
  assert.equal(huge.status, 413);
  const badVersion = await fetch(`${hosted}-/projects/acme-billing/not-a-version/yank`, { method: 'POST', headers: auth });
  assert.equal(badVersion.status, 400);
  assert.match(await badVersion.text(), /"not-a-version" is not a valid PEP 440 version/);
  assert.ok((await page()).files.every((f) => f.yanked === false), 'no refused request changed the page');
  const unknown = await cli(publisher, 'yank', 'internal', 'acme-billing', '3.0');
  assert.equal(unknown.code, 5, out(unknown));
  assert.match(out(unknown), /acme-billing 3\.0 is not in internal \(its versions are 1\.0, 1\.1\)/);

  // Removal: an admin's by default. The release leaves the page, its file URL answers 404, and twine cannot upload that file name again.
  const oldUrl = (await page()).files.find((f) => f.filename.startsWith('acme_billing-1.1'))?.url ?? '';
  assert.equal((await fetch(new URL(oldUrl, `${hosted}simple/acme-billing/`))).status, 200);
  const byPublisher = await cli(publisher, 'remove', 'internal', 'acme-billing', '1.1');
  assert.equal(byPublisher.code, 4, out(byPublisher));
  assert.match(out(byPublisher), /needs the admin role/);
  const removed = await cli(airlock.adminToken, 'remove', 'internal', 'acme-billing', '1.1');
  assert.equal(removed.code, 0, out(removed));
  assert.equal(removed.stdout, 'removed acme-billing 1.1 (acme_billing-1.1-py3-none-any.whl): its file names are never used again\n');
  const after = await page();
  assert.deepEqual([after.versions, after.files.map((f) => f.filename)], [['1.0'], ['acme_billing-1.0-py3-none-any.whl']]);
  assert.equal((await fetch(new URL(oldUrl, `${hosted}simple/acme-billing/`))).status, 404, 'the removed file is not served');
  const pinnedGone = await install(`${hosted}simple/`, 'acme-billing==1.1');
  assert.notEqual(pinnedGone.code, 0);
  assert.match(out(pinnedGone), /from versions: 1\.0\)/);
  const latest = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(latest.code, 0, out(latest));
  assert.equal(await pythonImport(latest.target, 'acme_billing'), '1.0');
  const reupload = await twineUpload(hosted, publisher, [newer]);
  assert.notEqual(reupload.code, 0);
  assert.match(out(reupload), /400 Bad Request/);
  assert.match(out(reupload), /This filename has already been used: acme_billing-1\.1-py3-none-any\.whl was uploaded and removed/);
  const removedAgain = await cli(airlock.adminToken, 'remove', 'internal', 'acme-billing', '1.1');
  assert.equal(removedAgain.code, 5, out(removedAgain));
  assert.match(out(removedAgain), /acme-billing 1\.1 is not in internal: it was removed \(its versions are 1\.0\)/);
  // A new version is uploaded as usual.
  const fixed = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '1.1.1' })]);
  assert.equal(fixed.code, 0, out(fixed));
  assert.deepEqual((await page()).versions, ['1.0', '1.1.1']);

  // The audit trail has each change, with who made it.
  const audit = (await adminGet(airlock, 'audit?limit=500')) as { items: { action: string; subject: string; actor: string; details: Record<string, unknown> }[] };
  const changes = audit.items.filter((e) => ['package.yank', 'package.unyank', 'package.unpublish'].includes(e.action));
  assert.deepEqual(
    changes.map((e) => [e.action, e.subject, e.details['reason'] ?? null]),
    [
      ['package.yank', 'pkg:pypi/acme-billing@1.1', 'broken build: the ledger rounds wrong'],
      ['package.unyank', 'pkg:pypi/acme-billing@1.1', null],
      ['package.unpublish', 'pkg:pypi/acme-billing@1.1', null],
    ],
  );
  assert.match(changes[2]?.actor ?? '', /^token:/);
});
