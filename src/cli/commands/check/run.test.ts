import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answeringServer } from '../../../../test/support/answering-server.ts';
import { cliInProcess } from '../../../../test/support/captured-output.ts';

/** `airlock check ARGS` against a server that answers `body` (what a broken or hostile one might). */
async function check(body: unknown, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const server = await answeringServer();
  server.answer = body;
  try {
    return await cliInProcess(['check', ...argv, '--server', server.url], {});
  } finally {
    server.close();
  }
}

const allow = (name: string) => ({ name, version: '1.0.0', verdict: 'allow' });

test('check: an answer with fewer results than packages asked fails, naming what the server answered', async () => {
  // Every one of no results is allowed: the check passed (exit 0) with nothing checked.
  const none = await check({ summary: {}, results: [] }, 'npm', 'a@1.0.0', 'b@1.0.0');
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'airlock check: the server answered POST /-/api/check with 0 results for 2 packages\n');
  const one = await check({ summary: { allow: 1 }, results: [allow('a')] }, 'oci', 'hub/a:1', 'hub/b:1');
  assert.equal(one.code, 1);
  assert.match(one.stderr, /with 1 result for 2 packages\n$/);
});

test('check: an answer that is not results and a summary of counts fails with what is wrong, not a TypeError', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /answered POST \/-\/api\/check with null, not an object$/],
    [{ summary: {} }, /without results \(a list\)$/],
    [{ results: [allow('a'), allow('b')] }, /without summary \(an object\)$/],
    [{ summary: { allow: '2' }, results: [allow('a'), allow('b')] }, /with summary\.allow that is "2", not a count$/],
    [{ summary: {}, results: [allow('a'), [allow('b')]] }, /with results\[1\] that is a list, not an object$/],
  ];
  for (const [body, message] of cases) {
    const r = await check(body, 'npm', 'a@1.0.0', 'b@1.0.0');
    assert.equal(r.code, 1, JSON.stringify(body));
    assert.match(r.stderr.trim(), message);
  }
  const single = await check('allow', 'pypi', 'requests==2.31.0');
  assert.equal(single.code, 1);
  assert.equal(single.stderr, 'airlock check: the server answered GET /-/api/check with "allow", not an object\n');
});

test('check: a well-formed answer is read as before', async () => {
  const r = await check({ summary: { allow: 2 }, results: [allow('a'), allow('b')] }, 'npm', 'a@1.0.0', 'b@1.0.0', '--format', 'table');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^a\s+1\.0\.0\s+ALLOW/m);
});
