/**
 * A request no route takes (a method the registry API has no use for, a path under `/-/oci/` it
 * does not serve), or whose body no route got to read (over the body limit, under the not-found
 * route), is answered by the composition root: under the registry API in the registry's
 * `{"errors":[{code, message}]}`, which is all registry clients read (it answered Airlock's
 * `{error, code}` and Fastify's `{statusCode, error, message}` there; found by the http-surface
 * fuzz target); elsewhere in Airlock's own `{error, code}`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/start-airlock.ts';

const config = { repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }, { name: 'npm-internal', format: 'npm', kind: 'hosted' }] };

function registryError(body: string): { readonly code: string; readonly message: string } {
  const doc = JSON.parse(body) as { errors?: { code: string; message: string }[] };
  assert.equal(doc.errors?.length, 1, body);
  return doc.errors[0] as { code: string; message: string };
}

test('a method or path no route takes under /v2/ and /-/oci/ is a 404 in the registry format; elsewhere in Airlock\'s', async (t) => {
  const a = await buildTestApp({ config });
  t.after(() => a.close());
  for (const [method, url] of [['PROPFIND', '/v2/images/demo/manifests/v1'], ['OPTIONS', '/v2/'], ['POST', '/v2?x=1'], ['TRACE', '/-/oci/token?scope=x'], ['GET', '/-/oci/nothing-here']] as const) {
    const r = await a.app.inject({ method, url });
    assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
    assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
    const e = registryError(r.body);
    assert.equal(e.code, 'NAME_UNKNOWN');
    assert.match(e.message, new RegExp(`^Airlock: not found: ${method} /`));
  }
  const head = await a.app.inject({ method: 'HEAD', url: '/-/oci/nothing-here' });
  assert.equal(head.statusCode, 404);
  assert.equal(head.body, '');
  const elsewhere = await a.app.inject({ method: 'PROPFIND', url: '/-/nowhere' });
  assert.deepEqual(JSON.parse(elsewhere.body), { error: 'not found: PROPFIND /-/nowhere', code: 'NOT_FOUND' });
});

test('a body over the limit sent where no route is, under /v2/ and /-/oci/, is a 413 in the registry format; elsewhere in Airlock\'s', async (t) => {
  const a = await buildTestApp({ config });
  t.after(() => a.close());
  const payload = `{"a":"${'x'.repeat(1100 * 1024)}"}`;
  for (const url of ['/-/oci/token', '/-/oci/nothing-here']) {
    const r = await a.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
    assert.equal(r.statusCode, 413, `${url}: ${r.body}`);
    assert.equal(registryError(r.body).code, 'SIZE_INVALID');
  }
  const elsewhere = await a.app.inject({ method: 'POST', url: '/-/nowhere', headers: { 'content-type': 'application/json' }, payload });
  assert.equal(elsewhere.statusCode, 413);
  const doc = JSON.parse(elsewhere.body) as { error?: unknown; code?: unknown };
  assert.equal(doc.code, 'LIMIT_EXCEEDED');
  assert.match(String(doc.error), /body is too large/i);
});

test('a bad token at /v2 with a query is refused in the registry format, as at /v2/', async (t) => {
  const a = await buildTestApp({ config });
  t.after(() => a.close());
  for (const url of ['/v2?x=1', '/v2', '/v2/']) {
    const r = await a.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer wrong' } });
    assert.equal(r.statusCode, 401, `${url}: ${r.body}`);
    assert.equal(registryError(r.body).code, 'UNAUTHORIZED', url);
  }
});
