/**
 * Dependencies from outside the registry with the real npm client and the default policy. npm
 * installs a dependency whose spec is a URL, a git repository or a path straight from there, past
 * the registry it is configured with: a package that passes the gate brings in code the gate never
 * sees (the "remote dynamic dependencies" of the 2025 PhantomRaven packages). The registry's
 * manifest, which npm resolves dependencies from, names them: the metadata phase hides such a
 * version, so npm installs the version before it, and a pinned install of it is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { packageTarball } from '../../support/npm-registry/index.ts';
import { clients, SKIP_CLIENTS } from '../npm/other-clients.ts';
import { cleanEnv, run, type Project } from '../npm/support.ts';
import { daysAgo, outsideServer, signalsE2e } from './support.ts';

test('a version that depends on a package from another server is hidden, and a pinned install of it is refused; npm never reaches that server', async (t) => {
  const side = await outsideServer(t, 'stage-two');
  const url = side.url;

  // A popular, long-published name: nothing else about the version would hold it.
  const s = await signalsE2e({
    packages: [
      {
        name: 'core-js',
        versions: [
          { version: '3.50.0', publishedAt: daysAgo(200) },
          { version: '3.51.0', publishedAt: daysAgo(100), manifest: { dependencies: { 'stage-two': url } } },
        ],
      },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();

  const got = await p.npm(['install', 'core-js']);
  assert.equal(got.code, 0, got.output);
  assert.equal((await p.readJson('node_modules/core-js/package.json'))['version'], '3.50.0');
  const pinned = await p.npm(['install', 'core-js@3.51.0']);
  assert.notEqual(pinned.code, 0, pinned.output);
  assert.match(pinned.output, new RegExp(`core-js@3\\.51\\.0 is quarantined by Airlock: core-js@3\\.51\\.0 depends on 1 packages from outside the registry, which npm would install past Airlock \\(stage-two from ${url.replace(/\./g, '\\.')}\\).*\\[dependency_sources\\]`));
  assert.deepEqual(side.asked, [], 'npm never reached the other server');
});

test('a version that depends on an archive its own package ships ("payload": "payload.tgz"): the update that would install it is refused, and its install script never runs', async () => {
  // npm reads a spec naming an archive (or starting with ".") as a path, relative to the package
  // that depends on it: on an update, the copy the installed version shipped. Its package and its
  // install scripts were never judged as such: to the gate it is one more file of the tarball.
  const payload = packageTarball({ name: 'payload', version: '9.9.9', scripts: { postinstall: `node -e "require('fs').writeFileSync(process.env.INIT_CWD + '/PAYLOAD_RAN', '')"` } });
  const files = [{ path: 'payload.tgz', content: payload.bytes }];
  const s = await signalsE2e({
    packages: [
      {
        name: 'core-js',
        versions: [
          { version: '3.50.0', publishedAt: daysAgo(200), files },
          { version: '3.51.0', publishedAt: daysAgo(100), manifest: { dependencies: { payload: 'payload.tgz' } }, files },
        ],
      },
    ],
  });
  try {
    const p = await s.project();
    const first = await p.npm(['install', 'core-js@3.50.0']);
    assert.equal(first.code, 0, first.output);
    const update = await p.npm(['install', 'core-js@3.51.0']);
    assert.notEqual(update.code, 0, update.output);
    assert.match(update.output, /core-js@3\.51\.0 is quarantined by Airlock: core-js@3\.51\.0 depends on 1 packages from outside the registry, which npm would install past Airlock \(payload from payload\.tgz\).*\[dependency_sources\]/);
    assert.equal(await exists(join(p.dir, 'node_modules', 'payload')), false);
    assert.equal(await exists(join(p.dir, 'PAYLOAD_RAN')), false, 'the shipped package\'s postinstall never ran');
    assert.equal((await p.readJson('node_modules/core-js/package.json'))['version'], '3.50.0');
  } finally {
    await s.close();
  }
});

test('a tarball whose own package.json adds a dependency the registry manifest leaves out (manifest confusion) is held; on the old gate npm installed that dependency, install script and all, once it read the installed package', async () => {
  // npm resolves a first install from the registry's manifest, but an install beside an existing
  // node_modules with no lockfile reads each installed package.json instead: the tarball's own.
  const payload = packageTarball({ name: 'payload', version: '9.9.9', scripts: { postinstall: `node -e "require('fs').writeFileSync(process.env.INIT_CWD + '/PAYLOAD_RAN', '')"` } });
  const s = await signalsE2e();
  try {
    const tarball = packageTarball({ name: 'core-js', version: '3.51.0', dependencies: { payload: 'payload.tgz' } }, [{ path: 'payload.tgz', content: payload.bytes }]);
    s.registry.putTarball('core-js', 'core-js-3.51.0.tgz', tarball.bytes);
    const published = daysAgo(100);
    const manifest = {
      name: 'core-js',
      version: '3.51.0',
      dist: { tarball: `${s.registry.url}core-js/-/core-js-3.51.0.tgz`, integrity: tarball.integrity, shasum: createHash('sha1').update(tarball.bytes).digest('hex') },
    };
    s.registry.putRawPackument('core-js', Buffer.from(JSON.stringify({ _id: 'core-js', name: 'core-js', 'dist-tags': { latest: '3.51.0' }, versions: { '3.51.0': manifest }, time: { created: published, modified: published, '3.51.0': published } })));

    const p = await s.project();
    const got = await p.npm(['install', 'core-js']);
    assert.notEqual(got.code, 0, got.output);
    assert.match(
      got.output,
      /core-js@3\.51\.0 is quarantined by Airlock: the package\.json files in core-js@3\.51\.0's tarball \(its own, and those of the packages it bundles\) name 1 dependencies from outside the registry, which npm installs past Airlock whenever it reads them \(payload from payload\.tgz\).*\[dependency_sources\]/,
    );
    await assertPayloadNeverInstalled(p);
  } finally {
    await s.close();
  }
});

test('a bundled package whose package.json names a dependency from outside the registry is held; on the old gate npm installed that dependency, install script and all, once it read the installed package', async () => {
  const payload = packageTarball({ name: 'payload', version: '9.9.9', scripts: { postinstall: `node -e "require('fs').writeFileSync(process.env.INIT_CWD + '/PAYLOAD_RAN', '')"` } });
  const s = await signalsE2e({
    packages: [
      {
        name: 'core-js',
        versions: [
          {
            version: '3.51.0',
            publishedAt: daysAgo(100),
            manifest: { dependencies: { bx: '1.0.0' }, bundleDependencies: ['bx'] },
            files: [
              { path: 'node_modules/bx/package.json', content: JSON.stringify({ name: 'bx', version: '1.0.0', dependencies: { payload: 'payload.tgz' } }) },
              { path: 'node_modules/bx/payload.tgz', content: payload.bytes },
            ],
          },
        ],
      },
    ],
  });
  try {
    const p = await s.project();
    const got = await p.npm(['install', 'core-js']);
    assert.notEqual(got.code, 0, got.output);
    assert.match(got.output, /core-js@3\.51\.0 is quarantined by Airlock: the package\.json files in core-js@3\.51\.0's tarball .* name 1 dependencies from outside the registry.*\(node_modules\/bx: payload from payload\.tgz\).*\[dependency_sources\]/);
    await assertPayloadNeverInstalled(p);
  } finally {
    await s.close();
  }
});

test('pnpm and yarn see the same packument: they install the version before it and never reach the other server', { skip: SKIP_CLIENTS }, async (t) => {
  const { pnpm, yarnClassic } = await clients();
  const side = await outsideServer(t, 'stage-two');
  const s = await signalsE2e({
    packages: [
      {
        name: 'core-js',
        versions: [
          { version: '3.50.0', publishedAt: daysAgo(200) },
          { version: '3.51.0', publishedAt: daysAgo(100), manifest: { dependencies: { 'stage-two': side.url } } },
        ],
      },
    ],
  });
  t.after(() => s.close());
  const viaPnpm = await s.project();
  const r = await run(process.execPath, [pnpm, 'add', 'core-js', '--registry', s.registryUrl, '--store-dir', join(viaPnpm.dir, '.pnpm-store')], { cwd: viaPnpm.dir, env: cleanEnv({ HOME: viaPnpm.dir }) });
  assert.equal(r.code, 0, r.output);
  assert.equal((await viaPnpm.readJson('node_modules/core-js/package.json'))['version'], '3.50.0');
  const viaYarn = await s.project();
  const y = await run(process.execPath, [yarnClassic, 'add', 'core-js', '--registry', s.registryUrl, '--cache-folder', join(viaYarn.dir, '.yarn-cache'), '--no-lockfile', '--non-interactive'], {
    cwd: viaYarn.dir,
    env: cleanEnv({ HOME: viaYarn.dir }),
  });
  assert.equal(y.code, 0, y.output);
  assert.equal((await viaYarn.readJson('node_modules/core-js/package.json'))['version'], '3.50.0');
  assert.deepEqual(side.asked, []);
});

/**
 * What npm does once the package is installed, had it been served: an install beside node_modules
 * with no lockfile reads the installed package.json files. `payload` is neither installed nor run.
 */
async function assertPayloadNeverInstalled(p: Project): Promise<void> {
  await rm(join(p.dir, 'package-lock.json'), { force: true });
  await rm(join(p.dir, 'node_modules', '.package-lock.json'), { force: true });
  await p.npm(['install']);
  assert.equal(await exists(join(p.dir, 'node_modules', 'payload')), false);
  assert.equal(await exists(join(p.dir, 'PAYLOAD_RAN')), false, "payload's postinstall never ran");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
