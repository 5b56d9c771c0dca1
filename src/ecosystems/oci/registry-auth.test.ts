import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { isAirlockError } from '../../core/index.ts';
import { UpstreamClient } from '../../upstream/index.ts';
import { RegistryUpstream, tokenOf } from './registry-auth.ts';

interface Seen {
  readonly path: string;
  readonly authorization: string | undefined;
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function listen(handler: (req: IncomingMessage, seen: Seen[]) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const out = handler(req, seen);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(out.body ?? '{}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen };
}

/** A registry that wants `Bearer good` and names `realm` in its challenge. */
async function registry(realm: string): Promise<{ port: number; seen: Seen[] }> {
  return listen((req) =>
    req.headers.authorization === 'Bearer good'
      ? { status: 200, body: '{"ok":true}' }
      : { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="reg",scope="repository:a/b:pull"` }, body: '{"errors":[{"code":"UNAUTHORIZED"}]}' },
  );
}

function client(port: number, basic: { username: string; password: string } | null, now?: () => number): RegistryUpstream {
  const mk = (url: string): UpstreamClient => new UpstreamClient({ name: 'test', url, retries: 0 });
  return new RegistryUpstream({ upstream: mk(`http://127.0.0.1:${port}/`), realmClient: (origin) => mk(origin.href), basic, ...(now === undefined ? {} : { now }) });
}

test('a Bearer challenge: a token for the pull scope, asked once and reused, the request repeated with it', async () => {
  const tokens = await listen(() => ({ status: 200, body: JSON.stringify({ token: 'good', expires_in: 300 }) }));
  const reg = await registry(`http://127.0.0.1:${tokens.port}/token`);
  const up = client(reg.port, { username: 'robot', password: 'pw' });
  for (let i = 0; i < 3; i++) {
    const res = await up.fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 });
    assert.equal(res.kind, 'fresh');
  }
  assert.equal(tokens.seen.length, 1);
  const asked = new URL(tokens.seen[0]?.path ?? '', 'http://x');
  assert.deepEqual([asked.searchParams.get('service'), asked.searchParams.get('scope'), asked.searchParams.get('account')], ['reg', 'repository:a/b:pull', 'robot']);
  // The realm is on the registry's own host: the credentials go there.
  assert.equal(tokens.seen[0]?.authorization, `Basic ${Buffer.from('robot:pw').toString('base64')}`);
  // One 401, then the token ahead of every later request.
  assert.deepEqual(reg.seen.map((s) => s.authorization ?? null), [null, 'Bearer good', 'Bearer good', 'Bearer good']);
});

test('credentials never go to a plain-http realm on another host', async () => {
  const tokens = await listen(() => ({ status: 200, body: JSON.stringify({ access_token: 'good' }) }));
  // "localhost" is another host name than the registry's 127.0.0.1, and the realm is not https.
  const reg = await registry(`http://localhost:${tokens.port}/token`);
  const up = client(reg.port, { username: 'robot', password: 'pw' });
  const res = await up.fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 });
  assert.equal(res.kind, 'fresh');
  assert.equal(tokens.seen[0]?.authorization, undefined);
  assert.equal(new URL(tokens.seen[0]?.path ?? '', 'http://x').searchParams.get('account'), null);
});

test('an expired token is asked for again; a refused one names the credentials', async () => {
  let clock = 0;
  const tokens = await listen(() => ({ status: 200, body: JSON.stringify({ token: 'good', expires_in: 60 }) }));
  const reg = await registry(`http://127.0.0.1:${tokens.port}/token`);
  const up = client(reg.port, null, () => clock);
  await up.fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 });
  clock += 61_000;
  await up.fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 });
  assert.equal(tokens.seen.length, 2);

  const refusing = await listen(() => ({ status: 401, body: '{"details":"no"}' }));
  const reg2 = await registry(`http://127.0.0.1:${refusing.port}/token`);
  await assert.rejects(client(reg2.port, { username: 'robot', password: 'bad' }).fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 }), (err: unknown) =>
    isAirlockError(err, 'UPSTREAM_BAD_RESPONSE') && /token service .* refused the credentials of robot for repository:a\/b:pull; check the repository's upstreamAuth setting/.test(err.message),
  );
});

test('a realm that is no http(s) URL, and a token service that answers without a token, are refused', async () => {
  const reg = await registry('file:///etc/passwd');
  await assert.rejects(client(reg.port, null).fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 }), /realm that is not http\(s\)/);
  const empty = await listen(() => ({ status: 200, body: '{"token":""}' }));
  const reg2 = await registry(`http://127.0.0.1:${empty.port}/token`);
  await assert.rejects(client(reg2.port, null).fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 }), /answered without a token/);
});

test('a token that cannot be sent in an Authorization header is refused saying so (found by fuzzing the token answer)', async () => {
  for (const token of ['a\u0000b', 'tok\u00e9n', 'a b', 'a\u007fb']) {
    const tokens = await listen(() => ({ status: 200, body: JSON.stringify({ token }) }));
    const reg = await registry(`http://127.0.0.1:${tokens.port}/token`);
    await assert.rejects(
      client(reg.port, null).fetchDocument('v2/a/b/manifests/1', { accept: 'application/json', maxBytes: 1024 }),
      (err: unknown) => isAirlockError(err, 'UPSTREAM_BAD_RESPONSE') && /token service of upstream .* answered a token that is not visible ASCII/.test(err.message),
      JSON.stringify(token),
    );
  }
  assert.equal(tokenOf(Buffer.from(JSON.stringify({ token: 'x'.repeat(16 * 1024 + 1) }))), 'answered a token of 16385 characters (at most 16384)');
  assert.deepEqual(tokenOf(Buffer.from('{"access_token":"djE6YWNtZQ==","expires_in":7200}')), { token: 'djE6YWNtZQ==', seconds: 3600 });
});
