import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACKAGE_JSON_LIMITS, PackageJsonError, parsePackageJson } from './package-json.ts';

const doc = (o: unknown) => JSON.stringify(o);

test('each spec kind: versions, ranges, latest and aliases are checked; git, paths, workspace, URLs and other tags are listed with why', () => {
  const r = parsePackageJson(
    doc({
      name: 'app',
      dependencies: {
        lodash: '^4.17.0',
        '@acme/widget': '~2.1.0',
        exact: '1.2.3',
        vexact: 'v1.2.4',
        any: '',
        star: '*',
        tagged: 'latest',
        spaced: ' >=2 <3 || 4 ',
        'my-lodash': 'npm:lodash@4.x',
        'my-scoped': 'npm:@acme/widget',
        gitdep: 'git+https://example.invalid/u/r.git#v1',
        gh: 'github:user/repo',
        short: 'user/repo#main',
        ssh: 'git@example.invalid:user/repo.git',
        httpgit: 'https://example.invalid/user/repo.git',
        local: 'file:../local',
        linked: 'link:../linked',
        rel: './vendor/pkg',
        ws: 'workspace:*',
        tgz: 'https://example.invalid/pkg-1.0.0.tgz',
        nexttag: 'next',
        broken: '^^4',
        nottag: 'a%b',
        badalias: 'npm:other@github:user/repo',
      },
      optionalDependencies: { fsevents: '^2.3.0' },
      devDependencies: { typescript: '5.6.x' },
      peerDependencies: { react: '^18' },
    }),
  );
  assert.deepEqual(
    r.dependencies.map((d) => [d.key, d.name, d.alias, d.item]),
    [
      ['dependencies.lodash', 'lodash', null, { purl: 'pkg:npm/lodash', range: '^4.17.0' }],
      ['dependencies.@acme/widget', '@acme/widget', null, { purl: 'pkg:npm/%40acme/widget', range: '~2.1.0' }],
      ['dependencies.exact', 'exact', null, 'pkg:npm/exact@1.2.3'],
      ['dependencies.vexact', 'vexact', null, 'pkg:npm/vexact@1.2.4'],
      ['dependencies.any', 'any', null, { purl: 'pkg:npm/any', range: '*' }],
      ['dependencies.star', 'star', null, { purl: 'pkg:npm/star', range: '*' }],
      ['dependencies.tagged', 'tagged', null, 'pkg:npm/tagged@latest'],
      ['dependencies.spaced', 'spaced', null, { purl: 'pkg:npm/spaced', range: '>=2 <3 || 4' }],
      ['dependencies.my-lodash', 'lodash', 'my-lodash', { purl: 'pkg:npm/lodash', range: '4.x' }],
      ['dependencies.my-scoped', '@acme/widget', 'my-scoped', 'pkg:npm/%40acme/widget@latest'],
      ['dependencies.nexttag', 'nexttag', null, 'pkg:npm/nexttag@next'],
      ['optionalDependencies.fsevents', 'fsevents', null, { purl: 'pkg:npm/fsevents', range: '^2.3.0' }],
      ['devDependencies.typescript', 'typescript', null, { purl: 'pkg:npm/typescript', range: '5.6.x' }],
    ],
    'peerDependencies are not read unless asked for',
  );
  assert.deepEqual(
    r.skipped.map((s) => `${s.path}: ${s.why.replace(/ \(.*/, '')}`),
    [
      'dependencies.gitdep: a git dependency',
      'dependencies.gh: a git dependency',
      'dependencies.short: a GitHub repository',
      'dependencies.ssh: a git dependency',
      'dependencies.httpgit: a git dependency',
      'dependencies.local: a local path',
      'dependencies.linked: a local path',
      'dependencies.rel: a local path',
      'dependencies.ws: a workspace protocol spec',
      'dependencies.tgz: a tarball URL',
      'dependencies.broken: ^^4: not checkable: "^^4" is not an npm version range: npm reads ranges such as ^4.17.0, ~1.2.3, 1.x, >=2.0.0 <3.0.0 or 1 || 2',
      'dependencies.nottag: "a%b": npm reads it as no version, range or tag',
      'dependencies.badalias: the alias npm:other@github:user/repo: npm reads "github:user/repo" as no version, range or tag',
    ],
  );
});

