/**
 * Manifest confusion with the real npm: a version whose tarball's package.json declares a
 * dependency the registry's manifest does not. Straight from the registry, npm installs it the
 * first time without that dependency, then installs it too once it reads the installed package
 * instead of the manifest (no lockfile beside node_modules). Through Airlock the built-in policy
 * holds the version for review, naming the difference, before npm extracts anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURE_PACKAGES, HIDDEN_COMMAND_PACKAGE } from '../../npm/fixtures.ts';
import type { FixturePackage } from '../../support/npm-registry/index.ts';
import { e2e, internalAndPublic, project, publishPackage, quarantineIdIn } from './support.ts';

const HIDDEN: FixturePackage = { name: 'unlisted-helper', versions: [{ version: '1.0.0' }] };
/** Its manifest lists no dependencies; its package.json lists unlisted-helper. */
const CONFUSED: FixturePackage = { name: 'two-faced', versions: [{ version: '1.0.0', packageJson: { dependencies: { 'unlisted-helper': '^1.0.0' } } }] };
/** Manifest and package.json agree, an optional dependency listed in both maps as npm once published them. */
const AGREEING: FixturePackage = {
  name: 'one-faced',
  versions: [{ version: '1.0.0', manifest: { dependencies: { 'unlisted-helper': '^1.0.0' }, optionalDependencies: { 'unlisted-helper': '^1.0.0' } }, packageJson: { dependencies: {} } }],
};

test('npm installs a dependency only the package.json declares once it reads the installed package; Airlock holds that version for review first', async (t) => {
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, HIDDEN, CONFUSED, AGREEING], config: { policy: { paths: [] } } });
  t.after(() => s.close());

  // Straight from the registry: the manifest decides the first install, the package.json the next one.
  const direct = await s.project();
  const upstream = { registry: s.env.registry.url };
  const first = await direct.npm(['install', 'two-faced'], upstream);
  assert.equal(first.code, 0, first.output);
  assert.deepEqual((await readdir(join(direct.dir, 'node_modules'))).filter((n) => !n.startsWith('.')), ['two-faced']);
  await rm(join(direct.dir, 'package-lock.json'));
  await rm(join(direct.dir, 'node_modules', '.package-lock.json'));
  const again = await direct.npm(['install'], upstream);
  assert.equal(again.code, 0, again.output);
  assert.deepEqual((await readdir(join(direct.dir, 'node_modules'))).filter((n) => !n.startsWith('.')).sort(), ['two-faced', 'unlisted-helper']);

  // Through Airlock.
  const p = await s.project();
  const held = await p.npm(['install', 'two-faced']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(
    held.output,
    /two-faced@1\.0\.0 is quarantined by Airlock: two-faced@1\.0\.0: its package\.json declares other dependencies, install scripts or commands than the registry's manifest for it \(dependencies unlisted-helper: \^1\.0\.0 in the package\.json, none in the manifest\); npm runs the install scripts of the package\.json, and installs its dependencies and links its commands when it reads an installed package without a lockfile \(pnpm and yarn link them at once\) \[tarball\.manifest_confusion\]/,
  );
  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(held.output), '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const record = JSON.parse(shown.stdout) as { facts: { tarball: { manifest_differences: unknown; manifest_difference_count: unknown } } };
  assert.deepEqual(record.facts.tarball.manifest_differences, [{ field: 'dependencies', name: 'unlisted-helper', registry: null, tarball: '^1.0.0' }]);
  assert.equal(record.facts.tarball.manifest_difference_count, 1);

  // A manifest that lists an optional dependency under both maps, as older npm versions published
  // it, agrees with a package.json that lists it once.
  const agreeing = await p.npm(['install', 'one-faced']);
  assert.equal(agreeing.code, 0, agreeing.output);
});

