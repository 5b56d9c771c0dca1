/**
 * A client that goes away while sending a request body (an interrupted `docker push`, `twine
 * upload` or `npm publish`) is routine, not a fault of Airlock's: it is logged at info level with
 * the status 499 ("client closed request"), never at error level, where an operator's alerts
 * look. Node ends such a request with an `aborted` error, which the OCI and PyPI routes (they
 * read their bodies themselves) logged as "request failed" at error level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createLogger } from '../../src/app/logger.ts';
import { memoryLog } from '../support/captured-output.ts';
import { startAirlock, type StartedAirlock } from '../support/start-airlock.ts';

/** Sends a request head announcing `declared` body bytes and only `sent` of them, then closes the connection. */
async function cutShort(a: StartedAirlock, method: string, path: string, contentType: string, sent: string, declared: number): Promise<void> {
  const { port } = new URL(a.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const head = [`${method} ${path} HTTP/1.1`, 'host: airlock.test', `authorization: Bearer ${a.adminToken}`, `content-type: ${contentType}`, `content-length: ${declared}`];
  await new Promise<void>((resolve) => socket.write(`${head.join('\r\n')}\r\n\r\n${sent}`, () => resolve()));
  socket.destroy();
}

test('a client that closes the connection before its body arrived is logged at info with status 499, not as a failure', async (t) => {
  const log = memoryLog();
  const a = await startAirlock({
    logger: createLogger('info', log.stream),
    config: { repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }, { name: 'pypi-hosted', format: 'pypi', kind: 'hosted' }] },
  });
  t.after(() => a.close());
  const session = await fetch(`${a.url}/v2/images/demo/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.equal(session.status, 202);
  const upload = new URL(session.headers.get('location') ?? '', a.url);
  const cases: [string, string, string][] = [
    ['PUT', '/v2/images/demo/manifests/v1', 'application/vnd.oci.image.manifest.v1+json'],
    ['PATCH', `${upload.pathname}${upload.search}`, 'application/octet-stream'],
    ['POST', `/v2/images/demo/blobs/uploads/?digest=sha256:${'a'.repeat(64)}`, 'application/octet-stream'],
    ['POST', '/pypi-hosted/', 'multipart/form-data; boundary=airlock-test'],
  ];
  for (const [method, path, contentType] of cases) {
    const before = log.lines().length;
    await cutShort(a, method, path, contentType, '{"schemaVersion": 2, "layers": [', 100_000);
    // The gateway has taken the close once it has logged the request's end (waited for, up to 10 s on a loaded machine).
    for (let i = 0; i < 1000 && !log.lines().slice(before).some((l) => l['status'] === 499); i++) await new Promise((r) => setTimeout(r, 10));
    const logged = log.lines().slice(before);
    assert.deepEqual(logged.filter((l) => Number(l['level']) >= 40), [], `${method} ${path}`);
    assert.ok(logged.some((l) => l['level'] === 30 && l['status'] === 499), `${method} ${path}: ${JSON.stringify(logged)}`);
  }
  assert.equal((await fetch(`${a.url}/-/health`)).status, 200);
});
