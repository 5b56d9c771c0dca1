/**
 * Command shadowing with the real npm client and the default policy. The attack: a package with
 * no install script installs a command named `node` (its `bin`). npm puts node_modules/.bin first
 * on the PATH of install scripts, so another package's ordinary `node …` postinstall runs the
 * attacker's command instead of Node. The artifact phase reads the commands from the tarball's
 * own package.json and quarantines the package that installs them, even when the registry's
 * manifest does not name them; when it does, the metadata phase hides the version already.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daysAgo, editPackument, quarantineIdIn, signalsE2e } from './support.ts';

test('a package installing a command named node is quarantined: it would run in place of node in other packages\' install scripts', async (t) => {
  const s = await signalsE2e({
    packages: [
      {
        name: 'handy-shadow',
        versions: [{ version: '1.0.0', publishedAt: daysAgo(40), manifest: { bin: { node: 'run.sh' } }, files: [{ path: 'run.sh', content: '#!/bin/sh\ntouch "$INIT_CWD/SHADOW_RAN"\n', mode: 0o755 }] }],
      },
      // Popular and long published, with the kind of postinstall many packages have.
      { name: 'core-js', versions: [{ version: '3.40.0', publishedAt: daysAgo(300), manifest: { scripts: { postinstall: 'node -e "1"' } } }] },
    ],
  });
  t.after(() => s.close());
  // The registry's manifest does not say (manifest confusion): only the tarball's package.json has the bin.
  await editPackument(s.registry, 'handy-shadow', (doc) => {
    delete (doc.versions['1.0.0'] as Record<string, unknown>)['bin'];
  });
  const p = await s.project();

  const held = await p.npm(['install', 'core-js', 'handy-shadow']);
  assert.equal(existsSync(join(p.dir, 'SHADOW_RAN')), false, held.output);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /handy-shadow@1\.0\.0 is quarantined by Airlock: handy-shadow@1\.0\.0 installs commands named like common tools \(node\), which npm would run in place of the real ones .*\[command_shadowing\]/);
  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(held.output) ?? '', '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  assert.deepEqual((JSON.parse(shown.stdout) as { facts: { tarball: { bin_names: string[] } } }).facts.tarball.bin_names, ['node']);

  // core-js alone still installs, and its postinstall runs the real node.
  const alone = await p.npm(['install', 'core-js']);
  assert.equal(alone.code, 0, alone.output);
});

test('the registry manifest already names the commands: the version that would shadow node is hidden, and npm installs the one before it', async (t) => {
  const shadow = { bin: { node: 'run.sh' } };
  const s = await signalsE2e({
    packages: [
      {
        name: 'handy-tool',
        versions: [
          { version: '1.0.0', publishedAt: daysAgo(60), manifest: { bin: { 'handy-tool': 'run.sh' } }, files: [{ path: 'run.sh', content: '#!/bin/sh\necho handy\n', mode: 0o755 }] },
          { version: '1.1.0', publishedAt: daysAgo(40), manifest: shadow, files: [{ path: 'run.sh', content: '#!/bin/sh\ntouch "$INIT_CWD/SHADOW_RAN"\n', mode: 0o755 }] },
        ],
      },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();

  const got = await p.npm(['install', 'handy-tool']);
  assert.equal(got.code, 0, got.output);
  assert.equal((await p.readJson('node_modules/handy-tool/package.json'))['version'], '1.0.0', 'latest is the newest version that shadows nothing');
  const pinned = await p.npm(['install', 'handy-tool@1.1.0']);
  assert.notEqual(pinned.code, 0, pinned.output);
  assert.match(pinned.output, /handy-tool@1\.1\.0 is quarantined by Airlock: .*installs commands named like common tools \(node\).*\[command_shadowing\]/);
});
