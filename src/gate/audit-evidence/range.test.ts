import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInstant, parseWhen } from './range.ts';

test('range: ISO 8601 instants, with Z or an offset; nothing without a zone, nothing impossible', () => {
  assert.equal(parseInstant('2026-03-01T12:00:00Z').toISOString(), '2026-03-01T12:00:00.000Z');
  assert.equal(parseInstant('2026-03-01T12:00:00.5+01:00').toISOString(), '2026-03-01T11:00:00.500Z');
  assert.equal(parseInstant('2026-03-01T12:00Z').toISOString(), '2026-03-01T12:00:00.000Z');
  for (const bad of ['2026-03-01', '2026-03-01T12:00:00', '2026-02-30T00:00:00Z', '2026-03-01T24:00:00Z', '2026-13-01T00:00:00Z', 'now', '1700000000']) {
    assert.throws(() => parseInstant(bad, 'since'), /^AirlockError: since: .* is not an ISO 8601 instant/, bad);
  }
});

test('range: WHEN is an instant or a duration back from now', () => {
  const now = new Date('2026-03-31T00:00:00.000Z');
  assert.equal(parseWhen('30d', now).toISOString(), '2026-03-01T00:00:00.000Z');
  assert.equal(parseWhen('12h', now).toISOString(), '2026-03-30T12:00:00.000Z');
  assert.equal(parseWhen('2026-01-01T00:00:00Z', now).toISOString(), '2026-01-01T00:00:00.000Z');
  assert.throws(() => parseWhen('last week', now, '--since'), /--since: "last week" is neither an ISO 8601 instant nor a duration/);
  assert.throws(() => parseWhen('2026-01-01', now, '--since'), /is not an ISO 8601 instant/);
});
