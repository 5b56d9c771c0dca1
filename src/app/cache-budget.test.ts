import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheBudget, CACHE_BUDGET_SHARES, HOSTED_CACHE_WEIGHT } from './cache-budget.ts';

test('the repositories share their memory by kind: a hosted repository takes a quarter of what a proxy takes, a group none', () => {
  const total = 64 * 1024 * 1024;
  const repositories = total * CACHE_BUDGET_SHARES.repositories;
  assert.equal(cacheBudget(total, [{ kind: 'proxy' }]).repository('proxy'), Math.floor(repositories));
  const mixed = cacheBudget(total, [{ kind: 'proxy' }, { kind: 'hosted' }]);
  assert.equal(mixed.repository('proxy'), Math.floor(repositories / (1 + HOSTED_CACHE_WEIGHT)));
  assert.equal(mixed.repository('hosted'), Math.floor((repositories * HOSTED_CACHE_WEIGHT) / (1 + HOSTED_CACHE_WEIGHT)));
  assert.ok(mixed.repository('proxy') + mixed.repository('hosted') <= repositories, 'never more than the repositories share');
  assert.equal(cacheBudget(total, [{ kind: 'proxy' }, { kind: 'proxy' }]).repository('proxy'), Math.floor(repositories / 2));
  assert.equal(cacheBudget(total, []).verdicts, Math.floor(total * CACHE_BUDGET_SHARES.verdicts));
  // A group caches nothing itself (its members cache what it serves): adding one takes nothing from them.
  const grouped = cacheBudget(total, [{ kind: 'proxy' }, { kind: 'hosted' }, { kind: 'group' }]);
  assert.equal(grouped.repository('proxy'), mixed.repository('proxy'));
  assert.equal(grouped.repository('group'), 0);
});
