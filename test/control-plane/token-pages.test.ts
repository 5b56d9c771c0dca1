/**
 * GET /-/api/tokens a page at a time, as the other admin listings (quarantine, exceptions): newest
 * first, `limit` (default 50, at most 500) and the opaque `cursor` of the previous page's
 * `nextCursor`; and `airlock token list` following the pages to the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliInProcess as cli } from '../support/captured-output.ts';
import { authHeader } from '../support/gate-helpers.ts';
import { startAirlock } from '../support/start-airlock.ts';

interface Listed {
  readonly items: readonly { id: string; label: string; createdAt: string }[];
  readonly nextCursor: string | null;
}

test('GET /-/api/tokens pages newest first with limit and cursor; airlock token list follows every page', async (t) => {
  const a = await startAirlock({ config: { repositories: [] } });
  t.after(() => a.close());
  const admin = authHeader(a.adminToken);
  const created: string[] = [];
  for (let i = 0; i < 520; i++) {
    const r = await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: admin, payload: { role: 'reader', label: `ci-${i}` } });
    assert.equal(r.statusCode, 201);
    created.push(r.json<{ id: string }>().id);
  }
  const list = async (query: string): Promise<{ status: number; body: Listed & { error?: string } }> => {
    const r = await a.app.inject({ url: `/-/api/tokens${query}`, headers: admin });
    return { status: r.statusCode, body: r.json() };
  };

  // The default page: 50, the newest first, and a cursor to go on.
  const first = await list('');
  assert.equal(first.status, 200);
  assert.equal(first.body.items.length, 50);
  assert.equal(first.body.items[0]?.label, 'ci-519');
  assert.equal(typeof first.body.nextCursor, 'string');

  // Pages of 200 to the end: every token once, newest first, no secrets or hashes.
  const seen: Listed['items'][number][] = [];
  let pages = 0;
  for (let cursor: string | null = null; ; pages++) {
    const page = await list(`?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(JSON.stringify(page.body), /"hash"|"token"/);
    seen.push(...page.body.items);
    if (page.body.nextCursor === null) break;
    cursor = page.body.nextCursor;
  }
  assert.equal(pages, 2, 'three pages: 200, 200 and the rest');
  const ids = seen.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.filter((id) => created.includes(id)), [...created].reverse());
  const times = seen.map((s) => Date.parse(s.createdAt));
  assert.deepEqual(times, [...times].sort((x, y) => y - x));

  // The same limits and errors as the other listings.
  assert.equal((await list('?limit=500')).body.items.length, 500);
  assert.equal((await list('?limit=501')).status, 400);
  assert.equal((await list('?limit=0')).status, 400);
  const badCursor = await list('?cursor=not-a-cursor');
  assert.equal(badCursor.status, 400);
  assert.equal(badCursor.body.error, 'invalid page cursor');
  assert.equal((await list('?page=2')).status, 400, 'an unknown parameter is refused, not ignored');

  // The CLI asks for pages of 500 and follows them: every token, newest first.
  const env = { AIRLOCK_TOKEN: a.adminToken, AIRLOCK_SERVER: a.url };
  const json = await cli(['token', 'list', '--format', 'json'], env);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual((JSON.parse(json.stdout) as { id: string }[]).map((x) => x.id), ids);
  const table = await cli(['token', 'list'], env);
  assert.equal(table.code, 0, table.stderr);
  const rows = table.stdout.trimEnd().split('\n');
  assert.match(rows[0] ?? '', /^ID\s+ROLE\s+STATE\s+CREATED\s+LABEL\s+SCOPE$/);
  assert.equal(rows.length, 1 + ids.length);
  assert.match(rows[1] ?? '', /\bci-519\b/);
});
