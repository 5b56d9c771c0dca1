/**
 * Client mistakes under the registry API are answered 400 in the registry's error format, saying
 * what was wrong, before any route decides: a Host header the token realm cannot be built from
 * (it answered 500 with Fastify's own body), a path whose percent-encoding is broken or whose
 * segment is longer than Airlock takes (they answered Fastify's `{statusCode, error, message}`,
 * which registry clients cannot read). Sent raw with node:http, as a client or a probe would; the
 * npm and pypi repositories' own answers to the same Host are checked beside them, and skopeo
 * still pushes and pulls.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildImage, hasRegistryTools, SKIP_NO_REGISTRY_TOOLS } from '../../support/oci/index.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with exactly the headers given (the Host too). */
function raw(base: string, method: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The registry error a body carries: its one code and message. */
function registryError(a: RawAnswer): { readonly code: string; readonly message: string } {
  assert.match(String(a.headers['content-type']), /^application\/json/);
  assert.equal(a.headers['docker-distribution-api-version'], 'registry/2.0');
  const body = JSON.parse(a.body) as { errors: { code: string; message: string; detail: unknown }[] };
  assert.equal(body.errors.length, 1, a.body);
  const [{ code, message, detail }] = body.errors as [{ code: string; message: string; detail: unknown }];
  assert.equal(detail, null);
  return { code, message };
}

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

test('a bad Host header at /v2/ (the token realm is built from it) is a 400 in the registry format, naming the header', async (t) => {
  const airlock = await startAirlock({ config: { repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }] } });
  t.after(() => airlock.close());
  for (const host of ['bad host!', 'a/b', 'x"y', `${'h'.repeat(300)}`]) {
    const a = await raw(airlock.url, 'GET', '/v2/', { host });
    assert.equal(a.status, 400, `${host}: ${a.body}`);
    const e = registryError(a);
    assert.equal(e.code, 'UNSUPPORTED');
    assert.match(e.message, /^Airlock: invalid Host header ".*": a host name or address, and a port if any/);
    assert.equal(a.headers['www-authenticate'], undefined, 'no realm built from it');
  }
  // HTTP/1.0 lets a request go without a Host at all.
  const bare = await new Promise<string>((resolve, reject) => {
    const url = new URL(airlock.url);
    const socket = connect(Number(url.port), url.hostname, () => socket.end('GET /v2/ HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
  assert.match(bare, /^HTTP\/1\.1 400 /);
  assert.match(bare, /\{"errors":\[\{"code":"UNSUPPORTED","message":"Airlock: no Host header: Airlock builds the URLs it gives from it","detail":null\}\]\}/);
  // A good Host still gets its challenge.
  const good = await raw(airlock.url, 'GET', '/v2/', { host: new URL(airlock.url).host });
  assert.equal(good.status, 401);
  assert.match(String(good.headers['www-authenticate']), /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/-\/oci\/token"/);
});

test('a path the router cannot take under /v2/ or /-/oci/ is a 400 in the registry format; elsewhere in Airlock\'s own', async (t) => {
  const airlock = await startAirlock({ config: { repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }, { name: 'npm-internal', format: 'npm', kind: 'hosted' }] } });
  t.after(() => airlock.close());
  const host = new URL(airlock.url).host;
  const auth = { host, authorization: `Bearer ${airlock.adminToken}` };
  for (const path of ['/v2/%zz', '/v2/images/%zz/manifests/latest', '/v2/images/app/manifests/%E0%A4%A', '/-/oci/%zz']) {
    const a = await raw(airlock.url, 'GET', path, auth);
    assert.equal(a.status, 400, `${path}: ${a.body}`);
    assert.deepEqual(registryError(a), { code: 'UNSUPPORTED', message: 'Airlock: the path is not valid percent-encoding (a % must be followed by two hex digits)' });
  }
  const head = await raw(airlock.url, 'HEAD', '/v2/images/app/blobs/%zz', auth);
  assert.equal(head.status, 400);
  assert.equal(head.body, '', 'no body to a HEAD');
  const elsewhere = await raw(airlock.url, 'GET', '/npm-internal/%zz', auth);
  assert.equal(elsewhere.status, 400);
  assert.deepEqual(JSON.parse(elsewhere.body), { error: 'the path is not valid percent-encoding (a % must be followed by two hex digits)', code: 'BAD_REQUEST' });
});

test('the npm and pypi repositories answer a bad Host with 400 in their own dialects, naming the header', async (t) => {
  const airlock = await startAirlock({
    config: {
      repositories: [
        { name: 'npm-internal', format: 'npm', kind: 'hosted' },
        { name: 'npm-all', format: 'npm', kind: 'group', members: ['npm-internal'] },
        { name: 'python', format: 'pypi', kind: 'hosted' },
      ],
    },
  });
  t.after(() => airlock.close());
  for (const path of ['/npm-internal/left-pad', '/npm-all/left-pad']) {
    const a = await raw(airlock.url, 'GET', path, { host: 'bad host!' });
    assert.equal(a.status, 400, `${path}: ${a.body}`);
    assert.match((JSON.parse(a.body) as { error: string }).error, /^invalid Host header "bad host!": a host name or address/);
  }
  const page = await raw(airlock.url, 'GET', '/python/simple/acme/', { host: 'bad host!' });
  assert.equal(page.status, 400, page.body);
  assert.match(page.body, /^invalid Host header "bad host!"/);
});

describe('skopeo through the same Airlock after the change', { skip }, () => {
  let h: HostedOci;
  before(async () => {
    h = await hostedOci();
  });
  after(async () => {
    await h?.close();
  });

  test('pushes and pulls an image as before', async () => {
    const image = buildImage({ files: { 'app/hello.txt': 'after the 400s\n' } });
    const pushed = await h.push('team/app:v1', [{ ...image, ref: 'v1' }], 'v1');
    assert.equal(pushed.code, 0, pushed.stderr);
    const pulled = await h.pull('team/app:v1', `dev:${h.reader}`);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.digest, image.manifestDigest);
    assert.equal((await raw(h.airlock.url, 'GET', '/v2/', { host: 'bad host!' })).status, 400, `${HOSTED}: the version check`);
  });
});
