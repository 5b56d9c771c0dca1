/**
 * The MCP endpoint's transport and framing through `inject()`, with hostile and malformed input:
 * body size and type, malformed JSON, JSON-RPC shapes, batches (refused after 2025-03-26, bounded
 * there), unknown methods and tools, sessions (missing, unknown, another token's, read by a second
 * gateway on the same store), the
 * protocol version header, Origin, GET, and what each negotiated revision puts in a tool result.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { authHeader } from '../support/gate-helpers.ts';
import { FixtureRegistry } from '../support/npm-registry/index.ts';
import { buildTestApp } from '../support/start-airlock.ts';

const DAY = 86_400_000;

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: { jsonrpc?: string; id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } } & unknown[];
}

async function setUp(t: TestContext) {
  const registry = await FixtureRegistry.start([{ name: 'left-pad', versions: [{ version: '1.3.0', publishedAt: new Date(Date.now() - 400 * DAY).toISOString() }] }]);
  const a = await buildTestApp({ config: { repositories: [{ name: 'npm', format: 'npm', upstream: registry.url }] } });
  t.after(async () => {
    await a.close();
    await registry.close();
  });
  const token = async (payload: Record<string, unknown>): Promise<string> =>
    (await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload })).json<{ token: string }>().token;
  /** Another gateway on the same store (closed by the caller, before this one). */
  const gateway = () => buildTestApp({ config: { repositories: [{ name: 'npm', format: 'npm', upstream: registry.url }] }, dataDir: a.dataDir });
  return { app: a.app, reader: await token({ role: 'reader', label: 'agent' }), other: await token({ role: 'reader', label: 'other' }), token, gateway };
}

async function post(app: FastifyInstance, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await app.inject({
    method: 'POST',
    url: '/-/mcp',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token === null ? {} : authHeader(token)), ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? null : JSON.parse(res.body) };
}

async function open(app: FastifyInstance, token: string, protocolVersion = '2025-11-25'): Promise<{ id: string; version: string }> {
  const r = await post(app, token, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'unit', version: '1' } } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id = String(r.headers['mcp-session-id']);
  assert.equal((await post(app, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id })).status, 202);
  return { id, version: String(r.body.result?.['protocolVersion']) };
}

