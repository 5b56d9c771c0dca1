import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheFill, Lru } from '../../core/index.ts';
import { AirlockMetrics } from './airlock-metrics.ts';
import { PROCESS_WIDE } from './cache-metrics.ts';

function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

test("the caches' fill is read from them at each scrape, each source asked once however many metrics report from it", () => {
  const m = new AirlockMetrics();
  const states = new Lru<string, string>(10, (v) => v.length);
  let asked = 0;
  m.watchCaches('npm', () => {
    asked++;
    return { states: cacheFill(states) };
  });
  m.watchCaches(PROCESS_WIDE, () => ({ verdicts: { bytes: 5, budgetBytes: 50, entries: 1, evictions: 2 } }));
  const first = m.render();
  assert.equal(asked, 1);
  assert.deepEqual(lines(first, 'airlock_cache_bytes'), ['airlock_cache_bytes{repo="npm",cache="states"} 0', 'airlock_cache_bytes{repo="-",cache="verdicts"} 5']);
  assert.match(first, /# TYPE airlock_cache_evictions_total counter\n/);

  states.set('a', 'aaaaaa');
  states.set('b', 'bbbbbb'); // a goes to make room
  const second = m.render();
  assert.equal(asked, 2);
  assert.deepEqual(
    ['airlock_cache_bytes', 'airlock_cache_budget_bytes', 'airlock_cache_entries', 'airlock_cache_evictions_total'].map((n) => lines(second, n)[0]),
    [
      'airlock_cache_bytes{repo="npm",cache="states"} 6',
      'airlock_cache_budget_bytes{repo="npm",cache="states"} 10',
      'airlock_cache_entries{repo="npm",cache="states"} 1',
      'airlock_cache_evictions_total{repo="npm",cache="states"} 1',
    ],
  );
});
