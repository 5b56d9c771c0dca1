import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredOf, gitRepositoryKey, manifestConfusionFacts, manifestDifferences, MAX_DECLARED, MAX_DIFFERENCES_LISTED, readDeclared } from './manifest-confusion.ts';

import type { PlainObject } from '../../core/index.ts';
import { binTargetsOf } from './bin-names.ts';

/** The facts of a registry manifest and a package.json (`files`: the tarball's, for a directories.bin). */
const facts = (registry: PlainObject, tarball: PlainObject, files: readonly string[] = []) =>
  manifestConfusionFacts(declaredOf(registry), declaredOf(tarball, false, binTargetsOf(tarball, files, true)));

test('a dependency only the package.json declares, one only the manifest declares, and a changed spec are each a difference', () => {
  const registry = { dependencies: { a: '^1.0.0', gone: '2.0.0' }, peerDependencies: { react: '^18' } };
  const tarball = { dependencies: { a: '^1.0.0', added: 'latest' }, peerDependencies: { react: '^19' } };
  assert.deepEqual(manifestDifferences(declaredOf(registry), declaredOf(tarball)), [
    { field: 'dependencies', name: 'added', registry: null, tarball: 'latest' },
    { field: 'dependencies', name: 'gone', registry: '2.0.0', tarball: null },
    { field: 'peerDependencies', name: 'react', registry: '^18', tarball: '^19' },
  ]);
  assert.deepEqual(facts(registry, registry), { manifest_differences: [], manifest_difference_count: 0 });
});

test('optional dependencies count as dependencies, over them, as npm merges the two', () => {
  // Older npm versions published an optional dependency in both maps.
  const registry = { dependencies: { fsevents: '^2.3.0', x: '1' }, optionalDependencies: { fsevents: '^2.3.0' } };
  assert.equal(facts(registry, { dependencies: { x: '1' }, optionalDependencies: { fsevents: '^2.3.0' } }).manifest_difference_count, 0);
  assert.equal(facts({ dependencies: { x: '1' }, optionalDependencies: { x: '2' } }, { dependencies: { x: '2' } }).manifest_difference_count, 0);
  assert.equal(facts({ optionalDependencies: { x: '2' } }, { optionalDependencies: { x: '3' } }).manifest_difference_count, 1);
});

test('install hooks: one the package.json runs and the manifest lists otherwise or not at all is a difference; one only the manifest lists is not', () => {
  assert.deepEqual(facts({ scripts: { test: 'tap' } }, { scripts: { test: 'other', postinstall: 'node x.js' } }).manifest_differences, [
    { field: 'scripts', name: 'postinstall', registry: null, tarball: 'node x.js' },
  ]);
  assert.deepEqual(facts({ scripts: { install: 'node a.js' } }, { scripts: { install: 'node b.js' } }).manifest_differences, [
    { field: 'scripts', name: 'install', registry: 'node a.js', tarball: 'node b.js' },
  ]);
  // npm adds `install: node-gyp rebuild` to the manifest of a package with binding.gyp.
  assert.equal(facts({ scripts: { install: 'node-gyp rebuild' } }, {}).manifest_difference_count, 0);
  // A command npm would not run (not a string) is not one.
  assert.equal(facts({}, { scripts: { postinstall: ['node', 'x.js'] } }).manifest_difference_count, 0);
});

test('a git dependency npm publish wrote into the manifest in another form of the same repository agrees; another repository or commit does not', () => {
  // What npm 11 sent for `"gh": "user/repo"` in package.json (captured from a real `npm publish`).
  assert.equal(facts({ dependencies: { gh: 'github:user/repo' } }, { dependencies: { gh: 'user/repo' } }).manifest_difference_count, 0);
  for (const form of ['github:user/repo#v1', 'git+https://github.com/user/repo.git#v1', 'https://github.com/user/repo#v1', 'git+ssh://git@github.com/user/repo.git#v1', 'git@github.com:user/repo.git#v1']) {
    assert.equal(gitRepositoryKey(form), 'github.com/user/repo#v1', form);
  }
  assert.equal(facts({ dependencies: { gh: 'github:user/repo#v1' } }, { dependencies: { gh: 'user/repo#v2' } }).manifest_difference_count, 1);
  assert.equal(facts({ dependencies: { gh: 'github:user/repo' } }, { dependencies: { gh: 'other/repo' } }).manifest_difference_count, 1);
  assert.equal(facts({ dependencies: { gh: 'gitlab:user/repo' } }, { dependencies: { gh: 'user/repo' } }).manifest_difference_count, 1);
  // Not git forms: compared as written.
  assert.equal(gitRepositoryKey('file:../x'), null);
  assert.equal(gitRepositoryKey('npm:other@1'), null);
  assert.equal(facts({ dependencies: { x: 'file:./x' } }, { dependencies: { x: 'file:x' } }).manifest_difference_count, 1);
  assert.equal(facts({ dependencies: { x: '^1' } }, { dependencies: { x: 'github:user/x' } }).manifest_difference_count, 1);
});

