import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { isAirlockError } from '../core/index.ts';
import type { AuditEventInput, Json } from '../storage/ports/index.ts';
import { openSqliteMetadataStore, type SqliteMetadataStore } from '../storage/sqlite/index.ts';
import { Transport } from '../upstream/index.ts';
import { WebhookReceiver, type Answer } from '../../test/support/webhook-receiver.ts';
import { checkEventPattern, eventBody, eventFilter, signDelivery, WebhookSender, webhookKey, Webhooks, type DispatcherTiming } from './index.ts';

const SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
const TIMING: DispatcherTiming = { pollMs: 0, leaseMs: 60_000, retryDelaysMs: [5_000, 30_000], maxRetryAfterMs: 3_600_000 };

function sender(): WebhookSender {
  return new WebhookSender(new Transport({ connections: 2, connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 2000, keepAliveTimeoutMs: 1000 }), 'airlock-test');
}

/** A clock tests move by hand (from the real time: receivers refuse signatures more than 5 minutes off). */
function manualClock(start = Date.now()): { now: () => Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

interface Setup {
  readonly stores: SqliteMetadataStore[];
  readonly receiver: WebhookReceiver;
  readonly clock: ReturnType<typeof manualClock>;
  gateway(store?: SqliteMetadataStore, events?: readonly string[]): Promise<Webhooks>;
  append(action: string, subject?: string, details?: Json): Promise<number>;
}

/** `count` gateways' stores over one SQLite file, a receiver, and Webhooks services built on demand (closed after the test). */
async function setup(t: TestContext, count = 1): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-webhooks-'));
  const stores = Array.from({ length: count }, () => openSqliteMetadataStore({ path: join(dir, 'airlock.db') }));
  for (const s of stores) await s.migrate();
  const receiver = await WebhookReceiver.start(SECRET);
  const clock = manualClock();
  const services: Webhooks[] = [];
  t.after(async () => {
    for (const w of services) await w.close();
    await receiver.close();
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  });
  const first = stores[0] as SqliteMetadataStore;
  return {
    stores,
    receiver,
    clock,
    async gateway(store = first, events = ['quarantine.*', 'package.publish']) {
      const w = new Webhooks({ store, clock: clock.now }, [{ name: 'security', url: new URL(receiver.url), display: receiver.url, events, key: webhookKey(SECRET) as Buffer, sender: sender() }], TIMING);
      services.push(w);
      await w.start();
      return w;
    },
    async append(action, subject = 'pkg:npm/left-pad@1.3.0', details = {}) {
      const input: AuditEventInput = { at: clock.now(), actor: 'system', action, subject, details };
      return (await first.appendAudit(input)).seq;
    },
  };
}

const seqs = (r: WebhookReceiver): unknown[] => r.delivered.map((d) => d.body.data['seq']);

test('event patterns: actions, families, everything, and ! to leave out', () => {
  const f = eventFilter(['quarantine.*', 'package.publish', 'decision.*', '!decision.allow']);
  assert.deepEqual(
    ['quarantine.open', 'quarantine.release', 'package.publish', 'package.unpublish', 'decision.block', 'decision.allow', 'quarantine'].map(f),
    [true, true, true, false, true, false, false],
  );
  assert.equal(eventFilter(['*', '!decision.allow'])('token.create'), true);
  assert.equal(eventFilter(['*', '!decision.allow'])('decision.allow'), false);
  for (const bad of ['', 'quarantine.', '*.open', 'Quarantine.open', 'a..b', '!!a', 'a b']) assert.match(checkEventPattern(bad) ?? '', /is not an event pattern/, bad);
  assert.throws(() => eventFilter(['quarantine.**']), (e) => isAirlockError(e, 'BAD_REQUEST'));
});

