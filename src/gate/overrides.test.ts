import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Verdict } from '../core/index.ts';
import type { PolicyException } from '../storage/ports/index.ts';
import { applyOverrides, holdUnread, RULE_EXCEPTION, RULE_REJECTED, RULE_RELEASED, RULE_UNREAD } from './overrides.ts';
import type { ReviewEntry } from './review-index.ts';
import { parseDuration, parseExpiry } from './duration.ts';

const now = new Date('2026-03-10T12:00:00Z');
const quarantine: Verdict = { kind: 'quarantine', reasons: [{ message: 'too new', rule: 'cooldown' }, { message: 'scripts', rule: 'install_scripts' }], warnings: [] };
const block: Verdict = { kind: 'block', reasons: [{ message: 'malware', rule: 'feed' }], warnings: [] };
const allow: Verdict = { kind: 'allow', warnings: [{ message: 'deprecated' }] };

function review(state: ReviewEntry['state'], expiresAt: Date | null = null): ReviewEntry {
  return { id: 'Q1', state, expiresAt, decidedBy: 'token:A', decisionReason: 'checked' };
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
