/**
 * The review UI in a real browser (headless Chromium over the DevTools protocol): log in with a
 * token, pick a quarantined version, release it, and see the store change; compare a held
 * version's files with the release before it. Skipped when no Chromium is installed
 * (`apt-get install chromium`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, inChromium, until, type Cdp } from '../support/chromium.ts';
import { REVIEW_POLICY, anonymousRequest, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { FIXTURE_PACKAGES, npmTestEnv } from '../npm/helpers.ts';
import { newId } from '../../src/core/index.ts';
import { importOsvFeed } from '../../src/signals/index.ts';
import { writeFile } from 'node:fs/promises';

/** Logs in with `token` and opens the first record of the list. */
async function openFirstRecord(cdp: Cdp, token: string): Promise<void> {
  await cdp.evaluate(`document.getElementById('token').value = ${JSON.stringify(token)}; document.getElementById('login').requestSubmit()`);
  await until(cdp, `document.querySelectorAll('#records tbody tr').length === 1`, 'the quarantine list');
  await cdp.evaluate(`document.querySelector('#records tbody tr').click()`);
}

test('review UI: log in, inspect a quarantined version, release it', { skip: CHROMIUM === undefined ? 'no Chromium installed' : false }, async () => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const a = await startAirlock({ config: { repositories: [], policy: { paths: [policyDir] } } });
  try {
    const q = await a.app.airlock.gate.judgeArtifact(npmCandidate('held-ui', '1.0.0', { published_at: '2020-01-01T00:00:00Z' }), anonymousRequest);
    await inChromium(a.url, async (cdp) => {
      await openFirstRecord(cdp, a.adminToken);
      assert.equal(await cdp.evaluate(`document.getElementById('who').textContent`), 'admin (configured admin token)');
      await until(cdp, `document.getElementById('d-state').textContent === 'quarantined'`, 'the detail view');
      assert.equal(await cdp.evaluate(`document.getElementById('d-reasons').textContent`), 'held-ui is held for review [held]');
      assert.match(String(await cdp.evaluate(`document.getElementById('d-facts').textContent`)), /"published_at": "2020-01-01T00:00:00Z"/);
      await cdp.evaluate(
        `document.getElementById('r-reason').value = 'reviewed in the UI'; document.getElementById('r-expires').value = '7d'; document.getElementById('review').requestSubmit(document.querySelector('button[data-action=release]'))`,
      );
      await until(cdp, `document.getElementById('d-state').textContent === 'released'`, 'the release');
    });
    const rec = await a.app.airlock.quarantine.get(q.quarantineId as string);
    assert.equal(rec.state, 'released');
    assert.equal(rec.decisionReason, 'reviewed in the UI');
    assert.ok(rec.expiresAt !== null);
  } finally {
    await a.close();
    await rm(policyDir, { recursive: true, force: true });
  }
});

test('review UI: compare a held version with the release before it', { skip: CHROMIUM === undefined ? 'no Chromium installed' : false }, async () => {
  const env = await npmTestEnv([
    ...FIXTURE_PACKAGES,
    {
      name: 'scripted-ui',
      versions: [
        { version: '1.0.0', publishedAt: '2024-01-01T00:00:00.000Z', files: [{ path: 'lib/old.js', content: 'old\n' }] },
        { version: '1.1.0', publishedAt: '2024-02-01T00:00:00.000Z', manifest: { scripts: { preinstall: 'node setup.js' } }, files: [{ path: 'setup.js', content: 'fetch("http://203.0.113.5/")\n' }] },
      ],
    },
  ]);
  const a = await startAirlock({ config: env.config() });
  try {
    // The test policy holds a scripted- package's version whose tarball runs install scripts.
    assert.equal((await fetch(`${a.url}/npm/scripted-ui/-/scripted-ui-1.1.0.tgz`)).status, 403);
    await inChromium(a.url, async (cdp) => {
      await openFirstRecord(cdp, a.adminToken);
      await until(cdp, `document.getElementById('d-purl').textContent === 'pkg:npm/scripted-ui@1.1.0'`, 'the detail view');
      await cdp.evaluate(`document.getElementById('c-load').click()`);
      await until(cdp, `document.getElementById('c-summary').textContent.startsWith('against 1.0.0')`, 'the comparison');
      assert.equal(
        await cdp.evaluate(`document.getElementById('c-summary').textContent`),
        'against 1.0.0: 1 added, 1 removed, 2 changed, 0 unchanged; install scripts: none → preinstall: node setup.js',
      );
      const items = (await cdp.evaluate(`[...document.querySelectorAll('#c-files li')].map((li) => li.textContent)`)) as string[];
      assert.equal(items[0], '+ setup.js (29 bytes)');
      assert.equal(items[1], '− lib/old.js (4 bytes)');
      assert.deepEqual(items.slice(2).map((t) => t.split(' (')[0]), ['~ index.js', '~ package.json']);
      // A file's line diff, on click.
      await cdp.evaluate(`document.querySelectorAll('#c-files li')[3].click()`);
      await until(cdp, `document.getElementById('c-diff').textContent.startsWith('--- a/package.json')`, 'the diff');
      const added = (await cdp.evaluate(`[...document.querySelectorAll('#c-diff .added')].map((s) => s.textContent)`)) as string[];
      assert.ok(added.some((l) => l.includes('"preinstall": "node setup.js"')), added.join(''));
    });
  } finally {
    await a.close();
    await env.close();
  }
});

