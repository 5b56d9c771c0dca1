/**
 * `time.now_ns()` is the input's `now` in every decision, whatever the decision before it was
 * given (decide keeps the last clock it parsed: versions of a package share one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBundle } from '../../src/policy/compiled-bundle.ts';
import { decide } from '../../src/policy/decide.ts';

const source = `package airlock

import rego.v1

deny contains msg if {
	msg := sprintf("%d", [time.now_ns()])
}
`;

test('each decision reads the clock of its own input, one after another and in a batch', () => {
  const bundle = compileBundle({ modules: [{ path: 'clock.rego', source }], data: {}, files: [], roots: [], hash: 'sha256:clock' });
  const limits = { timeoutMs: 5000, maxSteps: 100_000 };
  const clocks = ['2026-11-21T12:00:00.000Z', '2026-11-21T12:00:00.000Z', '2024-01-02T03:04:05.678Z', '2026-11-21T12:00:00.000Z', '1999-12-31T23:59:59.000Z'];
  const nsOf = (iso: string): string => String(BigInt(Date.parse(iso)) * 1_000_000n);
  const batch = bundle.batch();
  for (const useBatch of [false, true]) {
    for (const now of clocks) {
      const outcome = decide(bundle, { now, artifact: { name: 'x', version: '1.0.0' } }, limits, 'block', useBatch ? batch : undefined);
      assert.equal(outcome.error, null);
      const { verdict } = outcome;
      assert.ok(verdict.kind === 'block', `a block, got ${verdict.kind}`);
      assert.deepEqual(
        verdict.reasons.map((r) => r.message),
        [nsOf(now)],
        `now ${now}${useBatch ? ' (batch)' : ''}`,
      );
    }
  }
});
