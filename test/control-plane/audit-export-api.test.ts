/** `GET /-/api/audit/export`: a period of the audit trail as a JSON Lines segment (approver or admin). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifiedSegment } from '../../src/gate/audit-evidence/index.ts';
import { authHeader } from '../support/gate-helpers.ts';
import { buildTestApp } from '../support/start-airlock.ts';

test('audit export: a verifiable segment for approvers and admins; refused to readers; a bad range is a 400', async (t) => {
  const a = await buildTestApp({ config: { repositories: [] } });
  t.after(() => a.close());
  const { app } = a;
  const token = async (role: string, label: string): Promise<{ token: string; id: string }> =>
    (await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role, label } })).json<{ token: string; id: string }>();
  const reader = await token('reader', 'dev');
  const approver = await token('approver', 'reviewer');

  const res = await app.inject({ method: 'GET', url: '/-/api/audit/export?after=1', headers: authHeader(approver.token) });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/x-ndjson');
  assert.equal(res.headers['cache-control'], 'no-store');
  const lines = res.body.split('\n');
  assert.equal(lines.pop(), '');
  const header = JSON.parse(lines[0] as string) as { anchor: { seq: number }; range: unknown; through: number };
  assert.deepEqual(header.range, { since: null, until: null, after: 1, through: null });
  assert.equal(header.anchor.seq, 1, 'after the bootstrap token, anchored at it');
  const { items, verification } = verifiedSegment([res.body]);
  for await (const _ of items);
  const s = verification.summary;
  assert.deepEqual([s.count, s.header.through], [2, 3], 'the two tokens created here');
  const who = s.trailer.actors[`token:${approver.id}`];
  assert.deepEqual([who?.label, who?.role, who?.revokedAt], ['reviewer', 'approver', null], 'the tokens the events are about, named in the trailer');
  assert.match(String(who?.createdAt), /^\d{4}-\d{2}-\d{2}T/);

  // A duration, as the CLI takes: resolved on the server's clock, the header records the instant.
  const before = Date.now();
  const recent = await app.inject({ method: 'GET', url: '/-/api/audit/export?since=1h&until=2099-01-01T00:00:00%2B01:00', headers: authHeader(approver.token) });
  assert.equal(recent.statusCode, 200, recent.body);
  const recentRange = (JSON.parse(recent.body.split('\n')[0] as string) as { range: { since: string; until: string } }).range;
  assert.ok(Math.abs(Date.parse(recentRange.since) - (before - 3_600_000)) < 60_000, recentRange.since);
  assert.equal(recentRange.until, '2098-12-31T23:00:00.000Z');

  assert.equal((await app.inject({ method: 'GET', url: '/-/api/audit/export', headers: authHeader(reader.token) })).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/-/api/audit/export' })).statusCode, 401);
  for (const [query, message] of [
    ['since=yesterday', /since: "yesterday" is neither an ISO 8601 instant nor a duration/],
    ['until=2026-02-30T00:00:00Z', /until: "2026-02-30T00:00:00Z" is not an ISO 8601 instant/],
    ['since=3650d1ms', /since: "3650d1ms" is neither/], // the CLI's limit: ten years
    ['since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z', /until is before since/],
    ['after=5&through=2', /through is before after/],
    ['after=-1', /after/],
  ] as const) {
    const bad = await app.inject({ method: 'GET', url: `/-/api/audit/export?${query}`, headers: authHeader(a.adminToken) });
    assert.equal(bad.statusCode, 400, query);
    assert.equal(bad.json().code, 'BAD_REQUEST', query);
    assert.match(bad.json().error, message);
  }
});
