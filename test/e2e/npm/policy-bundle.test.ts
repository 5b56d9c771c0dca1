/**
 * The policy from an OPA bundle server, with the real npm client: a signed bundle that blocks a
 * package makes npm fail with the bundle's reason; the server's next revision allows it and npm
 * installs it within a poll, without a restart; a bundle signed with another key is refused and
 * the active policy stays (the error shown by GET /-/api/policy); a restart with the server down
 * starts on the bundle kept in the data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e } from './support.ts';
import { opaBundle } from '../../support/opa-bundle.ts';
import { newSigningKey } from '../../../src/verify/jwt/test-support.ts';

const key = newSigningKey('ES256', 'airlock-bundles');
const TOKEN = 'bundle-server-token';

function revision(n: number, deny: string, signedBy = key): Buffer {
  const policy = `package airlock

import rego.v1

deny contains {"id": "bundle.blocked", "msg": sprintf("%s is blocked by bundle revision ${n}", [input.artifact.name])} if input.artifact.name in data.airlock.blocked
`;
  return opaBundle({
    manifest: { revision: String(n), roots: ['airlock'], metadata: { source: 'e2e' } },
    files: { 'airlock/policy.rego': policy, 'airlock/data.json': JSON.stringify({ blocked: [deny] }) },
    sign: { key: signedBy, scope: 'airlock' },
  });
}

/** A bundle server: serves `bundle` with its sha256 as ETag, 304 to a matching If-None-Match, 401 without the token. */
async function bundleServer(): Promise<{ url: string; serve(b: Buffer): void; requests: () => number; notModified: () => number; close(): Promise<void> }> {
  let bundle: Buffer = Buffer.alloc(0);
  let requests = 0;
  let notModified = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    const etag = `"${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', etag }).end(bundle);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/bundles/airlock.tar.gz`,
    serve: (b) => {
      bundle = b;
    },
    requests: () => requests,
    notModified: () => notModified,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

interface PolicyView {
  readonly hash: string;
  readonly source: string;
  readonly lastError: { message: string } | null;
  readonly bundle: { revision: string | null; etag: string | null; from: string | null; lastError: { message: string } | null; signedBy: { kid: string | null; alg: string } | null };
}

async function policyOf(url: string, token: string): Promise<PolicyView> {
  const res = await fetch(`${url}/-/api/policy`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as PolicyView;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('policy bundle: npm is judged by the bundle server\'s policy, follows its revisions without a restart, keeps the last good one, and restarts on the kept one with the server down', async (t) => {
  const server = await bundleServer();
  t.after(() => server.close());
  server.serve(revision(1, 'left-pad'));
  const dir = await mkdtemp(join(tmpdir(), 'airlock-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'bundle.pem');
  await writeFile(keyFile, createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }));
  const tokenFile = join(dir, 'bundle-token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const bundle = {
    url: server.url,
    credentials: { bearer: { file: tokenFile } },
    polling: { minDelay: '100ms', maxDelay: '200ms' },
    signing: { publicKey: { file: keyFile }, keyId: 'airlock-bundles', scope: 'airlock' },
    startupTimeout: '0s',
  };
  let s = await e2e({ config: { policy: { bundle } } });
  t.after(() => s.close());

  // Revision 1 blocks left-pad: npm fails with the bundle's reason.
  let view = await policyOf(s.airlock.url, s.airlock.adminToken);
  assert.equal(view.source, 'bundle');
  assert.equal(view.bundle.revision, '1');
  assert.deepEqual(view.bundle.signedBy, { kid: 'airlock-bundles', alg: 'ES256' });
  const p = await s.project();
  const blocked = await p.npm(['install', 'left-pad@1.1.0']);
  assert.notEqual(blocked.code, 0, blocked.output);
  assert.match(blocked.output, /left-pad@1\.1\.0 is blocked by Airlock policy: left-pad is blocked by bundle revision 1 \[bundle\.blocked\]/);

  // Unchanged between polls: 304s, nothing reloaded.
  await until('a 304 from the bundle server', async () => server.notModified(), (n) => n > 0);

  // Revision 2 allows left-pad (and blocks evil-pkg): within a poll, npm installs it; no restart.
  server.serve(revision(2, 'evil-pkg'));
  view = await until('revision 2', () => policyOf(s.airlock.url, s.airlock.adminToken), (v) => v.bundle.revision === '2');
  const r2 = await (await s.project()).npm(['install', 'left-pad@1.1.0']);
  assert.equal(r2.code, 0, r2.output);
  const audit = await s.airlock.app.airlock.storage.metadata.listAudit({ limit: 1000 });
  const reloads = audit.filter((e) => e.action === 'policy.reload');
  assert.deepEqual(
    reloads.map((e) => [e.subject, (e.details as Record<string, unknown>)['trigger'], (e.details as Record<string, unknown>)['revision']]).slice(-1),
    [[view.hash, 'bundle', '2']],
  );

  // Revision 3 is signed with another key: refused, revision 2 stays, the error is shown.
  server.serve(revision(3, 'left-pad', newSigningKey('ES256', 'airlock-bundles')));
  view = await until('the refused revision 3', () => policyOf(s.airlock.url, s.airlock.adminToken), (v) => v.bundle.lastError !== null);
  assert.equal(view.bundle.revision, '2');
  assert.match(view.bundle.lastError?.message ?? '', /was refused: policy bundle: the signature does not verify: the token's ES256 signature does not verify/);
  assert.match(view.lastError?.message ?? '', /signature does not verify/);
  const r3 = await (await s.project()).npm(['install', 'left-pad@1.1.0']);
  assert.equal(r3.code, 0, r3.output);
  const metrics = await (await fetch(`${s.airlock.url}/-/metrics`)).text();
  assert.match(metrics, /airlock_policy_bundle_fetches_total\{result="error"\} [1-9]/);

  // The bundle server goes away; Airlock restarts on the kept revision 2.
  await server.close();
  s = await s.restart();
  view = await policyOf(s.airlock.url, s.airlock.adminToken);
  assert.equal(view.bundle.revision, '2');
  assert.equal(view.bundle.from, 'persisted');
  assert.match(view.bundle.lastError?.message ?? '', /could not fetch the policy bundle/);
  const evil = await (await s.project()).npm(['install', 'evil-pkg']);
  assert.notEqual(evil.code, 0);
  assert.match(evil.output, /evil-pkg is blocked by bundle revision 2/);
});

test('policy bundle: with no kept bundle and the server unreachable, Airlock does not start (nothing is served unjudged)', async () => {
  // Nothing listens on port 9 (below the ephemeral range, unlike a bundle server's port just
  // closed, which a server another test file starts meanwhile can be given).
  const url = 'http://127.0.0.1:9/bundles/airlock.tar.gz';
  await assert.rejects(
    e2e({ config: { policy: { bundle: { url, polling: { minDelay: '50ms', maxDelay: '100ms' }, startupTimeout: '300ms' } } } }),
    /no policy could be activated: the policy bundle from http:\/\/127\.0\.0\.1:\d+\/bundles\/airlock\.tar\.gz failed \(could not fetch the policy bundle .*ECONNREFUSED.*\), and no bundle from an earlier run is kept in the data directory\. Airlock does not serve packages without a policy/,
  );
});
