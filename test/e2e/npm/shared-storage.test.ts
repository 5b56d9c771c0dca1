/**
 * Several gateway nodes over one shared state: PostgreSQL for the records, an S3-compatible
 * bucket for the bytes. Node A is built in this process; node B is `airlock serve --config` in its
 * own, as an operator runs it. The real npm installs through both. Needs AIRLOCK_TEST_PG_URL
 * (CI starts a server); skipped without it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { npmTestEnv } from '../../npm/helpers.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { serveForTest } from '../../support/serve-process.ts';
import { startTestS3, type TestS3 } from '../../support/s3-server.ts';
import { airlockCli, cleanEnv, project, quarantineIdIn, type RunResult } from './support.ts';

const pgUrl = process.env['AIRLOCK_TEST_PG_URL'];
const skip = pgUrl === undefined ? 'set AIRLOCK_TEST_PG_URL=postgres://… to run it against a server' : false;

/** A fresh schema of the test server, dropped when the test ends. */
async function freshSchema(t: TestContext, url: string): Promise<string> {
  const schema = `airlock_e2e_${randomBytes(6).toString('hex')}`;
  t.after(async () => {
    const { default: postgres } = await import('postgres');
    const admin = postgres(url, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end({ timeout: 5 });
  });
  return schema;
}

/** The bucket's committed blobs (object keys under the layout's sha256/ folder). */
async function objectsIn(s3: TestS3): Promise<number> {
  return (await s3.keys()).filter((k) => /sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k)).length;
}

