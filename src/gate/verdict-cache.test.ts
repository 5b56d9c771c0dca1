import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GateDecision } from './types.ts';
import { VerdictCache } from './verdict-cache.ts';

const BLOCK: GateDecision = { verdict: { kind: 'block', reasons: [{ rule: 'test', message: 'blocked by the test' }], warnings: [] }, source: 'policy', quarantineId: null };

function decisions(n: number): Map<string, GateDecision> {
  return new Map(Array.from({ length: n }, (_, i) => [`1.0.${i}`, BLOCK]));
}

test("the verdict cache's fill: the package entries' estimated bytes (their LRU weighs shares of two bounds), down again when one is replaced, evicted or cleared", () => {
  const cache = new VerdictCache({ maxBytes: 100_000, maxVersions: 1_000_000 });
  const empty = cache.caches()['verdicts'];
  assert.deepEqual(empty, { bytes: 0, budgetBytes: 90_000, entries: 0, evictions: 0 });
  cache.setPackage('p-a', 'f1', decisions(10), Number.MAX_SAFE_INTEGER);
  const one = cache.caches()['verdicts']?.bytes ?? 0;
  assert.ok(one > 10 * 48, String(one));
  cache.setPackage('p-a', 'f2', decisions(10), Number.MAX_SAFE_INTEGER);
  assert.equal(cache.caches()['verdicts']?.bytes, one, 'replaced, not added');
  // Each entry about 3.2 KB: 27 fit in 90,000 bytes.
  for (let i = 0; i < 40; i++) cache.setPackage(`p${String(i).padStart(2, '0')}`, 'f', decisions(10), Number.MAX_SAFE_INTEGER);
  const full = cache.caches()['verdicts'];
  assert.ok(full !== undefined, 'the verdicts are reported');
  // As many as the bytes hold; of the 41 packages set, the rest were evicted (the replacement was not).
  assert.deepEqual([full.entries, full.evictions], [Math.floor(90_000 / one), 41 - Math.floor(90_000 / one)], JSON.stringify(full));
  assert.equal(full.bytes, one * full.entries, 'every entry the same size');
  cache.clear();
  assert.deepEqual(cache.caches()['verdicts'], { bytes: 0, budgetBytes: 90_000, entries: 0, evictions: full.evictions });
});

test("an artifact verdict's bytes count in its own cache, a tenth of the budget", () => {
  const cache = new VerdictCache({ maxBytes: 100_000, maxVersions: 1_000 });
  cache.setArtifact('k', BLOCK, Number.MAX_SAFE_INTEGER);
  const f = cache.caches()['artifactVerdicts'];
  assert.ok(f !== undefined && f.entries === 1 && f.bytes > 400 && f.budgetBytes === 10_000, JSON.stringify(f));
});