test('signatures: the Standard Webhooks reference library accepts them, and refuses a changed body or another secret', () => {
  const key = webhookKey(SECRET) as Buffer;
  const body = Buffer.from('{"type":"quarantine.open"}');
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'webhook-id': 'aud_7_0123456789abcdef', 'webhook-timestamp': String(ts), 'webhook-signature': signDelivery(key, 'aud_7_0123456789abcdef', ts, body) };
  assert.deepEqual(new Webhook(SECRET).verify(body.toString(), headers), { type: 'quarantine.open' });
  assert.throws(() => new Webhook(SECRET).verify('{"type":"quarantine.release"}', headers));
  assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(body.toString(), headers));
  assert.match(String(webhookKey('s3cret')), /must start with whsec_/);
  assert.match(String(webhookKey('whsec_not base64!')), /followed by the key in base64/);
  assert.match(String(webhookKey(`whsec_${Buffer.alloc(8).toString('base64')}`)), /a key of 24 to 64 bytes \(this one has 8\)/);
});

test('the payload: the audit event whole, chain links included, in the Standard Webhooks envelope; huge details are pointed to', () => {
  const e = { seq: 12, at: new Date('2026-11-24T10:00:00.123Z'), actor: 'tok_1', action: 'quarantine.open', subject: 'q_1', details: { purl: 'pkg:npm/x@1.0.0' }, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) };
  assert.deepEqual(JSON.parse(eventBody(e).toString()), {
    type: 'quarantine.open',
    timestamp: '2026-11-24T10:00:00.123Z',
    data: { seq: 12, at: '2026-11-24T10:00:00.123Z', actor: 'tok_1', action: 'quarantine.open', subject: 'q_1', details: { purl: 'pkg:npm/x@1.0.0' }, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) },
  });
  const big = JSON.parse(eventBody({ ...e, details: { blob: 'x'.repeat(70_000) } }).toString()) as { data: Record<string, unknown> };
  assert.equal(big.data['details'], null);
  assert.match(String(big.data['detailsOmitted']), /GET \/-\/api\/audit\?after=11&limit=1/);
});

test('delivers the events it takes, in audit order, once each, signed; events before its first start and idle polls cost nothing', async (t) => {
  const s = await setup(t);
  await s.append('quarantine.open', 'before-start');
  const w = await s.gateway();
  const publish = await s.append('package.publish', 'pkg:npm/@acme/lib@1.0.0');
  await s.append('decision.allow');
  const open = await s.append('quarantine.open', 'q_1');
  const last = await s.append('token.create', 'tok_2');
  await w.poll();
  assert.deepEqual(seqs(s.receiver), [publish, open]);
  assert.deepEqual(s.receiver.delivered.map((d) => [d.body.type, d.verified, d.body.data['subject']]), [
    ['package.publish', true, 'pkg:npm/@acme/lib@1.0.0'],
    ['quarantine.open', true, 'q_1'],
  ]);
  for (const d of s.receiver.delivered) assert.match(d.id, new RegExp(`^aud_${String(d.body.data['seq'])}_[0-9a-f]{16}$`));
  const store = s.stores[0] as SqliteMetadataStore;
  const cursor = await store.getWebhookCursor('security');
  assert.equal(cursor?.seq, last, 'events it does not take are passed over too');
  assert.equal(cursor?.attempts, 0);
  s.clock.advance(1000);
  await w.poll();
  assert.equal(s.receiver.requests.length, 2);
  const idle = await store.getWebhookCursor('security');
  // Nothing moved, and the lease was not renewed either (a claim sets leaseUntil from the clock, now a second later).
  assert.deepEqual([idle?.seq, idle?.updatedAt, idle?.leaseUntil], [cursor?.seq, cursor?.updatedAt, cursor?.leaseUntil], 'an idle poll writes nothing');
});

test('a failed attempt is retried after its wait with the same webhook-id, and nothing after it goes out meanwhile', async (t) => {
  const s = await setup(t);
  const w = await s.gateway();
  s.receiver.answer = (n) => (n === 0 ? { status: 500, body: 'database\nlocked' } : { status: 200 });
  const first = await s.append('quarantine.open', 'q_1');
  const second = await s.append('quarantine.release', 'q_1');
  await w.poll();
  assert.equal(s.receiver.requests.length, 1);
  const store = s.stores[0] as SqliteMetadataStore;
  const failing = await store.getWebhookCursor('security');
  assert.equal(failing?.seq, first - 1);
  assert.equal(failing?.attempts, 1);
  assert.equal(failing?.lastError, 'the receiver answered 500: database locked');
  assert.deepEqual(failing?.failingSince, s.clock.now());
  const status = (await w.list())[0];
  assert.equal(status?.behind, 2);
  assert.equal(status?.attempts, 1);

  s.clock.advance(3000);
  await w.poll();
  assert.equal(s.receiver.requests.length, 1, 'within the first wait (5 s, give or take a tenth): no attempt');
  s.clock.advance(3000);
  await w.poll();
  assert.deepEqual(seqs(s.receiver), [first, second]);
  assert.equal(s.receiver.requests[0]?.id, s.receiver.requests[1]?.id, 'the idempotency key is the event, not the attempt');
  const done = await store.getWebhookCursor('security');
  assert.deepEqual([done?.seq, done?.attempts, done?.lastError, done?.failingSince], [second, 0, null, null]);
});

