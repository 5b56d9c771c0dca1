import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createMaliciousIndex, OsvRecordError, parseOsvRecord, readOsvFeed, FeedReadError, type FeedRecord } from './index.ts';
import { makeZip } from './testdata/make-zip.ts';

const TESTDATA = join(import.meta.dirname, 'testdata', 'osv');

async function fixture(eco: string, id: string): Promise<Buffer> {
  return readFile(join(TESTDATA, eco, `${id}.json`));
}

function records(bytes: Uint8Array, entry = 'x.json'): readonly FeedRecord[] {
  const r = parseOsvRecord(bytes, { feed: 'test', entry });
  assert.equal(r.kind, 'records');
  return r.kind === 'records' ? r.records : [];
}

test('real records: all-versions range kept apart from the bounded range (@ctrl/tinycolor)', async () => {
  const [rec] = records(await fixture('npm', 'MAL-2025-47141'));
  assert.ok(rec !== undefined);
  assert.equal(rec.name, '@ctrl/tinycolor');
  assert.equal(rec.allVersions, true);
  assert.deepEqual(rec.ranges, [{ type: 'SEMVER', introduced: '4.1.1', fixed: null, lastAffected: '4.1.2' }]);
  assert.deepEqual(rec.aliases, ['GHSA-qjqf-7j6f-82c4']);
  assert.equal(rec.provenance.feed, 'test');
  assert.match(rec.provenance.sha256, /^[0-9a-f]{64}$/);
});

test('matching: exact versions block, "every version" of a compromised popular package is a separate fact', async () => {
  const recs = [
    ...records(await fixture('npm', 'MAL-2025-47141')),
    ...records(await fixture('npm', 'MAL-2025-46969')),
    ...records(await fixture('npm', 'MAL-2025-41443')),
    ...records(await fixture('npm', 'MAL-2021-2')),
    ...records(await fixture('pypi', 'MAL-2022-7421')),
  ];
  const index = createMaliciousIndex(recs);
  const rows: [string, string, string, Partial<Record<string, unknown>>][] = [
    ['npm', '@ctrl/tinycolor', '4.1.1', { version_listed: true, all_versions: true, explicit_versions_known: true }],
    ['npm', '@ctrl/tinycolor', '4.1.2', { version_listed: true }],
    ['npm', '@ctrl/tinycolor', '4.1.0', { known: true, version_listed: false, all_versions: true, explicit_versions_known: true }],
    ['npm', '@ctrl/tinycolor', '4.1.3', { version_listed: false }],
    ['npm', 'chalk', '5.6.1', { version_listed: true, all_versions: false }],
    ['npm', 'chalk', '5.6.0', { known: true, version_listed: false, all_versions: false }],
    ['npm', 'nx', '21.5.0', { version_listed: true }],
    ['npm', 'nx', '21.4.1', { version_listed: false }],
    ['npm', 'dbp-polyfills', '1.0.0', { version_listed: false, all_versions: true, explicit_versions_known: false }],
    ['npm', 'Chalk', '5.6.1', { known: false }],
    ['pypi', 'ASCII2Text', '0.1', { known: true, all_versions: true }],
    ['pypi', 'ascii2text', '0.1', { known: true }],
    ['npm', 'lodash', '4.17.21', { known: false, version_listed: false }],
  ];
  for (const [eco, name, version, expected] of rows) {
    const f = index.match(eco as 'npm' | 'pypi', name, version);
    for (const [k, v] of Object.entries(expected)) assert.equal((f as unknown as Record<string, unknown>)[k], v, `${name}@${version} ${k}`);
  }
  const tiny = index.match('npm', '@ctrl/tinycolor', '4.1.0');
  assert.deepEqual(tiny.records.map((r) => [r.id, r.match]), [['MAL-2025-47141', 'all-versions']]);
});

const osv = (extra: Record<string, unknown>, affected: unknown = [{ package: { ecosystem: 'npm', name: 'evil' }, versions: ['1.0.0'] }]): Buffer =>
  Buffer.from(JSON.stringify({ schema_version: '1.5.0', id: 'MAL-2099-1', modified: '2099-01-01T00:00:00Z', affected, ...extra }));

