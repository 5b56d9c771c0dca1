import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { isAirlockError } from '../core/index.ts';
import { UpstreamClient } from './client.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { freshnessOf } from './stale.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prefix/`,
    hits,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

test('documents: gzip and br are decoded, validators revalidate with 304', async (t) => {
  const doc = Buffer.from(JSON.stringify({ name: 'x', pad: 'y'.repeat(5000) }));
  const s = await serve((req, res) => {
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' }).end();
      return;
    }
    const br = req.url?.endsWith('/br') === true;
    res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'content-encoding': br ? 'br' : 'gzip' });
    res.end(br ? brotliCompressSync(doc) : gzipSync(doc));
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, ...fast });
  t.after(() => c.close());
  for (const path of ['doc', 'doc/br']) {
    const r = await c.fetchDocument(path, { maxBytes: 1 << 20 });
    assert.equal(r.kind, 'fresh');
    if (r.kind === 'fresh') {
      assert.deepEqual(r.body, doc);
      assert.equal(r.etag, '"v1"');
    }
  }
  const again = await c.fetchDocument('doc', { maxBytes: 1 << 20, validators: { etag: '"v1"', lastModified: null } });
  assert.equal(again.kind, 'not-modified');
  assert.equal(s.hits.get('/prefix/doc'), 2);
});

test('idempotent requests are retried on 503 and reset connections, not on 404', async (t) => {
  let n = 0;
  const s = await serve((req, res) => {
    if (req.url === '/prefix/missing') {
      res.writeHead(404).end('{}');
      return;
    }
    n += 1;
    if (n === 1) res.writeHead(503).end('busy');
    else if (n === 2) req.socket.destroy();
    else res.writeHead(200).end('ok');
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, retries: 2, ...fast });
  t.after(() => c.close());
  const r = await c.fetchDocument('flaky', { maxBytes: 100 });
  assert.equal(r.kind === 'fresh' && r.body.toString(), 'ok');
  assert.equal(s.hits.get('/prefix/flaky'), 3);
  await assert.rejects(c.fetchDocument('missing', { maxBytes: 100 }), (e) => isAirlockError(e, 'UPSTREAM_NOT_FOUND'));
  assert.equal(s.hits.get('/prefix/missing'), 1);
});

test('time-outs become UPSTREAM_TIMEOUT; refused connections UPSTREAM_UNAVAILABLE', async (t) => {
  const s = await serve(() => {
    // never answers
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, headersTimeoutMs: 150, retries: 0, ...fast });
  t.after(() => c.close());
  await assert.rejects(c.fetchDocument('slow', { maxBytes: 100 }), (e) => isAirlockError(e, 'UPSTREAM_TIMEOUT') && /u timed out/.test(e.message));

  const dead = await serve(() => undefined);
  const deadUrl = dead.url;
  await dead.close();
  const d = new UpstreamClient({ name: 'gone', url: deadUrl, retries: 1, ...fast });
  t.after(() => d.close());
  await assert.rejects(d.openStream('x.tgz', { maxBytes: 100 }), (e) => isAirlockError(e, 'UPSTREAM_UNAVAILABLE'));
});

test('a body that goes silent or stops short fails; it is never handed out as complete', async (t) => {
  const s = await serve((req, res) => {
    if (req.url === '/prefix/silent') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(10));
    } else {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(10), () => req.socket.destroy());
    }
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, bodyTimeoutMs: 150, retries: 0, ...fast });
  t.after(() => c.close());
  await assert.rejects(c.fetchDocument('silent', { maxBytes: 1000 }), (e) => isAirlockError(e, 'UPSTREAM_TIMEOUT') && /waiting for the response body/.test(e.message));
  await assert.rejects(c.fetchDocument('short', { maxBytes: 1000 }), (e) => isAirlockError(e, 'UPSTREAM_UNAVAILABLE'));
  for (const path of ['silent', 'short']) {
    const stream = await c.openStream(path, { maxBytes: 1000 });
    await assert.rejects(async () => {
      for await (const _ of stream.body) {
        // drain
      }
    }, `a ${path} stream ends in an error`);
  }
});

test('a redirect to another origin drops the configured credentials', async (t) => {
  const seen: (string | undefined)[] = [];
  const other = await serve((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200).end('moved here');
  });
  t.after(() => other.close());
  const s = await serve((req, res) => {
    res.writeHead(302, { location: other.url + 'file' }).end();
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, headers: { authorization: 'Bearer secret' }, ...fast });
  t.after(() => c.close());
  // Redirects may leave the origin (tarballs on a CDN); credentials stay with the upstream.
  const r = await c.fetchDocument('x', { maxBytes: 100 });
  assert.equal(r.kind === 'fresh' && r.body.toString(), 'moved here');
  assert.deepEqual(seen, [undefined]);
});

test('body caps hold for plain and compressed bodies (compression bombs)', async (t) => {
  const big = Buffer.alloc(200_000, 0x61);
  const s = await serve((req, res) => {
    if (req.url === '/prefix/bomb') {
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(big));
    } else if (req.url === '/prefix/bad-gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
    } else {
      res.writeHead(200).end(big);
    }
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, ...fast });
  t.after(() => c.close());
  for (const path of ['plain', 'bomb']) {
    await assert.rejects(c.fetchDocument(path, { maxBytes: 10_000 }), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /10000-byte limit/.test(e.message));
  }
  await assert.rejects(c.fetchDocument('bad-gzip', { maxBytes: 10_000 }), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE'));
  assert.equal(s.hits.get('/prefix/bad-gzip'), 1, 'undecodable bodies are not retried');
  const stream = await c.openStream('plain', { maxBytes: 10_000 });
  await assert.rejects(async () => {
    for await (const _ of stream.body) {
      // drain
    }
  }, (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE'));
});

test('streams deliver the decoded body; same-origin redirects are followed', async (t) => {
  const s = await serve((req, res) => {
    if (req.url === '/prefix/old') res.writeHead(302, { location: '/prefix/new' }).end();
    else res.writeHead(200, { 'content-length': '5' }).end('hello');
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, ...fast });
  t.after(() => c.close());
  const r = await c.openStream('old', { maxBytes: 100 });
  const chunks: Buffer[] = [];
  for await (const chunk of r.body) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'hello');
  assert.equal(r.contentLength, 5);
  assert.throws(() => c.resolve('http://elsewhere.invalid/x'), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE'));
});

test('the circuit opens after consecutive failures, fails fast, then lets one trial through', async (t) => {
  let up = false;
  const s = await serve((_req, res) => {
    if (up) res.writeHead(200).end('ok');
    else res.writeHead(502).end();
  });
  t.after(() => s.close());
  let now = 1_000;
  const c = new UpstreamClient({ name: 'u', url: s.url, retries: 0, breakerFailureThreshold: 3, breakerOpenMs: 1000, ...fast }, { now: () => now });
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) {
    await assert.rejects(c.fetchDocument('x', { maxBytes: 100 }), (e) => isAirlockError(e, 'UPSTREAM_UNAVAILABLE'));
  }
  assert.equal(c.circuit, 'open');
  await assert.rejects(c.fetchDocument('x', { maxBytes: 100 }), (e) => isAirlockError(e, 'UPSTREAM_UNAVAILABLE') && /circuit open/.test(e.message));
  assert.equal(s.hits.get('/prefix/x'), 3, 'an open circuit sends nothing');
  now += 1000;
  up = true;
  assert.equal(c.circuit, 'half-open');
  const r = await c.fetchDocument('x', { maxBytes: 100 });
  assert.equal(r.kind, 'fresh');
  assert.equal(c.circuit, 'closed');
});

test('half-open admits a single trial at a time', () => {
  let now = 0;
  const b = new CircuitBreaker({ threshold: 1, openMs: 10, now: () => now });
  b.failure();
  assert.equal(b.admit(), false);
  now = 10;
  assert.equal(b.admit(), true);
  assert.equal(b.admit(), false);
  b.failure();
  assert.equal(b.state, 'open');
});

test('freshness windows', () => {
  const p = { maxAgeMs: 100, staleIfErrorMs: 1000 };
  assert.equal(freshnessOf(0, 99, p), 'fresh');
  assert.equal(freshnessOf(0, 100, p), 'stale');
  assert.equal(freshnessOf(0, 1100, p), 'expired');
});

test('a forwarded request counts against the upstream’s health as other requests do: 5xx does, a loop’s 508 does not', async (t) => {
  const s = await serve((req, res) => res.writeHead(req.url === '/prefix/loop' ? 508 : 500, { 'content-type': 'application/json' }).end('{}'));
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, retries: 0, breakerFailureThreshold: 2, breakerOpenMs: 60_000, ...fast });
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) assert.equal((await c.forward('loop', 'POST', Buffer.from('{}'), { maxBytes: 100 })).status, 508);
  assert.equal(c.circuit, 'closed');
  for (let i = 0; i < 2; i++) assert.equal((await c.forward('fail', 'POST', Buffer.from('{}'), { maxBytes: 100 })).status, 500);
  assert.equal(c.circuit, 'open');
});

test('a redirect whose Location is no URL is a bad response, not retried and not counted against the upstream’s health', async (t) => {
  const s = await serve((_req, res) => {
    res.writeHead(302, { location: 'http://[' }).end();
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, breakerFailureThreshold: 1, ...fast });
  t.after(() => c.close());
  for (const open of [() => c.fetchDocument('doc', { maxBytes: 1000 }), () => c.openStream('doc', { maxBytes: 1000 })]) {
    await assert.rejects(open(), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /redirected to "http:\/\/\[", which is no URL/.test(e.message));
  }
  assert.equal(s.hits.get('/prefix/doc'), 2, 'each asked once');
  assert.equal(c.circuit, 'closed');
});

test('a body that does not decode is UPSTREAM_BAD_RESPONSE naming the upstream, read as a document, a stream or a forwarded answer', async (t) => {
  const truncated = gzipSync(Buffer.from('x'.repeat(100_000))).subarray(0, 50);
  const s = await serve((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-encoding': 'gzip' }).end(truncated));
  });
  t.after(() => s.close());
  const c = new UpstreamClient({ name: 'u', url: s.url, ...fast });
  t.after(() => c.close());
  const undecodable = (e: unknown): boolean => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /^upstream u sent a body that does not decode \(Z_BUF_ERROR: unexpected end of file\) for \/prefix\/x$/.test(e.message);
  await assert.rejects(c.fetchDocument('x', { maxBytes: 1 << 20 }), undecodable);
  await assert.rejects(c.forward('x', 'POST', Buffer.from('{}'), { maxBytes: 1 << 20 }), undecodable);
  const res = await c.openStream('x', { maxBytes: 1 << 20 });
  await assert.rejects(async () => {
    for await (const _ of res.body) void _;
  }, undecodable);
});
