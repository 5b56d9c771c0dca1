/**
 * The cooldown's fast lane with the real npm client: a fix release published right after a
 * known-malicious one skips the cooldown once the feed says the predecessor is malicious —
 * without the feed both young releases are held back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, daysAgo, eventually, signalsE2e, SUPPLEMENT_2025 } from './support.ts';

test('fast lane: the fix of a known-malicious release skips the cooldown when the feed knows it', async (t) => {
  const s = await signalsE2e({
    packages: [
      {
        name: 'chalk',
        versions: [
          { version: '5.6.0', publishedAt: daysAgo(30) },
          { version: '5.6.1', publishedAt: daysAgo(2) },
          { version: '5.6.2', publishedAt: daysAgo(1) },
        ],
      },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();

  const cooled = await p.npm(['install', 'chalk@latest']);
  assert.equal(cooled.code, 0, cooled.output);
  assert.equal((await p.readJson('node_modules/chalk/package.json'))['version'], '5.6.0', 'both young releases are in the cooldown');
  const before = await s.api<{ verdict: string; decidedBy: string[] }>('GET', `check?purl=${encodeURIComponent('pkg:npm/chalk@5.6.2')}`);
  assert.deepEqual([before.body.verdict, before.body.decidedBy], ['quarantine', ['cooldown']]);

  const imported = await airlockCli(['feeds', 'import', SUPPLEMENT_2025, '--data-dir', s.airlock.dataDir], {});
  assert.equal(imported.code, 0, imported.output);

  const after = await eventually('the feed to reach the gate', async () => {
    const r = await s.api<{ verdict: string; warnings: { rule: string; message: string }[]; facts: { malicious: Record<string, unknown> } }>(
      'GET',
      `check?purl=${encodeURIComponent('pkg:npm/chalk@5.6.2')}`,
    );
    return r.body.verdict === 'allow' ? r.body : undefined;
  });
  assert.ok(after.warnings.some((w) => w.rule === 'cooldown.fast_lane' && /follows chalk@5\.6\.1/.test(w.message)), JSON.stringify(after.warnings));
  assert.deepEqual([after.facts.malicious['previous_version'], after.facts.malicious['previous_version_listed']], ['5.6.1', true]);

  const fixed = await p.npm(['install', 'chalk@latest']);
  assert.equal(fixed.code, 0, fixed.output);
  assert.equal((await p.readJson('node_modules/chalk/package.json'))['version'], '5.6.2', 'the fix is installable at once');
  const malicious = await p.npm(['install', 'chalk@5.6.1']);
  assert.notEqual(malicious.code, 0);
  assert.match(malicious.output, /chalk@5\.6\.1 is blocked by Airlock policy: chalk@5\.6\.1 is listed as malicious \(MAL-2025-46969\)/);
});