test('ranges: fixed is exclusive, last_affected inclusive, PEP 440 for PyPI, uncomparable versions flagged', () => {
  const recs = [
    ...records(osv({}, [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2.0' }, { fixed: '1.3.0' }, { introduced: '2.0.0' }] }] }])),
    ...records(osv({ id: 'MAL-2099-2' }, [{ package: { ecosystem: 'PyPI', name: 'Py_Thing' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.0.post2' }] }] }])),
  ];
  const index = createMaliciousIndex(recs);
  const cases: [string, string, string, boolean][] = [
    ['npm', 'a', '1.1.9', false], ['npm', 'a', '1.2.0', true], ['npm', 'a', '1.2.9-beta.1', true], ['npm', 'a', '1.3.0', false],
    ['npm', 'a', '1.9.0', false], ['npm', 'a', '2.0.0', true], ['npm', 'a', '7.0.0', true],
    ['pypi', 'py-thing', '1.0.0', true], ['pypi', 'py.thing', '1.0.post1', true], ['pypi', 'py-thing', '1.0.post3', false], ['pypi', 'py-thing', '0.9', false],
  ];
  for (const [eco, name, version, listed] of cases) assert.equal(index.match(eco as 'npm', name, version).version_listed, listed, `${name}@${version}`);
  const odd = index.match('npm', 'a', 'not-a-version');
  assert.equal(odd.uncertain, true);
  assert.equal(odd.version_listed, false);
});

test('withdrawn records never match; records of kinds not asked for and non-OSV documents are skipped', () => {
  const w = records(osv({ withdrawn: '2099-02-01T00:00:00Z' }));
  assert.equal(createMaliciousIndex(w).match('npm', 'evil', '1.0.0').known, false);
  assert.deepEqual(parseOsvRecord(osv({ id: 'GHSA-xxxx-yyyy-zzzz' }), { feed: 't', entry: 'g.json', kinds: ['malicious'] }).kind, 'skipped');
  assert.deepEqual(parseOsvRecord(osv({}), { feed: 't', entry: 'm.json', kinds: ['vulnerability'] }).kind, 'skipped');
  assert.deepEqual(parseOsvRecord(Buffer.from('{"name":"x","version":"1"}'), { feed: 't', entry: 'package.json' }).kind, 'skipped');
  assert.equal(parseOsvRecord(osv({}, [{ package: { ecosystem: 'Go', name: 'x' }, versions: ['1'] }]), { feed: 't', entry: 'go.json' }).kind, 'skipped');
});

test('malformed records are errors with a reason', () => {
  const bad: [Buffer, RegExp][] = [
    [Buffer.from('{not json'), /not valid UTF-8 JSON/],
    [Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8 JSON/],
    [osv({ modified: 'yesterday' }), /modified is not an RFC 3339 timestamp/],
    [osv({ id: '../../etc' }), /invalid record id/],
    [osv({}, 'x'), /affected must be an array/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'x' } }]), /lists no versions and no ranges/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'x' }, versions: [1] }]), /versions\[0\]/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] }]), /fixed without introduced/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }]), /exactly one key/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'WEIRD', events: [{ introduced: '0' }] }] }]), /unsupported range type/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'a b' }, versions: ['1'] }]), /whitespace/],
    // A PyPI name that is not PEP 508 is kept, but not one with a NUL (no store can keep it)
    // or half a pair.
    [osv({}, [{ package: { ecosystem: 'PyPI', name: 'evil\u0000pkg' }, versions: ['1'] }]), /control characters/],
    [osv({}, [{ package: { ecosystem: 'PyPI', name: 'evil\ud800' }, versions: ['1'] }]), /unpaired surrogates/],
    [osv({}, [{ package: { ecosystem: 'npm', name: 'evil\u007f' }, versions: ['1'] }]), /control characters/],
    [Buffer.alloc(5 * 1024 * 1024, 0x20), /larger than/],
  ];
  for (const [bytes, re] of bad) assert.throws(() => parseOsvRecord(bytes, { feed: 't', entry: 'x.json' }), (e: unknown) => e instanceof OsvRecordError && re.test(e.message), re.source);
});

test('the 1,000 affected entries a record may have for one package merge into one record, versions once each in order, ranges in order (found by fuzzing: each entry copied all before it, 30 s for this record)', () => {
  const affected = Array.from({ length: 1000 }, (_, i) => ({
    package: { ecosystem: 'npm', name: 'x' },
    versions: Array.from({ length: 300 }, (_, j) => `${i}.${j}.0`).concat(i > 0 ? ['0.0.0'] : []),
    ranges: [{ type: 'SEMVER', events: [{ introduced: `${i}.0.1` }, { fixed: `${i}.0.2` }] }, ...(i === 999 ? [{ type: 'SEMVER', events: [{ introduced: '0' }] }] : [])],
  }));
  const bytes = osv({}, affected);
  assert.ok(bytes.length < 4 * 1024 * 1024);
  const [rec, ...rest] = records(bytes);
  assert.equal(rest.length, 0);
  assert.equal(rec?.versions.length, 300_000);
  assert.deepEqual(rec?.versions.slice(0, 2), ['0.0.0', '0.1.0']);
  assert.deepEqual(rec?.versions.slice(-2), ['999.298.0', '999.299.0']);
  assert.equal(rec?.ranges.length, 1000);
  assert.deepEqual(rec?.ranges[999], { type: 'SEMVER', introduced: '999.0.1', fixed: '999.0.2', lastAffected: null });
  assert.equal(rec?.allVersions, true);
});

