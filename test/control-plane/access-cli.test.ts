/**
 * Package reads that require a reader token (npm's `_authToken`), and the admin CLI against a
 * listening server: `quarantine list --format json`, release, token create.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { cliInProcess as cli } from '../support/captured-output.ts';
import { Script } from 'node:vm';
import { REVIEW_POLICY, anonymousRequest, authHeader, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp, startAirlock } from '../support/start-airlock.ts';

// An upstream nobody listens on: these tests never reach it.
const OFFLINE_NPM = { name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' };

test('package reads are anonymous by default and can require a reader token', async () => {
  const open = await buildTestApp({ config: { repositories: [OFFLINE_NPM] } });
  try {
    assert.equal((await open.app.inject({ method: 'GET', url: '/npm/-/ping' })).statusCode, 200);
    const badToken = await open.app.inject({ method: 'GET', url: '/npm/-/ping', headers: authHeader('airlock_wrong-token-0123456789') });
    assert.equal(badToken.statusCode, 401, 'a wrong token is refused even where anonymous reads are allowed');
    assert.match(badToken.json<{ error: string }>().error, /invalid, expired or revoked token/);
  } finally {
    await open.close();
  }

  const closed = await buildTestApp({ config: { repositories: [OFFLINE_NPM], access: { anonymousRead: false } } });
  try {
    const { app } = closed;
    const anon = await app.inject({ method: 'GET', url: '/npm/-/ping' });
    assert.equal(anon.statusCode, 401);
    assert.match(anon.json<{ error: string }>().error, /requires a token to read packages/);
    const anonPackument = await app.inject({ method: 'GET', url: '/npm/left-pad' });
    assert.equal(anonPackument.statusCode, 401);
    const anonSearch = await app.inject({ method: 'GET', url: '/npm/-/v1/search?text=left' });
    assert.equal(anonSearch.statusCode, 401, 'a search names packages and versions: a read like any other');
    const reader = (await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(closed.adminToken), payload: { role: 'reader', label: 'ci' } })).json<{ token: string }>();
    assert.equal((await app.inject({ method: 'GET', url: '/npm/-/ping', headers: authHeader(reader.token) })).statusCode, 200);
    const whoami = await app.inject({ method: 'GET', url: '/npm/-/whoami', headers: authHeader(reader.token) });
    assert.equal(whoami.json<{ username: string }>().username, 'ci');
    // Health and metrics stay open for probes.
    assert.equal((await app.inject({ method: 'GET', url: '/-/health' })).statusCode, 200);
  } finally {
    await closed.close();
  }
});

test('admin CLI against a running server: list --format json, show, release, token create', async () => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const a = await startAirlock({ config: { repositories: [], policy: { paths: [policyDir] } } });
  try {
    const q = await a.app.airlock.gate.judgeArtifact(npmCandidate('held-cli', '1.2.3'), anonymousRequest);
    const admin = { AIRLOCK_TOKEN: a.adminToken, AIRLOCK_SERVER: a.url };

    const list = await cli(['quarantine', 'list', '--format', 'json'], admin);
    assert.equal(list.code, 0, list.stderr);
    const records = JSON.parse(list.stdout) as { id: string; purl: string; state: string; reasons: { message: string }[] }[];
    assert.equal(records.length, 1);
    assert.equal(records[0]?.id, q.quarantineId);
    assert.equal(records[0]?.purl, 'pkg:npm/held-cli@1.2.3');
    assert.equal(records[0]?.state, 'quarantined');
    assert.equal(records[0]?.reasons[0]?.message, 'held-cli is held for review');

    const table = await cli(['quarantine', 'list', '--server', a.url], admin);
    assert.match(table.stdout, /^ID\s+STATE\s+PACKAGE/);
    assert.match(table.stdout, /held-cli@1\.2\.3/);

    const show = await cli(['quarantine', 'show', String(q.quarantineId)], admin);
    assert.equal(show.code, 0);
    assert.match(show.stdout, /state:\s+quarantined/);

    const created = await cli(['token', 'create', '--role', 'reader', '--label', 'dev laptop'], admin);
    assert.equal(created.code, 0, created.stderr);
    const readerToken = created.stdout.trim();
    assert.match(readerToken, /^airlock_[A-Za-z0-9_-]{40,}$/);

    const refused = await cli(['quarantine', 'release', String(q.quarantineId), '--reason', 'ok'], { ...admin, AIRLOCK_TOKEN: readerToken });
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /needs the approver role/);

    const noReason = await cli(['quarantine', 'release', String(q.quarantineId)], admin);
    assert.equal(noReason.code, 2);

    const released = await cli(['quarantine', 'release', String(q.quarantineId), '--reason', 'reviewed', '--expires', '30d'], admin);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, /released until \d{4}-/);
    assert.equal((await a.app.airlock.gate.judgeArtifact(npmCandidate('held-cli', '1.2.3'), anonymousRequest)).verdict.kind, 'allow');

    const again = await cli(['quarantine', 'reject', String(q.quarantineId), '--reason', 'changed my mind'], admin);
    assert.equal(again.code, 0, 'a released version can still be rejected');
    const missing = await cli(['quarantine', 'show', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], admin);
    assert.equal(missing.code, 5);
    const unreachable = await cli(['quarantine', 'list', '--server', 'http://127.0.0.1:9'], admin);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /^airlock quarantine list: cannot reach Airlock at http:\/\/127\.0\.0\.1:9/);
  } finally {
    await a.close();
    await rm(policyDir, { recursive: true, force: true });
  }
});

test('the review UI is served with a strict content security policy and uses the admin API', async () => {
  const a = await buildTestApp({ config: { repositories: [] } });
  try {
    const redirect = await a.app.inject({ method: 'GET', url: '/-/ui' });
    assert.equal(redirect.statusCode, 308);
    assert.equal(redirect.headers['location'], '/-/ui/');
    const page = await a.app.inject({ method: 'GET', url: '/-/ui/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(page.body, /<script src="ui\.js" defer><\/script>/);
    const js = await a.app.inject({ method: 'GET', url: '/-/ui/ui.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] ?? '', /^text\/javascript/);
    assert.doesNotMatch(js.body, /innerHTML|insertAdjacentHTML|document\.write/, 'server data is never rendered as HTML');
    assert.match(js.body, /quarantine\/\$\{encodeURIComponent\(selected\.id\)\}\/\$\{action\}/);
    assert.doesNotThrow(() => new Script(js.body, { filename: 'ui.js' }), 'the script parses');
  } finally {
    await a.close();
  }
});
