import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Verdict } from '../core/index.ts';
import type { PolicyException } from '../storage/ports/index.ts';
import { applyOverrides, holdUnread, RULE_EXCEPTION, RULE_OTHER_CONTENT, RULE_REJECTED, RULE_RELEASED, RULE_UNREAD } from './overrides.ts';
import type { ReviewEntry } from './review-index.ts';
import { formatDuration, MAX_DURATION_MS, parseDuration, parseExpiry } from './duration.ts';

const now = new Date('2026-03-10T12:00:00Z');
const quarantine: Verdict = { kind: 'quarantine', reasons: [{ message: 'too new', rule: 'cooldown' }, { message: 'scripts', rule: 'install_scripts' }], warnings: [] };
const block: Verdict = { kind: 'block', reasons: [{ message: 'malware', rule: 'feed' }], warnings: [] };
const allow: Verdict = { kind: 'allow', warnings: [{ message: 'deprecated' }] };

const REVIEWED = `sha256:${'a1'.repeat(32)}`;
const REPLACED = `sha256:${'b2'.repeat(32)}`;

function review(state: ReviewEntry['state'], expiresAt: Date | null = null, contentDigest: string | null = REVIEWED): ReviewEntry {
  return { id: 'Q1', state, expiresAt, decidedBy: 'token:A', decisionReason: 'checked', contentDigest };
}

function exception(rules: string[], version: string | null = null): PolicyException {
  return { id: 'E1', ecosystem: 'npm', name: 'x', version, rules, reason: 'ok', createdBy: 'token:A', createdAt: now, expiresAt: null };
}

test('a rejection blocks whatever the policy says', () => {
  for (const v of [allow, quarantine, block]) {
    const r = applyOverrides(v, review('rejected'), [], now);
    assert.equal(r.verdict.kind, 'block');
    assert.equal(r.source, 'rejection');
    assert.equal(r.reviewId, 'Q1');
    assert.equal(r.verdict.kind === 'block' ? r.verdict.reasons[0]?.rule : null, RULE_REJECTED);
  }
});

test('an unexpired release turns a quarantine into an allow, noting the release', () => {
  const r = applyOverrides(quarantine, review('released', new Date('2026-04-01T00:00:00Z')), [], now);
  assert.equal(r.verdict.kind, 'allow');
  assert.equal(r.source, 'release');
  assert.ok(r.verdict.warnings.some((w) => w.rule === RULE_RELEASED && w.message.includes('too new')));
});

test('a release does not override a deny', () => {
  const r = applyOverrides(block, review('released'), [], now);
  assert.equal(r.verdict.kind, 'block');
  assert.equal(r.source, 'policy');
});

test('an expired release counts for nothing: the policy decides', () => {
  const r = applyOverrides(quarantine, review('released', new Date('2026-03-10T11:59:59Z')), [], now);
  assert.equal(r.verdict.kind, 'quarantine');
  assert.equal(r.source, 'policy');
});

test('an open quarantine record does not change the verdict', () => {
  assert.equal(applyOverrides(quarantine, review('quarantined'), [], now).verdict.kind, 'quarantine');
  assert.equal(applyOverrides(allow, review('quarantined'), [], now).verdict.kind, 'allow');
});

test('exceptions waive the quarantine rules they name, or all of them', () => {
  const partial = applyOverrides(quarantine, null, [exception(['cooldown'])], now);
  assert.equal(partial.verdict.kind, 'quarantine');
  assert.deepEqual(partial.verdict.kind === 'quarantine' ? partial.verdict.reasons.map((r) => r.rule) : [], ['install_scripts']);
  const both = applyOverrides(quarantine, null, [exception(['cooldown', 'install_scripts'])], now);
  assert.equal(both.verdict.kind, 'allow');
  assert.equal(both.source, 'exception');
  assert.ok(both.verdict.warnings.some((w) => w.rule === RULE_EXCEPTION));
  assert.equal(applyOverrides(quarantine, null, [exception([])], now).verdict.kind, 'allow');
  assert.equal(applyOverrides(block, null, [exception([])], now).verdict.kind, 'block');
});

