/**
 * Webhooks with the real clients: a quarantine made by a real `npm install` reaches the security
 * team's receiver, signed as Standard Webhooks (checked with the reference library), although the
 * receiver was down at first; the release made with `airlock quarantine release` follows it in
 * audit order, and a blocked download comes as `decision.block`; `airlock webhooks list|test`
 * show and try the webhook. A `npm publish` to a hosted repository reaches a CI receiver as
 * `package.publish`. An `airlock serve` stopped while its receiver is down delivers, once started
 * again, what it could not deliver before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { oneRepositoryConfig, serveForTest } from '../../support/serve-process.ts';
import { WebhookReceiver } from '../../support/webhook-receiver.ts';
import { airlockCli, e2e, internalAndPublic, publishPackage, quarantineIdIn } from './support.ts';

const SECRET = `whsec_${Buffer.from('airlock e2e webhook secret, 32 bytes!').toString('base64')}`;

async function secretFile(t: { after(fn: () => Promise<unknown>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-webhook-secret-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'secret');
  await writeFile(path, `${SECRET}\n`, { mode: 0o600 });
  return path;
}

test('a quarantine from npm install reaches the webhook signed, after the receiver came back; the CLI release follows in order', async (t) => {
  const receiver = await WebhookReceiver.start(SECRET);
  t.after(() => receiver.close());
  // Down for the first attempt; asks to be tried again in a second.
  receiver.answer = (n) => (n === 0 ? { status: 503, headers: { 'retry-after': '1' }, body: 'deploying' } : { status: 204 });
  const s = await e2e({ config: { webhooks: [{ name: 'security', url: receiver.url, secret: { file: await secretFile(t) }, events: ['quarantine.*', 'decision.block'] }] } });
  t.after(() => s.close());
  const p = await s.project();

  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  await receiver.waitFor((r) => r.delivered.some((d) => d.body.type === 'quarantine.open'), 20_000, 'the quarantine.open delivery');
  const failed = receiver.requests[0];
  assert.equal(failed?.answered, 503);
  const opened = receiver.delivered.find((d) => d.body.type === 'quarantine.open');
  assert.equal(opened?.id, failed?.id, 'the retry carries the same webhook-id');
  assert.equal(opened?.body.data['subject'], id);
  assert.equal((opened?.body.data['details'] as { purl: string }).purl, 'pkg:npm/scripted-pkg@1.0.0');
  assert.equal(opened?.headers['content-type'], 'application/json');

  const listed = await s.cli(['webhooks', 'list']);
  assert.equal(listed.code, 0, listed.output);
  assert.match(listed.stdout, new RegExp(`security\\s+\\d+\\s+\\d+\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+ok\\s+${receiver.url.replaceAll('/', '\\/')}`));

  const release = await s.cli(['quarantine', 'release', id, '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);
  await receiver.waitFor((r) => r.delivered.some((d) => d.body.type === 'quarantine.release'), 15_000, 'the quarantine.release delivery');
  const installed = await p.npm(['install', 'scripted-pkg']);
  assert.equal(installed.code, 0, installed.output);
  // A download the policy blocks, by its tarball URL as a lockfile names it.
  const blocked = await p.npm(['install', `${s.registry}hide-me/-/hide-me-2.0.0.tgz`]);
  assert.notEqual(blocked.code, 0);
  await receiver.waitFor((r) => r.delivered.some((d) => d.body.type === 'decision.block'), 15_000, 'the decision.block delivery');
  const block = receiver.delivered.find((d) => d.body.type === 'decision.block');
  assert.equal(block?.body.data['subject'], 'pkg:npm/hide-me@2.0.0');
  assert.match(JSON.stringify(block?.body.data['details']), /hide-me@2\.0\.0 is on the test blocklist/);

  const delivered = receiver.delivered;
  assert.ok(delivered.every((d) => d.verified === true), 'every delivery verifies with the reference library');
  const seqs = delivered.map((d) => Number(d.body.data['seq']));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in audit order');
  assert.equal(new Set(delivered.map((d) => d.id)).size, delivered.length, 'each event once');
  const released = delivered.find((d) => d.body.type === 'quarantine.release');
  assert.equal(released?.body.data['subject'], id);
  assert.match(JSON.stringify(released?.body.data['details']), /the postinstall only prints/);

  // What a receiver got is what the audit trail holds: the same links of the same chain.
  const audit = (await (await fetch(`${s.airlock.url}/-/api/audit?after=0&limit=1000`, { headers: { authorization: `Bearer ${s.airlock.adminToken}` } })).json()) as { items: { seq: number; hash: string }[] };
  const hashes = new Map(audit.items.map((e) => [e.seq, e.hash]));
  for (const d of delivered) assert.equal(d.body.data['hash'], hashes.get(Number(d.body.data['seq'])));
  const verify = await s.cli(['audit', 'verify']);
  assert.equal(verify.code, 0, verify.output);

  const tried = await s.cli(['webhooks', 'test', 'security']);
  assert.equal(tried.code, 0, tried.output);
  assert.match(tried.stdout, /delivered: the receiver answered 204/);
  assert.equal(receiver.requests.at(-1)?.body.type, 'webhook.test');
  assert.equal(receiver.requests.at(-1)?.verified, true);
});

test('npm publish to a hosted repository reaches a CI receiver as package.publish; a webhook that cannot deliver says why', async (t) => {
  const ci = await WebhookReceiver.start(null, '/ci/trigger');
  t.after(() => ci.close());
  const { airlock, tmp, hosted, publisher } = await internalAndPublic(t, [], {
    config: {
      webhooks: [
        { name: 'ci', url: ci.url, events: ['package.publish'] },
        // Nothing listens there: its failures are shown, and do not hold up the other webhook.
        { name: 'broken', url: 'http://127.0.0.1:9/hooks', events: ['package.*'], timeout: '2s' },
      ],
    },
  });
  const published = await publishPackage(tmp, hosted, publisher, { name: '@acme/lib', version: '1.0.0' });
  assert.equal(published.code, 0, published.output);
  await ci.waitFor((r) => r.delivered.length === 1, 15_000, 'the package.publish delivery');
  const d = ci.delivered[0];
  assert.equal(d?.body.type, 'package.publish');
  assert.equal(d?.body.data['subject'], 'pkg:npm/%40acme/lib@1.0.0');
  assert.equal((d?.body.data['details'] as { repo: string }).repo, 'internal');
  assert.equal(d?.headers['webhook-signature'], undefined, 'no secret: unsigned');

  const cli = (args: readonly string[]) => airlockCli([...args, '--server', airlock.url], { AIRLOCK_TOKEN: airlock.adminToken });
  let listed = await cli(['webhooks', 'list', '--format', 'json']);
  for (let i = 0; i < 40 && !/"attempts": [1-9]/.test(listed.stdout); i++) {
    await new Promise((r) => setTimeout(r, 250));
    listed = await cli(['webhooks', 'list', '--format', 'json']);
  }
  const items = JSON.parse(listed.stdout) as { name: string; attempts: number; lastError: string | null; behind: number }[];
  const broken = items.find((w) => w.name === 'broken');
  assert.ok(broken !== undefined && broken.attempts >= 1, listed.output);
  assert.match(broken.lastError ?? '', /^could not deliver: ECONNREFUSED/);
  const tried = await cli(['webhooks', 'test', 'broken']);
  assert.equal(tried.code, 1);
  assert.match(tried.stderr, /not delivered: could not deliver: ECONNREFUSED/);
  const publisherRefused = await airlockCli(['webhooks', 'list', '--server', airlock.url], { AIRLOCK_TOKEN: publisher });
  assert.notEqual(publisherRefused.code, 0);
  assert.match(publisherRefused.output, /admin/);
});

test('airlock serve: stopped while the receiver is down, it delivers the event once started again, with the same webhook-id', async (t) => {
  const registry = await FixtureRegistry.start([]);
  t.after(() => registry.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-webhook-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const receiver = await WebhookReceiver.start(SECRET);
  t.after(() => receiver.close());
  receiver.answer = () => ({ status: 503, body: 'maintenance' });
  const secret = join(dir, 'webhook-secret');
  await writeFile(secret, `${SECRET}\n`, { mode: 0o600 });
  const config = await oneRepositoryConfig(dir, 'airlock', registry.url, `webhooks:\n  - name: audit-copy\n    url: ${receiver.url}\n    secret: {file: ${secret}}\n    events: ["token.*"]\n`);
  const env = { AIRLOCK_ADMIN_TOKEN: 'airlock_webhook_test_admin_token_0123456789' };

  const first = await serveForTest(t, dir, ['--config', config, '--port', '0'], { env });
  assert.ok(first.stderr().includes(`airlock: webhook audit-copy: token.* to ${receiver.url}, signed (airlock webhooks list shows its delivery)\n`), first.stderr());
  const created = await airlockCli(['token', 'create', '--role', 'reader', '--label', 'ci', '--server', first.url], { AIRLOCK_TOKEN: env.AIRLOCK_ADMIN_TOKEN });
  assert.equal(created.code, 0, created.output);
  await receiver.waitFor((r) => r.requests.length >= 1, 15_000, 'the first attempt');
  await first.stop();
  const refused = receiver.requests.length;

  receiver.answer = () => ({ status: 204 });
  const second = await serveForTest(t, dir, ['--config', config, '--port', '0'], { env });
  await receiver.waitFor((r) => r.delivered.length === 1, 20_000, 'the delivery after the restart');
  const d = receiver.delivered[0];
  assert.equal(d?.body.type, 'token.create');
  assert.equal(d?.verified, true);
  assert.equal(d?.id, receiver.requests[0]?.id, 'the same event, the same webhook-id');
  assert.ok(receiver.requests.slice(0, refused).every((r) => r.answered === 503));
  const listed = await airlockCli(['webhooks', 'list', '--format', 'json', '--server', second.url], { AIRLOCK_TOKEN: env.AIRLOCK_ADMIN_TOKEN });
  assert.equal(listed.code, 0, listed.output);
  const [status] = JSON.parse(listed.stdout) as { name: string; attempts: number; behind: number; deliveredAt: string | null }[];
  assert.deepEqual([status?.name, status?.attempts, status?.behind, status?.deliveredAt !== null], ['audit-copy', 0, 0, true]);
});

test('a chat webhook (format: slack) gets the quarantine as one line a reviewer can act on', async (t) => {
  const receiver = await WebhookReceiver.start(SECRET);
  t.after(() => receiver.close());
  const s = await e2e({ config: { webhooks: [{ name: 'chat', url: receiver.url, format: 'slack', events: ['quarantine.*'] }] } });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  await receiver.waitFor((r) => r.delivered.length > 0, 20_000, 'the chat delivery');
  const body = receiver.delivered[0]?.body as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['text'], 'the body Slack (and Mattermost, Rocket.Chat) incoming webhooks take');
  assert.equal(
    body['text'],
    `:warning: Airlock quarantined pkg:npm/scripted-pkg@1.0.0 in npm: the tarball runs install scripts [test.scripts]. Quarantine id ${id}; release with: airlock quarantine release ${id} --reason "…".`,
  );
  const tested = await s.cli(['webhooks', 'test', 'chat']);
  assert.equal(tested.code, 0, tested.output);
  await receiver.waitFor((r) => r.delivered.length > 1, 10_000, 'the test delivery');
  assert.match(String((receiver.delivered[1]?.body as unknown as Record<string, unknown>)['text']), /^Airlock: a test delivery to the webhook chat, sent by /);
});