test('transport refusals: body, type, JSON, shape, session, version header, origin, GET', async (t) => {
  const { app, reader, other } = await setUp(t);
  const s = await open(app, reader);
  const on = { 'mcp-session-id': s.id };

  const big = await post(app, reader, { jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(300 * 1024) } }, on);
  assert.deepEqual([big.status, big.body.error?.code, big.body.id], [413, -32600, null]);
  assert.match(big.body.error?.message ?? '', /larger than 262144 bytes/);
  const text = await app.inject({ method: 'POST', url: '/-/mcp', headers: { ...authHeader(reader), 'content-type': 'text/plain', ...on }, payload: '{}' });
  assert.equal(text.statusCode, 415);
  assert.match(text.json<{ error: { message: string } }>().error.message, /Content-Type: application\/json/);

  const broken = await post(app, reader, '{"jsonrpc": "2.0", "id": 1, "method": ', on);
  assert.deepEqual([broken.status, broken.body.error?.code, broken.body.id], [400, -32700, null]);
  const empty = await post(app, reader, '', on);
  assert.deepEqual([empty.status, empty.body.error?.code], [400, -32700]);
  const noVersion = await post(app, reader, { id: 4, method: 'ping' }, on);
  assert.deepEqual([noVersion.status, noVersion.body.error?.code, noVersion.body.id], [400, -32600, 4]);
  const nullId = await post(app, reader, { jsonrpc: '2.0', id: null, method: 'ping' }, on);
  assert.match(nullId.body.error?.message ?? '', /MCP allows no null id/);

  const batch = await post(app, reader, [{ jsonrpc: '2.0', id: 1, method: 'ping' }], on);
  assert.deepEqual([batch.status, batch.body.error?.message], [400, 'JSON-RPC batches are not part of MCP 2025-11-25: send one message per request']);

  const unknown = await post(app, reader, { jsonrpc: '2.0', id: 5, method: 'resources/list' }, on);
  assert.deepEqual([unknown.status, unknown.body.id, unknown.body.error?.code], [200, 5, -32601]);
  assert.match(unknown.body.error?.message ?? '', /method not found: resources\/list/);
  const ping = await post(app, reader, { jsonrpc: '2.0', id: 'p', method: 'ping' }, on);
  assert.deepEqual(ping.body, { jsonrpc: '2.0', id: 'p', result: {} });
  const reinit = await post(app, reader, { jsonrpc: '2.0', id: 6, method: 'initialize', params: { protocolVersion: '2025-11-25' } }, on);
  assert.match(reinit.body.error?.message ?? '', /initialize opens a new session: send it without Mcp-Session-Id/);
  const badInit = await post(app, reader, { jsonrpc: '2.0', id: 7, method: 'initialize', params: { capabilities: {} } });
  assert.deepEqual([badInit.status, badInit.body.error?.code], [400, -32602]);
  assert.match(badInit.body.error?.message ?? '', /initialize needs "protocolVersion"/);

  const noSession = await post(app, reader, { jsonrpc: '2.0', id: 8, method: 'ping' });
  assert.deepEqual([noSession.status, noSession.body.error?.code], [400, -32600]);
  assert.equal((await post(app, reader, { jsonrpc: '2.0', id: 9, method: 'ping' }, { 'mcp-session-id': 'no-such-session' })).status, 404);
  assert.equal((await post(app, reader, { jsonrpc: '2.0', id: 9, method: 'ping' }, { 'mcp-session-id': 'bad id' })).status, 400);
  assert.equal((await post(app, other, { jsonrpc: '2.0', id: 10, method: 'ping' }, on)).status, 404, "another token's session does not exist for it");
  const wrongVersion = await post(app, reader, { jsonrpc: '2.0', id: 11, method: 'ping' }, { ...on, 'mcp-protocol-version': '2025-06-18' });
  assert.deepEqual([wrongVersion.status, wrongVersion.body.error?.message], [400, 'MCP-Protocol-Version 2025-06-18 is not the version this session agreed (2025-11-25)']);
  const unsupported = await post(app, reader, { jsonrpc: '2.0', id: 12, method: 'ping' }, { ...on, 'mcp-protocol-version': '2099-01-01' });
  assert.equal(unsupported.status, 400);
  assert.match(unsupported.body.error?.message ?? '', /unsupported MCP-Protocol-Version "2099-01-01"/);

  const revoked = await post(app, 'airlock_not_a_token', { jsonrpc: '2.0', id: 13, method: 'ping' }, on);
  assert.deepEqual([revoked.status, revoked.headers['www-authenticate']], [401, 'Bearer realm="airlock"'], 'an agent with a bad token is challenged as the API challenges');
  const rebinding = await post(app, reader, { jsonrpc: '2.0', id: 13, method: 'ping' }, { ...on, origin: 'http://attacker.example:8080' });
  assert.deepEqual([rebinding.status, rebinding.body.id, rebinding.body.error?.code], [403, null, -32001]);
  assert.equal((await post(app, reader, { jsonrpc: '2.0', id: 14, method: 'ping' }, { ...on, origin: 'http://localhost:6274' })).status, 200);
  const accept = await post(app, reader, { jsonrpc: '2.0', id: 15, method: 'ping' }, { ...on, accept: 'text/html' });
  assert.equal(accept.status, 406);

  const get = await app.inject({ method: 'GET', url: '/-/mcp', headers: { ...authHeader(reader), accept: 'text/event-stream', ...on } });
  assert.deepEqual([get.statusCode, get.headers['allow']], [405, 'POST']);
  // A session is its id: nothing to end (405, which the transport allows), and it still answers.
  const del = await app.inject({ method: 'DELETE', url: '/-/mcp', headers: { ...authHeader(reader), ...on } });
  assert.deepEqual([del.statusCode, del.headers['allow']], [405, 'POST']);
  assert.equal((await post(app, reader, { jsonrpc: '2.0', id: 16, method: 'ping' }, on)).status, 200);
  // A response from the client to a request of ours (we send none) is accepted and dropped.
  const s2 = await open(app, reader);
  assert.equal((await post(app, reader, { jsonrpc: '2.0', id: 99, result: {} }, { 'mcp-session-id': s2.id })).status, 202);
});

test('a session opened on one gateway is read by another on the same store, for its own token only', async (t) => {
  const { app, reader, other, gateway } = await setUp(t);
  const s = await open(app, reader, '2025-06-18');
  const b = await gateway();
  try {
    const on = { 'mcp-session-id': s.id, 'mcp-protocol-version': '2025-06-18' };
    const listed = await post(b.app, reader, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, on);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    // The revision agreed on the first gateway: 2025-06-18 tools have an output schema.
    assert.ok((listed.body.result?.['tools'] as { outputSchema?: unknown }[]).every((tool) => tool.outputSchema !== undefined));
    const mismatch = await post(b.app, reader, { jsonrpc: '2.0', id: 2, method: 'ping' }, { ...on, 'mcp-protocol-version': '2025-11-25' });
    assert.equal(mismatch.status, 400);
    assert.equal((await post(b.app, other, { jsonrpc: '2.0', id: 3, method: 'ping' }, on)).status, 404, "another token's session does not exist for it");
  } finally {
    await b.close();
  }
});

