import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npmLockEntries } from './index.ts';

const bounds = { maxEntries: 100, maxDepth: 5 };

test('npm lockfile entries: packages for version 2+, nested dependencies for version 1, with their paths and names', () => {
  const v3 = npmLockEntries({ lockfileVersion: 3, packages: { '': {}, 'node_modules/a': {}, 'node_modules/w': { name: '@s/w' }, 'packages/local': {}, 'node_modules/b/node_modules/@s/c': {}, 'node_modules/x': 'junk' }, dependencies: { ignored: {} } }, bounds);
  assert.deepEqual(v3.entries.map((e) => [e.path, e.name]), [['node_modules/a', 'a'], ['node_modules/w', '@s/w'], ['packages/local', null], ['node_modules/b/node_modules/@s/c', '@s/c']]);
  assert.deepEqual([v3.lockfileVersion, v3.found, v3.cut], [3, true, null]);
  const v1 = npmLockEntries({ dependencies: { a: { dependencies: { b: {} } }, c: {} }, packages: { 'node_modules/ignored': {} } }, bounds);
  assert.deepEqual(v1.entries.map((e) => [e.path, e.name]), [['node_modules/a', 'a'], ['node_modules/a/node_modules/b', 'b'], ['node_modules/c', 'c']]);
  assert.equal(v1.lockfileVersion, 1);
  assert.equal(npmLockEntries({ name: 'x' }, bounds).found, false);
});

test('npm lockfile entries: a walk a bound stops says why, and keeps what it read', () => {
  const packages: Record<string, object> = {};
  for (let i = 0; i < 150; i++) packages[`node_modules/p${i}`] = {};
  const wide = npmLockEntries({ lockfileVersion: 2, packages }, bounds);
  assert.deepEqual([wide.entries.length, wide.cut], [100, 'more than 100 packages']);
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 10; i++) deep = { n: { dependencies: deep } };
  const nested = npmLockEntries({ dependencies: deep }, bounds);
  assert.deepEqual([nested.entries.length, nested.cut], [6, 'dependencies nested deeper than 5']);
});