test('npm links a command only the package.json declares once it reads the installed package; Airlock holds that version for review first', async (t) => {
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, HIDDEN_COMMAND_PACKAGE], config: { policy: { paths: [] } } });
  t.after(() => s.close());

  // Straight from the registry: the manifest's commands (none) on the first install, the
  // package.json's once npm reads the installed package.
  const direct = await s.project();
  const upstream = { registry: s.env.registry.url };
  const first = await direct.npm(['install', 'quiet-tool'], upstream);
  assert.equal(first.code, 0, first.output);
  const bin = join(direct.dir, 'node_modules', '.bin');
  assert.deepEqual(existsSync(bin) ? await readdir(bin) : [], []);
  await rm(join(direct.dir, 'package-lock.json'));
  await rm(join(direct.dir, 'node_modules', '.package-lock.json'));
  const rebuilt = await direct.npm(['rebuild'], upstream);
  assert.equal(rebuilt.code, 0, rebuilt.output);
  assert.deepEqual(await readdir(bin), ['hidden-cmd']);

  // Through Airlock.
  const p = await s.project();
  const held = await p.npm(['install', 'quiet-tool']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /quiet-tool@1\.0\.0 is quarantined by Airlock: .*\(bin hidden-cmd: cli\.js in the package\.json, none in the manifest\).*\[tarball\.manifest_confusion\]/);
  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(held.output), '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const record = JSON.parse(shown.stdout) as { facts: { tarball: { manifest_differences: unknown } } };
  assert.deepEqual(record.facts.tarball.manifest_differences, [{ field: 'bin', name: 'hidden-cmd', registry: null, tarball: 'cli.js' }]);
});

test('what npm publish rewrites in the manifest is not a difference: a package published with the real npm installs through Airlock', async (t) => {
  const s = await internalAndPublic(t, FIXTURE_PACKAGES);
  // npm publish makes the array a map in the manifest; the package.json in the tarball keeps it
  // as written. hide-me is optional as well: npm merges the two maps.
  const pkg = { name: '@corp/old-style', version: '1.0.0', main: 'index.js', bin: './index.js', dependencies: ['left-pad@^1.0.0', 'hide-me@^1.0.0'], optionalDependencies: { 'hide-me': '^1.0.0' } };
  const published = await publishPackage(s.tmp, s.hosted, s.publisher, pkg);
  assert.equal(published.code, 0, published.output);
  const doc = (await (await fetch(`${s.hosted}@corp%2fold-style`)).json()) as { versions: Record<string, { dependencies?: unknown }> };
  assert.deepEqual(doc.versions['1.0.0']?.dependencies, { 'left-pad': '^1.0.0', 'hide-me': '^1.0.0' }, 'npm publish rewrote the array as a map');

  // npm publish lists the files under directories.bin as bin in the manifest; the package.json
  // keeps the folder.
  const tools = { name: '@corp/dir-tools', version: '1.0.0', directories: { bin: 'bin' } };
  const toolsPublished = await publishPackage(s.tmp, s.hosted, s.publisher, tools, [], { 'bin/tool-a': '#!/bin/sh\necho a\n', 'bin/tool-b': '#!/bin/sh\necho b\n' });
  assert.equal(toolsPublished.code, 0, toolsPublished.output);
  const toolsDoc = (await (await fetch(`${s.hosted}@corp%2fdir-tools`)).json()) as { versions: Record<string, { bin?: unknown }> };
  assert.deepEqual(toolsDoc.versions['1.0.0']?.bin, { 'tool-a': 'bin/tool-a', 'tool-b': 'bin/tool-b' }, 'npm publish listed the folder as bin');

  const consumer = await project(s.group, s.tmp);
  const installed = await consumer.npm(['install', '@corp/old-style', '@corp/dir-tools']);
  assert.equal(installed.code, 0, installed.output);
  assert.deepEqual((await readdir(join(consumer.dir, 'node_modules'))).filter((n) => !n.startsWith('.')).sort(), ['@corp', 'hide-me', 'left-pad']);
  assert.deepEqual((await readdir(join(consumer.dir, 'node_modules', '.bin'))).sort(), ['old-style', 'tool-a', 'tool-b']);
});
