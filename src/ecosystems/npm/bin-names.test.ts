import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { packageTarball, tar } from '../../../test/support/npm-registry/index.ts';
import { binNamesOf } from './bin-names.ts';
import { inspectTarball } from './tarball-inspect.ts';

const names = (manifest: Record<string, unknown>, files: string[] = [], complete = true) => {
  const r = binNamesOf(manifest, files, complete);
  return r === 'unknown' ? r : r.names;
};

test('bin names as npm normalizes them before it links them into node_modules/.bin', () => {
  // A path is named after the package, without its scope.
  assert.deepEqual(names({ name: '@evil/node', bin: 'x.sh' }), ['node']);
  assert.deepEqual(names({ bin: 'x.sh' }), [], 'no name, no command');
  // A list is named after each file; an object keeps only the last component of each name.
  assert.deepEqual(names({ name: 'x', bin: ['lib/sh', 'node.js', 7] }), ['node.js', 'sh']);
  assert.deepEqual(names({ name: 'x', bin: { '../../node': 'a.js', 'c:\\tools\\git': 'b.js', 'x/y/': 'c.js', '..': 'd.js', empty: '', root: '/', gone: 3 } }), ['git', 'node', 'y']);
  // Without bin, every file and folder under directories.bin (no dot components), named after itself.
  const files = ['bin/node', 'bin/sub/git', 'bin/.hidden/sh', 'bin/.curl', 'lib/bash', 'binary/x'];
  assert.deepEqual(names({ name: 'x', directories: { bin: './bin/' } }, files), ['git', 'node', 'sub']);
  assert.deepEqual(names({ name: 'x', bin: '', directories: { bin: 'bin' } }, files), ['git', 'node', 'sub'], 'an empty bin counts as none');
  assert.deepEqual(names({ name: 'x', directories: { bin: '../..' } }, ['a/sh']), ['a', 'sh'], '.. cannot climb out: the package root');
  assert.deepEqual(names({ name: 'x', bin: {}, directories: { bin: 'bin' } }, files), [], 'an empty bin object is no bin, and directories.bin is not read');
  // What cannot be read is unknown (the inspection then fails closed).
  assert.equal(names({ name: 'x', directories: { bin: ['bin'] } }, files), 'unknown');
  assert.equal(names({ name: 'x', directories: { bin: 'bin' } }, files, false), 'unknown');
  assert.deepEqual(names({ name: 'x', bin: { a: 'a' } }, files, false), ['a'], 'a file list cut short matters only for directories.bin');
});

test('the inspection reports the commands a tarball installs; directories.bin it cannot list leaves it uninspectable', async () => {
  const r = await inspectTarball(packageTarball({ name: 'shadow', version: '1.0.0', directories: { bin: 'bin' } }, [{ path: 'bin/node', content: '#!/bin/sh\n' }]).bytes);
  assert.equal(r.error, null);
  assert.deepEqual([r.facts['bin_names'], r.facts['bin_count']], [['node'], 1]);
  const plain = await inspectTarball(packageTarball({ name: 'plain', version: '1.0.0' }).bytes);
  assert.deepEqual([plain.facts['bin_names'], plain.facts['bin_count']], [[], 0]);
  const many = Array.from({ length: 20_001 }, (_, i) => ({ path: `package/f${i}`, content: '' }));
  const cut = await inspectTarball(gzipSync(tar([{ path: 'package/package.json', content: '{"name":"x","version":"1.0.0","directories":{"bin":"bin"}}' }, ...many])));
  assert.equal(cut.error, 'the commands directories.bin installs could not be listed');
});
