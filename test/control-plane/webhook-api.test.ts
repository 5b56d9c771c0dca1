/** The webhooks' admin API: admin only, each refusal with its reason, and the skip and replay moves audited. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authHeader } from '../support/gate-helpers.ts';
import { buildTestApp } from '../support/start-airlock.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

test('webhook API: status, test, skip and replay for admins only; unknown names, bad bodies and nothing to skip refused', async (t) => {
  const receiver = await WebhookReceiver.start(null);
  t.after(() => receiver.close());
  receiver.answer = () => ({ status: 500, body: 'receiver bug' });
  const a = await buildTestApp({ config: { repositories: [], webhooks: [{ name: 'siem', url: receiver.url, events: ['token.*'] }] } });
  t.after(() => a.close());
  const { app } = a;
  const admin = authHeader(a.adminToken);
  const approver = (await app.inject({ method: 'POST', url: '/-/api/tokens', headers: admin, payload: { role: 'approver', label: 'reviewer' } })).json<{ token: string }>();

  const denied = await app.inject({ method: 'GET', url: '/-/api/webhooks', headers: authHeader(approver.token) });
  assert.equal(denied.statusCode, 403);
  assert.match(denied.json().error, /admin/);
  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/test', headers: authHeader(approver.token) })).statusCode, 403);

  // The approver token's creation is a token.create event: the receiver fails it.
  const services = app.airlock.webhooks;
  await services.poll();
  const listed = (await app.inject({ method: 'GET', url: '/-/api/webhooks', headers: admin })).json<{ items: Record<string, unknown>[] }>().items;
  assert.equal(listed.length, 1);
  assert.deepEqual(
    [listed[0]?.['name'], listed[0]?.['url'], listed[0]?.['events'], listed[0]?.['signed'], listed[0]?.['attempts'], listed[0]?.['lastError'], listed[0]?.['behind']],
    ['siem', receiver.url, ['token.*'], false, 1, 'the receiver answered 500: receiver bug', 1],
  );
  const tried = await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/test', headers: admin });
  assert.deepEqual(tried.json(), { delivered: false, status: 500, error: 'the receiver answered 500: receiver bug' });

  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/nope/skip', headers: admin, payload: { reason: 'x' } })).statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/skip', headers: admin, payload: {} })).statusCode, 400);
  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/skip', headers: admin, payload: { reason: 'x', seq: 3 } })).statusCode, 400);
  const skipped = await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/skip', headers: admin, payload: { reason: 'the SIEM cannot parse it; SEC-7' } });
  assert.equal(skipped.statusCode, 200, skipped.body);
  const again = await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/skip', headers: admin, payload: { reason: 'x' } });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error, /not failing to deliver an event: nothing to skip/);
  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/replay', headers: admin, payload: { fromSeq: 0, reason: 'x' } })).statusCode, 400);
  const tooFar = await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/replay', headers: admin, payload: { fromSeq: 999, reason: 'x' } });
  assert.equal(tooFar.statusCode, 400);
  assert.match(tooFar.json().error, /fromSeq must be an audit seq from 1 to \d+/);
  receiver.answer = () => ({ status: 204 });
  assert.equal((await app.inject({ method: 'POST', url: '/-/api/webhooks/siem/replay', headers: admin, payload: { fromSeq: 1, reason: 'receiver fixed' } })).statusCode, 200);
  await services.poll();
  assert.deepEqual(receiver.delivered.map((d) => d.body.type), ['token.create', 'token.create']);

  const audit = (await app.inject({ method: 'GET', url: '/-/api/audit?after=0&limit=100', headers: admin })).json<{ items: { action: string; subject: string; details: { reason?: string } }[] }>().items;
  assert.deepEqual(
    audit.filter((e) => e.action.startsWith('webhook.')).map((e) => [e.action, e.subject, e.details.reason]),
    [
      ['webhook.skip', 'siem', 'the SIEM cannot parse it; SEC-7'],
      ['webhook.replay', 'siem', 'receiver fixed'],
    ],
  );
});
