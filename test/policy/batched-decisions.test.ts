/**
 * The gate decides one package's versions in one batch: the decisions must be exactly those of
 * deciding each version alone. Seeded package histories over the facts the built-in policy
 * reads (cooldown, install scripts, deprecation, integrity, sizes, every signal), some shared by
 * all versions, some changing from one version to the next, under two settings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinPolicyPath } from '../../src/policy/builtin.ts';
import { loadBundle } from '../../src/policy/bundle-loader.ts';
import { compileBundle } from '../../src/policy/compiled-bundle.ts';
import { decide } from '../../src/policy/decide.ts';
import type { Json } from '../../src/storage/ports/index.ts';
import { seededRandom } from '../support/seeded-random.ts';

const NOW = '2026-11-21T12:00:00.000Z';
const limits = { timeoutMs: 5000, maxSteps: 10_000_000 };

type Facts = Record<string, Json>;

/** Facts every version of the package shares (signals about the name and the package). */
function packageFacts(r: () => number): Facts {
  const f: Facts = { package_created_at: '2019-03-01T00:00:00.000Z' };
  if (r() < 0.5) f['name'] = { popular: r() < 0.5, non_ascii: r() < 0.1 };
  if (r() < 0.3) f['lookalike'] = { closest: 'react', technique: 'typo', score: Math.round(r() * 100) / 100, dependency_confusion: r() < 0.2 };
  if (r() < 0.4) f['age'] = { package_age_days: Math.floor(r() * 60) };
  if (r() < 0.2) f['requested_while_missing'] = { requested: true, count: 3, first_requested: '2026-10-01T00:00:00.000Z' };
  return f;
}

/** Facts of one version, on top of the package's; most versions look like their neighbours. */
function versionFacts(r: () => number, pkg: Facts, i: number): Facts {
  const f: Facts = { ...pkg, published_at: new Date(Date.parse(NOW) - (40 - i) * 86_400_000 * r()).toISOString() };
  f['integrity_algorithms'] = r() < 0.1 ? ['sha1'] : ['sha1', 'sha512'];
  f['declared_unpacked_size'] = r() < 0.05 ? 900_000_000 : 10_000 + Math.floor(r() * 5000);
  if (r() < 0.1) f['deprecated'] = 'use something else';
  if (r() < 0.1) {
    f['has_install_script'] = true;
    f['install_scripts'] = { postinstall: 'node setup.js' };
    f['install_behaviour'] = { max_severity: r() < 0.5 ? 'high' : 'low', hooks: [{ name: 'postinstall' }], findings: [{ rule: 'net', severity: 'high', message: 'downloads code' }] };
  }
  if (r() < 0.2) {
    const listed = r() < 0.3;
    f['malicious'] = {
      known: true,
      version_listed: listed,
      all_versions: r() < 0.3,
      explicit_versions_known: r() < 0.5,
      predates_listed: r() < 0.5,
      uncertain: r() < 0.1,
      listed_versions: ['1.0.3'],
      records: [{ id: 'MAL-2026-1' }],
      previous_version_listed: r() < 0.3,
      previous_version: '1.0.2',
    };
  }
  if (r() < 0.15) {
    f['publisher_changes'] = {
      publisher: 'mallory',
      publisher_new: r() < 0.5,
      provenance_regression: r() < 0.5,
      versions_since_provenance: Math.floor(r() * 4),
      last_provenance_version: '1.0.1',
      trusted_publisher_dropped: r() < 0.3,
      maintainers_added: r() < 0.5 ? ['mallory'] : [],
    };
  }
  return f;
}

function inputOf(name: string, version: string, facts: Facts): Json {
  return {
    version: 1,
    phase: 'metadata',
    now: NOW,
    artifact: { ecosystem: 'npm', name, version, purl: `pkg:npm/${name}@${version}` },
    facts,
    request: null,
    review: { state: 'none', quarantine_id: null, expires_at: null, expired: false, other_content: false },
    exceptions: [],
  };
}

for (const settings of [{}, { cooldown_days: 0, install_scripts: 'quarantine', deprecated: 'quarantine', weak_integrity: 'deny' }]) {
  test(`one package's versions decided in a batch are decided as one by one (settings ${JSON.stringify(settings)})`, async () => {
    const source = await loadBundle([builtinPolicyPath()], process.cwd());
    const data = source.data as { airlock: { settings: Record<string, unknown> } };
    const bundle = compileBundle({ ...source, data: { ...data, airlock: { ...data.airlock, settings: { ...data.airlock.settings, ...settings } } } });
    const r = seededRandom(0xdec1de);
    const kinds = new Set<string>();
    let reused = 0;
    for (let p = 0; p < 60; p++) {
      const name = `pkg-${p}`;
      const pkg = packageFacts(r);
      const batch = bundle.batch();
      for (let i = 0; i < 40; i++) {
        const input = inputOf(name, `1.0.${i}`, versionFacts(r, pkg, i));
        const alone = decide(bundle, input, limits, 'block');
        const batched = decide(bundle, input, limits, 'block', batch);
        assert.deepEqual(batched, alone, `${name}@1.0.${i}`);
        kinds.add(alone.verdict.kind);
      }
      reused += batch.reused;
    }
    // The histories reach every verdict, and the batches did reuse what the versions share.
    assert.deepEqual([...kinds].sort(), ['allow', 'block', 'quarantine']);
    assert.ok(reused > 60 * 40, `reused ${reused}`);
  });
}
