import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLockfile } from './lockfile.ts';
import { lockfileSources, resolvedThrough } from './sources.ts';

const AIRLOCK = new URL('http://airlock.internal:8080/npm/');
const UPSTREAM = new URL('https://upstream.example/');

test('every entry that says where it is downloaded from is listed, duplicates and aliases included', () => {
  const parsed = parseLockfile(
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/a': { version: '1.0.0', resolved: 'https://upstream.example/a/-/a-1.0.0.tgz' },
        'node_modules/b/node_modules/a': { version: '1.0.0', resolved: 'https://elsewhere.example/a-1.0.0.tgz' },
        'node_modules/w': { name: '@s/w', version: '2.0.0', resolved: 'http://airlock.internal:8080/npm/@s%2fw/-/w-2.0.0.tgz' },
        'node_modules/n': { version: '1.0.0' },
        'node_modules/b/node_modules/inner': { version: '1.0.0', inBundle: true, resolved: 'https://elsewhere.example/inner.tgz' },
        'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@host/g.git' },
      },
    }),
  );
  assert.deepEqual(
    parsed.sources.map((s) => `${s.path} ${s.name}@${s.version}`),
    ['node_modules/a a@1.0.0', 'node_modules/b/node_modules/a a@1.0.0', 'node_modules/w @s/w@2.0.0'],
    'deduplicated packages still list each entry; git entries are skipped as before, bundled ones are not downloaded',
  );
  assert.deepEqual(parsed.packages.length, 4);
  assert.deepEqual(
    lockfileSources(parsed.sources, [AIRLOCK, UPSTREAM]).map((f) => `${f.path}: ${f.why}`),
    ['node_modules/b/node_modules/a: downloaded from https://elsewhere.example, not the registry'],
  );
});

test('a registry URL must name the package\'s own tarball, under the registry\'s path', () => {
  const src = (resolved: string, name = 'left-pad', version = '1.3.0') => ({ name, version, path: `node_modules/${name}`, resolved });
  const why = (resolved: string, name?: string, version?: string) => lockfileSources([src(resolved, name, version)], [AIRLOCK, UPSTREAM])[0]?.why ?? null;
  assert.equal(why('https://upstream.example/left-pad/-/left-pad-1.3.0.tgz'), null);
  assert.equal(why('https://upstream.example/@types%2Fnode/-/node-20.1.0.tgz', '@types/node', '20.1.0'), null);
  assert.equal(why('https://upstream.example/evil/-/evil-1.3.0.tgz'), "resolved to evil/-/evil-1.3.0.tgz, not left-pad@1.3.0's tarball");
  assert.equal(why('https://upstream.example/left-pad/-/left-pad-1.2.0.tgz'), "resolved to left-pad/-/left-pad-1.2.0.tgz, not left-pad@1.3.0's tarball");
  assert.equal(why('http://airlock.internal:8080/other/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from http://airlock.internal:8080, not the registry', "another path of the server is not the repository");
  assert.equal(why('http://upstream.example/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from http://upstream.example, not the registry', 'the same host without TLS is another origin');
  assert.equal(why('file:///tmp/left-pad.tgz'), 'downloaded from file:, not the registry');
  // The machine's loopback under another name is the same server, but only on the same port and scheme.
  const local = (resolved: string) => lockfileSources([src(resolved)], [new URL('http://127.0.0.1:8080/npm/')])[0]?.why ?? null;
  assert.equal(local('http://localhost:8080/npm/left-pad/-/left-pad-1.3.0.tgz'), null, 'npm set to http://localhost:8080/npm/, checked against 127.0.0.1');
  assert.equal(local('http://[::1]:8080/npm/left-pad/-/left-pad-1.3.0.tgz'), null);
  assert.equal(local('http://localhost:8081/npm/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from http://localhost:8081, not the registry', 'another port is another server');
  assert.equal(local('https://localhost:8080/npm/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from https://localhost:8080, not the registry');
  assert.equal(local('http://localhost.evil.example:8080/npm/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from http://localhost.evil.example:8080, not the registry');
  assert.equal(why('http://localhost:8080/npm/left-pad/-/left-pad-1.3.0.tgz'), 'downloaded from http://localhost:8080, not the registry', 'a server named otherwise is not loopback');
  assert.equal(why('not a url'), 'not a URL');
  assert.equal(why('https://upstream.example/left-pad/-/left-pad-1.3.0.tgz%'), "resolved to left-pad/-/left-pad-1.3.0.tgz%, not left-pad@1.3.0's tarball");
});

test('the repository a lockfile was resolved through: one of the server, or none when its entries name several or none', () => {
  const repos = [
    { name: 'npm', base: AIRLOCK },
    { name: 'all', base: new URL('http://airlock.internal:8080/all/') },
  ];
  const entry = (resolved: string) => ({ path: 'node_modules/x', name: 'x', version: '1.0.0', resolved });
  assert.equal(resolvedThrough([entry('http://airlock.internal:8080/all/x/-/x-1.0.0.tgz'), entry('https://upstream.example/x/-/x-1.0.0.tgz')], repos), 'all');
  assert.equal(resolvedThrough([entry('http://airlock.internal:8080/all/x/-/x-1.0.0.tgz'), entry('http://airlock.internal:8080/npm/x/-/x-1.0.0.tgz')], repos), null);
  assert.equal(resolvedThrough([entry('https://upstream.example/x/-/x-1.0.0.tgz'), entry('not a url')], repos), null);
  // A path that only starts like a repository's is not under it.
  assert.equal(resolvedThrough([entry('http://airlock.internal:8080/allx/x/-/x-1.0.0.tgz')], repos), null);
});
