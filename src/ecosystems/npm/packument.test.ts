import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseNpmPackageName } from '../../core/index.ts';
import { buildPackage, fullPackument, newSigningKey } from '../../../test/support/npm-registry/index.ts';
import { recomputeDistTags } from './dist-tags.ts';
import { CORGI_FIELDS, indexPackument, indexPackumentWithManifests, parseVersion, PackumentFormatError } from './packument-index.ts';
import { policyRestrictions, renderAbbreviated, renderFull, renderVersion, type ViewShape } from './packument-render.ts';
import { metadataFacts, packageContext, versionProblem } from './facts.ts';
import { readManifest } from './manifest-reader.ts';
import { packageCandidates } from './package-view.ts';
import { publishingTimeline, timelineCandidates } from './publishing-timeline.ts';
import { HISTORY_FACTS } from '../../gate/index.ts';

const key = newSigningKey();
const UP = 'http://upstream.invalid/';
const BASE = 'http://airlock.invalid/npm/';

function doc(name: string, versions: string[], extra: Record<string, unknown> = {}): Buffer {
  const p = buildPackage({ name, versions: versions.map((v) => ({ version: v, provenance: v === '1.1.0', manifest: { scripts: { postinstall: 'node x.js', test: 'x' } } })) }, key);
  // Pretty-printed, as some registries serve it, to prove untouched bytes stay untouched.
  return Buffer.from(JSON.stringify({ ...fullPackument(p, UP, key), ...extra }, null, 1));
}

function shape(name: string, hidden: string[], b: Buffer): ViewShape {
  const idx = indexPackument(b);
  const visible = [...idx.versions.keys()].filter((v) => !hidden.includes(v));
  const tags = recomputeDistTags(idx.distTags, visible);
  return { base: BASE, name: parseNpmPackageName(name), hidden: new Set(hidden), distTags: tags.tags, tagsChanged: tags.changed, modified: hidden.length > 0 ? '2023-01-02T12:00:00.000Z' : null, restrictions: null };
}

