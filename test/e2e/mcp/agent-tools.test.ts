/**
 * The MCP endpoint with the official MCP client (`@modelcontextprotocol/sdk`'s `Client` over
 * `StreamableHTTPClientTransport`), as a coding agent would use it, against a running Airlock
 * with the built-in default policy and a fixture npm upstream: the tools listed; an old package
 * allowed; a young one quarantined by the cooldown, with the reason the real `npm install` then
 * fails with; a name nobody published reported as possibly hallucinated and recorded in the
 * missing-name ledger under the agent's name; a batch; the quarantine record; and access as
 * the API's check has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createToken } from '../npm/support.ts';
import { daysAgo, quarantineIdIn, signalsE2e } from '../signals/support.ts';

const COOLING = 'zephyr-cooldown-demo';
const MISSING = 'react-smart-fetch-utils-ai';

async function connect(url: string, token: string | null, name = 'e2e-agent'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/-/mcp`), token === null ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return client;
}

interface Item {
  verdict: string;
  status: string;
  version: string | null;
  installs: string | null;
  mayBeHallucinated: boolean;
  reasons: { rule: string | null; message: string }[];
  quarantineId: string | null;
  advice: string;
  range: string | null;
  newestInRange: { version: string; verdict: string; reasons: { rule: string | null }[]; quarantineId: string | null } | null;
}

function textOf(r: object): string {
  const content = (r as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? '').join('\n');
}

test('MCP: an agent checks before it installs, and the real npm client agrees', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'lodash', versions: [{ version: '4.17.20', publishedAt: daysAgo(400) }, { version: '4.17.21', publishedAt: daysAgo(300) }] },
      { name: COOLING, versions: [{ version: '1.0.0', publishedAt: daysAgo(400) }, { version: '1.1.0', publishedAt: daysAgo(1) }] },
    ],
  });
  t.after(() => s.close());
  const reader = await createToken(s.airlock, 'reader', 'coding agent');
  const client = await connect(s.airlock.url, reader);
  t.after(() => client.close());
  assert.equal(client.getServerVersion()?.name, 'airlock');
  assert.match(client.getInstructions() ?? '', /call check_package/);

  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((x) => x.name).sort(), ['check_package', 'check_packages', 'explain_quarantine', 'suggest_allowed_version']);
  for (const tool of tools) assert.equal(tool.inputSchema.type, 'object', `${tool.name} has an input schema`);
  assert.ok(tools.every((x) => x.outputSchema !== undefined), 'every tool has an output schema at the negotiated version');

  // Allowed: old and popular.
  const allowed = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: 'lodash', version: '4.17.21' } });
  const a = allowed.structuredContent as unknown as Item;
  assert.deepEqual([a.verdict, a.installs, allowed.isError ?? false], ['allow', '4.17.21', false]);
  assert.match(textOf(allowed), /^ALLOW npm lodash@4\.17\.21: Airlock allows lodash@4\.17\.21/);

  // Quarantined: the cooldown holds the day-old version; the reason is the policy's.
  const held = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: COOLING, version: '1.1.0' } });
  const h = held.structuredContent as unknown as Item;
  assert.deepEqual([h.verdict, h.installs, h.reasons.map((r) => r.rule)], ['quarantine', null, ['cooldown']]);
  assert.match(h.reasons[0]?.message ?? '', /was published \d+ hours ago; versions younger than 3 days are held back \(cooldown\)/);
  assert.match(textOf(held), /^QUARANTINE npm zephyr-cooldown-demo@1\.1\.0: zephyr-cooldown-demo@1\.1\.0 is quarantined by Airlock: .* \[cooldown\]\. Installing it fails/);

  // The real client: the install the tool said would fail fails, for the reason the tool gave.
  const p = await s.project();
  const pinned = await p.npm(['install', `${COOLING}@1.1.0`]);
  assert.notEqual(pinned.code, 0, pinned.output);
  assert.ok(pinned.output.includes(`${COOLING}@1.1.0 is quarantined by Airlock: ${h.reasons[0]?.message} [cooldown]`), pinned.output);
  assert.match(pinned.output, /No review is open yet/);
  // A client's download of the version opens the review (what npm's message says to do).
  const tarball = await fetch(`${s.registryUrl}${COOLING}/-/${COOLING}-1.1.0.tgz`);
  assert.equal(tarball.status, 403);
  const id = quarantineIdIn(await tarball.text());
  assert.ok(id !== null);

  // The review is open: the tool now names it, and explains it.
  const again = (await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: COOLING, version: '1.1.0' } })).structuredContent as unknown as Item;
  assert.equal(again.quarantineId, id);
  assert.match(again.advice, new RegExp(`ask an approver to review quarantine ${id}`));
  const explained = await client.callTool({ name: 'explain_quarantine', arguments: { id } });
  const q = explained.structuredContent as { state: string; name: string; version: string; reasons: { rule: string }[]; howToRelease: string };
  assert.deepEqual([q.state, q.name, q.version, q.reasons.map((r) => r.rule)], ['quarantined', COOLING, '1.1.0', ['cooldown']]);
  assert.match(q.howToRelease, new RegExp(`airlock quarantine release ${id} --reason`));
  const unknownId = await client.callTool({ name: 'explain_quarantine', arguments: { id: 'no-such-record' } });
  assert.equal(unknownId.isError, true);
  assert.match(textOf(unknownId), /no quarantine record "no-such-record"/);

  // Without a version: what an unpinned install gets, and the version to suggest; npm agrees.
  const unpinned = (await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: COOLING } })).structuredContent as unknown as Item;
  assert.deepEqual([unpinned.version, unpinned.verdict, unpinned.installs], ['1.1.0', 'quarantine', '1.0.0']);
  const suggested = await client.callTool({ name: 'suggest_allowed_version', arguments: { ecosystem: 'npm', name: COOLING } });
  assert.equal((suggested.structuredContent as { suggestion: string }).suggestion, '1.0.0');
  const installed = await p.npm(['install', COOLING]);
  assert.equal(installed.code, 0, installed.output);
  assert.equal((await p.readJson(`node_modules/${COOLING}/package.json`))['version'], '1.0.0');

  // A range, as package.json holds it: the newest satisfying version (1.1.0) is quarantined, so
  // the answer names the older one Airlock allows, and why the newer is held; npm agrees.
  const ranged = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: COOLING, version: '^1.0.0' } });
  const rg = ranged.structuredContent as unknown as Item;
  assert.deepEqual([rg.range, rg.version, rg.verdict, rg.installs], ['^1.0.0', '1.0.0', 'allow', '1.0.0']);
  assert.deepEqual([rg.newestInRange?.version, rg.newestInRange?.verdict, rg.newestInRange?.reasons.map((r) => r.rule), rg.newestInRange?.quarantineId], ['1.1.0', 'quarantine', ['cooldown'], id]);
  assert.match(
    textOf(ranged),
    /^ALLOW npm zephyr-cooldown-demo@\^1\.0\.0 \(1\.0\.0\): An install of zephyr-cooldown-demo@\^1\.0\.0 gets 1\.0\.0 through Airlock, which allows it.* The newest version satisfying it, 1\.1\.0, is quarantined by Airlock: .*\[cooldown\] \(quarantine /,
  );
  const rangedInstall = await p.npm(['install', `${COOLING}@^1.0.0`]);
  assert.equal(rangedInstall.code, 0, rangedInstall.output);
  assert.equal((await p.readJson(`node_modules/${COOLING}/package.json`))['version'], '1.0.0');
  // A range Airlock allows nothing of: the newest satisfying version, held, and why.
  const heldRange = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: COOLING, version: '~1.1.0' } });
  const hr = heldRange.structuredContent as unknown as Item;
  assert.deepEqual([hr.version, hr.verdict, hr.installs, hr.newestInRange, hr.quarantineId], ['1.1.0', 'quarantine', null, null, id]);
  assert.match(textOf(heldRange), /^QUARANTINE npm zephyr-cooldown-demo@~1\.1\.0 \(1\.1\.0\): No version satisfying ~1\.1\.0 is allowed by Airlock now \(1 satisfy it\): the newest, zephyr-cooldown-demo@1\.1\.0, is quarantined by Airlock: .*\[cooldown\]\. An install of zephyr-cooldown-demo@~1\.1\.0 fails/);
  const withinRange = await client.callTool({ name: 'suggest_allowed_version', arguments: { ecosystem: 'npm', name: COOLING, range: '1.x' } });
  assert.equal((withinRange.structuredContent as { suggestion: string }).suggestion, '1.0.0');
  assert.match(textOf(withinRange), /1\.0\.0 is the newest version satisfying 1\.x allowed by Airlock/);
  const noneInRange = await client.callTool({ name: 'suggest_allowed_version', arguments: { ecosystem: 'npm', name: COOLING, range: '>=1.1.0' } });
  assert.equal((noneInRange.structuredContent as { suggestion: string | null }).suggestion, null);

  // A name nobody published: not found, a hallucination warning, and the tripwire recorded it for this agent.
  const missing = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: MISSING } });
  const m = missing.structuredContent as unknown as Item;
  assert.deepEqual([m.verdict, m.status, m.mayBeHallucinated, m.installs], ['not-found', 'package-not-found', true, null]);
  assert.match(textOf(missing), /does not exist in the npm upstream\. It may be a hallucinated name: do NOT install it, and do NOT create, register or publish a package by this name/);
  const ledger = await s.api<{ items: { name: string; askers: { agent: string | null }[] }[] }>('GET', 'signals/missing');
  const entry = ledger.body.items.find((i) => i.name === MISSING);
  assert.ok(entry !== undefined, 'the missing name is in the ledger');
  assert.ok(entry.askers.some((x) => x.agent === 'e2e-agent'), `recorded for the MCP client by name: ${JSON.stringify(entry.askers)}`);
  const npmMissing = await p.npm(['install', MISSING]);
  assert.notEqual(npmMissing.code, 0, 'npm cannot install it either');
  assert.match(npmMissing.output, /E404|404 Not Found/);

  // A dependency list in one call.
  const batch = await client.callTool({
    name: 'check_packages',
    arguments: {
      packages: [
        { ecosystem: 'npm', name: 'lodash', version: '4.17.20' },
        { ecosystem: 'npm', name: COOLING, version: '1.1.0' },
        { ecosystem: 'npm', name: MISSING },
      ],
    },
  });
  const b = batch.structuredContent as { summary: Record<string, number>; results: Item[] };
  assert.deepEqual(b.summary, { allow: 1, quarantine: 1, block: 0, notFound: 1, error: 0 });
  assert.deepEqual(b.results.map((r) => r.verdict), ['allow', 'quarantine', 'not-found']);
  assert.match(textOf(batch), /^1 allow, 1 quarantine, 0 block, 1 not found, 0 error$/m);

  // Arguments a model can correct are tool errors saying what is wrong (protocol 2025-11-25).
  const badRange = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: 'lodash', version: '^^4' } });
  assert.equal(badRange.isError, true);
  assert.match(textOf(badRange), /"version" "\^\^4" is not an npm version range: npm reads ranges such as \^4\.17\.0/);
  const ociRange = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'oci', name: 'library/alpine', version: '>=3' } });
  assert.match(textOf(ociRange), /"version" ">=3" is a range; oci has none: give an image tag or a sha256: digest/);
  const tooMany = await client.callTool({ name: 'check_packages', arguments: { packages: Array.from({ length: 51 }, () => ({ ecosystem: 'npm', name: 'lodash' })) } });
  assert.match(textOf(tooMany), /at most 50 packages per call, not 51/);
  await assert.rejects(client.callTool({ name: 'install_package', arguments: {} }), /unknown tool "install_package"/);
});

test('MCP: access is the check\'s — an unscoped reader token; anonymous is refused, also with anonymous reads off', async (t) => {
  const s = await signalsE2e({ packages: [{ name: 'lodash', versions: [{ version: '4.17.21', publishedAt: daysAgo(400) }] }], config: { access: { anonymousRead: false } } });
  t.after(() => s.close());
  await assert.rejects(connect(s.airlock.url, null), /authentication required: send Authorization: Bearer <reader token>/);
  await assert.rejects(connect(s.airlock.url, 'airlock_not_a_token'), /invalid, expired or revoked token/);
  const anonymous = await fetch(`${s.airlock.url}/-/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
  });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="airlock"');
  assert.deepEqual(await anonymous.json(), { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'authentication required: send Authorization: Bearer <reader token>' } });

  const reader = await createToken(s.airlock, 'reader', 'agent');
  const client = await connect(s.airlock.url, reader);
  t.after(() => client.close());
  const r = await client.callTool({ name: 'check_package', arguments: { ecosystem: 'npm', name: 'lodash' } });
  assert.equal((r.structuredContent as unknown as Item).verdict, 'allow');
  // The session is its id: the client's DELETE is answered 405 (nothing to end), which the
  // client takes as the transport allows, and the session still answers.
  const transport = client.transport as StreamableHTTPClientTransport;
  const sessionId = transport.sessionId ?? '';
  assert.match(sessionId, /^s1\.[A-Za-z0-9_-]+$/);
  await transport.terminateSession();
  const after = await fetch(`${s.airlock.url}/-/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  assert.equal(after.status, 200);
});

test('MCP: tool calls are rate-limited per token, a batch counting its packages; the refusal is a tool result saying when to retry', async (t) => {
  // A clock that stands still: the bucket refills nothing while the calls run (a loaded CI machine
  // took over a second over them, and the refusal said 59 s).
  const now = new Date();
  const s = await signalsE2e({ clock: () => now, packages: [{ name: 'lodash', versions: [{ version: '4.17.21', publishedAt: daysAgo(400) }] }], config: { access: { mcp: { rateLimit: { perMinute: 1, burst: 50 } } } } });
  t.after(() => s.close());
  const client = await connect(s.airlock.url, await createToken(s.airlock, 'reader', 'agent'));
  t.after(() => client.close());
  const lodash = { ecosystem: 'npm', name: 'lodash', version: '^4.17.0' };
  const batch = await client.callTool({ name: 'check_packages', arguments: { packages: Array.from({ length: 48 }, () => lodash) } });
  assert.equal((batch.structuredContent as { summary: { allow: number } }).summary.allow, 48);
  for (let i = 0; i < 2; i++) assert.equal((await client.callTool({ name: 'check_package', arguments: lodash })).isError ?? false, false, `call ${i + 49}`);
  const refused = await client.callTool({ name: 'check_package', arguments: lodash });
  assert.equal(refused.isError, true);
  assert.match(textOf(refused), /^rate limited: too many package checks through Airlock with this token \(this call checks 1\)\. Try again in 60 s/);
  // Another token has its own budget.
  const other = await connect(s.airlock.url, await createToken(s.airlock, 'reader', 'other agent'), 'other-agent');
  t.after(() => other.close());
  assert.equal((await other.callTool({ name: 'check_package', arguments: lodash })).isError ?? false, false);
});
