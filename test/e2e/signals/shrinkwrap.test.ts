/**
 * A dependency's npm-shrinkwrap.json with the real npm client and the default policy. npm honours
 * the shrinkwrap of a package whose registry manifest says `_hasShrinkwrap`: it installs that
 * package's dependencies as the file pins them, each from its `resolved` URL. The attack: a
 * harmless-looking package whose shrinkwrap pins a dependency to another server. npm would fetch
 * it from there, past Airlock (a package Airlock never saw, whose postinstall npm then runs); the
 * gate reads the shrinkwrap in the tarball and quarantines the package instead. A shrinkwrap that
 * pins registry tarballs installs, each tarball fetched through Airlock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daysAgo, editPackument, outsideServer, quarantineIdIn, signalsE2e } from './support.ts';

function shrinkwrap(name: string, dep: string, resolved: string, integrity: string): string {
  return JSON.stringify({
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name, version: '1.0.0', dependencies: { [dep]: '1.0.0' } }, [`node_modules/${dep}`]: { version: '1.0.0', resolved, integrity } },
  });
}

test("a dependency's shrinkwrap that would have npm fetch from another server is quarantined; one pinning registry tarballs installs", async (t) => {
  // The dependency outside: never published to the registry, served by a server of its own.
  const side = await outsideServer(t, 'side-dep');

  const s = await signalsE2e({
    packages: [
      { name: 'pinned-dep', versions: [{ version: '1.0.0', publishedAt: daysAgo(100) }] },
      {
        name: 'wrapped-helper',
        versions: [{ version: '1.0.0', publishedAt: daysAgo(100), manifest: { dependencies: { 'side-dep': '1.0.0' } }, files: [{ path: 'npm-shrinkwrap.json', content: shrinkwrap('wrapped-helper', 'side-dep', side.url, side.integrity) }] }],
      },
    ],
  });
  t.after(() => s.close());
  // The registry's copy of a registry tarball: its URL and integrity, as a shrinkwrap pins them.
  const pinned = (await (await fetch(`${s.registry.url}pinned-dep`)).json()) as { versions: Record<string, { dist: { tarball: string; integrity: string } }> };
  const dist = pinned.versions['1.0.0']?.dist;
  assert.ok(dist !== undefined);
  s.registry.addVersions('wrapped-registry', [
    { version: '1.0.0', publishedAt: daysAgo(100), manifest: { dependencies: { 'pinned-dep': '1.0.0' } }, files: [{ path: 'npm-shrinkwrap.json', content: shrinkwrap('wrapped-registry', 'pinned-dep', dist.tarball, dist.integrity) }] },
  ]);
  // As the registry marks a package published with a shrinkwrap; npm reads the file only then.
  for (const name of ['wrapped-helper', 'wrapped-registry']) {
    await editPackument(s.registry, name, (doc) => {
      (doc.versions['1.0.0'] as Record<string, unknown>)['_hasShrinkwrap'] = true;
    });
  }

  const p = await s.project();
  const held = await p.npm(['install', 'wrapped-helper']);
  assert.notEqual(held.code, 0, held.output);
  assert.match(
    held.output,
    /wrapped-helper@1\.0\.0 is quarantined by Airlock: wrapped-helper@1\.0\.0 ships an npm-shrinkwrap\.json that makes npm install 1 of its dependencies from outside the registry, past Airlock \(node_modules\/side-dep from http:\/\/127\.0\.0\.1:\d+\/side-dep-1\.0\.0\.tgz\).*\[tarball\.shrinkwrap_external\]/,
  );
  assert.ok(quarantineIdIn(held.output) !== null, held.output);
  assert.deepEqual(side.asked, [], 'npm never reached the other server');
  assert.equal(existsSync(join(p.dir, 'node_modules/side-dep')), false);

  // npm sends the registry's own URLs to the registry it is configured with (replace-registry-host;
  // by default for the public registry's host, here for every host): through Airlock.
  const ok = await p.npm(['install', 'wrapped-registry', '--replace-registry-host=always']);
  assert.equal(ok.code, 0, ok.output);
  // Where the shrinkwrap puts it: under the package that pins it.
  assert.equal((await p.readJson('node_modules/wrapped-registry/node_modules/pinned-dep/package.json'))['version'], '1.0.0');
  const seen = await s.api<{ items: { phase: string; verdict: string }[] }>('GET', `decisions?purl=${encodeURIComponent('pkg:npm/pinned-dep@1.0.0')}`);
  assert.ok(seen.body.items.some((d) => d.phase === 'artifact' && d.verdict === 'allow'), 'the pinned tarball came through the gate');
});