test('tools/call: malformed calls are -32602; bad arguments are tool errors (2025-11-25) or -32602 (earlier)', async (t) => {
  const { app, reader, token } = await setUp(t);
  const s = await open(app, reader);
  const on = { 'mcp-session-id': s.id };
  const call = (params: unknown, headers = on) => post(app, reader, { jsonrpc: '2.0', id: 1, method: 'tools/call', params }, headers);

  for (const [params, message] of [
    [{}, /tools\/call needs "name"/],
    [{ name: 'constructor', arguments: {} }, /unknown tool "constructor"; the tools are check_package, check_packages, explain_quarantine, suggest_allowed_version/],
    [{ name: '__proto__' }, /unknown tool "__proto__"/],
    [{ name: 'check_package', arguments: [1] }, /the "arguments" of check_package must be an object/],
  ] as const) {
    const r = await call(params);
    assert.deepEqual([r.status, r.body.error?.code], [200, -32602], JSON.stringify(params));
    assert.match(r.body.error?.message ?? '', message);
  }
  for (const [args, message] of [
    [{ name: 'left-pad' }, /check_package: "ecosystem" is required/],
    [{ ecosystem: 'cargo', name: 'serde' }, /"ecosystem" must be one of npm, pypi, oci, huggingface, not "cargo"/],
    [{ ecosystem: 'npm', name: 'x'.repeat(257) }, /"name" must be 1 to 256 characters/],
    [{ ecosystem: 'npm', name: 'left-pad', extra: 1 }, /unknown argument "extra"/],
    [{ ecosystem: 'npm', name: 'left-pad\n' + 'x' }, /"name" has control characters/],
    [{ ecosystem: 'pypi', name: 'requests', version: '=>2' }, /check_package: "version" .*"=>2" is not a clause/],
    [{ ecosystem: 'oci', name: 'library/alpine', version: '^3' }, /"\^3" is a range; oci has none: give an image tag or a sha256: digest/],
  ] as const) {
    const r = await call({ name: 'check_package', arguments: args });
    assert.equal(r.body.result?.['isError'], true, JSON.stringify(args));
    assert.match((r.body.result?.['content'] as { text: string }[])[0]?.text ?? '', message);
  }

  // 2025-03-26: no structured content (the JSON as a second text block), no output schemas, argument errors as -32602, batches allowed and bounded.
  const old = await open(app, reader, '2025-03-26');
  assert.equal(old.version, '2025-03-26');
  const h = { 'mcp-session-id': old.id, 'mcp-protocol-version': '2025-03-26' };
  const list = await post(app, reader, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, h);
  assert.ok((list.body.result?.['tools'] as Record<string, unknown>[]).every((x) => !('outputSchema' in x) && !('title' in x)));
  const ok = await call({ name: 'check_package', arguments: { ecosystem: 'npm', name: 'left-pad' } }, h);
  assert.equal(ok.body.result?.['structuredContent'], undefined);
  const content = ok.body.result?.['content'] as { text: string }[];
  assert.match(content[0]?.text ?? '', /^ALLOW npm left-pad@1\.3\.0/);
  assert.equal((JSON.parse(content[1]?.text ?? '{}') as { verdict: string }).verdict, 'allow');
  const bad = await call({ name: 'check_package', arguments: { ecosystem: 'npm' } }, h);
  assert.deepEqual([bad.body.error?.code, bad.body.error?.message], [-32602, 'invalid params: check_package: "name" is required']);
  const batch = await post(app, reader, [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/cancelled' }, { jsonrpc: '2.0', id: 'b', method: 'nope' }, 5], h);
  assert.equal(batch.status, 200);
  assert.deepEqual((batch.body as unknown as { id: unknown; error?: { code: number } }[]).map((x) => [x.id, x.error?.code ?? null]), [['a', null], ['b', -32601], [null, -32600]]);
  assert.equal((await post(app, reader, Array.from({ length: 21 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })), h)).status, 400);
  assert.equal((await post(app, reader, [], h)).status, 400);

  // A scoped token is for package clients: refused, as by the API's check.
  const scoped = await token({ role: 'reader', label: 'ci', scope: { repos: ['npm'] } });
  const refused = await post(app, scoped, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25' } });
  assert.deepEqual([refused.status, refused.body.error?.code], [403, -32001]);
  assert.match(refused.body.error?.message ?? '', /this token is scoped/);
});