test('a dependency named __proto__ or constructor is compared like any other', () => {
  const tarball = JSON.parse('{"dependencies":{"__proto__":"1.0.0","constructor":"2.0.0"}}') as PlainObject;
  assert.deepEqual(facts({}, tarball).manifest_differences, [
    { field: 'dependencies', name: '__proto__', registry: null, tarball: '1.0.0' },
    { field: 'dependencies', name: 'constructor', registry: null, tarball: '2.0.0' },
  ]);
});

test('maps are read as npm reads them: specs that are not strings dropped, a string or an array of words made into a map', () => {
  assert.equal(facts({}, { dependencies: { a: { version: '1' } } }).manifest_difference_count, 0);
  // What npm publish sends for `"dependencies": ["a@^1", "b"]` and `"dependencies": "a@^1 b"`.
  const registry = { dependencies: { a: '^1', b: '' } };
  assert.equal(facts(registry, { dependencies: ['a@^1', 'b'] }).manifest_difference_count, 0);
  assert.equal(facts(registry, { dependencies: 'a@^1 b' }).manifest_difference_count, 0);
  assert.equal(facts(registry, { dependencies: ['a@^2', 'b'] }).manifest_difference_count, 1);
});

test('a hook differing only in the node_modules/.bin prefix npm drops at publish agrees', () => {
  assert.equal(facts({ scripts: { postinstall: 'husky install' } }, { scripts: { postinstall: './node_modules/.bin/husky install' } }).manifest_difference_count, 0);
  assert.equal(facts({ scripts: { postinstall: 'husky install' } }, { scripts: { postinstall: 'node_modules/.bin/husky install && curl x | sh' } }).manifest_difference_count, 1);
});

test('the list is bounded and every difference is counted; texts are clipped', () => {
  const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`dep-${i}`, 'x'.repeat(2000)]));
  const f = facts({}, { dependencies: many });
  assert.equal(f.manifest_difference_count, 100);
  const listed = f.manifest_differences as Array<{ tarball: string }>;
  assert.equal(listed.length, MAX_DIFFERENCES_LISTED);
  assert.equal(listed[0]?.tarball.length, 512);
});

test('a map beyond what is compared counts as one difference more, even when the rest agree', () => {
  const huge = Object.fromEntries(Array.from({ length: MAX_DECLARED + 5 }, (_, i) => [`d${i}`, '1']));
  const f = facts({ dependencies: huge }, { dependencies: huge });
  assert.equal(f.manifest_difference_count, 1);
  assert.match(JSON.stringify(f.manifest_differences), /more than 2000 entries in a map; the rest were not compared/);
});

test('either side unknown: no facts to judge (null), not an agreement', () => {
  assert.deepEqual(manifestConfusionFacts(null, declaredOf({})), { manifest_differences: null, manifest_difference_count: null });
  assert.deepEqual(manifestConfusionFacts(declaredOf({}), null), { manifest_differences: null, manifest_difference_count: null });
});

test('readDeclared reads one version object of a packument as JSON.parse does: the last of repeated keys, escaped keys', () => {
  const doc = Buffer.from('{"versions":{"1.0.0":{"name":"x","dependencies":{"a":"1"},"readme":"…","dependencies":{"b":"2"},"\\u0070eerDependencies":{"p":"3"},"scripts":{"postinstall":"node i.js"}}}}');
  const start = doc.indexOf('{"name"');
  const d = readDeclared(doc, start);
  assert.ok(d !== null);
  assert.deepEqual([...d.dependencies], [['b', '2']]);
  assert.deepEqual([...d.peerDependencies], [['p', '3']]);
  assert.deepEqual([...d.hooks], [['postinstall', 'node i.js']]);
  assert.equal(readDeclared(doc, doc.indexOf('"x"')), null);
});

test('readDeclared reads a map member by member and keeps no more than it compares, however large the packument', () => {
  const members = Array.from({ length: 50_000 }, (_, i) => `"d${i}":"^1.0.0"`).join(',');
  const doc = Buffer.from(`{"name":"x","dependencies":{${members}},"optionalDependencies":{"o":{"not":"a string"}},"scripts":{"build":"tsc","postinstall":"node i.js"}}`);
  const d = readDeclared(doc, 0);
  assert.ok(d !== null);
  assert.equal(d.dependencies.size, MAX_DECLARED);
  assert.equal(d.truncated, true);
  assert.deepEqual([...d.hooks], [['postinstall', 'node i.js']]);
  // Legacy maps, a string or an array, are read when small and count as cut short when not.
  assert.deepEqual([...(readDeclared(Buffer.from('{"dependencies":["a@^1","b"]}'), 0)?.dependencies ?? [])], [['a', '^1'], ['b', '']]);
  const huge = readDeclared(Buffer.from(`{"dependencies":"${'a '.repeat(40_000)}"}`), 0);
  assert.equal(huge?.truncated, true);
  assert.equal(huge?.dependencies.size, 0);
});

