/** Trust rule matching: `*` globs over string claims, first match wins, and what a refusal shows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatches, matchTrustRule } from './trust-rules.ts';
import type { OidcTrustRule } from './types.ts';

test('globs: * matches any run of characters, / included; everything else is literal', () => {
  const cases: [string, string, boolean][] = [
    ['acme/app', 'acme/app', true],
    ['acme/app', 'acme/app2', false],
    ['acme/app', 'Acme/app', false],
    ['acme/*', 'acme/app', true],
    ['acme/*', 'acme/', true],
    ['acme/*', 'acme', false],
    ['acme/*', 'acme-evil/app', false],
    ['refs/heads/*', 'refs/heads/feature/x', true],
    ['refs/tags/v*', 'refs/tags/v1.2.3', true],
    ['refs/tags/v*', 'refs/heads/v1', false],
    ['*/.github/workflows/release.yml@refs/heads/main', 'acme/app/.github/workflows/release.yml@refs/heads/main', true],
    ['repo:acme/*:environment:prod*', 'repo:acme/app:environment:production', true],
    ['repo:acme/*:environment:prod*', 'repo:acme/app:ref:refs/heads/main', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYcZ', false],
    ['a?c', 'abc', false],
    ['a.c', 'abc', false],
    ['**', '', true],
  ];
  for (const [pattern, value, want] of cases) assert.equal(globMatches(pattern, value), want, `${pattern} ~ ${value}`);
});

test('globs: a pattern built to backtrack stays fast on a long value', () => {
  const started = process.hrtime.bigint();
  assert.equal(globMatches(`${'*a'.repeat(40)}*b`, 'a'.repeat(1024)), false);
  assert.ok(process.hrtime.bigint() - started < 200_000_000n, 'under 200 ms');
});

const rule = (name: string, claims: Record<string, string>, role: 'reader' | 'publisher' = 'reader'): OidcTrustRule => ({ name, claims, role, repos: null, packages: null, ttlMs: 900_000 });

test('trust rules: the first rule whose every claim matches wins; only string claims match', () => {
  const rules = [rule('prod', { repository: 'acme/*', environment: 'production' }, 'publisher'), rule('any', { repository_owner: 'acme' })];
  const m1 = matchTrustRule(rules, { repository: 'acme/app', environment: 'production', repository_owner: 'acme' });
  assert.ok(m1.kind === 'matched' && m1.rule.name === 'prod');
  const m2 = matchTrustRule(rules, { repository: 'acme/app', repository_owner: 'acme' });
  assert.ok(m2.kind === 'matched' && m2.rule.name === 'any', 'no environment: the next rule');
  const m3 = matchTrustRule([rule('id', { repository_id: '2002' })], { repository_id: 2002 });
  assert.equal(m3.kind, 'none', 'a number is not the string');
  const m4 = matchTrustRule([rule('proto', { toString: '*x' })], {});
  assert.equal(m4.kind, 'none', 'an inherited property is no claim');
});

test('trust rules: a miss names each claim checked with the token\'s value (cut short), not the patterns', () => {
  const m = matchTrustRule([rule('prod', { repository: 'acme/*', environment: 'production' })], { repository: `evil/${'x'.repeat(300)}`, environment: ['production'] });
  assert.equal(m.kind, 'none');
  assert.ok(m.kind === 'none');
  assert.deepEqual(Object.keys(m.checked), ['repository', 'environment']);
  assert.equal(m.checked['repository']?.length, 120);
  assert.equal(m.checked['environment'], null);
  assert.match(m.message, /^no trust rule matched the token \(one rule checked repository, environment; the token has repository "evil\/x+", environment \(none\)\)$/);
  assert.doesNotMatch(m.message, /acme|production/);
});
