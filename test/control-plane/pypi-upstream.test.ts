/**
 * A pypi repository in front of an index that misbehaves: unusable pages, links to other hosts,
 * files named unlike their URLs, pages and files over the size limits. Each gets a clear,
 * specific answer, and nothing the index should not have served is fetched or kept.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAirlock, type StartedAirlock } from '../support/start-airlock.ts';
import { buildWheel } from '../support/pypi-index/index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function server(t: TestContext, handler: Handler): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const s = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, hits };
}

async function airlockFor(t: TestContext, upstream: string, extra: Record<string, unknown> = {}): Promise<StartedAirlock> {
  const a = await startAirlock({ config: { repositories: [{ name: 'pypi', format: 'pypi', upstream: `${upstream}simple/`, ...extra }] } });
  t.after(() => a.close());
  return a;
}

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
// Incompressible data, so the wheel is over the 1 KiB limit below.
const wheel = buildWheel({ name: 'gull', version: '1.0', files: { 'gull/data.bin': randomBytes(4096) } });
const sha = createHash('sha256').update(wheel.bytes).digest('hex');

function page(files: readonly { filename: string; url: string; sha256?: string }[], apiVersion = '1.1'): string {
  return JSON.stringify({
    meta: { 'api-version': apiVersion },
    name: 'gull',
    versions: ['1.0'],
    files: files.map((f) => ({ filename: f.filename, url: f.url, hashes: { sha256: f.sha256 ?? sha }, size: wheel.bytes.length, 'upload-time': '2025-01-01T00:00:00Z', yanked: false })),
  });
}

test('an unusable page is a 502 that says what is wrong with it; a project the index does not have is a 404', async (t) => {
  let body = '{"meta": ';
  const index = await server(t, (req, res) => {
    if (req.url === '/simple/gull/') res.writeHead(200, { 'content-type': JSON_TYPE }).end(body);
    else res.writeHead(404).end();
  });
  const a = await airlockFor(t, index.url, { metadataMaxAge: '0s' });
  const get = (name: string): Promise<Response> => fetch(`${a.url}/pypi/simple/${name}/`, { headers: { accept: PIP_ACCEPT } });

  let r = await get('gull');
  assert.equal(r.status, 502);
  assert.match(r.statusText, /^Bad Gateway \(Airlock: the upstream index's page for gull is unusable: /);

  body = page([], '2.0');
  r = await get('gull');
  assert.equal(r.status, 502);
  assert.match(await r.text(), /api-version 2\.0 is not supported/);

  r = await get('no-such-project');
  assert.equal(r.status, 404);
});

test('a file linked on another host is listed but never fetched: its download says why; a URL naming another file is left off', async (t) => {
  const elsewhere = await server(t, (_req, res) => res.writeHead(200).end(wheel.bytes));
  const index = await server(t, (req, res) => {
    if (req.url === '/simple/gull/') {
      res.writeHead(200, { 'content-type': JSON_TYPE }).end(
        page([
          { filename: wheel.filename, url: `${elsewhere.url}packages/${wheel.filename}` },
          { filename: 'gull-1.0.tar.gz', url: `${index.url}packages/evil-9.9.tar.gz`, sha256: 'a'.repeat(64) },
        ]),
      );
    } else res.writeHead(404).end();
  });
  const a = await airlockFor(t, index.url);
  const listed = (await (await fetch(`${a.url}/pypi/simple/gull/`, { headers: { accept: PIP_ACCEPT } })).json()) as { files: { filename: string; url: string }[] };
  assert.deepEqual(
    listed.files.map((f) => f.filename),
    [wheel.filename],
  );
  const r = await fetch(listed.files[0]?.url ?? '');
  assert.equal(r.status, 502);
  assert.match(r.statusText, /Airlock follows no link to another host \(set filesUpstream to trust it\)/);
  assert.deepEqual(elsewhere.hits, []);
});

test('a page over maxMetadataSize and a file over maxArtifactSize are refused, and the file is not kept', async (t) => {
  const index = await server(t, (req, res) => {
    if (req.url === '/simple/gull/') res.writeHead(200, { 'content-type': JSON_TYPE }).end(page([{ filename: wheel.filename, url: `${index.url}packages/${wheel.filename}` }]));
    else if (req.url === '/simple/tern/') res.writeHead(200, { 'content-type': JSON_TYPE }).end(`${page([])}${' '.repeat(4096)}`);
    else if (req.url === `/packages/${wheel.filename}`) res.writeHead(200).end(wheel.bytes);
    else res.writeHead(404).end();
  });
  const a = await airlockFor(t, index.url, { maxMetadataSize: 2048, maxArtifactSize: 1024 });
  assert.ok(wheel.bytes.length > 1024, 'the wheel is over the limit');
  const r = await fetch(`${a.url}/pypi/files/gull/${sha}/${wheel.filename}`);
  assert.equal(r.status, 502);
  assert.match(r.statusText, /upstream pypi sent more than the 1024-byte limit for \/packages\/gull-1\.0-py3-none-any\.whl/);
  const stored = await fetch(`${a.url}/-/api/decisions?purl=${encodeURIComponent('pkg:pypi/gull@1.0')}`, { headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.deepEqual(((await stored.json()) as { items: unknown[] }).items, []);

  const p = await fetch(`${a.url}/pypi/simple/tern/`, { headers: { accept: PIP_ACCEPT } });
  assert.equal(p.status, 502);
  assert.match(p.statusText, /upstream pypi sent more than the 2048-byte limit for \/simple\/tern\//);
});

test('a HEAD of a file says its length, and is judged like its GET', async (t) => {
  const index = await server(t, (req, res) => {
    if (req.url === '/simple/gull/') res.writeHead(200, { 'content-type': JSON_TYPE }).end(page([{ filename: wheel.filename, url: `${index.url}packages/${wheel.filename}` }]));
    else if (req.url === `/packages/${wheel.filename}`) res.writeHead(200).end(wheel.bytes);
    else res.writeHead(404).end();
  });
  const a = await airlockFor(t, index.url);
  const head = await fetch(`${a.url}/pypi/files/gull/${sha}/${wheel.filename}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(wheel.bytes.length));
  assert.equal(head.headers.get('etag'), `"${sha}"`);
  const other = await fetch(`${a.url}/pypi/files/gull/${'0'.repeat(64)}/${wheel.filename}`, { method: 'HEAD' });
  assert.equal(other.status, 404);
});