test('two gateway nodes over one PostgreSQL and one S3 bucket: what one fetched and judged the other serves; a release through one reaches the other; the local commands work on the shared state', { skip }, async (t) => {
  const url = pgUrl as string;
  const env = await npmTestEnv();
  t.after(() => env.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-shared-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const s3 = await startTestS3({ bucket: 'airlock-shared' });
  t.after(() => s3.close());
  const schema = await freshSchema(t, url);

  // Secrets by reference, as an operator gives them.
  const secrets = { SHARED_PG_URL: url, SHARED_S3_KEY: s3.credentials.accessKeyId, SHARED_S3_SECRET: s3.credentials.secretAccessKey };
  const storage = {
    metadata: { driver: 'postgres', url: { env: 'SHARED_PG_URL' }, schema },
    blobs: { driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'gw', accessKeyId: { env: 'SHARED_S3_KEY' }, secretAccessKey: { env: 'SHARED_S3_SECRET' } },
  };
  const policy = { paths: [env.policyDir], syncInterval: '200ms', watch: false };
  const adminToken = `airlock_test_${randomBytes(16).toString('hex')}`;

  const a = await startAirlock({ config: { ...env.config(), policy, storage: { ...storage, dataDir: join(tmp, 'a-data') } }, env: secrets, adminToken });
  t.after(() => a.close());
  const configB = join(tmp, 'b.yaml');
  await writeFile(
    configB,
    `${JSON.stringify({
      repositories: [{ name: 'npm', format: 'npm', upstream: env.registry.url }],
      policy,
      server: { port: 0 },
      storage: { ...storage, dataDir: join(tmp, 'b-data') },
    })}\n`,
  );
  const b = await serveForTest(t, tmp, ['--config', configB], { env: { ...cleanEnv(secrets), AIRLOCK_ADMIN_TOKEN: adminToken } });
  assert.match(b.stderr(), new RegExp(`records: PostgreSQL 127\\.0\\.0\\.1:\\d+/\\w+ \\(schema ${schema}\\); blobs: S3 bucket airlock-shared at ${s3.endpoint.replace(/\./g, '\\.')} under gw/`));
  // A plain search: the random secret is base64, whose `+` and `/` would be read as a pattern.
  assert.ok(!b.stderr().includes(secrets.SHARED_S3_SECRET), 'the S3 secret is not printed');

  const viaA = `${a.url}/npm/`;
  const viaB = `${b.url}/npm/`;
  const cliB = (args: readonly string[]): Promise<RunResult> => airlockCli(args, { AIRLOCK_SERVER: b.url, AIRLOCK_TOKEN: adminToken });

  // 1. Through A: fetched once from the upstream, judged, its bytes put in the bucket.
  const first = await project(viaA, tmp);
  const installA = await first.npm(['install', '@acme/widget@2.0.0']);
  assert.equal(installA.code, 0, installA.output);
  assert.equal(env.registry.tarballHits('@acme/widget', '2.0.0'), 1);
  assert.ok((await objectsIn(s3)) >= 2, 'the tarballs (and cached documents) are in the bucket');
  assert.equal(await objectsIn(s3), (await s3.keys()).length, 'nothing but committed blobs under the prefix');

  // 2. Through B, with its own empty data directory: the same versions come from the bucket, not the upstream.
  const second = await project(viaB, tmp);
  const installB = await second.npm(['install', '@acme/widget@2.0.0']);
  assert.equal(installB.code, 0, installB.output);
  assert.equal((await second.readJson('node_modules/left-pad/package.json'))['name'], 'left-pad');
  assert.equal(env.registry.tarballHits('@acme/widget', '2.0.0'), 1, 'B served the tarball A stored');
  assert.equal(env.registry.tarballHits('left-pad', '1.3.0'), 1);

  // 3. A version held through A is released through B; A's next install takes it.
  const held = await first.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '', held.output);
  const shown = await cliB(['quarantine', 'list', '--format', 'json']);
  assert.deepEqual((JSON.parse(shown.stdout) as Array<{ id: string }>).map((r) => r.id), [id], shown.output);
  const release = await cliB(['quarantine', 'release', id, '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);
  let again: RunResult | null = null;
  for (let i = 0; i < 20; i++) {
    again = await first.npm(['install', 'scripted-pkg']);
    if (again.code === 0) break;
    await sleep(250);
  }
  assert.equal(again?.code, 0, again?.output);

  // 4. A token revoked through B stops working through A within a sync interval, not when A's
  // cache of verified tokens runs out (30 s).
  const made = await cliB(['token', 'create', '--role', 'approver', '--label', 'ci-shared']);
  assert.equal(made.code, 0, made.output);
  const asA = (token: string): Promise<RunResult> => airlockCli(['quarantine', 'list', '--format', 'json'], { AIRLOCK_SERVER: a.url, AIRLOCK_TOKEN: token });
  assert.equal((await asA(made.stdout.trim())).code, 0, 'A accepts a token made through B (and caches it)');
  const listed = JSON.parse((await cliB(['token', 'list', '--format', 'json'])).stdout) as Array<{ id: string; label: string }>;
  const tokenId = listed.find((x) => x.label === 'ci-shared')?.id ?? '';
  assert.equal((await cliB(['token', 'revoke', tokenId])).code, 0);
  const revokedAt = Date.now();
  let refused: RunResult | null = null;
  while (Date.now() - revokedAt < 5000) {
    refused = await asA(made.stdout.trim());
    if (refused.code !== 0) break;
    await sleep(100);
  }
  assert.equal(refused?.code, 4, `A refuses the revoked token within 5 s: ${refused?.output}`);

  // 5. The operator's local commands, given B's configuration, work on the shared state.
  const opEnv = cleanEnv(secrets);
  const verified = await airlockCli(['audit', 'verify', '--config', configB], opEnv);
  assert.equal(verified.code, 0, verified.output);
  const events = Number(/audit chain intact: (\d+) events/.exec(verified.stdout)?.[1]);
  assert.ok(events >= 4, verified.output);
  const swept = await airlockCli(['storage', 'sweep', '--config', configB, '--grace', '0s', '--dry-run'], opEnv);
  assert.equal(swept.code, 0, swept.output);
  assert.match(swept.stdout, new RegExp(`^would remove 0 blobs nothing refers to \\(0\\.0 MiB\\); kept ${await objectsIn(s3)} in use `));
});

test('a node whose bucket cannot be reached, or refuses its key, does not start, and says which', { skip }, async (t) => {
  const url = pgUrl as string;
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-shared-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const s3 = await startTestS3({ bucket: 'airlock-shared' });
  t.after(() => s3.close());
  const schema = await freshSchema(t, url);
  const start = async (blobs: Record<string, unknown>, secret: string): Promise<RunResult> => {
    const file = join(tmp, `${randomBytes(4).toString('hex')}.yaml`);
    await writeFile(
      file,
      `${JSON.stringify({
        repositories: [{ name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' }],
        server: { port: 0 },
        storage: { dataDir: join(tmp, 'data'), metadata: { driver: 'postgres', url: { env: 'SHARED_PG_URL' }, schema }, blobs: { driver: 's3', ...blobs } },
      })}\n`,
    );
    return airlockCli(['serve', '--config', file], cleanEnv({ SHARED_PG_URL: url, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: secret }));
  };
  const wrongKey = await start({ endpoint: s3.endpoint, bucket: s3.bucket }, 'not-the-secret');
  assert.notEqual(wrongKey.code, 0);
  assert.match(wrongKey.stderr, /airlock serve: .*S3.*bucket "?airlock-shared"?.*403 SignatureDoesNotMatch/);
  assert.doesNotMatch(wrongKey.output, /not-the-secret/);

  const closed = await start({ endpoint: 'http://127.0.0.1:9', bucket: s3.bucket }, s3.credentials.secretAccessKey);
  assert.notEqual(closed.code, 0);
  assert.match(closed.stderr, /airlock serve: .*127\.0\.0\.1:9/);
});

test('nodes started together on one empty PostgreSQL schema create one admin token between them, and it works on every node', { skip }, async (t) => {
  const url = pgUrl as string;
  const env = await npmTestEnv();
  t.after(() => env.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-first-token-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const schema = await freshSchema(t, url);
  const configs = await Promise.all(
    ['a', 'b', 'c'].map(async (node) => {
      const file = join(tmp, `${node}.yaml`);
      const storage = { dataDir: join(tmp, `${node}-data`), metadata: { driver: 'postgres', url: { env: 'SHARED_PG_URL' }, schema } };
      await writeFile(file, `${JSON.stringify({ repositories: [{ name: 'npm', format: 'npm', upstream: env.registry.url }], server: { port: 0 }, storage })}\n`);
      return file;
    }),
  );
  // No AIRLOCK_ADMIN_TOKEN: each node finds no token when it starts.
  const nodes = await Promise.all(configs.map((file) => serveForTest(t, tmp, ['--config', file], { env: cleanEnv({ SHARED_PG_URL: url }) })));
  const printed = nodes.flatMap((n) => [...n.stderr().matchAll(/created an admin token \(shown only this once\): (airlock_\S+)/g)].map((m) => m[1] as string));
  assert.equal(printed.length, 1, `one node prints the admin token, the others none; printed ${printed.length}:\n${nodes.map((n) => n.stderr()).join('\n')}`);
  const token = printed[0] as string;
  for (const node of nodes) {
    const res = await fetch(`${node.url}/-/api/tokens`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `${node.url} takes the token`);
    const listed = ((await res.json()) as { items: readonly { role: string; label: string; revokedAt: string | null }[] }).items;
    assert.deepEqual(listed.map((x) => [x.role, x.label, x.revokedAt]), [['admin', 'bootstrap admin token', null]]);
  }
  // One token.create in the shared audit trail.
  const audit = await airlockCli(['audit', 'verify', '--config', configs[0] as string], { SHARED_PG_URL: url });
  assert.equal(audit.code, 0, audit.stderr);
  // The last hour of it exported from the shared store (PostgreSQL's time index), and checked
  // against the store from another node's configuration.
  const trail = join(tmp, 'trail.jsonl');
  const exported = await airlockCli(['audit', 'export', '--since', '1h', '--out', trail, '--config', configs[0] as string], { SHARED_PG_URL: url });
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /^exported 1 event, seq 1–1 to /);
  const checked = await airlockCli(['audit', 'verify', '--file', trail, '--config', configs[1] as string], { SHARED_PG_URL: url });
  assert.equal(checked.code, 0, checked.stderr);
  assert.match(checked.stdout, /identical to the live audit trail of the storage: the anchor and the event/);
});
