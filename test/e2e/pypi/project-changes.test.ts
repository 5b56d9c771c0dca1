/**
 * Changes to more or less than one release of a hosted pypi project with `airlock pypi`, as the
 * real twine and pip see them: removing one file of a release (a wheel uploaded broken) keeps the
 * release's other files and takes that file off both page formats and its URL, and a new build
 * tag replaces it; yanking every release at once makes an unpinned `pip install` refuse and a
 * pinned one install with the reason; removing the whole project takes it off the index (its page,
 * the project list, the group, which does not fall through to the public project of that name)
 * while its name stays the repository's: the old file names are refused, a new version brings the
 * project back. Each is one audit event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWheel, pythonImport, twineUpload, twineVersion } from '../../support/pypi-index/index.ts';
import { adminGet } from '../npm/support.ts';
import { hostedPypiE2e, OLD, printed as out } from './support.ts';

const version = await twineVersion();
const skip = version === null ? 'twine is not installed (apt-get install twine): the hosted pypi end-to-end tests need it' : false;

const BROKEN = 'acme_billing-1.1-py3-none-any.whl';

test('hosted pypi: airlock pypi remove-file, yank-project, unyank-project and remove-project, as pip and twine see them', { skip }, async (t) => {
  const { index, airlock, hosted, publisher, cli, wheelFile, install, page } = await hostedPypiE2e(t);
  // The public index has a project of the same name: the group must never fall through to it.
  const bait = buildWheel({ name: 'acme-billing', version: '9.0' });
  index.addFile('acme-billing', { filename: bait.filename, bytes: bait.bytes, metadata: bait.metadata, uploadTime: OLD });
  const admin = airlock.adminToken;
  const group = `${airlock.url}/python/simple/`;

  // 1.1 has a pure-Python wheel built wrong and a py2 wheel pip on Python 3 never takes.
  const broken = await wheelFile({ name: 'acme-billing', version: '1.1', init: 'VERSION = "1.1 broken"\n' });
  const uploaded = await twineUpload(hosted, publisher, [
    await wheelFile({ name: 'acme-billing', version: '1.0' }),
    broken,
    await wheelFile({ name: 'acme-billing', version: '1.1', tag: 'py2-none-any' }),
    await wheelFile({ name: 'acme-ledger', version: '1.0' }),
  ]);
  assert.equal(uploaded.code, 0, out(uploaded));
  const first = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(first.code, 0, out(first));
  assert.equal(await pythonImport(first.target, 'acme_billing'), '1.1 broken');

  // One file removed: an admin's by default. The release keeps its other file; the removed one is off both formats and its URL.
  const brokenUrl = new URL((await page('acme-billing')).files.find((f) => f.filename === BROKEN)?.url ?? '', `${hosted}simple/acme-billing/`);
  assert.equal((await fetch(brokenUrl)).status, 200);
  const byPublisher = await cli(publisher, 'remove-file', 'internal', 'acme-billing', BROKEN);
  assert.equal(byPublisher.code, 4, out(byPublisher));
  assert.match(out(byPublisher), /needs the admin role/);
  const removedFile = await cli(admin, 'remove-file', 'internal', 'acme-billing', BROKEN);
  assert.equal(removedFile.code, 0, out(removedFile));
  assert.equal(removedFile.stdout, `removed acme-billing 1.1 (${BROKEN}): its file names are never used again\n`);
  const afterFile = await page('acme-billing');
  assert.deepEqual(
    [afterFile.versions, afterFile.files.map((f) => f.filename)],
    [['1.0', '1.1'], ['acme_billing-1.0-py3-none-any.whl', 'acme_billing-1.1-py2-none-any.whl']],
  );
  assert.doesNotMatch(await (await fetch(`${hosted}simple/acme-billing/`)).text(), /acme_billing-1\.1-py3-none-any/, 'not in the HTML page');
  assert.equal((await fetch(brokenUrl)).status, 404, 'the removed file is not served');
  assert.equal((await fetch(`${brokenUrl.href}.metadata`)).status, 404, 'nor its core metadata');
  const withoutIt = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(withoutIt.code, 0, out(withoutIt));
  assert.equal(await pythonImport(withoutIt.target, 'acme_billing'), '1.0', 'no file of 1.1 fits Python 3 any more');
  const again = await twineUpload(hosted, publisher, [broken]);
  assert.notEqual(again.code, 0);
  assert.match(out(again), /This filename has already been used: acme_billing-1\.1-py3-none-any\.whl was uploaded and removed/);
  const removedAgain = await cli(admin, 'remove-file', 'internal', 'acme-billing', BROKEN);
  assert.equal(removedAgain.code, 5, out(removedAgain));
  assert.match(out(removedAgain), /acme_billing-1\.1-py3-none-any\.whl is not a file of acme-billing in internal: it was removed on \S+ by \S+/);
  // The fix is a new file name for the same version: a build tag (PEP 427).
  const rebuilt = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '1.1', build: '1' })]);
  assert.equal(rebuilt.code, 0, out(rebuilt));
  const fixed = await install(`${hosted}simple/`, 'acme-billing');
  assert.equal(fixed.code, 0, out(fixed));
  assert.equal(await pythonImport(fixed.target, 'acme_billing'), '1.1');

  // Every release yanked at once, by a publisher: both formats say so on every file.
  const reason = 'moved to acme-ledger';
  const yanked = await cli(publisher, 'yank-project', 'internal', 'acme-billing', '--reason', reason);
  assert.equal(yanked.code, 0, out(yanked));
  assert.equal(yanked.stdout, `yanked acme-billing, every release (1.0, 1.1; acme_billing-1.0-py3-none-any.whl, acme_billing-1.1-py2-none-any.whl, acme_billing-1.1-1-py3-none-any.whl): ${reason}\n`);
  assert.deepEqual(
    (await page('acme-billing')).files.map((f) => f.yanked),
    [reason, reason, reason],
  );
  const html = await (await fetch(`${hosted}simple/acme-billing/`)).text();
  assert.equal(html.match(/<a [^>]*data-yanked="moved to acme-ledger"/g)?.length, 3, html);
  // pip (PEP 592): with every file yanked, an unpinned requirement finds nothing; a pin installs, saying why it was yanked.
  const unpinned = await install(`${hosted}simple/`, 'acme-billing');
  assert.notEqual(unpinned.code, 0, out(unpinned));
  assert.match(out(unpinned), /No matching distribution found for acme-billing/);
  const pinned = await install(`${hosted}simple/`, 'acme-billing==1.0');
  assert.equal(pinned.code, 0, out(pinned));
  assert.equal(await pythonImport(pinned.target, 'acme_billing'), '1.0');
  assert.match(out(pinned), /yanked version.*Reason for being yanked: moved to acme-ledger/);
  // Undone through the group, which changes projects where it publishes.
  const unyanked = await cli(publisher, 'unyank-project', 'python', 'acme-billing');
  assert.equal(unyanked.code, 0, out(unyanked));
  assert.match(unyanked.stdout, /^unyanked acme-billing, every release \(1\.0, 1\.1; /);
  assert.ok((await page('acme-billing')).files.every((f) => f.yanked === false));

  // The whole project removed, by an admin, with a reason: off the page, the project list and the group, every file URL 404.
  const urls = (await page('acme-billing')).files.map((f) => new URL(f.url, `${hosted}simple/acme-billing/`));
  const projectByPublisher = await cli(publisher, 'remove-project', 'internal', 'acme-billing');
  assert.equal(projectByPublisher.code, 4, out(projectByPublisher));
  const removed = await cli(admin, 'remove-project', 'internal', 'acme-billing', '--reason', 'replaced by acme-ledger');
  assert.equal(removed.code, 0, out(removed));
  assert.match(removed.stdout, /^removed acme-billing, every release \(1\.0, 1\.1; .*\): its file names are never used again; acme-billing stays this repository's name\n$/);
  assert.equal((await fetch(`${hosted}simple/acme-billing/`)).status, 404);
  const list = await (await fetch(`${hosted}simple/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json();
  assert.deepEqual((list as { projects: { name: string }[] }).projects.map((p) => p.name), ['acme-ledger']);
  for (const url of urls) assert.equal((await fetch(url)).status, 404, url.href);
  const throughGroup = await fetch(`${group}acme-billing/`);
  assert.equal(throughGroup.status, 404, 'the group does not fall through to the public acme-billing');
  assert.match(await throughGroup.text(), /acme-billing was unpublished from internal/);
  const gone = await install(group, 'acme-billing');
  assert.notEqual(gone.code, 0);
  assert.match(out(gone), /from versions: none/);
  const removedTwice = await cli(admin, 'remove-project', 'internal', 'acme-billing');
  assert.equal(removedTwice.code, 5, out(removedTwice));
  assert.match(out(removedTwice), /acme-billing has no files in internal: every file of it was removed/);

  // The name stays the repository's: an old file name is refused, a new version brings the project back.
  const old = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '1.0' })]);
  assert.notEqual(old.code, 0);
  assert.match(out(old), /This filename has already been used: acme_billing-1\.0-py3-none-any\.whl/);
  const revived = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '2.0' })]);
  assert.equal(revived.code, 0, out(revived));
  assert.deepEqual((await page('acme-billing')).versions, ['2.0']);
  const back = await install(group, 'acme-billing');
  assert.equal(back.code, 0, out(back));
  assert.equal(await pythonImport(back.target, 'acme_billing'), '2.0');

  // One audit event per change, with who made it and the project's purl for the whole-project ones.
  const audit = (await adminGet(airlock, 'audit?limit=500')) as { items: { action: string; subject: string; actor: string; details: Record<string, unknown> }[] };
  const changes = audit.items.filter((e) => ['package.yank', 'package.unyank', 'package.unpublish'].includes(e.action));
  assert.deepEqual(
    changes.map((e) => [e.action, e.subject, e.details['whole'] ?? false, e.details['reason'] ?? null, (e.details['files'] as unknown[]).length]),
    [
      ['package.unpublish', 'pkg:pypi/acme-billing@1.1', false, null, 1],
      ['package.yank', 'pkg:pypi/acme-billing', true, reason, 3],
      ['package.unyank', 'pkg:pypi/acme-billing', true, null, 3],
      ['package.unpublish', 'pkg:pypi/acme-billing', true, 'replaced by acme-ledger', 3],
    ],
  );
  assert.deepEqual(changes[3]?.details['versions'], ['1.0', '1.1']);
});

test('hosted pypi: a project removal whose body is not JSON, or whose reason is not text, is refused and changes nothing', { skip }, async (t) => {
  const { hosted, airlock, publisher, wheelFile, page } = await hostedPypiE2e(t);
  const uploaded = await twineUpload(hosted, publisher, [await wheelFile({ name: 'acme-billing', version: '1.0' })]);
  assert.equal(uploaded.code, 0, out(uploaded));
  const at = `${hosted}-/projects/acme-billing`;
  const auth = { authorization: `Bearer ${airlock.adminToken}` };
  const notJson = await fetch(at, { method: 'DELETE', headers: auth, body: 'because' });
  assert.equal(notJson.status, 400);
  assert.match(await notJson.text(), /a removal's body is JSON: \{"reason": "…"\}/);
  const notText = await fetch(at, { method: 'DELETE', headers: auth, body: JSON.stringify({ reason: 7 }) });
  assert.equal(notText.status, 400);
  assert.match(await notText.text(), /the removal's reason is a string/);
  const longName = await fetch(`${at}/files/${'a'.repeat(300)}.whl`, { method: 'DELETE', headers: auth });
  assert.equal(longName.status, 400);
  assert.match(await longName.text(), /a file name is 1 to 255 characters/);
  assert.deepEqual((await page('acme-billing')).versions, ['1.0'], 'nothing changed');
});