test("a receiver's Retry-After is followed, a dropped connection and a redirect are failures with their reason", async (t) => {
  const s = await setup(t);
  const w = await s.gateway();
  const answers: (Answer | 'drop')[] = [
    { status: 503, headers: { 'retry-after': '120' } },
    'drop',
    { status: 302, headers: { location: 'http://elsewhere/' } },
    { status: 204 },
  ];
  s.receiver.answer = (n) => answers[n] ?? { status: 204 };
  const seq = await s.append('quarantine.open', 'q_1');
  const store = s.stores[0] as SqliteMetadataStore;
  await w.poll();
  s.clock.advance(60_000);
  await w.poll();
  assert.equal(s.receiver.requests.length, 1, 'Retry-After: 120 is longer than the 5 s wait and is followed');
  s.clock.advance(61_000);
  await w.poll();
  assert.equal(s.receiver.requests.length, 2);
  assert.match((await store.getWebhookCursor('security'))?.lastError ?? '', /^could not deliver: /);
  s.clock.advance(31_000);
  await w.poll();
  assert.equal((await store.getWebhookCursor('security'))?.lastError, 'the receiver answered 302 (redirects are not followed: configure the URL it points to)');
  assert.equal((await store.getWebhookCursor('security'))?.attempts, 3);
  s.clock.advance(31_000);
  await w.poll();
  assert.deepEqual(seqs(s.receiver), [seq]);
});

test('skip gives up on the failing event (audited, with the reason); replay delivers again from an earlier event', async (t) => {
  const s = await setup(t);
  const w = await s.gateway();
  const poison = await s.append('quarantine.open', 'q_poison');
  const next = await s.append('quarantine.open', 'q_next');
  s.receiver.answer = (_n, body) => (body.data['subject'] === 'q_poison' ? { status: 422 } : { status: 204 });
  await w.poll();
  await assert.rejects(w.skip('nope', 'tok_admin', 'x'), (e) => isAirlockError(e, 'NOT_FOUND'));
  const skipped = await w.skip('security', 'tok_admin', 'the receiver rejects this payload; filed as SEC-12');
  assert.equal(skipped.seq, poison);
  await assert.rejects(w.skip('security', 'tok_admin', 'again'), (e) => isAirlockError(e, 'CONFLICT') && /not failing/.test(e.message));
  await w.poll();
  // The skip is an audit event itself; this webhook does not take webhook.* events.
  assert.deepEqual(seqs(s.receiver), [next]);
  const audit = await (s.stores[0] as SqliteMetadataStore).listAudit({ afterSeq: next, limit: 10 });
  assert.deepEqual(audit.map((e) => [e.action, e.actor, e.subject, (e.details as { seq: number; reason: string }).seq, (e.details as { reason: string }).reason]), [
    ['webhook.skip', 'tok_admin', 'security', poison, 'the receiver rejects this payload; filed as SEC-12'],
  ]);

  s.receiver.answer = () => ({ status: 204 });
  await assert.rejects(w.replay('security', 0, 'tok_admin', 'x'), (e) => isAirlockError(e, 'BAD_REQUEST'));
  await w.replay('security', poison, 'tok_admin', 'the SIEM lost a day');
  await w.poll();
  assert.deepEqual(seqs(s.receiver), [next, poison, next]);
});

