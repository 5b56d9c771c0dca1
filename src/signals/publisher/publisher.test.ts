import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publisherFactsByVersion, publisherFactsFromTimeline, readPublishing, PackumentShapeError } from './index.ts';

const att = (v: string) => ({
  url: `https://registry.invalid/-/npm/v1/attestations/pkg@${v}`,
  provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
});
const ci = { name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com', trustedPublisher: { id: 'github', oidcConfigId: 'oidc:1' } };

/** The shape of the Sept-2025 worm releases: CI-published versions, then token-published ones. */
const packument = {
  name: 'pkg',
  versions: {
    '4.0.0': { _npmUser: { name: 'alice', email: 'a@x' }, maintainers: [{ name: 'alice', email: 'a@x' }], dist: {} },
    '4.1.0': { _npmUser: ci, maintainers: [{ name: 'alice' }], dist: { attestations: att('4.1.0') } },
    '4.1.1': { _npmUser: { name: 'alice', email: 'a@x' }, maintainers: [{ name: 'alice' }], dist: {} },
    '4.1.2': { _npmUser: { name: 'alice', email: 'a@x' }, maintainers: [{ name: 'alice' }, { name: 'mallory' }], dist: {} },
    '4.2.0': { _npmUser: { name: 'mallory' }, maintainers: ['mallory <m@x>'], dist: { attestations: att('4.2.0') } },
    '9.9.9': { _npmUser: { name: 'alice' } },
  },
  time: {
    created: '2020-01-01T00:00:00.000Z',
    '4.0.0': '2024-01-01T00:00:00.000Z',
    '4.1.0': '2025-01-01T00:00:00.000Z',
    '4.1.1': '2025-09-15T10:00:00.000Z',
    '4.1.2': '2025-09-15T10:05:00.000Z',
    '4.2.0': '2025-10-01T00:00:00.000Z',
    '9.9.9': 'not a date',
  },
};

test('versions are ordered by publish time; undated versions last', () => {
  assert.deepEqual(readPublishing(packument).map((v) => v.version), ['4.0.0', '4.1.0', '4.1.1', '4.1.2', '4.2.0', '9.9.9']);
});

test('provenance and trusted-publisher regressions, publisher and maintainer changes', () => {
  const facts = publisherFactsByVersion(packument);
  const rows: [string, Record<string, unknown>][] = [
    ['4.0.0', { publisher: 'alice', previous_version: null, publisher_changed: false, publisher_new: false, provenance: false, provenance_regression: false, versions_since_provenance: 0 }],
    ['4.1.0', { publisher: 'GitHub Actions', publisher_changed: true, publisher_new: true, provenance: true, provenance_before: false, trusted_publisher: 'github', trusted_publisher_dropped: false, versions_since_provenance: 0 }],
    ['4.1.1', { publisher: 'alice', previous_publisher: 'GitHub Actions', publisher_changed: true, publisher_new: false, provenance: false, provenance_before: true, provenance_regression: true, versions_since_provenance: 1, last_provenance_version: '4.1.0', trusted_publisher: null, trusted_publisher_before: true, trusted_publisher_dropped: true }],
    ['4.1.2', { publisher_changed: false, provenance_regression: true, versions_since_provenance: 2, maintainers_added: ['mallory'], maintainers_removed: [], trusted_publisher_dropped: true }],
    ['4.2.0', { publisher: 'mallory', publisher_new: true, publisher_changed: true, provenance: true, provenance_regression: false, maintainers: ['mallory'], maintainers_removed: ['alice'], versions_since_provenance: 0, last_provenance_version: '4.2.0' }],
    ['9.9.9', { published_at: null, previous_version: '4.2.0' }],
  ];
  for (const [version, expected] of rows) {
    const f = facts.get(version);
    assert.ok(f !== undefined, version);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual((f as unknown as Record<string, unknown>)[k], v, `${version}.${k}`);
  }
});

test('facts for some versions only: the same as for all, from the whole history', () => {
  const all = publisherFactsByVersion(packument);
  const some = publisherFactsFromTimeline(readPublishing(packument), new Set(['4.1.2', '4.2.0', 'not-listed']));
  assert.deepEqual([...some.keys()].sort(), ['4.1.2', '4.2.0']);
  assert.deepEqual(some.get('4.1.2'), all.get('4.1.2'));
  assert.deepEqual(some.get('4.2.0'), all.get('4.2.0'));
});

test('trusted publisher configuration changes are reported', () => {
  const p = {
    versions: { '1.0.0': { _npmUser: ci }, '1.0.1': { _npmUser: { ...ci, trustedPublisher: { id: 'github', oidcConfigId: 'oidc:2' } } } },
    time: { '1.0.0': '2025-01-01T00:00:00Z', '1.0.1': '2025-02-01T00:00:00Z' },
  };
  assert.equal(publisherFactsByVersion(p).get('1.0.1')?.trusted_publisher_changed, true);
  assert.equal(publisherFactsByVersion(p).get('1.0.0')?.trusted_publisher_changed, false);
});

test('hostile packuments: wrong shapes are errors or ignored field by field', () => {
  for (const bad of [null, [], 'x', { versions: [] }, { versions: 'x' }]) {
    assert.throws(() => publisherFactsByVersion(bad), PackumentShapeError);
  }
  const weird = { versions: { '1.0.0': { _npmUser: 7, maintainers: [null, 3, { name: 5 }, { name: 'ok' }], dist: { attestations: 'yes' } }, '2.0.0': null }, time: { '1.0.0': 5 } };
  const f = publisherFactsByVersion(weird).get('1.0.0');
  assert.deepEqual([f?.publisher, f?.maintainers, f?.provenance, f?.published_at], [null, ['ok'], false, null]);
  const many = { versions: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`1.0.${i}`, {}])) };
  assert.throws(() => publisherFactsByVersion(many, { maxVersions: 10, maxMaintainers: 10 }), /more than 10 versions/);
});
