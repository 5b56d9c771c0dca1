import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockfileError, parseLockfile } from './lockfile.ts';

test('lockfile v2/v3: registry packages, aliases, nested copies; links, git and file deps skipped', () => {
  const r = parseLockfile(
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/a': { version: '1.0.0' },
        'node_modules/@s/b': { version: '2.0.0-rc.1' },
        'node_modules/a/node_modules/@s/b': { version: '2.0.0-rc.1' },
        'node_modules/c/node_modules/a': { version: '0.9.0' },
        'node_modules/alias': { name: '@s/real', version: '3.1.4' },
        'node_modules/v2alias': { version: 'npm:@s/other@1.2.3' },
        'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@example.invalid/g.git#abc' },
        'node_modules/f': { version: '1.0.0', resolved: 'file:../f' },
        'node_modules/w': { link: true, resolved: 'packages/w' },
        'packages/w': { version: '0.0.1' },
        'node_modules/bad': { version: 'latest' },
      },
    }),
  );
  assert.equal(r.lockfileVersion, 3);
  assert.deepEqual(r.packages.map((p) => `${p.name}@${p.version}`), ['a@1.0.0', '@s/b@2.0.0-rc.1', 'a@0.9.0', '@s/real@3.1.4', '@s/other@1.2.3']);
  assert.deepEqual(r.skipped.map((s) => s.path), ['node_modules/g', 'node_modules/f', 'node_modules/w', 'packages/w', 'node_modules/bad']);
});

test('lockfile v1: the nested dependencies tree', () => {
  const r = parseLockfile(
    JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } },
        b: { version: '2.0.0' },
        c: { version: 'github:x/c#abc' },
        d: { version: 'npm:e@4.0.0' },
      },
    }),
  );
  assert.deepEqual(r.packages.map((p) => `${p.name}@${p.version}`), ['a@1.0.0', 'b@2.0.0', 'e@4.0.0']);
  assert.deepEqual(r.skipped.map((s) => s.path), ['node_modules/c']);
});

test('not a lockfile, or hostile: a clear error', () => {
  assert.throws(() => parseLockfile('{'), LockfileError);
  assert.throws(() => parseLockfile('[]'), /not a lockfile/);
  assert.throws(() => parseLockfile('{"name":"x"}'), /neither "packages" nor "dependencies"/);
  let deep: Record<string, unknown> = { version: '1.0.0' };
  for (let i = 0; i < 300; i++) deep = { version: '1.0.0', dependencies: { x: deep } };
  assert.throws(() => parseLockfile(JSON.stringify({ dependencies: { x: deep } })), /nested deeper than 200/);
});
