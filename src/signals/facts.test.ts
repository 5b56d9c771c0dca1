import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageFacts, lookalikeFacts, nameFacts, npmPublishDates, NO_LOOKALIKE, requestedWhileMissingFacts, SIGNAL_FACT_KEYS } from './index.ts';
import type { MissingNameRecord } from '../storage/ports/index.ts';

test('age: publish dates from a packument, whole days at evaluation time', () => {
  const dates = npmPublishDates({
    time: { created: '2025-01-01T00:00:00Z', modified: '2025-06-01T00:00:00Z', '1.0.0': '2025-01-01T00:00:10Z', '1.1.0': '2025-06-01T00:00:00Z', bad: 'nope', '2.0.0': 7 },
  });
  assert.equal(dates.created?.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.deepEqual([...dates.versions.keys()], ['1.0.0', '1.1.0']);
  const f = ageFacts({
    packagePublished: dates.created,
    versionPublished: dates.versions.get('1.1.0') ?? null,
    packageFirstSeen: new Date('2025-06-02T00:00:00Z'),
    versionFirstSeen: null,
    now: new Date('2025-06-04T12:00:00Z'),
  });
  assert.deepEqual(
    [f.package_age_days, f.version_age_days, f.days_since_first_seen, f.version_first_seen],
    [154, 3, 2, null],
  );
  assert.equal(npmPublishDates({ time: { '1.0.0': '2024-05-05T00:00:00Z' } }).created?.toISOString(), '2024-05-05T00:00:00.000Z', 'oldest version when created is missing');
  assert.equal(npmPublishDates(null).created, null);
});

test('requested while missing: only requests made before the package existed count', () => {
  const rec: MissingNameRecord = {
    ecosystem: 'npm',
    name: 'react-codeshift',
    firstAskedAt: new Date('2025-01-01T00:00:00Z'),
    lastAskedAt: new Date('2025-01-05T00:00:00Z'),
    count: 12,
    askers: [
      { tokenId: 't1', userAgent: 'npm/10', agent: 'claude-code', count: 10, firstAt: new Date('2025-01-01T00:00:00Z'), lastAt: new Date('2025-01-05T00:00:00Z') },
      { tokenId: 't2', userAgent: 'npm/10', agent: null, count: 2, firstAt: new Date('2025-01-02T00:00:00Z'), lastAt: new Date('2025-01-03T00:00:00Z') },
    ],
    appearedAt: new Date('2025-02-01T00:00:00Z'),
  };
  const f = requestedWhileMissingFacts(rec, new Date('2025-01-31T00:00:00Z'));
  assert.deepEqual([f.requested, f.count, f.askers, f.agents, f.days_requested_before_publish], [true, 12, 2, ['claude-code'], 30]);
  assert.equal(requestedWhileMissingFacts(rec, new Date('2024-12-01T00:00:00Z')).requested, false);
  assert.equal(requestedWhileMissingFacts(null, null).requested, false);
});

test('name and look-alike facts are always complete objects', () => {
  assert.deepEqual(lookalikeFacts(null), NO_LOOKALIKE);
  const n = nameFacts('lodаsh', null, false);
  assert.deepEqual([n.popular, n.non_ascii, n.mixed_scripts], [false, true, ['Cyrillic', 'Latin']]);
  assert.deepEqual(nameFacts('a\u200bb', { rank: 3, downloads: null }, true).invisible, ['U+200B']);
  assert.equal(SIGNAL_FACT_KEYS.length, 7);
});