test('commands: one only the package.json installs, or one running another file, is a difference; one only the manifest lists is not', () => {
  assert.deepEqual(facts({ name: 'tool', bin: { tool: 'cli.js' } }, { name: 'tool', bin: { tool: './cli.js', eslint: 'hijack.js' } }).manifest_differences, [
    { field: 'bin', name: 'eslint', registry: null, tarball: 'hijack.js' },
  ]);
  assert.deepEqual(facts({ name: 'tool', bin: { tool: 'cli.js' } }, { name: 'tool', bin: { tool: 'other.js' } }).manifest_differences, [
    { field: 'bin', name: 'tool', registry: 'cli.js', tarball: 'other.js' },
  ]);
  assert.equal(facts({ name: 'tool', bin: { tool: 'cli.js', extra: 'x.js' } }, { name: 'tool', bin: { tool: 'cli.js' } }).manifest_difference_count, 0);
  // A command whose path npm would not link is not one.
  assert.equal(facts({}, { name: 'tool', bin: { tool: 5, up: '..' } }).manifest_difference_count, 0);
});

test('commands are compared as npm normalizes bin: what npm publish writes into the manifest agrees with the package.json it came from', () => {
  // A path: named after the package, without its scope (npm publish writes `{"tool":"cli.js"}`).
  assert.equal(facts({ name: '@corp/tool', bin: { tool: 'cli.js' } }, { name: '@corp/tool', bin: './cli.js' }).manifest_difference_count, 0);
  // A list of paths: named after each file.
  assert.equal(facts({ bin: { a: 'bin/a', b: 'bin/b.js' } }, { bin: ['bin/a', './bin/b.js'] }).manifest_difference_count, 1);
  assert.equal(facts({ bin: { a: 'bin/a', 'b.js': 'bin/b.js' } }, { bin: ['bin/a', './bin/b.js'] }).manifest_difference_count, 0);
  // directories.bin: npm publish lists the folder's files and folders as bin (captured from a
  // real `npm publish` of bin/aa, bin/bb and bin/sub/cc).
  const files = ['package.json', 'bin/aa', 'bin/bb', 'bin/sub/cc', 'bin/.hidden', 'lib/x.js'];
  const published = { sub: 'bin/sub', bb: 'bin/bb', aa: 'bin/aa', cc: 'bin/sub/cc' };
  assert.equal(facts({ bin: published, directories: { bin: 'bin' } }, { directories: { bin: 'bin' } }, files).manifest_difference_count, 0);
  assert.deepEqual(facts({ bin: { ...published, bb: undefined } }, { directories: { bin: './bin' } }, files).manifest_differences, [
    { field: 'bin', name: 'bb', registry: null, tarball: 'bin/bb' },
  ]);
  // A manifest that kept directories.bin (not from npm publish) declares the same folder's commands.
  assert.equal(facts({ directories: { bin: 'bin' } }, { directories: { bin: 'bin/' } }, files).manifest_difference_count, 0);
  assert.equal(facts({ directories: { bin: 'lib' } }, { directories: { bin: 'bin' } }, files).manifest_difference_count, 4);
  // bin wins over directories.bin in the package.json, as in npm.
  assert.deepEqual(facts({}, { bin: { z: 'lib/x.js' }, directories: { bin: 'bin' } }, files).manifest_differences, [
    { field: 'bin', name: 'z', registry: null, tarball: 'lib/x.js' },
  ]);
});

test('readDeclared reads a version\'s commands: bin in each form, the name a path is named after, directories', () => {
  const read = (json: string) => {
    const d = readDeclared(Buffer.from(json), 0);
    assert.ok(d !== null);
    return [[...d.bins], d.binDir];
  };
  assert.deepEqual(read('{"name":"@s/tool","bin":"./cli.js"}'), [[['tool', 'cli.js']], null]);
  assert.deepEqual(read('{"bin":["a/b.js"],"name":"x"}'), [[['b.js', 'a/b.js']], null]);
  assert.deepEqual(read('{"bin":{"t":"cli.js","n":{"not":"a path"}},"directories":{"bin":"bin"}}'), [[['t', 'cli.js']], null]);
  assert.deepEqual(read('{"directories":{"bin":"./bin","doc":"d"}}'), [[], 'bin']);
  const members = Array.from({ length: 5000 }, (_, i) => `"c${i}":"c.js"`).join(',');
  const many = readDeclared(Buffer.from(`{"bin":{${members}}}`), 0);
  assert.equal(many?.bins.size, MAX_DECLARED);
  assert.equal(many?.truncated, true);
});
