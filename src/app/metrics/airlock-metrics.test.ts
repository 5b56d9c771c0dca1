import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { makePurl } from '../../core/index.ts';
import { ReviewIndex } from '../../gate/index.ts';
import type { QuarantineRecord, QuarantineState } from '../../storage/ports/index.ts';
import { CircuitBreaker } from '../../upstream/index.ts';
import { AirlockMetrics } from './airlock-metrics.ts';

function lines(m: AirlockMetrics, name: string): string[] {
  return m.render().split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

function record(id: string, repo: string, nameVersion: string, state: QuarantineState, createdAt: string): QuarantineRecord {
  const [name = '', version = ''] = nameVersion.split('@');
  const ecosystem = repo === 'pypi' ? 'pypi' : 'npm';
  const at = new Date(createdAt);
  return {
    id,
    repo,
    purl: makePurl(ecosystem, name, version),
    ecosystem,
    name,
    version,
    state,
    reasons: [],
    facts: {},
    createdAt: at,
    updatedAt: at,
    decidedBy: state === 'quarantined' ? null : 'alice',
    decidedAt: state === 'quarantined' ? null : at,
    decisionReason: state === 'quarantined' ? null : 'reviewed',
    expiresAt: null,
    contentDigest: null,
  };
}

test('the review backlog by repository: every configured repository (0 when none waits), the oldest waiting version when one does; a backlog cleared reads 0 and its oldest is gone', () => {
  const reviews = new ReviewIndex();
  const m = new AirlockMetrics();
  m.watchReviews(reviews, ['npm', 'pypi', 'internal']);
  reviews.put(record('q1', 'npm', 'a@1.0.0', 'quarantined', '2026-03-01T00:00:00Z'));
  reviews.put(record('q2', 'npm', 'b@2.0.0', 'quarantined', '2026-03-02T00:00:00Z'));
  reviews.put(record('q3', 'pypi', 'c@1.0', 'released', '2026-02-01T00:00:00Z'));
  // A repository no longer configured whose versions still wait in the shared store.
  reviews.put(record('q4', 'old', 'd@1.0.0', 'quarantined', '2026-01-15T00:00:00Z'));
  assert.deepEqual(lines(m, 'airlock_quarantine_pending'), [
    'airlock_quarantine_pending{repo="npm"} 2',
    'airlock_quarantine_pending{repo="pypi"} 0',
    'airlock_quarantine_pending{repo="internal"} 0',
    'airlock_quarantine_pending{repo="old"} 1',
  ]);
  assert.deepEqual(lines(m, 'airlock_quarantine_oldest_pending_timestamp_seconds'), [
    `airlock_quarantine_oldest_pending_timestamp_seconds{repo="npm"} ${Date.parse('2026-03-01T00:00:00Z') / 1000}`,
    `airlock_quarantine_oldest_pending_timestamp_seconds{repo="old"} ${Date.parse('2026-01-15T00:00:00Z') / 1000}`,
  ]);

  // a@1.0.0 released (its newest record), then b@2.0.0 rejected: npm's backlog empties.
  reviews.put(record('q1', 'npm', 'a@1.0.0', 'released', '2026-03-01T00:00:00Z'));
  assert.equal(lines(m, 'airlock_quarantine_oldest_pending_timestamp_seconds')[0], `airlock_quarantine_oldest_pending_timestamp_seconds{repo="npm"} ${Date.parse('2026-03-02T00:00:00Z') / 1000}`);
  reviews.put(record('q2', 'npm', 'b@2.0.0', 'rejected', '2026-03-02T00:00:00Z'));
  assert.equal(lines(m, 'airlock_quarantine_pending')[0], 'airlock_quarantine_pending{repo="npm"} 0');
  assert.deepEqual(lines(m, 'airlock_quarantine_oldest_pending_timestamp_seconds'), [
    `airlock_quarantine_oldest_pending_timestamp_seconds{repo="old"} ${Date.parse('2026-01-15T00:00:00Z') / 1000}`,
  ]);
  // A version quarantined again (a newer record) waits again.
  reviews.put(record('q5', 'npm', 'a@1.0.0', 'quarantined', '2026-03-05T00:00:00Z'));
  assert.equal(lines(m, 'airlock_quarantine_pending')[0], 'airlock_quarantine_pending{repo="npm"} 1');
});

test('upstream circuit state: one series per state, 1 for the current one, read when scraped', () => {
  let now = 0;
  const breaker = new CircuitBreaker({ threshold: 2, openMs: 1000, now: () => now });
  const m = new AirlockMetrics();
  m.watchCircuit('npm', 'upstream', () => breaker.state);
  const states = (): string[] => lines(m, 'airlock_upstream_circuit_state').filter((l) => l.endsWith(' 1'));
  assert.equal(lines(m, 'airlock_upstream_circuit_state').length, 3);
  assert.deepEqual(states(), ['airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="closed"} 1']);
  breaker.failure();
  breaker.failure();
  assert.deepEqual(states(), ['airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="open"} 1']);
  now = 1000;
  assert.deepEqual(states(), ['airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="half-open"} 1']);
  breaker.success();
  assert.deepEqual(states(), ['airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="closed"} 1']);
});

test('requests in flight: counted from their start until their response closes, once', () => {
  const m = new AirlockMetrics();
  const a = new EventEmitter();
  const b = new EventEmitter();
  m.requestStarted(a);
  m.requestStarted(b);
  assert.deepEqual(lines(m, 'airlock_http_requests_in_flight'), ['airlock_http_requests_in_flight 2']);
  a.emit('close');
  a.emit('close');
  assert.deepEqual(lines(m, 'airlock_http_requests_in_flight'), ['airlock_http_requests_in_flight 1']);
  b.emit('close');
  assert.deepEqual(lines(m, 'airlock_http_requests_in_flight'), ['airlock_http_requests_in_flight 0']);
});

test('build info names the package version and the Node.js version; the old memory gauge says what it duplicates', () => {
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const m = new AirlockMetrics();
  assert.deepEqual(lines(m, 'airlock_build_info'), [`airlock_build_info{version="${version}",node_version="${process.version}"} 1`]);
  assert.match(m.render(), /# HELP airlock_process_resident_memory_bytes .*the same as process_resident_memory_bytes/);
});

test('airlock_policy_info has one series, the active policy: a reload replaces the hash rather than adding one', () => {
  const m = new AirlockMetrics();
  assert.deepEqual(lines(m, 'airlock_policy_info'), []);
  m.policyActive('a'.repeat(64));
  m.policyActive('b'.repeat(64));
  assert.deepEqual(lines(m, 'airlock_policy_info'), [`airlock_policy_info{hash="${'b'.repeat(64)}"} 1`]);
});

test('one scrape walks the review index once, however many backlog metrics read it; the next scrape walks it again', () => {
  const m = new AirlockMetrics();
  let walks = 0;
  m.watchReviews(
    {
      backlog: () => {
        walks++;
        return new Map([['npm', { waiting: 1, oldest: new Date('2026-01-01T00:00:00Z') }]]);
      },
    },
    ['npm'],
  );
  assert.deepEqual(lines(m, 'airlock_quarantine_pending'), ['airlock_quarantine_pending{repo="npm"} 1']);
  assert.equal(walks, 1);
  m.render();
  assert.equal(walks, 2);
});
