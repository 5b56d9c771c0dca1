/**
 * A body no route got to read (not the JSON it claims to be, over a route's limit) on a route of a
 * plugin without an error handler of its own (Hugging Face, SSO) is answered by the composition
 * root's handler, which those plugins inherit: in Airlock's `{error, code}` with the parser's
 * words (its `error` is the string the Hub's clients print), never Fastify's default
 * `{statusCode, error: "Bad Request", message}`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/start-airlock.ts';

test('a body a Hugging Face or SSO route could not read is refused in Airlock\'s format, saying why', async (t) => {
  const a = await buildTestApp({ config: { repositories: [{ name: 'hf', format: 'huggingface', upstream: 'http://127.0.0.1:9/' }] } });
  t.after(() => a.close());
  const cases: [string, string, string, number, string, RegExp][] = [
    ['POST', '/huggingface/api/models/acme/tiny/paths-info/main', '{"paths": [', 400, 'BAD_REQUEST', /JSON/],
    ['POST', '/huggingface/api/models/acme/tiny/paths-info/main', JSON.stringify({ paths: ['x'.repeat(2 * 1024 * 1024)] }), 413, 'LIMIT_EXCEEDED', /too large|limit/i],
    ['POST', '/-/sso/logout', '{', 400, 'BAD_REQUEST', /JSON/],
  ];
  for (const [method, url, payload, status, code, message] of cases) {
    const r = await a.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } });
    assert.equal(r.statusCode, status, `${url}: ${r.body}`);
    const body = JSON.parse(r.body) as { error?: unknown; code?: unknown; statusCode?: unknown };
    assert.equal(body.code, code, r.body);
    assert.equal(body.statusCode, undefined, r.body);
    assert.match(String(body.error), message);
  }
});
