/**
 * Known-malicious feeds with the real npm client and the default policy: `airlock feeds import`
 * of the 2025 supplement (chalk/debug "qix", Shai-Hulud's @ctrl/tinycolor …) and of an OSV
 * directory, into the data directory of a RUNNING gateway. The gateway notices the import at
 * once (no restart): the packuments' ETags change, the exact malicious versions are blocked, and
 * the rest of a compromised popular package stays installable — even where the record also
 * carries an "every version" range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { airlockCli, daysAgo, eventually, OSV_NPM, signalsE2e, SUPPLEMENT_2025 } from './support.ts';

async function etagOf(url: string): Promise<string | null> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.headers.get('etag');
}

test('feeds import: exact malicious versions blocked at once; compromised popular packages keep their other versions', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'chalk', versions: [{ version: '5.5.0', publishedAt: daysAgo(400) }, { version: '5.6.0', publishedAt: daysAgo(30) }, { version: '5.6.1', publishedAt: daysAgo(10) }] },
      {
        name: '@ctrl/tinycolor',
        versions: [
          { version: '4.0.0', publishedAt: daysAgo(500) },
          { version: '4.1.0', publishedAt: daysAgo(30) },
          { version: '4.1.1', publishedAt: daysAgo(10) },
          { version: '4.1.2', publishedAt: daysAgo(9) },
        ],
      },
      { name: 'angularanijmate', versions: [{ version: '1.0.0', publishedAt: daysAgo(900) }] },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();

  const before = await p.npm(['install', 'chalk', '@ctrl/tinycolor', 'angularanijmate']);
  assert.equal(before.code, 0, before.output);
  assert.equal((await p.readJson('node_modules/chalk/package.json'))['version'], '5.6.1');
  assert.equal((await p.readJson('node_modules/@ctrl/tinycolor/package.json'))['version'], '4.1.2');
  const chalkEtag = await etagOf(`${s.registryUrl}chalk`);

  const env = {};
  for (const feed of [SUPPLEMENT_2025, OSV_NPM]) {
    const imported = await airlockCli(['feeds', 'import', feed, '--data-dir', s.airlock.dataDir], env);
    assert.equal(imported.code, 0, imported.output);
    assert.match(imported.stdout, /imported \d+ advisories/);
  }

  // No restart: the running gateway sees the new feed revision and re-judges.
  await eventually('the chalk packument to change', async () => ((await etagOf(`${s.registryUrl}chalk`)) !== chalkEtag ? true : undefined));

  const chalk = await p.npm(['install', 'chalk@5.6.1']);
  assert.notEqual(chalk.code, 0);
  assert.match(chalk.output, /chalk@5\.6\.1 is blocked by Airlock policy: chalk@5\.6\.1 is listed as malicious \(MAL-2025-46969\) \[malicious\.version\]/);
  const chalkLatest = await p.npm(['install', 'chalk@latest']);
  assert.equal(chalkLatest.code, 0, chalkLatest.output);
  assert.equal((await p.readJson('node_modules/chalk/package.json'))['version'], '5.6.0', 'latest moves to the newest allowed version');
  const chalkOld = await p.npm(['install', 'chalk@5.5.0']);
  assert.equal(chalkOld.code, 0, chalkOld.output);

  // @ctrl/tinycolor: "every version" next to 4.1.1–4.1.2. Only those are blocked.
  for (const v of ['4.1.1', '4.1.2']) {
    const r = await p.npm(['install', `@ctrl/tinycolor@${v}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, new RegExp(`@ctrl/tinycolor@${v.replaceAll('.', '\\.')} is blocked by Airlock policy: .*MAL-2025-47141.* \\[malicious\\.version\\]`));
  }
  const tiny = await p.npm(['install', '@ctrl/tinycolor@latest']);
  assert.equal(tiny.code, 0, tiny.output);
  assert.equal((await p.readJson('node_modules/@ctrl/tinycolor/package.json'))['version'], '4.1.0', 'versions from before the compromise stay installable');
  const tinyOld = await p.npm(['install', '@ctrl/tinycolor@4.0.0']);
  assert.equal(tinyOld.code, 0, tinyOld.output);

  const check = await s.api<{ verdict: string; warnings: { rule: string; message: string }[]; facts: { malicious: Record<string, unknown> } }>(
    'GET',
    `check?purl=${encodeURIComponent('pkg:npm/@ctrl/tinycolor@4.1.0')}`,
  );
  assert.equal(check.body.verdict, 'allow');
  assert.ok(check.body.warnings.some((w) => w.rule === 'malicious.predates_compromise' && /names 4\.1\.1, 4\.1\.2/.test(w.message)), JSON.stringify(check.body.warnings));
  assert.deepEqual(
    [check.body.facts.malicious['all_versions'], check.body.facts.malicious['version_listed'], check.body.facts.malicious['predates_listed']],
    [true, false, true],
  );

  // A package malicious from the start (an OSV record from the directory import): every version blocked.
  const mal = await p.npm(['install', 'angularanijmate@1.0.0']);
  assert.notEqual(mal.code, 0);
  assert.match(mal.output, /angularanijmate@1\.0\.0 is blocked by Airlock policy: every version of angularanijmate is listed as malicious \(MAL-2022-1011\) \[malicious\.all_versions\]/);

  // The imports are in the audit trail.
  const audit = await s.api<{ items: { action: string; details: { origin: string } }[] }>('GET', 'audit?limit=500');
  const imports = audit.body.items.filter((e) => e.action === 'feeds.import').map((e) => e.details.origin);
  assert.deepEqual(imports, [SUPPLEMENT_2025, OSV_NPM]);
});
