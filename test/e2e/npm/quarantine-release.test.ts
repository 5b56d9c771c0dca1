import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { e2e, quarantineIdIn, type E2e, type Project } from './support.ts';

/** A fresh Airlock whose test policy has just quarantined scripted-pkg@1.0.0 for its install script. */
async function heldScriptedPkg(t: TestContext, config?: Record<string, unknown>): Promise<{ s: E2e; p: Project; id: string }> {
  const s = await e2e(config === undefined ? {} : { config });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /scripted-pkg@1\.0\.0 is quarantined by Airlock: the tarball runs install scripts \[test\.scripts\]\. Quarantine id (\S+); to use it, ask an approver to review it: airlock quarantine release/);
  return { s, p, id: quarantineIdIn(held.output) };
}

test('quarantine → airlock quarantine release (the CLI) → the same install succeeds', async (t) => {
  const { s, p, id } = await heldScriptedPkg(t);
  const list = await s.cli(['quarantine', 'list', '--format', 'json']);
  assert.equal(list.code, 0, list.output);
  const records = JSON.parse(list.stdout) as Array<{ id: string; purl: string; state: string; reasons: Array<{ message: string }> }>;
  assert.deepEqual(records.map((r) => [r.id, r.purl, r.state]), [[id, 'pkg:npm/scripted-pkg@1.0.0', 'quarantined']]);

  const release = await s.cli(['quarantine', 'release', id, '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);

  const again = await p.npm(['install', 'scripted-pkg']);
  assert.equal(again.code, 0, again.output);
  assert.equal((await p.readJson('node_modules/scripted-pkg/package.json'))['version'], '1.0.0');
});

test('quarantine → airlock quarantine reject (the CLI) → npm names the rejection and its reason, resolving or by tarball URL', async (t) => {
  const { s, p, id } = await heldScriptedPkg(t);
  const reject = await s.cli(['quarantine', 'reject', id, '--reason', 'the postinstall downloads a binary']);
  assert.equal(reject.code, 0, reject.output);

  // Resolving: the version is withheld from the packument, and npm prints why.
  const resolving = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(resolving.code, 0);
  assert.match(resolving.output, /scripted-pkg@1\.0\.0 is blocked by Airlock policy: .*rejected by a reviewer.*the postinstall downloads a binary/);

  // By its tarball URL, as a lockfile's `resolved` names it: the download itself is refused,
  // naming the reviewer's reason and the review once each.
  const tarball = `${s.registry}scripted-pkg/-/scripted-pkg-1.0.0.tgz`;
  const locked = await p.npm(['install', tarball]);
  assert.notEqual(locked.code, 0);
  const refusal = /scripted-pkg@1\.0\.0 is blocked by Airlock: rejected by a reviewer by \S+: the postinstall downloads a binary \(quarantine (\S+)\) \[airlock\.rejected\]/.exec(locked.output);
  assert.equal(refusal?.[1], id, locked.output);
  assert.equal(locked.output.split(id).length, 2, `the quarantine id once: ${locked.output}`);
});

test('a release covers the bytes that were reviewed: when the upstream serves other bytes for the released version, they are held again', async (t) => {
  const { s, p: first, id } = await heldScriptedPkg(t, { repository: { metadataMaxAge: '0s' } });
  const release = await s.cli(['quarantine', 'release', id, '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);
  assert.equal((await first.npm(['install', 'scripted-pkg'])).code, 0);

  // The upstream (an internal registry that allows it) republishes 1.0.0 with another postinstall.
  const marker = join(s.tmp, 'republished-postinstall-ran');
  s.env.registry.addVersions('scripted-pkg', [{ version: '1.0.0', manifest: { scripts: { postinstall: `node -e "require('fs').writeFileSync('${marker}', 'x')"` } } }]);

  const second = await s.project();
  const again = await second.npm(['install', 'scripted-pkg@1.0.0']);
  assert.notEqual(again.code, 0, again.output);
  assert.equal(existsSync(marker), false, 'the republished postinstall never ran');
  const newId = quarantineIdIn(again.output);
  assert.notEqual(newId, '', again.output);
  assert.notEqual(newId, id);
  assert.match(again.output, new RegExp(`scripted-pkg@1\\.0\\.0 is quarantined by Airlock: the tarball runs install scripts \\[test\\.scripts\\]; its bytes \\(sha256:[0-9a-f]{16}…\\) are not the ones released as quarantine ${id} \\(sha256:[0-9a-f]{16}…\\), and these have not been reviewed \\(the upstream replaced them, or they are another file of the version\\) \\[airlock\\.release_other_content\\]`));

  // The new record names the bytes it holds; releasing it lets them through, as any review does.
  const contentOf = async (q: string): Promise<unknown> => (JSON.parse((await s.cli(['quarantine', 'show', q, '--format', 'json'])).stdout) as { contentDigest: unknown }).contentDigest;
  const [before, after] = [await contentOf(id), await contentOf(newId)];
  assert.match(String(after), /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(after, before);
  assert.equal((await s.cli(['quarantine', 'release', newId, '--reason', 'the new postinstall was read'])).code, 0);
  assert.equal((await second.npm(['install', 'scripted-pkg@1.0.0'])).code, 0);
  assert.equal(existsSync(marker), true, 'the released bytes were installed, and their postinstall ran');
});
