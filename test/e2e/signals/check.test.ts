/**
 * The pre-flight check with the real CLI against a running gateway and the default policy:
 * `airlock check npm NAME[@VERSION]` and `GET /-/api/check?purl=…` print the verdict with every
 * fact and the rule that decided; `airlock check --lockfile package-lock.json` judges a whole
 * lockfile in one call (table and `--format json`), with the exit status CI needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clients, SKIP_CLIENTS } from '../npm/other-clients.ts';
import { cleanEnv, run } from '../npm/support.ts';
import { daysAgo, outsideServer, signalsE2e } from './support.ts';

interface Result {
  name: string;
  version: string | null;
  status: string;
  verdict: string | null;
  decidedBy: string[];
  reasons: { rule?: string; message: string }[];
  facts: Record<string, unknown> | null;
  resolvesTo: string | null;
}

test('airlock check and GET /-/api/check: the verdict, every fact and the deciding rule', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'lodahs', versions: [{ version: '4.17.21', publishedAt: daysAgo(5) }] },
      { name: 'lodash', versions: [{ version: '4.17.20', publishedAt: daysAgo(400) }, { version: '4.17.21', publishedAt: daysAgo(1) }] },
    ],
  });
  t.after(() => s.close());

  const text = await s.cli(['check', 'npm', 'lodahs@4.17.21']);
  assert.equal(text.code, 1, 'not allowed: exit 1 for CI');
  assert.match(text.stdout, /^lodahs@4\.17\.21 \(pkg:npm\/lodahs@4\.17\.21\): QUARANTINE — decided by lookalike\.young$/m);
  assert.match(text.stdout, /reasons:\n {4}- lodahs looks like lodash \(transposition, score 0\.\d+\); the package is 5 days old \[lookalike\.young\]/);
  for (const fact of ['age', 'install_behaviour', 'lookalike', 'malicious', 'name', 'publisher_changes', 'requested_while_missing', 'published_at', 'install_scripts']) {
    assert.match(text.stdout, new RegExp(`^ {4}${fact}: `, 'm'), `fact ${fact} is printed`);
  }

  // Without a version: the upstream's latest is judged, and what `latest` resolves to through Airlock is shown.
  const json = await s.cli(['check', 'npm', 'lodash', '--format', 'json']);
  assert.equal(json.code, 1, json.output);
  const latest = JSON.parse(json.stdout) as Result;
  assert.deepEqual([latest.version, latest.verdict, latest.decidedBy, latest.resolvesTo], ['4.17.21', 'quarantine', ['cooldown'], '4.17.20']);
  const popular = await s.api<Result>('GET', `check?purl=${encodeURIComponent('pkg:npm/lodash@4.17.20')}`);
  assert.equal(popular.status, 200);
  assert.equal(popular.body.verdict, 'allow');
  assert.equal((popular.body.facts?.['name'] as { popular: boolean }).popular, true);
  const api = await s.api<Result>('GET', `check?purl=${encodeURIComponent('pkg:npm/lodahs@4.17.21')}`);
  assert.deepEqual([api.body.status, api.body.verdict, api.body.decidedBy], ['judged', 'quarantine', ['lookalike.young']]);
  assert.equal((api.body.facts?.['lookalike'] as { closest: string }).closest, 'lodash');

  const unknown = await s.cli(['check', 'npm', 'no-such-package-anywhere@1.0.0']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /NOT FOUND/);
  const denied = await fetch(`${s.airlock.url}/-/api/check?purl=${encodeURIComponent('pkg:npm/lodash@4.17.21')}`);
  assert.equal(denied.status, 401, 'the check needs a token');
});

test('airlock check --lockfile: a whole lockfile in one call, as a table and as JSON', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'lodash', versions: [{ version: '4.17.21', publishedAt: daysAgo(400) }] },
      { name: 'lodahs', versions: [{ version: '4.17.21', publishedAt: daysAgo(5) }] },
      { name: 'zephyr-cooldown-demo', versions: [{ version: '1.0.0', publishedAt: daysAgo(400) }, { version: '1.1.0', publishedAt: daysAgo(1) }] },
      { name: '@acme/widget', versions: [{ version: '2.0.0', publishedAt: daysAgo(100) }] },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();
  const lockfile = {
    name: 'e2e-project',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'e2e-project', version: '1.0.0' },
      'node_modules/lodash': { version: '4.17.21' },
      'node_modules/lodahs': { version: '4.17.21' },
      'node_modules/zephyr-cooldown-demo': { version: '1.1.0' },
      'node_modules/widget-alias': { name: '@acme/widget', version: '2.0.0' },
      'node_modules/@acme/widget': { version: '2.0.0' },
      'node_modules/vanished-helper': { version: '1.0.0' },
      'node_modules/from-git': { version: '1.0.0', resolved: 'git+ssh://git@example.invalid/x.git#abc' },
      'packages/local': { version: '0.0.0' },
      'node_modules/local': { link: true, resolved: 'packages/local' },
    },
  };
  await writeFile(join(p.dir, 'package-lock.json'), JSON.stringify(lockfile));

  const table = await s.cli(['check', '--lockfile', join(p.dir, 'package-lock.json')]);
  assert.equal(table.code, 1, table.output);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^PACKAGE\s+VERSION\s+VERDICT\s+DECIDED BY\s+REASON$/);
  assert.match(table.stdout, /^lodahs\s+4\.17\.21\s+QUARANTINE\s+lookalike\.young\s+lodahs looks like lodash/m);
  assert.match(table.stdout, /^zephyr-cooldown-demo\s+1\.1\.0\s+QUARANTINE\s+cooldown\s+/m);
  assert.match(table.stdout, /^vanished-helper\s+1\.0\.0\s+NOT FOUND\s+/m);
  assert.match(table.stdout, /^lodash\s+4\.17\.21\s+ALLOW/m);
  assert.match(table.stdout, /^@acme\/widget\s+2\.0\.0\s+ALLOW/m);
  assert.match(lines[lines.length - 1] ?? '', /^2 allow, 2 quarantine, 0 block, 1 not found, 0 error; 3 lockfile entries are not registry packages \(skipped\)$/);

  const json = await s.cli(['check', '--lockfile', join(p.dir, 'package-lock.json'), '--format', 'json']);
  assert.equal(json.code, 1);
  const out = JSON.parse(json.stdout) as { summary: Record<string, number>; results: Result[]; skipped: { path: string; why: string }[] };
  assert.deepEqual(out.summary, { allow: 2, quarantine: 2, block: 0, notFound: 1, error: 0 });
  assert.deepEqual(out.results.map((r) => `${r.name}@${r.version ?? ''}:${r.verdict ?? r.status}`), [
    'lodash@4.17.21:allow',
    'lodahs@4.17.21:quarantine',
    'zephyr-cooldown-demo@1.1.0:quarantine',
    '@acme/widget@2.0.0:allow',
    'vanished-helper@:package-not-found',
  ]);
  assert.deepEqual(out.skipped.map((x) => x.path).sort(), ['node_modules/from-git', 'node_modules/local', 'packages/local']);
  assert.ok(out.results.every((r) => r.status !== 'judged' || (r.facts !== null && 'malicious' in r.facts)), 'every judged result carries its facts');

  const missing = await s.api<{ items: { name: string }[] }>('GET', 'signals/missing');
  assert.ok(missing.body.items.some((i) => i.name === 'vanished-helper'), 'a name the lockfile asks for that does not exist upstream trips the wire');
});

test('airlock check --lockfile: an entry that npm ci would download from another server, or from another package\'s tarball, is reported', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'tiny-lib', versions: [{ version: '1.0.0', publishedAt: daysAgo(400) }] },
      { name: 'other-lib', versions: [{ version: '1.0.0', publishedAt: daysAgo(400) }] },
    ],
  });
  t.after(() => s.close());
  // A lockfile npm writes through Airlock: every entry resolved to Airlock's own URLs.
  const p = await s.project();
  const installed = await p.npm(['install', 'tiny-lib', 'other-lib']);
  assert.equal(installed.code, 0, installed.output);
  const lockPath = join(p.dir, 'package-lock.json');
  const clean = await s.cli(['check', '--lockfile', lockPath]);
  assert.equal(clean.code, 0, clean.output);
  assert.doesNotMatch(clean.stdout, /outside the registry/);
  // Set up as the README says (http://localhost:PORT/npm/), npm writes that name into the
  // lockfile; the check's server is 127.0.0.1 (its default): both are this machine's loopback.
  const viaLocalhost = await s.project();
  const local = await viaLocalhost.npm(['install', 'tiny-lib', 'other-lib'], { registry: s.registryUrl.replace('//127.0.0.1:', '//localhost:') });
  assert.equal(local.code, 0, local.output);
  const localLock = join(viaLocalhost.dir, 'package-lock.json');
  assert.match(await readFile(localLock, 'utf8'), /"resolved": "http:\/\/localhost:\d+\/npm\/tiny-lib\/-\/tiny-lib-1\.0\.0\.tgz"/);
  const viaName = await s.cli(['check', '--lockfile', localLock]);
  assert.equal(viaName.code, 0, viaName.output);
  assert.doesNotMatch(viaName.stdout, /outside the registry/);

  // Lockfile injection: the same name and version, from another server (with that tarball's integrity).
  const side = await outsideServer(t, 'tiny-lib');
  const lock = JSON.parse(await readFile(lockPath, 'utf8')) as { packages: Record<string, { resolved: string; integrity: string; hasInstallScript?: boolean }> };
  const tiny = lock.packages['node_modules/tiny-lib'];
  const other = lock.packages['node_modules/other-lib'];
  assert.ok(tiny !== undefined && other !== undefined);
  tiny.resolved = side.url;
  tiny.integrity = side.integrity;
  // npm ci runs an entry's install scripts when its lockfile entry says it has them.
  tiny.hasInstallScript = true;
  await writeFile(lockPath, JSON.stringify(lock));
  // What that does: npm ci downloads tiny-lib from there and runs its postinstall, past Airlock.
  await rm(join(p.dir, 'node_modules'), { recursive: true, force: true });
  const ci = await p.npm(['ci']);
  assert.equal(ci.code, 0, ci.output);
  assert.deepEqual(side.asked, ['/tiny-lib-1.0.0.tgz']);
  assert.equal(existsSync(join(p.dir, 'node_modules/tiny-lib/OUTSIDE_RAN')), true);

  // Another package's tarball under this one's name, from Airlock itself.
  other.resolved = other.resolved.replace(/other-lib\/-\/other-lib-1\.0\.0\.tgz$/, 'tiny-lib/-/tiny-lib-1.0.0.tgz');
  await writeFile(lockPath, JSON.stringify(lock));
  const table = await s.cli(['check', '--lockfile', lockPath]);
  assert.equal(table.code, 1, table.output);
  assert.match(table.stdout, /^2 lockfile entries are downloaded from outside the registry, past Airlock:$/m);
  assert.match(table.stdout, /^ {2}node_modules\/tiny-lib \(tiny-lib@1\.0\.0\): downloaded from http:\/\/127\.0\.0\.1:\d+, not the registry$/m);
  assert.match(table.stdout, /^ {2}node_modules\/other-lib \(other-lib@1\.0\.0\): resolved to tiny-lib\/-\/tiny-lib-1\.0\.0\.tgz, not other-lib@1\.0\.0's tarball$/m);
  const json = await s.cli(['check', '--lockfile', lockPath, '--format', 'json']);
  assert.equal(json.code, 1);
  assert.deepEqual((JSON.parse(json.stdout) as { outside: { path: string }[] }).outside.map((o) => o.path), ['node_modules/other-lib', 'node_modules/tiny-lib']);
  // A base the caller adds (this server under another name, say) is the registry's, but an entry
  // there must still name its own tarball the registry's way.
  const moved = await s.cli(['check', '--lockfile', lockPath, '--registry', `http://127.0.0.1:${new URL(side.url).port}/`, '--format', 'json']);
  assert.deepEqual((JSON.parse(moved.stdout) as { outside: { path: string; why: string }[] }).outside.map((o) => `${o.path}: ${o.why}`), [
    "node_modules/other-lib: resolved to tiny-lib/-/tiny-lib-1.0.0.tgz, not other-lib@1.0.0's tarball",
    "node_modules/tiny-lib: resolved to tiny-lib-1.0.0.tgz, not tiny-lib@1.0.0's tarball",
  ]);
});

test('airlock check --lockfile with pnpm and yarn 1 lockfiles: the packages judged, and an entry moved to another server reported', { skip: SKIP_CLIENTS }, async (t) => {
  const { pnpm, yarnClassic } = await clients();
  const s = await signalsE2e({
    packages: [
      { name: 'tiny-lib', versions: [{ version: '1.0.0', publishedAt: daysAgo(400), manifest: { dependencies: { '@acme/dep': '^2.0.0' } } }] },
      { name: '@acme/dep', versions: [{ version: '2.0.0', publishedAt: daysAgo(400) }] },
    ],
  });
  t.after(() => s.close());
  const side = await outsideServer(t, 'tiny-lib');

  // pnpm: the lockfile names no URL for a registry package; one with a tarball URL is downloaded from there.
  const viaPnpm = await s.project();
  const pnpmArgs = ['--registry', s.registryUrl, '--store-dir', join(viaPnpm.dir, '.pnpm-store')];
  const added = await run(process.execPath, [pnpm, 'add', 'tiny-lib', ...pnpmArgs], { cwd: viaPnpm.dir, env: cleanEnv({ HOME: viaPnpm.dir }) });
  assert.equal(added.code, 0, added.output);
  const pnpmLock = join(viaPnpm.dir, 'pnpm-lock.yaml');
  const cleanPnpm = await s.cli(['check', '--lockfile', pnpmLock, '--format', 'json']);
  assert.equal(cleanPnpm.code, 0, cleanPnpm.output);
  assert.deepEqual((JSON.parse(cleanPnpm.stdout) as { results: { name: string; verdict: string }[] }).results.map((r) => `${r.name}:${r.verdict}`).sort(), ['@acme/dep:allow', 'tiny-lib:allow']);
  const lock = await readFile(pnpmLock, 'utf8');
  const moved = lock.replace(/(\n {2}tiny-lib@1\.0\.0:\n {4}resolution: \{)integrity: [^}]+\}/, `$1integrity: ${side.integrity}, tarball: ${side.url}}`);
  assert.notEqual(moved, lock);
  await writeFile(pnpmLock, moved);
  const pnpmOut = await s.cli(['check', '--lockfile', pnpmLock]);
  assert.equal(pnpmOut.code, 1, pnpmOut.output);
  assert.match(pnpmOut.stdout, /^ {2}tiny-lib@1\.0\.0 \(tiny-lib@1\.0\.0\): downloaded from http:\/\/127\.0\.0\.1:\d+, not the registry$/m);
  // What pnpm does with it: downloads tiny-lib from there (a fresh store, so nothing is reused).
  await rm(join(viaPnpm.dir, 'node_modules'), { recursive: true, force: true });
  const pnpmFrozen = await run(process.execPath, [pnpm, 'install', '--frozen-lockfile', '--registry', s.registryUrl, '--store-dir', join(viaPnpm.dir, '.pnpm-store-2')], { cwd: viaPnpm.dir, env: cleanEnv({ HOME: viaPnpm.dir }) });
  assert.equal(pnpmFrozen.code, 0, pnpmFrozen.output);
  assert.deepEqual(side.asked, ['/tiny-lib-1.0.0.tgz']);

  // yarn 1: every entry's resolved URL is in the lockfile.
  const viaYarn = await s.project();
  const yarnArgs = ['--registry', s.registryUrl, '--cache-folder', join(viaYarn.dir, '.yarn-cache'), '--non-interactive'];
  const yadded = await run(process.execPath, [yarnClassic, 'add', 'tiny-lib', ...yarnArgs], { cwd: viaYarn.dir, env: cleanEnv({ HOME: viaYarn.dir }) });
  assert.equal(yadded.code, 0, yadded.output);
  const yarnLock = join(viaYarn.dir, 'yarn.lock');
  assert.equal((await s.cli(['check', '--lockfile', yarnLock])).code, 0);
  const ylock = await readFile(yarnLock, 'utf8');
  const ymoved = ylock.replace(/resolved "[^"]*tiny-lib-1\.0\.0\.tgz[^"]*"\n {2}integrity \S+/, `resolved "${side.url}"\n  integrity ${side.integrity}`);
  assert.notEqual(ymoved, ylock);
  await writeFile(yarnLock, ymoved);
  const yarnOut = await s.cli(['check', '--lockfile', yarnLock]);
  assert.equal(yarnOut.code, 1, yarnOut.output);
  assert.match(yarnOut.stdout, /^ {2}tiny-lib@\^1\.0\.0 \(tiny-lib@1\.0\.0\): downloaded from http:\/\/127\.0\.0\.1:\d+, not the registry$/m);
  // What yarn does with it: downloads tiny-lib from there.
  await rm(join(viaYarn.dir, 'node_modules'), { recursive: true, force: true });
  // A fresh cache, so that yarn downloads every package again.
  const frozen = await run(process.execPath, [yarnClassic, 'install', '--frozen-lockfile', '--registry', s.registryUrl, '--cache-folder', join(viaYarn.dir, '.yarn-cache-2'), '--non-interactive'], {
    cwd: viaYarn.dir,
    env: cleanEnv({ HOME: viaYarn.dir }),
  });
  assert.equal(frozen.code, 0, frozen.output);
  assert.deepEqual(side.asked, ['/tiny-lib-1.0.0.tgz', '/tiny-lib-1.0.0.tgz']);
});