test('gateways sharing a store deliver each event once between them, in order, and a dead holder is replaced when its lease runs out', async (t) => {
  const s = await setup(t, 3);
  const gateways = await Promise.all(s.stores.map((store) => s.gateway(store)));
  const appended: number[] = [];
  for (let i = 0; i < 12; i++) {
    appended.push(await s.append(i % 2 === 0 ? 'quarantine.open' : 'package.publish', `q_${i}`));
    await Promise.all(gateways.map((g) => g.poll()));
  }
  await Promise.all(gateways.map((g) => g.poll()));
  assert.deepEqual(seqs(s.receiver), appended);
  assert.equal(s.receiver.requests.length, 12);

  // A gateway that took the lease and died: the others wait for it to run out, then deliver.
  const store = s.stores[0] as SqliteMetadataStore;
  s.clock.advance(60_001);
  const dead = await store.claimWebhook('security', 'gw-dead', s.clock.now(), new Date(s.clock.now().getTime() + 60_000), 0);
  assert.equal(dead?.holder, 'gw-dead');
  const late = await s.append('quarantine.release', 'q_0');
  await Promise.all(gateways.map((g) => g.poll()));
  assert.equal(s.receiver.requests.length, 12);
  s.clock.advance(60_001);
  await Promise.all(gateways.map((g) => g.poll()));
  assert.deepEqual(seqs(s.receiver), [...appended, late]);
});

test('restart: a gateway started again goes on from its cursor, so nothing recorded while it was down or failing is lost', async (t) => {
  const s = await setup(t);
  const before = await s.gateway();
  s.receiver.answer = () => ({ status: 503 });
  const held = await s.append('quarantine.open', 'q_1');
  await before.poll();
  await before.close();
  const whileDown = await s.append('package.publish', 'pkg:npm/@acme/lib@2.0.0');
  s.receiver.answer = () => ({ status: 204 });
  const after = await s.gateway();
  s.clock.advance(6_000);
  await after.poll();
  assert.deepEqual(seqs(s.receiver), [held, whileDown]);
});

test('chat lines: each event a reviewer acts on in one line, Slack markup escaped, long parts cut, the review UI linked when known', async () => {
  const { chatText } = await import('./chat.ts');
  const base = { seq: 7, at: new Date('2026-11-24T10:00:00Z'), prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) };
  const open = {
    ...base,
    actor: 'policy',
    action: 'quarantine.open',
    subject: '01JDQ',
    details: { repo: 'npm', purl: 'pkg:npm/evil@1.0.0', reasons: [{ message: 'runs <!channel> & curl | sh', rule: 'install_scripts' }] },
  };
  assert.equal(
    chatText(open, 'https://airlock.example/-/ui/'),
    ':warning: Airlock quarantined pkg:npm/evil@1.0.0 in npm: runs &lt;!channel&gt; &amp; curl | sh [install_scripts]. Quarantine id 01JDQ; release with: airlock quarantine release 01JDQ --reason "…". Review: https://airlock.example/-/ui/',
  );
  const release = { ...base, actor: 'token:01T', action: 'quarantine.release', subject: '01JDQ', details: { repo: 'npm', purl: 'pkg:npm/evil@1.0.0', reason: 'read it', expiresAt: '2026-12-24T10:00:00.000Z' } };
  assert.equal(chatText(release, null), ':white_check_mark: token:01T released pkg:npm/evil@1.0.0 in npm (quarantine 01JDQ) until 2026-12-24T10:00:00.000Z: read it');
  const imported = { ...base, actor: 'cli:root', action: 'feeds.import', subject: '01F', details: { source: 'osv', records: 12, exposed: { critical: 1, high: 0, moderate: 2, low: 0, unknown: 0 } } };
  assert.equal(chatText(imported, null), 'Airlock imported the feed osv: 12 advisories; versions Airlock holds with known vulnerabilities: 1 critical, 2 moderate (airlock vulnerabilities lists them)');
  assert.equal(chatText({ ...base, actor: 'cli:root', action: 'token.create', subject: '01TOK', details: null }, null), 'Airlock: token.create 01TOK by cli:root');
  const many = { ...open, details: { purl: 'pkg:npm/x@1.0.0', reasons: Array.from({ length: 9 }, (_, i) => ({ message: `${'r'.repeat(600)}${i}` })) } };
  const line = chatText(many, null);
  assert.match(line, /and 4 more\. Quarantine id/);
  assert.ok(line.length <= 3000);
  assert.ok(!line.includes('r'.repeat(500)), 'each reason is cut');
});