test('durations and expiries', () => {
  assert.equal(parseDuration('30d'), 30 * 86_400_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(parseDuration('500ms'), 500);
  for (const bad of ['', '30', 'd', '3 days', '-1d', '1y', '99999999999d']) assert.throws(() => parseDuration(bad), bad);
  assert.equal(parseExpiry('30d', now).toISOString(), '2026-04-09T12:00:00.000Z');
  assert.equal(parseExpiry('2026-05-01T00:00:00Z', now).toISOString(), '2026-05-01T00:00:00.000Z');
  assert.throws(() => parseExpiry('2020-01-01T00:00:00Z', now), /future/);
  assert.throws(() => parseExpiry('0s', now), /future/);
});

test('a formatted duration reads back as the same duration, in one unit when one divides it', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [500, '500ms'],
    [1500, '1s500ms'],
    [90 * 60_000, '90m'],
    [7 * 86_400_000, '7d'],
    [86_400_000 + 1, '1d1ms'],
    [MAX_DURATION_MS - 1, '3649d23h59m59s999ms'],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDuration(text), ms, text);
  }
  // A part of up to 9 digits: a whole number of milliseconds past that is written in parts.
  for (const ms of [999_999_999, 1_000_000_001, 123_456_789_012]) assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
});

test('an artifact that could not be read completely: an allow is held for review, which a release lifts; deny and quarantine stand', () => {
  const held = holdUnread(allow, 'truncated archive');
  assert.equal(held.kind, 'quarantine');
  assert.deepEqual(held.kind === 'quarantine' ? held.reasons.map((r) => r.rule) : [], [RULE_UNREAD]);
  assert.match(held.kind === 'quarantine' ? (held.reasons[0]?.message ?? '') : '', /truncated archive/);
  assert.deepEqual(held.warnings, allow.warnings);
  assert.equal(holdUnread(block, 'truncated archive'), block);
  assert.equal(holdUnread(quarantine, 'truncated archive'), quarantine);
  assert.equal(applyOverrides(held, review('released'), [], now).verdict.kind, 'allow');
});

test('a release covers the bytes it was opened for: other bytes stay quarantined, with a reason naming both', () => {
  // The same bytes, no bytes judged (the metadata phase), or a record opened without content: released.
  for (const [content, recorded] of [[REVIEWED, REVIEWED], [null, REVIEWED], [REPLACED, null]] as const) {
    assert.equal(applyOverrides(quarantine, review('released', null, recorded), [], now, content).source, 'release');
  }
  const r = applyOverrides(quarantine, review('released'), [], now, REPLACED);
  assert.equal(r.verdict.kind, 'quarantine');
  assert.equal(r.source, 'policy');
  assert.equal(r.reviewId, null, 'a new record is opened for the new bytes');
  const reasons = r.verdict.kind === 'quarantine' ? r.verdict.reasons : [];
  assert.deepEqual(reasons.map((x) => x.rule), ['cooldown', 'install_scripts', RULE_OTHER_CONTENT]);
  assert.match(reasons[2]?.message ?? '', /^its bytes \(sha256:b2b2b2b2b2b2b2b2…\) are not the ones released as quarantine Q1 \(sha256:a1a1a1a1a1a1a1a1…\)/);
  // What the policy allows or denies is unchanged; a rejection still blocks any bytes.
  assert.equal(applyOverrides(allow, review('released'), [], now, REPLACED).verdict.kind, 'allow');
  assert.equal(applyOverrides(block, review('released'), [], now, REPLACED).verdict.kind, 'block');
  assert.equal(applyOverrides(quarantine, review('rejected'), [], now, REPLACED).verdict.kind, 'block');
  // Exceptions still waive reasons; what they leave keeps the note.
  assert.equal(applyOverrides(quarantine, review('released'), [exception([])], now, REPLACED).source, 'exception');
  const partial = applyOverrides(quarantine, review('released'), [exception(['cooldown'])], now, REPLACED);
  assert.deepEqual(partial.verdict.kind === 'quarantine' ? partial.verdict.reasons.map((x) => x.rule) : [], ['install_scripts', RULE_OTHER_CONTENT]);
});
