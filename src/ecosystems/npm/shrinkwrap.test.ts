import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { packageTarball, tar } from '../../../test/support/npm-registry/index.ts';
import { readShrinkwrap, shrinkwrapFacts, MAX_SHRINKWRAP_BYTES } from './shrinkwrap.ts';
import { inspectTarball } from './tarball-inspect.ts';

const REGISTRY = 'https://upstream.example';
const onRegistry = (url: URL): boolean => url.origin === REGISTRY;
const json = (x: unknown): Buffer => Buffer.from(JSON.stringify(x));

test('lockfile 2-3: every pinned dependency that names a source, bundled ones and the package itself aside', () => {
  const read = readShrinkwrap(
    json({
      lockfileVersion: 3,
      packages: {
        '': { name: 'w', version: '1.0.0' },
        'node_modules/a': { version: '1.0.0', resolved: `${REGISTRY}/a/-/a-1.0.0.tgz`, integrity: 'sha512-x' },
        'node_modules/b': { version: '1.0.0', resolved: 'http://203.0.113.9/b.tgz' },
        'node_modules/c': { version: '1.0.0', resolved: 'git+ssh://git@host/c.git#abc' },
        'node_modules/d': { link: true, resolved: '../../outside' },
        'node_modules/e': { version: '1.0.0', bundled: true, resolved: 'http://ignored/e.tgz' },
        'node_modules/e2': { version: '1.0.0', inBundle: true, resolved: 'http://ignored/e2.tgz' },
        'node_modules/f': { version: '1.0.0' },
        'node_modules/g': 'not an object',
      },
      // The copy for old clients is not read twice.
      dependencies: { b: { version: '1.0.0', resolved: 'http://203.0.113.9/b.tgz' } },
    }),
  );
  assert.equal(read.error, null);
  assert.equal(read.entries, 5);
  assert.deepEqual(shrinkwrapFacts(read, onRegistry), {
    entries: 5,
    external: ['node_modules/b from http://203.0.113.9/b.tgz', 'node_modules/c from git+ssh://git@host/c.git#abc', 'node_modules/d from a link to ../../outside'],
    external_count: 3,
    error: null,
  });
});

test('lockfile 1: nested dependencies, with git and URL specs written as the version', () => {
  const read = readShrinkwrap(
    json({
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', resolved: `${REGISTRY}/a/-/a-1.0.0.tgz`, dependencies: { x: { version: 'github:user/x#v1' } } },
        b: { version: 'file:../b' },
        c: { version: 'npm:other@1.0.0' },
        d: { version: 'user/repo' },
      },
    }),
  );
  assert.deepEqual(shrinkwrapFacts(read, onRegistry), {
    entries: 5,
    external: ['node_modules/a/node_modules/x from github:user/x#v1', 'node_modules/b from file:../b', 'node_modules/d from user/repo'],
    external_count: 3,
    error: null,
  });
});

test('hostile shrinkwraps: unreadable is an error, many sources are counted, nothing throws', () => {
  assert.equal(readShrinkwrap(Buffer.from('{nope')).error, 'npm-shrinkwrap.json is not valid JSON');
  assert.equal(readShrinkwrap(json([1, 2])).error, 'npm-shrinkwrap.json is not an object');
  assert.equal(shrinkwrapFacts(null, onRegistry), null);
  const packages: Record<string, unknown> = {};
  for (let i = 0; i < 5000; i++) packages[`node_modules/p${i}`] = { version: '1.0.0', resolved: `http://203.0.113.9/p${i}.tgz` };
  const many = shrinkwrapFacts(readShrinkwrap(json({ lockfileVersion: 3, packages })), onRegistry) as { external: string[]; external_count: number; error: string };
  assert.deepEqual([many.external.length, many.external_count, many.error], [32, 4096, 'it pins more dependencies, or nests them deeper, than Airlock reads (4096 sources, 100000 entries, 64 levels)']);
  let deep: Record<string, unknown> = { version: 'file:x' };
  for (let i = 0; i < 200; i++) deep = { version: '1.0.0', dependencies: { n: deep } };
  const nested = shrinkwrapFacts(readShrinkwrap(json({ dependencies: { n: deep } })), onRegistry) as { entries: number; error: string };
  assert.deepEqual([nested.entries <= 66, nested.error], [true, 'it pins more dependencies, or nests them deeper, than Airlock reads (4096 sources, 100000 entries, 64 levels)'], 'nesting is bounded, and what lies deeper is unknown');
});

test('the inspection reads the root npm-shrinkwrap.json, the last of its name and as a case-insensitive disk would', async () => {
  const sw = json({ lockfileVersion: 3, packages: { 'node_modules/b': { resolved: 'http://203.0.113.9/b.tgz' } } });
  const t = packageTarball({ name: 'w', version: '1.0.0' }, [{ path: 'npm-shrinkwrap.json', content: sw.toString() }, { path: 'lib/npm-shrinkwrap.json', content: '{' }]);
  const i = await inspectTarball(t.bytes);
  assert.deepEqual(i.shrinkwrap?.sources, [{ path: 'node_modules/b', from: 'http://203.0.113.9/b.tgz', link: false }]);
  assert.equal((await inspectTarball(packageTarball({ name: 'w', version: '1.0.0' }).bytes)).shrinkwrap, null);
  const upper = gzipSync(tar([{ path: 'package/package.json', content: '{"name":"w","version":"1.0.0"}' }, { path: 'package/NPM-SHRINKWRAP.JSON', content: '{' }]));
  assert.equal((await inspectTarball(upper)).shrinkwrap?.error, 'npm-shrinkwrap.json is not valid JSON');
  const huge = gzipSync(tar([{ path: 'package/package.json', content: '{"name":"w","version":"1.0.0"}' }, { path: 'package/npm-shrinkwrap.json', content: ' '.repeat(MAX_SHRINKWRAP_BYTES + 1) }]));
  assert.match((await inspectTarball(huge)).shrinkwrap?.error ?? '', /larger than/);
});
