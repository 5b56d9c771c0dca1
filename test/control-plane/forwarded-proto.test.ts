/**
 * The URLs Airlock builds for clients to follow (here the registry token realm of `/v2/`) take
 * X-Forwarded-Proto and X-Forwarded-Host only with `server.trustProxy`: without it a client cannot
 * make Airlock hand out https:// links to a host of its choosing; with it they follow the proxy,
 * and a scheme other than http or https is refused rather than built into a URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/start-airlock.ts';

const config = (trustProxy: boolean) => ({ server: { trustProxy }, access: { anonymousRead: false }, repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }] });
const forwarded = { host: 'airlock.internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'airlock.example.com' };

test('without server.trustProxy, X-Forwarded-Proto and X-Forwarded-Host are ignored: the URLs follow the connection and its Host', async (t) => {
  const a = await buildTestApp({ config: config(false) });
  t.after(() => a.close());
  const r = await a.app.inject({ method: 'GET', url: '/v2/', headers: forwarded });
  assert.equal(r.statusCode, 401);
  assert.match(String(r.headers['www-authenticate']), /^Bearer realm="http:\/\/airlock\.internal:8080\/-\/oci\/token"/);
  const odd = await a.app.inject({ method: 'GET', url: '/v2/', headers: { ...forwarded, 'x-forwarded-proto': 'javascript' } });
  assert.match(String(odd.headers['www-authenticate']), /^Bearer realm="http:\/\/airlock\.internal:8080\//, 'not read at all');
});

test('with server.trustProxy, the URLs follow X-Forwarded-Proto and X-Forwarded-Host; a scheme other than http or https is refused', async (t) => {
  const a = await buildTestApp({ config: config(true) });
  t.after(() => a.close());
  const r = await a.app.inject({ method: 'GET', url: '/v2/', headers: forwarded });
  assert.equal(r.statusCode, 401);
  assert.match(String(r.headers['www-authenticate']), /^Bearer realm="https:\/\/airlock\.example\.com\/-\/oci\/token"/);
  const upper = await a.app.inject({ method: 'GET', url: '/v2/', headers: { ...forwarded, 'x-forwarded-proto': 'HTTPS' } });
  assert.match(String(upper.headers['www-authenticate']), /^Bearer realm="https:\/\/airlock\.example\.com\//);
  const odd = await a.app.inject({ method: 'GET', url: '/v2/', headers: { ...forwarded, 'x-forwarded-proto': 'javascript' } });
  assert.equal(odd.statusCode, 400, odd.body);
  // Under /v2/ in the registry's error format, which is all a registry client reads; elsewhere in Airlock's own.
  assert.deepEqual(odd.json(), { errors: [{ code: 'UNSUPPORTED', message: 'Airlock: invalid X-Forwarded-Proto header (http or https)', detail: null }] });
  assert.equal(odd.headers['docker-distribution-api-version'], 'registry/2.0');
  assert.doesNotMatch(String(odd.headers['www-authenticate'] ?? ''), /javascript:/);
  const api = await a.app.inject({ method: 'GET', url: '/-/api/whoami', headers: { ...forwarded, 'x-forwarded-proto': 'javascript' } });
  assert.deepEqual([api.statusCode, api.json()], [400, { error: 'invalid X-Forwarded-Proto header (http or https)', code: 'BAD_REQUEST' }]);
});