test('peerDependencies with peers: true, the optional ones listed as not installed', () => {
  const r = parsePackageJson(doc({ peerDependencies: { react: '^18', 'react-dom': '^18' }, peerDependenciesMeta: { 'react-dom': { optional: true } } }), { peers: true });
  assert.deepEqual(r.dependencies.map((d) => d.key), ['peerDependencies.react']);
  assert.deepEqual(r.skipped, [{ path: 'peerDependencies.react-dom', why: 'an optional peer (peerDependenciesMeta): npm does not install it' }]);
  assert.deepEqual(parsePackageJson(doc({})), { dependencies: [], skipped: [] });
});

test('malformed JSON, wrong types and bad names are errors naming the key', () => {
  const bad = (text: string, message: RegExp, options = {}) => assert.throws(() => parsePackageJson(text, options), (err: unknown) => err instanceof PackageJsonError && message.test(err.message));
  bad('{"dependencies": {', /^not JSON: /);
  bad('name: app', /^not JSON: /);
  bad('[]', /^not a package\.json: the document is not an object/);
  bad('null', /^not a package\.json/);
  bad(doc({ dependencies: ['lodash'] }), /^dependencies: not an object of package names and versions/);
  bad(doc({ devDependencies: 'lodash' }), /^devDependencies: not an object/);
  bad(doc({ dependencies: { lodash: 4 } }), /^dependencies\.lodash: not a string/);
  bad(doc({ dependencies: { lodash: null } }), /^dependencies\.lodash: not a string/);
  bad(doc({ dependencies: { 'Bad Name': '1.0.0' } }), /^dependencies: "Bad Name" is not an npm package name: invalid npm package name/);
  bad(doc({ dependencies: { '../evil': '1.0.0' } }), /^dependencies: "\.\.\/evil" is not an npm package name/);
  bad(doc({ dependencies: { x: 'npm:Not Valid@1' } }), /^dependencies\.x: the alias "npm:Not Valid@1" names no npm package/);
  bad(doc({ peerDependencies: { a: '1' }, peerDependenciesMeta: [] }), /^peerDependenciesMeta: not an object/, { peers: true });
});

test('limits: file size, number of dependencies, a range or tag of at most 256 characters, any other spec of at most 4096', () => {
  const limits = { ...PACKAGE_JSON_LIMITS, maxBytes: 2000, maxDependencies: 3 };
  const tooBig = (text: string, message: RegExp) => assert.throws(() => parsePackageJson(text, {}, limits), (err: unknown) => err instanceof PackageJsonError && message.test(err.message));
  tooBig(doc({ description: 'x'.repeat(3000) }), /^larger than 2000 bytes/);
  tooBig(doc({ dependencies: { a: '1', b: '1' }, devDependencies: { c: '1', d: '1' } }), /^more than 3 dependencies/);
  tooBig(doc({ dependencies: { a: `>=1 ${'<9 '.repeat(100)}` } }), /^dependencies\.a: longer than 256 characters \(a version, range or tag\)/);
  tooBig(doc({ dependencies: { a: `npm:b@${'1'.repeat(300)}` } }), /^dependencies\.a: longer than 256 characters/);
  assert.throws(() => parsePackageJson(doc({ dependencies: { a: `https://example.invalid/${'x'.repeat(5000)}.tgz` } })), /dependencies\.a: longer than 4096 characters/);
  assert.equal(parsePackageJson(doc({ dependencies: { a: `https://example.invalid/${'x'.repeat(1000)}.tgz` } })).skipped.length, 1, 'a long URL within the cap is listed, not refused');
  assert.equal(PACKAGE_JSON_LIMITS.maxBytes, 1024 * 1024);
  // The default cap on dependencies is the check's batch limit.
  const many = Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`p${i}`, '1.0.0']));
  assert.throws(() => parsePackageJson(doc({ dependencies: many })), /more than 5000 dependencies/);
});

test('a spec with a lone surrogate is no tag npm reads, listed with why (found by fuzzing: encodeURIComponent threw a URIError)', () => {
  const r = parsePackageJson('{"dependencies":{"a":"beta\\ud800","b":"npm:c@x\\udc00"}}');
  assert.deepEqual(r.dependencies, []);
  assert.deepEqual(r.skipped.map((s) => s.path), ['dependencies.a', 'dependencies.b']);
  assert.match(r.skipped[0]?.why ?? '', /npm reads it as no version, range or tag/);
  assert.match(r.skipped[1]?.why ?? '', /^the alias npm:c@x.: npm reads "x\\udc00" as no version, range or tag$/);
});
