/**
 * What the admin commands make of a malformed answer (the client's readers: src/api/answers.ts):
 * one line naming the route and what is wrong, and exit 1, where they crashed with a TypeError's
 * message or printed a success from nothing. The server is a local one answering what it is told.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answeringServer, exposureAnswer as exposure, quarantineAnswer as record, type AnsweringServer } from '../../../test/support/answering-server.ts';
import { cliInProcess } from '../../../test/support/captured-output.ts';

let server: AnsweringServer;

before(async () => {
  server = await answeringServer();
});
after(() => server.close());

/** `airlock ARGS --server URL` against the local server answering `body`. */
async function cli(body: unknown, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  server.answer = body;
  return cliInProcess([...argv, '--server', server.url], {});
}

test('airlock webhooks skip on {} fails saying so; it printed "skipped audit event undefined" and exited 0', async () => {
  const r = await cli({}, 'webhooks', 'skip', 'siem', '--reason', 'lost');
  assert.deepEqual(r, { code: 1, stdout: '', stderr: 'airlock webhooks skip: the server answered POST /-/api/webhooks/siem/skip without skipped (a count)\n' });
  const ok = await cli({ name: 'siem', skipped: 8, seq: 8 }, 'webhooks', 'skip', 'siem', '--reason', 'lost');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'skipped audit event 8 for siem; the events after it go out now\n');
});

test('airlock quarantine list on a list item that is not an object fails in one line, not with a TypeError', async () => {
  const r = await cli({ items: [record, null], nextCursor: null }, 'quarantine', 'list');
  assert.deepEqual(r, { code: 1, stdout: '', stderr: 'airlock quarantine list: the server answered GET /-/api/quarantine with items[1] that is null, not an object\n' });
  const ok = await cli({ items: [record], nextCursor: null }, 'quarantine', 'list');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^q1\s+quarantined\s+pkg:npm\/held-pkg@1\.0\.0\s+2026-03-10 12:00\s+held-pkg is held for review$/m);
});

test('airlock vulnerabilities --fail-on high fails on an answer without the counts it gates on; a missing count passed the gate', async () => {
  const r = await cli({ ...exposure, total: 0, items: [], bySeverity: {} }, 'vulnerabilities', '--fail-on', 'high');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'airlock vulnerabilities: the server answered GET /-/api/vulnerabilities without bySeverity.critical (a count)\n');
  assert.equal((await cli(exposure, 'vulnerabilities', '--fail-on', 'high')).code, 1, 'a high advisory fails the gate');
  assert.equal((await cli(exposure, 'vulnerabilities', '--fail-on', 'critical')).code, 0);
});

test('airlock quarantine show .. is a usage error (exit 2) and sends nothing: URL resolution would have asked for the API root', async () => {
  server.asked.length = 0;
  const r = await cli(record, 'quarantine', 'show', '..');
  assert.deepEqual(r, { code: 2, stdout: '', stderr: 'airlock quarantine show: ".." cannot be sent as a name or id in a URL\n' });
  assert.deepEqual(server.asked, []);
});
