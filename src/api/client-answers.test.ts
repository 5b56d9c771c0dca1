/**
 * The admin client reads every answer before it trusts it: against a local server answering
 * what a broken or hostile one might, each method fails with a BAD_RESPONSE ApiError naming the
 * route and what is wrong, and a well-formed answer (the shapes the route handlers send) is read
 * as before, dates as Date, extra fields kept. What the CLI makes of such answers is tested in
 * src/cli/commands/admin-answers.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminClient, ApiError } from './client.ts';
import { answeringServer, exposureAnswer as exposure, quarantineAnswer as record, type AnsweringServer } from '../../test/support/answering-server.ts';

let server: AnsweringServer;
let url: string;

before(async () => {
  server = await answeringServer();
  url = server.url;
});
after(() => server.close());

const at = '2026-03-10T12:00:00.000Z';
const reasons = [{ message: 'held-pkg is held for review', rule: 'held' }];
const changes = {
  purl: 'pkg:npm/held-pkg@1.1.0', version: '1.1.0', base: '1.0.0', added: [{ path: 'package/x.js', before: null, after: 12 }], removed: [], changed: [], unchanged: 3,
  counts: { added: 1, removed: 0, changed: 0 }, truncated: false, installScripts: { before: null, after: { postinstall: 'node x.js' } },
};
const side = { version: '1.0.0', size: 12, sha256: 'ab'.repeat(32), text: true };
const diff = { purl: 'pkg:npm/held-pkg@1.1.0', path: 'package/x.js', base: '1.0.0', before: side, after: null, unified: '--- a/x\n', added: 0, removed: 1, truncated: false, note: null };
const verdict = { verdict: 'quarantine', reasons, warnings: [], error: null };
const impact = {
  baseline: 'a'.repeat(64), candidate: 'b'.repeat(64), examined: 1, oldest: at, newest: at, complete: true, changed: 1, transitions: { 'allow->quarantine': 1 }, candidateErrors: 0,
  changes: [{ repo: 'npm', purl: 'pkg:npm/held-pkg@1.0.0', phase: 'artifact', decidedAt: at, change: 'verdict', before: { ...verdict, verdict: 'allow', reasons: [] }, after: verdict }],
};
const token = { id: 't1', role: 'reader', label: 'ci', createdAt: at, expiresAt: null, revokedAt: null, scope: { repos: ['npm'], packages: null }, exchangedFrom: null };
const exchanged = { token: 'airlock_x', expiresAt: at, role: 'publisher', scope: null, id: 't2', label: 'oidc', issuer: 'https://issuer.test', subject: 'repo:a/b', rule: 'ci' };
const pypi = { name: 'demo', target: 'release', version: '1.0', versions: ['1.0'], action: 'yank', files: ['demo-1.0.tar.gz'], yanked: 'broken', changed: true };
const hook = { name: 'siem', url: 'https://siem.test/in', events: ['*'], signed: true, head: 9, seq: 7, behind: 2, attempts: 3, lastError: 'HTTP 503', failingSince: at, deliveredAt: at, delivering: true };

interface Case {
  readonly route: string;
  call(c: AdminClient): Promise<unknown>;
  /** What the real server answers, and something else with what is wrong with it. */
  readonly good: unknown;
  readonly bad: unknown;
  readonly wrong: string;
}