test('review UI: the known vulnerabilities of a held version, and the held versions advisories include', { skip: CHROMIUM === undefined ? 'no Chromium installed' : false }, async () => {
  const env = await npmTestEnv([
    ...FIXTURE_PACKAGES,
    { name: 'scripted-vuln', versions: [{ version: '2.0.0', publishedAt: '2024-02-01T00:00:00.000Z', manifest: { scripts: { preinstall: 'node setup.js' } }, files: [{ path: 'setup.js', content: '1\n' }] }] },
  ]);
  const a = await startAirlock({ config: env.config() });
  const feed = await mkdtemp(join(tmpdir(), 'airlock-ui-feed-'));
  try {
    await writeFile(
      join(feed, 'GHSA-2q8v-3gqq-4f8p.json'),
      JSON.stringify({
        id: 'GHSA-2q8v-3gqq-4f8p',
        modified: '2026-01-05T00:00:00Z',
        aliases: ['CVE-2026-1111'],
        summary: 'scripted-vuln evaluates untrusted templates',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [{ package: { ecosystem: 'npm', name: 'scripted-vuln' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }] }],
        database_specific: { severity: 'CRITICAL' },
      }),
    );
    await importOsvFeed(a.app.airlock.storage.signals, feed, { source: 'osv', importedBy: 'test', now: new Date(), newId: () => newId() });
    // The test policy holds it for its install script; the record's facts carry the advisory.
    assert.equal((await fetch(`${a.url}/npm/scripted-vuln/-/scripted-vuln-2.0.0.tgz`)).status, 403);
    await inChromium(a.url, async (cdp) => {
      await openFirstRecord(cdp, a.adminToken);
      await until(cdp, `document.getElementById('d-purl').textContent === 'pkg:npm/scripted-vuln@2.0.0'`, 'the detail view');
      assert.equal(await cdp.evaluate(`document.getElementById('d-vulns').hidden`), false);
      assert.equal(
        await cdp.evaluate(`document.getElementById('d-vuln-list').textContent`),
        'GHSA-2q8v-3gqq-4f8p (CVE-2026-1111) critical (CVSS 9.8), fixed in 2.0.1: scripted-vuln evaluates untrusted templates',
      );
      assert.equal(await cdp.evaluate(`document.querySelector('#d-vuln-list a').href`), 'https://github.com/advisories/GHSA-2q8v-3gqq-4f8p');
      // The held versions advisories include: its bytes are held (waiting for a reviewer).
      await cdp.evaluate(`document.querySelector('#states button[data-view=vulnerable]').click()`);
      await until(cdp, `document.querySelector('#records thead th')?.textContent === 'Package' && document.querySelectorAll('#records thead th').length === 5`, 'the vulnerable view');
      await until(cdp, `document.querySelectorAll('#records tbody tr').length === 1`, 'the held vulnerable version');
      const row = (await cdp.evaluate(`[...document.querySelectorAll('#records tbody td')].map((td) => td.textContent)`)) as string[];
      assert.deepEqual(row.slice(0, 4), ['scripted-vuln@2.0.0 (npm)', 'critical (9.8)', 'GHSA-2q8v-3gqq-4f8p', '2.0.1']);
      assert.equal(await cdp.evaluate(`document.getElementById('status').textContent`), '1 held version(s) with known vulnerabilities');
      // Back to the records.
      await cdp.evaluate(`document.querySelector('#states button[data-state=quarantined]').click()`);
      await until(cdp, `document.querySelectorAll('#records thead th').length === 3`, 'the quarantine list again');
    });
  } finally {
    await a.close();
    await env.close();
    await rm(feed, { recursive: true, force: true });
  }
});