test('full rendering: versions hidden with their time entries, tags recomputed, URLs rewritten, the rest byte-exact', () => {
  const b = doc('@acme/thing', ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0'], { 'dist-tags': { latest: '2.0.0', next: '2.0.0-beta.1' } });
  const idx = indexPackument(b);
  assert.equal(idx.name, '@acme/thing');
  assert.deepEqual([...idx.versions.keys()], ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0']);
  const s = shape('@acme/thing', ['2.0.0'], b);
  const out = renderFull(b, idx, s);
  const got = JSON.parse(out.toString('utf8')) as Record<string, any>;
  const orig = JSON.parse(b.toString('utf8')) as Record<string, any>;
  assert.deepEqual(Object.keys(got['versions']), ['1.0.0', '1.1.0', '2.0.0-beta.1']);
  assert.deepEqual(got['dist-tags'], { latest: '1.1.0', next: '2.0.0-beta.1' });
  assert.equal(got['time']['2.0.0'], undefined);
  assert.equal(got['time']['modified'], '2023-01-02T12:00:00.000Z');
  assert.equal(got['time']['1.0.0'], orig['time']['1.0.0']);
  const v = got['versions']['1.1.0'];
  assert.equal(v.dist.tarball, `${BASE}@acme/thing/-/thing-1.1.0.tgz`);
  assert.equal(v.dist.attestations.url, `${BASE}-/npm/v1/attestations/@acme%2fthing@1.1.0`);
  // Everything else equals the upstream document.
  for (const k of ['integrity', 'shasum', 'signatures', 'fileCount', 'unpackedSize']) assert.deepEqual(v.dist[k], orig['versions']['1.1.0'].dist[k]);
  assert.deepEqual(v.dist.attestations.provenance, orig['versions']['1.1.0'].dist.attestations.provenance);
  assert.equal(got['readme'], orig['readme']);
  // Byte-exact: the readme's escaped text and the pretty-printing survive untouched.
  const readmeBytes = b.toString('utf8').match(/"readme": ".*?[^\\]"/)?.[0];
  assert.ok(readmeBytes !== undefined && out.toString('utf8').includes(readmeBytes));
  assert.ok(out.toString('utf8').includes(`"integrity": ${JSON.stringify(orig['versions']['1.0.0'].dist.integrity)}`));
});

test('nothing hidden: only URLs change, tags and time are not rewritten', () => {
  const b = doc('plain', ['1.0.0', '1.0.1']);
  const idx = indexPackument(b);
  const out = renderFull(b, idx, shape('plain', [], b)).toString('utf8');
  const expected = b.toString('utf8').replaceAll(`"${UP}plain/-/`, `"${BASE}plain/-/`);
  assert.equal(out, expected);
});

test('abbreviated rendering keeps install-relevant fields only', () => {
  const b = doc('corgi', ['1.0.0', '1.1.0']);
  const idx = indexPackument(b);
  const got = JSON.parse(renderAbbreviated(b, idx, shape('corgi', ['1.1.0'], b)).toString('utf8')) as Record<string, any>;
  assert.deepEqual(Object.keys(got), ['name', 'modified', 'dist-tags', 'versions']);
  assert.deepEqual(Object.keys(got['versions']), ['1.0.0']);
  const v = got['versions']['1.0.0'];
  assert.equal(v.scripts, undefined);
  assert.equal(v.dist.tarball, `${BASE}corgi/-/corgi-1.0.0.tgz`);
  assert.equal(got['dist-tags'].latest, '1.0.0');
});

test('abbreviated rendering reads as the full one with only install-relevant members, whatever the layout', () => {
  const text = `{ "name" : "lay",
    "dist-tags": {"latest": "1.1.0"},
    "versions" : {
      "1.0.0" : { "name" : "lay" , "version":"1.0.0", "readme": "x",
        "dependencies": {"a": "^1"}, "scripts": {"test": "t"}, "engines" : { "node": ">=18" },
        "\\u0064ist" : { "attestations": {"url": "http://up.invalid/att", "provenance": {"predicateType": "p"}},
          "shasum": "aa", "tarball" : "http://up.invalid/lay-1.0.0.tgz" } },
      "1.1.0": {"version":"1.1.0","name":"lay","deprecated":"old","deprecated":"older","dist":{"tarball":"http://up.invalid/a.tgz"},
        "main":"i.js","dist":{"tarball":"http://up.invalid/b.tgz","shasum":"bb","attestations":{"provenance":{},"url":"http://up.invalid/att2"}},"funding":"f"},
      "1.2.0": {"name":"lay","version":"1.2.0","description":"no install-relevant member but these","dist":{"tarball":"http://up.invalid/c.tgz","shasum":"cc"}},
      "2.0.0": {"name":"lay","version":"2.0.0","dist":{"tarball":"http://up.invalid/d.tgz","shasum":"dd"}}
    }
  }`;
  const b = Buffer.from(text);
  const idx = indexPackument(b);
  const s = shape('lay', ['2.0.0'], b);
  const full = JSON.parse(renderFull(b, idx, s).toString('utf8')) as { versions: Record<string, Record<string, unknown>> };
  const got = JSON.parse(renderAbbreviated(b, idx, s).toString('utf8')) as { versions: Record<string, Record<string, unknown>> };
  const kept = new Set<string>(CORGI_FIELDS);
  const expected = Object.fromEntries(Object.entries(full.versions).map(([v, m]) => [v, Object.fromEntries(Object.entries(m).filter(([k]) => kept.has(k)))]));
  assert.deepEqual(got.versions, expected);
  assert.deepEqual(Object.keys(got.versions), ['1.0.0', '1.1.0', '1.2.0']);
  assert.equal((got.versions['1.1.0'] as { deprecated: string }).deprecated, 'older');
  assert.deepEqual((got.versions['1.0.0'] as { dist: unknown }).dist, {
    attestations: { url: `${BASE}-/npm/v1/attestations/lay@1.0.0`, provenance: { predicateType: 'p' } },
    shasum: 'aa',
    tarball: `${BASE}lay/-/lay-1.0.0.tgz`,
  });
  assert.deepEqual((got.versions['1.1.0'] as { dist: unknown }).dist, {
    tarball: `${BASE}lay/-/lay-1.1.0.tgz`,
    shasum: 'bb',
    attestations: { provenance: {}, url: `${BASE}-/npm/v1/attestations/lay@1.1.0` },
  });
});

test('version documents are spliced the same way', () => {
  const b = doc('one', ['1.0.0']);
  const idx = indexPackument(b);
  const span = idx.versions.get('1.0.0');
  assert.ok(span !== undefined);
  const v = JSON.parse(renderVersion(b, span, shape('one', [], b)).toString('utf8')) as Record<string, any>;
  assert.equal(v['dist'].tarball, `${BASE}one/-/one-1.0.0.tgz`);
  assert.deepEqual(parseVersion(b, span), JSON.parse(b.toString('utf8')).versions['1.0.0']);
});

test('hostile documents: duplicate keys, invalid JSON and missing names are refused', () => {
  const dupVersion = Buffer.from('{"name":"x","versions":{"1.0.0":{"dist":{}},"1.0.0":{"dist":{}}}}');
  assert.throws(() => indexPackument(dupVersion), PackumentFormatError);
  const dupTop = Buffer.from('{"name":"x","versions":{},"versions":{}}');
  assert.throws(() => indexPackument(dupTop), /duplicate key/);
  assert.throws(() => indexPackument(Buffer.from('{"name":"x","versions":{}')), PackumentFormatError);
  assert.throws(() => indexPackument(Buffer.from('{"versions":{}}')), /no name/);
  assert.throws(() => indexPackument(Buffer.from('{"name":"x","versions":[]}')), /versions is not an object/);
});

test('version problems: mismatched names/versions, non-semver keys and missing digests', () => {
  const m = (fields: Record<string, unknown>) => ({ fields, counts: {}, sources: [], sourceCount: 0 });
  assert.equal(versionProblem('x', '1.0.0', m({ name: 'x', version: '1.0.0', dist: { tarball: 't', integrity: 'sha512-x' } })), null);
  assert.equal(versionProblem('x', '1.0.0-rc.1+build.5', m({ name: 'x', version: '1.0.0-rc.1+build.5', dist: { tarball: 't', shasum: 'a' } })), null);
  assert.match(versionProblem('x', '1.0.0', m({ name: 'x', version: '2.0.0', dist: { tarball: 't', shasum: 'a' } })) ?? '', /another version/);
  assert.match(versionProblem('x', '1.0.0', m({ name: 'y', version: '1.0.0', dist: { tarball: 't', shasum: 'a' } })) ?? '', /another package/);
  for (const bad of ['v1.0.0', '01.0.0', '1.0', '1.0.0-', ' 1.0.0', '=1.0.0']) {
    assert.match(versionProblem('x', bad, m({ name: 'x', version: bad, dist: { tarball: 't', shasum: 'a' } })) ?? '', /semver/, bad);
  }
  assert.match(versionProblem('x', '1.0.0', m({ name: 'x', version: '1.0.0', dist: { tarball: 't' } })) ?? '', /integrity/);
  assert.match(versionProblem('x', '1.0.0', null) ?? '', /not an object/);
});

test('metadata facts from a manifest', () => {
  const b = doc('@acme/facts', ['1.0.0', '1.1.0']);
  const idx = indexPackument(b);
  const ctx = packageContext(idx.time, idx.distTags, idx.versions.size);
  const span = idx.versions.get('1.1.0');
  assert.ok(span !== undefined);
  const extract = readManifest(b, span.start);
  assert.ok(extract !== null);
  assert.deepEqual(extract.fields, (({ name, version, scripts, maintainers, _npmUser, license, dist }) => ({ name, version, license, scripts, _npmUser, maintainers, dist }))(parseVersion(b, span) as Record<string, unknown>));
  const f = metadataFacts('1.1.0', extract, ctx);
  assert.equal(f['published_at'], idx.time['1.1.0']);
  assert.equal(f['package_created_at'], idx.time['created']);
  assert.deepEqual(f['install_scripts'], { postinstall: 'node x.js' });
  assert.equal(f['has_install_script'], true);
  assert.equal(f['provenance'], true);
  assert.equal(f['registry_signatures'], 1);
  assert.deepEqual(f['dist_tags'], ['latest']);
  assert.deepEqual(f['integrity_algorithms'], ['sha1', 'sha512']);
  assert.equal(f['publisher'], 'fixture-publisher');
  assert.equal(f['version_count'], 2);
});

test('the index pass reads each manifest as readManifest does; a value repeating the previous version byte for byte is shared', () => {
  // 1.1.0 repeats 1.0.0's maintainers and scripts; 1.2.0's maintainers have the same length but
  // another name, and 2.0.0 goes back to 1.0.0's after a different one in between.
  const version = (v: string, who: string, script: string): string =>
    `"${v}":{"name":"x","version":"${v}","maintainers":[{"name":"${who}"}],"scripts":{"postinstall":"${script}"},"dist":{"tarball":"t/${v}","shasum":"${v}"}}`;
  const b = Buffer.from(
    `{"name":"x","versions":{${[version('1.0.0', 'ann', 'a.js'), version('1.1.0', 'ann', 'a.js'), version('1.2.0', 'bob', 'a.js'), version('2.0.0', 'ann', 'b.js')].join(',')}}}`,
  );
  const { index, manifests } = indexPackumentWithManifests(b);
  assert.equal(manifests.size, 4);
  for (const v of index.versions.keys()) assert.deepEqual(manifests.get(v), readManifest(b, index.versions.get(v)?.start ?? -1), v);
  const fields = (v: string): Record<string, unknown> => manifests.get(v)?.fields as Record<string, unknown>;
  assert.equal(fields('1.1.0')['maintainers'], fields('1.0.0')['maintainers']);
  assert.equal(fields('1.1.0')['scripts'], fields('1.0.0')['scripts']);
  assert.deepEqual(fields('1.2.0')['maintainers'], [{ name: 'bob' }]);
  assert.equal(fields('1.2.0')['scripts'], fields('1.1.0')['scripts']);
  assert.deepEqual(fields('2.0.0')['maintainers'], [{ name: 'ann' }]);
  assert.deepEqual(fields('2.0.0')['scripts'], { postinstall: 'b.js' });
  assert.notEqual(fields('2.0.0')['dist'], fields('1.0.0')['dist']);
});

test('publishing timeline: each usable version with exactly its HISTORY_FACTS, shared facts interned', () => {
  const b = doc('@acme/timeline', ['1.0.0', '1.1.0', '1.2.0', '2.0.0']);
  const idx = indexPackument(b);
  const all = packageCandidates('npm', parseNpmPackageName('@acme/timeline'), idx, { doc: b }, 'digest');
  const t = publishingTimeline(all);
  assert.equal(new Set(t.publishing).size, 2, 'one object per distinct combination (with and without provenance)');
  const got = timelineCandidates(t, 'npm', parseNpmPackageName('@acme/timeline'));
  assert.deepEqual(
    got.map((c) => [c.subject, c.facts]),
    all.candidates.map((c) => [c.subject, Object.fromEntries(HISTORY_FACTS.filter((k) => Object.hasOwn(c.facts, k)).map((k) => [k, c.facts[k]]))]),
  );
  assert.ok(got.every((c) => c.factsKey === undefined), 'not every fact: no factsKey');
  assert.equal(got[1]?.facts['provenance'], true);
  assert.equal(got[2]?.facts['published_at'], idx.time['1.2.0']);
});

test('dist-tags: latest falls back to the newest stable visible version, others may be dropped', () => {
  const up = { latest: '3.0.0', beta: '3.1.0-beta.2', old: '1.0.0' };
  assert.deepEqual(recomputeDistTags(up, ['1.0.0', '2.0.0', '2.1.0-rc.1', '3.1.0-beta.1']).tags, { latest: '2.0.0', beta: '3.1.0-beta.1', old: '1.0.0' });
  assert.deepEqual(recomputeDistTags({ latest: '1.0.0' }, ['2.0.0-rc.1']).tags, { latest: '2.0.0-rc.1' });
  assert.deepEqual(recomputeDistTags({ latest: '1.0.0', old: '0.1.0' }, []).tags, {});
  assert.equal(recomputeDistTags(up, ['1.0.0', '3.0.0', '3.1.0-beta.2']).changed, false);
  // A tag named __proto__ is a tag like any other (npm installs pkg@__proto__), kept or moved.
  const proto = JSON.parse('{"__proto__": "1.0.0", "latest": "3.0.0", "next": "3.1.0-beta.2"}') as Record<string, string>;
  assert.deepEqual(Object.entries(recomputeDistTags(proto, ['1.0.0', '3.0.0']).tags), [['__proto__', '1.0.0'], ['latest', '3.0.0'], ['next', '3.0.0']]);
  assert.deepEqual(Object.entries(recomputeDistTags(proto, ['0.9.0']).tags), [['__proto__', '0.9.0'], ['latest', '0.9.0'], ['next', '0.9.0']]);
});

test('withheld versions are announced in policyRestrictions (full and abbreviated)', () => {
  const b = doc('held', ['1.0.0', '2.0.0']);
  const idx = indexPackument(b);
  const s = { ...shape('held', ['2.0.0'], b), restrictions: policyRestrictions('held', ['2.0.0'], 'held@2.0.0 is blocked') };
  for (const out of [renderFull(b, idx, s), renderAbbreviated(b, idx, s)]) {
    const got = JSON.parse(out.toString('utf8')) as Record<string, any>;
    assert.deepEqual(got['policyRestrictions'], { message: 'held@2.0.0 is blocked', versions: { '2.0.0': { name: 'held', version: '2.0.0' } } });
    assert.deepEqual(Object.keys(got['versions']), ['1.0.0']);
  }
  // An upstream policyRestrictions member is replaced, never duplicated.
  const up = doc('held', ['1.0.0', '2.0.0'], { policyRestrictions: { message: 'upstream', versions: {} } });
  const text = renderFull(up, indexPackument(up), s).toString('utf8');
  assert.equal(text.split('"policyRestrictions"').length, 2);
  assert.equal((JSON.parse(text) as Record<string, any>)['policyRestrictions'].message, 'held@2.0.0 is blocked');
});

test('bypass: escaped or repeated keys cannot smuggle an upstream tarball URL past the rewrite', () => {
  const cases = [
    // "\u0064ist" is "dist" for JSON.parse: it must be rewritten too.
    '{"name":"x","versions":{"1.0.0":{"name":"x","version":"1.0.0","\\u0064ist":{"t\\u0061rball":"http://evil.invalid/x.tgz","shasum":"aa"}}}}',
    // Repeated keys: clients keep the last one, so must Airlock.
    '{"name":"x","versions":{"1.0.0":{"name":"x","version":"1.0.0","dist":{"tarball":"http://a.invalid/1.tgz"},"dist":{"tarball":"http://evil.invalid/x.tgz","tarball":"http://evil.invalid/y.tgz","shasum":"aa"}}}}',
  ];
  for (const text of cases) {
    const b = Buffer.from(text);
    const idx = indexPackument(b);
    const s = { ...shape('x', [], b) };
    for (const out of [renderFull(b, idx, s), renderAbbreviated(b, idx, s)]) {
      const got = JSON.parse(out.toString('utf8')) as { versions: Record<string, { dist: { tarball: string } }> };
      assert.equal(got.versions['1.0.0']?.dist.tarball, `${BASE}x/-/x-1.0.0.tgz`, out.toString('utf8'));
    }
  }
});

test('dependencies npm would install from outside the registry are listed, with their count; ranges, tags and aliases are not', async () => {
  const { readManifest } = await import('./manifest-reader.ts');
  const manifest = {
    name: 'x',
    version: '1.0.0',
    dependencies: { a: '^1.2.3', b: 'latest', c: 'npm:other@^2', d: 'http://203.0.113.9/d.tgz', e: 'github:user/e', f: 'user/f#v1', g: '>=1 <2 || 3.x' },
    optionalDependencies: { h: 'file:../h', i: '~1' },
    peerDependencies: { j: 'git+ssh://git@host/j.git' },
    devDependencies: { k: 'https://only.for/the-root-project.tgz' },
  };
  // An escaped '/' hides nothing: the spec is decoded before it is judged.
  const raw = Buffer.from(JSON.stringify(manifest).replace('"user/f#v1"', '"user\\u002ff#v1"'));
  const m = readManifest(raw, 0);
  assert.ok(m !== null);
  assert.deepEqual(m.sources, ['d from http://203.0.113.9/d.tgz', 'e from github:user/e', 'f from user/f#v1', 'h from file:../h', 'j from git+ssh://git@host/j.git']);
  assert.deepEqual([m.sourceCount, m.counts.dependencies, m.counts.optionalDependencies, m.counts.peerDependencies], [5, 7, 2, 1]);
  const none = readManifest(Buffer.from('{"name":"y","dependencies":{"a":"1"}}'), 0);
  assert.deepEqual([none?.sources, none?.sourceCount], [[], 0]);
});

test('paths npm reads without a slash or a colon are listed too: a spec starting with "." or naming an archive', async () => {
  const { readManifest } = await import('./manifest-reader.ts');
  const outside = ['..', '.', '.hidden', '.tgzx', 'payload.tgz', 'PAYLOAD.TGZ', ' x.tgz', 'p.tar.gz', 'p.Tar', '1.0.0-x.tar'];
  const registry = ['1.0.0', '^1.2', 'latest', 'tgz', '1.0.0-tgz', 'x.tgz ', 'x.tgz.1', 'x.targz', '~1', '*', ''];
  const dependencies = Object.fromEntries([...outside, ...registry].map((spec, i) => [`d${i}`, spec]));
  const m = readManifest(Buffer.from(JSON.stringify({ name: 'x', version: '1.0.0', dependencies })), 0);
  assert.ok(m !== null);
  assert.deepEqual(m.sources, outside.map((spec, i) => `d${i} from ${spec}`));
  assert.equal(m.sourceCount, outside.length);
  // The reading agrees with npm's own (npm-package-arg, from the npm that runs the e2e tests).
  const npa = npmPackageArg();
  if (npa !== null) {
    for (const spec of outside) assert.notEqual(npa.resolve('d', spec, '/tmp/p').type, 'range', spec);
    for (const spec of registry) assert.ok(['range', 'version', 'tag'].includes(npa.resolve('d', spec, '/tmp/p').type), spec);
  }
});

/** npm-package-arg from the system npm's own dependencies, or null where npm is not installed so. */
function npmPackageArg(): { resolve(name: string, spec: string, where: string): { type: string } } | null {
  try {
    const npmRoot = dirname(dirname(realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())));
    return createRequire(join(npmRoot, 'package.json'))('npm-package-arg') as { resolve(name: string, spec: string, where: string): { type: string } };
  } catch {
    return null;
  }
}

test('the abbreviated rendering is written into one buffer sized for it, never outgrown and copied (a big package\'s is half its document)', () => {
  const versions = Array.from({ length: 400 }, (_, i) => `1.0.${i}`);
  const deps = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`dependency-${i}`, `^${i}.0.0`]));
  const p = buildPackage({ name: 'wide', versions: versions.map((v) => ({ version: v, manifest: { dependencies: deps } })) }, key);
  const b = Buffer.from(JSON.stringify(fullPackument(p, UP, key)));
  const idx = indexPackument(b);
  const held = versions.slice(0, 50);
  // A long notice in characters of three UTF-8 bytes each, written last.
  const s = { ...shape('wide', held, b), restrictions: policyRestrictions('wide', held, `wide is withheld ${'—'.repeat(5000)}`) };
  const out = renderAbbreviated(b, idx, s);
  const got = JSON.parse(out.toString('utf8')) as { versions: Record<string, unknown>; policyRestrictions: { message: string } };
  assert.equal(Object.keys(got.versions).length, 350);
  assert.equal(got.policyRestrictions.message.length, 'wide is withheld '.length + 5000);
  assert.ok(out.length > b.length / 2, `the abbreviated form is most of this document: ${out.length} of ${b.length}`);
  // The buffer behind the result holds it and the slack for rewritten URLs, no more.
  assert.equal(out.byteOffset, 0);
  assert.ok(out.buffer.byteLength - out.length <= 400 * 2 * (BASE.length + 'wide'.length + 64), `${out.buffer.byteLength} bytes for ${out.length}`);
});