const CASES: readonly Case[] = [
  { route: 'GET /-/api/quarantine', call: (c) => c.listQuarantine(), good: { items: [record], nextCursor: 'c2' }, bad: { items: [7], nextCursor: null }, wrong: 'with items[0] that is a number, not an object' },
  { route: 'GET /-/api/quarantine', call: (c) => c.listQuarantine(), good: { items: [], nextCursor: null }, bad: { items: [], nextCursor: 2 }, wrong: 'with nextCursor that is a number, not a string' },
  { route: 'GET /-/api/quarantine/q1', call: (c) => c.getQuarantine('q1'), good: record, bad: { ...record, createdAt: 'yesterday' }, wrong: 'with createdAt that is "yesterday", not an ISO 8601 time' },
  { route: 'GET /-/api/quarantine/q1/changes', call: (c) => c.changes('q1'), good: changes, bad: { ...changes, counts: { added: 1, removed: -1, changed: 0 } }, wrong: 'with counts.removed that is a number, not a count' },
  { route: 'GET /-/api/quarantine/q1/changes/diff', call: (c) => c.diff('q1', 'package/x.js'), good: diff, bad: { ...diff, before: { ...side, sha256: 5 } }, wrong: 'with before.sha256 that is a number, not a string' },
  { route: 'POST /-/api/quarantine/q1/release', call: (c) => c.release('q1', 'ok', '30d'), good: { ...record, state: 'released', expiresAt: at }, bad: 'released', wrong: 'with "released", not an object' },
  { route: 'POST /-/api/quarantine/q1/reject', call: (c) => c.reject('q1', 'no'), good: { ...record, state: 'rejected' }, bad: { ...record, reasons: [{ rule: 'held' }] }, wrong: 'without reasons[0].message (a string)' },
  { route: 'GET /-/api/decisions', call: (c) => c.decisions('pkg:npm/a@1.0.0'), good: { items: [{ id: 'd1', verdict: 'allow', createdAt: at }], nextCursor: null }, bad: { items: [{ createdAt: 12 }], nextCursor: null }, wrong: 'with items[0].createdAt that is a number, not an ISO 8601 time' },
  { route: 'POST /-/api/policy/impact', call: (c) => c.policyImpact({ modules: [{ path: 'p.rego', source: 'package airlock' }], data: {} }), good: impact, bad: { ...impact, changed: undefined }, wrong: 'without changed (a count)' },
  {
    route: 'GET /-/api/repositories',
    call: (c) => c.repositories(),
    good: { items: [{ name: 'npm', format: 'npm', path: '/npm/', kind: 'proxy', upstream: 'https://registry.test/' }, { name: 'all', format: 'npm', path: '/all/', kind: 'group', upstream: null, members: ['npm'] }] },
    bad: { items: [{ name: 'npm', format: 'npm', path: '/npm/', kind: 'proxy', upstream: 'registry' }] },
    wrong: 'with items[0].upstream that is "registry", not a URL',
  },
  { route: 'GET /-/api/signals/missing', call: (c) => c.missingNames(), good: { items: [{ ecosystem: 'npm', name: 'nowhere', count: 2, firstAskedAt: at, lastAskedAt: at, appearedAt: null, askers: [] }] }, bad: { items: null }, wrong: 'with items that is null, not a list' },
  { route: 'GET /-/api/vulnerabilities', call: (c) => c.vulnerabilities({}), good: exposure, bad: { ...exposure, bySeverity: { high: 1 } }, wrong: 'without bySeverity.critical (a count)' },
  {
    route: 'GET /-/api/audit',
    call: (c) => c.audit(0, 10),
    good: { items: [{ seq: 1, at, actor: 'system', action: 'x', subject: 's', details: {}, prevHash: '0'.repeat(64), hash: 'c'.repeat(64) }], next: null },
    bad: { items: [{ seq: '1', hash: 'c', at }], next: null },
    wrong: 'with items[0].seq that is "1", not a count',
  },
  { route: 'POST /-/api/tokens', call: (c) => c.createToken('reader', 'ci', null), good: { ...token, token: 'airlock_secret' }, bad: token, wrong: 'without token (a string)' },
  { route: 'POST /-/api/oidc/token', call: (c) => c.exchangeOidcToken('eyJ.x.y'), good: exchanged, bad: { ...exchanged, expiresAt: null }, wrong: 'with expiresAt that is null, not an ISO 8601 time' },
  { route: 'GET /-/api/tokens', call: (c) => c.listTokens(), good: { items: [token], nextCursor: null }, bad: { items: [{ ...token, scope: { repos: 'npm', packages: null } }], nextCursor: null }, wrong: 'with items[0].scope.repos that is "npm", not a list' },
  { route: 'POST /hosted/-/projects/demo/1.0/yank', call: (c) => c.changePypiRelease('hosted', 'demo', '1.0', 'yank', 'broken'), good: pypi, bad: { ...pypi, action: 'delete' }, wrong: 'with action that is "delete", not "yank", "unyank" or "remove"' },
  { route: 'DELETE /hosted/-/projects/demo', call: (c) => c.changePypiProject('hosted', 'demo', 'remove'), good: { ...pypi, target: 'project', version: null, action: 'remove' }, bad: { ...pypi, files: [1] }, wrong: 'with files[0] that is a number, not a string' },
  { route: 'DELETE /hosted/-/projects/demo/files/demo-1.0.tar.gz', call: (c) => c.removePypiFile('hosted', 'demo', 'demo-1.0.tar.gz'), good: { ...pypi, target: 'file', action: 'remove' }, bad: [], wrong: 'with a list, not an object' },
  { route: 'GET /-/api/webhooks', call: (c) => c.webhooks(), good: { items: [hook] }, bad: { items: [{ ...hook, attempts: undefined }] }, wrong: 'without items[0].attempts (a count)' },
  { route: 'POST /-/api/webhooks/siem/test', call: (c) => c.testWebhook('siem'), good: { delivered: false, status: 503, error: 'HTTP 503' }, bad: { delivered: 'yes', status: 200 }, wrong: 'with delivered that is "yes", not true or false' },
  { route: 'POST /-/api/webhooks/siem/skip', call: (c) => c.skipWebhook('siem', 'lost'), good: { name: 'siem', skipped: 8, seq: 8 }, bad: {}, wrong: 'without skipped (a count)' },
  { route: 'POST /-/api/webhooks/siem/replay', call: (c) => c.replayWebhook('siem', 3, 'lost'), good: { name: 'siem', seq: 2 }, bad: { name: 'siem' }, wrong: 'without seq (a count)' },
];