test('a range type nested 100,000 deep is named by its JSON type (found by fuzzing: showing it overflowed the stack)', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const record = Buffer.from(`{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":${deep},"events":[]}]}]}`);
  assert.throws(() => parseOsvRecord(record, { feed: 't', entry: 'x.json' }), { name: 'OsvRecordError', message: 'unsupported range type a list' });
  assert.throws(() => parseOsvRecord(osv({}, [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'W'.repeat(300), events: [] }] }]), { feed: 't', entry: 'x.json' }), { message: `unsupported range type "${'W'.repeat(80)}…"` });
});

test('reading a feed directory (the ossf/malicious-packages layout) and a zip of it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feed-'));
  try {
    const tree = join(dir, 'osv', 'malicious', 'npm', 'chalk');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'MAL-2025-46969.json'), await fixture('npm', 'MAL-2025-46969'));
    await mkdir(join(dir, 'osv', 'malicious', 'pypi', 'ascii2text'), { recursive: true });
    await writeFile(join(dir, 'osv', 'malicious', 'pypi', 'ascii2text', 'MAL-2022-7421.json'), await fixture('pypi', 'MAL-2022-7421'));
    await writeFile(join(dir, 'package.json'), '{"name":"not-a-record"}');
    await writeFile(join(dir, 'README.md'), '# ignored');
    const fromDir = await readOsvFeed(dir, 'ossf-malicious-packages');
    assert.equal(fromDir.format, 'directory');
    assert.equal(fromDir.errorCount, 0);
    assert.equal(fromDir.entries, 3);
    assert.equal(fromDir.skipped, 1);
    assert.deepEqual(fromDir.records.map((r) => `${r.ecosystem}:${r.name}:${r.provenance.entry}`).sort(), [
      'npm:chalk:osv/malicious/npm/chalk/MAL-2025-46969.json',
      'pypi:ascii2text:osv/malicious/pypi/ascii2text/MAL-2022-7421.json',
    ]);

    const files = await readdir(join(TESTDATA, 'npm'));
    const entries = await Promise.all(files.map(async (f) => ({ name: `all/${f}`, data: await readFile(join(TESTDATA, 'npm', f)) })));
    // The same record twice (older copy last): the newest `modified` wins.
    const older = JSON.parse((await fixture('npm', 'MAL-2025-46969')).toString()) as Record<string, unknown>;
    older.modified = '2020-01-01T00:00:00Z';
    older.summary = 'older copy';
    entries.push({ name: 'dup/MAL-2025-46969.json', data: Buffer.from(JSON.stringify(older)) });
    for (const zip64 of [false, true]) {
      const zipPath = join(dir, `feed-${zip64}.zip`);
      await writeFile(zipPath, makeZip([...entries, { name: 'all/', data: '' }], { zip64 }));
      const fromZip = await readOsvFeed(zipPath, 'osv-zip');
      assert.equal(fromZip.format, 'zip');
      assert.equal(fromZip.errorCount, 0);
      assert.equal(fromZip.records.length, files.length);
      assert.notEqual(fromZip.records.find((r) => r.name === 'chalk')?.summary, 'older copy');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a feed with malformed records reports every failure with its path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feed-'));
  try {
    await writeFile(join(dir, 'good.json'), osv({}));
    await writeFile(join(dir, 'bad1.json'), '{"id":"MAL-1","modified":"2020-01-01T00:00:00Z","affected":7}');
    await writeFile(join(dir, 'bad2.json'), '{broken');
    const r = await readOsvFeed(dir, 't');
    assert.equal(r.errorCount, 2);
    assert.deepEqual(r.errors.map((e) => e.entry).sort(), ['bad1.json', 'bad2.json']);
    await assert.rejects(readOsvFeed(join(dir, 'missing'), 't'), FeedReadError);
    await writeFile(join(dir, 'not.zip'), 'hello');
    await assert.rejects(readOsvFeed(join(dir, 'not.zip'), 't'), /not a zip archive|too short/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