test('every method that returns data refuses a malformed answer with BAD_RESPONSE, the route and what is wrong', async () => {
  const client = new AdminClient(url, 'token');
  for (const c of CASES) {
    server.answer = c.bad;
    server.asked.length = 0;
    await assert.rejects(c.call(client), (err: unknown) => {
      assert.ok(err instanceof ApiError, c.route);
      assert.equal(err.code, 'BAD_RESPONSE');
      assert.equal(err.message, `the server answered ${c.route} ${c.wrong}`);
      return true;
    });
    assert.deepEqual(server.asked, [c.route], 'the route named is the one asked');
  }
});

test('a well-formed answer is read: dates as Date, the other fields as they came', async () => {
  const client = new AdminClient(url, 'token');
  for (const c of CASES) {
    server.answer = c.good;
    await c.call(client);
  }
  server.answer = { ...record, decidedAt: at, later: { added: 'by a newer server' } };
  const rec = await client.getQuarantine('q1');
  assert.ok(rec.createdAt instanceof Date && rec.decidedAt instanceof Date);
  assert.equal(rec.createdAt.toISOString(), at);
  assert.deepEqual((rec as unknown as Record<string, unknown>)['later'], { added: 'by a newer server' });
  server.answer = { ...impact };
  const report = await client.policyImpact({ modules: [{ path: 'p.rego', source: 'package airlock' }], data: {} });
  assert.ok(report.changes[0]?.decidedAt instanceof Date);
  assert.equal(report.oldest?.toISOString(), at);
  server.answer = { items: [token], nextCursor: null };
  assert.ok((await client.listTokens()).items[0]?.createdAt instanceof Date);
});

test('what a hostile answer holds is shown cut short, or by its kind', async () => {
  const client = new AdminClient(url, 'token');
  server.answer = { items: [{ ...record, id: 'x'.repeat(100_000) }], nextCursor: null };
  // id is a string: accepted; the long value is in a field the CLI prints, not in an error.
  assert.equal((await client.listQuarantine()).items[0]?.id.length, 100_000);
  server.answer = { items: [{ ...record, state: ['x'.repeat(100_000)] }], nextCursor: null };
  await assert.rejects(client.listQuarantine(), { code: 'BAD_RESPONSE', message: 'the server answered GET /-/api/quarantine with items[0].state that is a list, not a string' });
  server.answer = { ...record, createdAt: `2026-${'9'.repeat(100_000)}` };
  await assert.rejects(client.getQuarantine('q1'), (err: unknown) => err instanceof ApiError && err.message.length < 200 && err.message.endsWith('…", not an ISO 8601 time'));
});

test('an id or name of . or .. (or none) is refused before a request: URL resolution would have sent it to another route', async () => {
  server.asked.length = 0;
  const client = new AdminClient(url, 'token');
  await assert.rejects(client.getQuarantine('..'), { code: 'BAD_REQUEST', message: '".." cannot be sent as a name or id in a URL' });
  await assert.rejects(client.release('.', 'ok', null), { code: 'BAD_REQUEST' });
  await assert.rejects(client.removePypiFile('hosted', 'demo', '..'), { code: 'BAD_REQUEST' });
  await assert.rejects(client.revokeToken(''), { code: 'BAD_REQUEST' });
  assert.deepEqual(server.asked, [], 'nothing was sent');
  // Dots inside a value are sent as they are.
  server.answer = record;
  await client.getQuarantine('..q1');
  assert.deepEqual(server.asked, ['GET /-/api/quarantine/..q1']);
});
