/**
 * A hosted oci repository served by two gateways over one data directory, behind a load balancer
 * with no sticky sessions: every request of a push may reach either gateway. The real skopeo
 * pushes through a balancer that sends each request to the other gateway than the last, so an
 * upload's POST, PATCH and PUT land on different gateways; over HTTP, the chunks of one upload
 * go to both gateways and across a restart, and two chunks racing for one offset on the two
 * gateways are not both taken.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildImage, hasRegistryTools, skopeo, SKIP_NO_REGISTRY_TOOLS, writeLayout } from '../../support/oci/index.ts';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
const image = buildImage({ files: { 'app/hello.txt': 'pushed through a balancer\n', 'app/data.bin': 'x'.repeat(200_000) } });

interface Forwarded {
  readonly method: string;
  readonly path: string;
  /** 0 or 1: the gateway that answered. */
  readonly gateway: number;
}

/** An HTTP balancer that sends each request to the other backend than the last (no stickiness), logging where each went. */
async function roundRobin(backends: readonly string[]): Promise<{ readonly host: string; readonly log: readonly Forwarded[]; close(): Promise<void> }> {
  const log: Forwarded[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const gateway = next++ % backends.length;
    log.push({ method: req.method ?? '', path: req.url ?? '', gateway });
    const target = new URL(req.url ?? '/', backends[gateway]);
    const out = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * The blob of `bytes` is the image repository's on every gateway (a blob alone is served only as
 * part of an admitted image, so HEAD says so), and the blob store holds exactly those bytes.
 */
async function assertStored(dataDir: string, gateways: readonly HostedOci[], base: string, bytes: Buffer): Promise<void> {
  const digest = digestOf(bytes);
  for (const g of gateways) {
    const head = await g.fetch(`${base}/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
  }
  const files = (await readdir(dataDir, { recursive: true })).filter((f) => f.endsWith(digest.slice('sha256:'.length)));
  assert.equal(files.length, 1, `one blob file of ${digest}`);
  assert.ok((await readFile(join(dataDir, files[0] as string))).equals(bytes), 'the blob is the chunks in order');
}

async function withTwoGateways(body: (a: HostedOci, b: HostedOci, dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-lb-'));
  try {
    const a = await hostedOci({ dataDir });
    const b = await hostedOci({ dataDir });
    try {
      await body(a, b, dataDir);
    } finally {
      await b.close();
      await a.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('a hosted oci repository behind a load balancer without sticky sessions', { skip }, () => {
  test('skopeo pushes through a balancer that alternates gateways on every request, and both gateways serve the image', () =>
    withTwoGateways(async (a, b) => {
      const lb = await roundRobin([a.airlock.url, b.airlock.url]);
      try {
        const layout = join(a.tmp, 'layout');
        await writeLayout(layout, [{ ...image, ref: 'v1' }]);
        const pushed = await skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `ci:${a.publisher}`, `oci:${layout}:v1`, `docker://${lb.host}/${HOSTED}/team/app:v1`]);
        assert.equal(pushed.code, 0, pushed.stderr);
        // The uploads were spread: a session started on one gateway was written to or closed on the other.
        const uploads = lb.log.filter((r) => r.path.includes('/blobs/uploads/'));
        const started = uploads.filter((r) => r.method === 'POST');
        const continued = uploads.filter((r) => r.method === 'PATCH' || r.method === 'PUT');
        assert.ok(started.length >= 2 && continued.length >= 2, `skopeo uploaded through sessions: ${JSON.stringify(uploads)}`);
        assert.ok(new Set(continued.map((r) => r.gateway)).size === 2, 'both gateways took upload requests');
        for (const g of [a, b]) {
          const pulled = await g.pull('team/app:v1', `ci:${g.reader}`);
          assert.equal(pulled.code, 0, pulled.stderr);
          assert.equal(pulled.digest, image.manifestDigest);
        }
      } finally {
        await lb.close();
      }
    }));

  test('the chunks of one upload go to both gateways and across a restart of the one that started it; the blob is whole on both', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-lb-'));
    try {
      const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i} of a chunked layer\n`).join(''));
      const [one, two] = [20_000, 50_000];
      const base = `/v2/${HOSTED}/team/chunks/blobs`;
      const octets = { 'content-type': 'application/octet-stream' };
      let a = await hostedOci({ dataDir });
      const b = await hostedOci({ dataDir });
      try {
        const started = await a.fetch(`${base}/uploads/`, { method: 'POST' });
        assert.equal(started.status, 202);
        const location = started.headers.get('location') ?? '';
        const first = await b.fetch(location, { method: 'PATCH', headers: { ...octets, 'content-range': `0-${one - 1}` }, body: bytes.subarray(0, one) });
        assert.equal(first.status, 202, await first.clone().text());
        assert.equal(first.headers.get('range'), `0-${one - 1}`);
        await a.close();
        a = await hostedOci({ dataDir });
        const second = await a.fetch(location, { method: 'PATCH', headers: { ...octets, 'content-range': `${one}-${two - 1}` }, body: bytes.subarray(one, two) });
        assert.equal(second.status, 202, await second.clone().text());
        const status = await b.fetch(location);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), `0-${two - 1}`, 'the other gateway sees every chunk received');
        const digest = digestOf(bytes);
        const done = await b.fetch(`${location}?digest=${digest}`, { method: 'PUT', headers: octets, body: bytes.subarray(two) });
        assert.equal(done.status, 201, await done.clone().text());
        await assertStored(dataDir, [a, b], base, bytes);
        assert.equal((await a.fetch(location)).status, 404, 'the session is over on every gateway');
      } finally {
        await b.close();
        await a.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('two chunks for the same offset on the two gateways: the first to finish is taken, the other is answered 416 with the range received', () =>
    withTwoGateways(async (a, b, dataDir) => {
      const base = `/v2/${HOSTED}/team/race/blobs`;
      const started = await a.fetch(`${base}/uploads/`, { method: 'POST' });
      const location = started.headers.get('location') ?? '';
      const slow = Buffer.from('the chunk that arrives slowly');
      const fast = Buffer.from('the chunk that is whole first');
      // Gateway a is sent its chunk's first byte, and holds the request open until b has taken its own.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(slow.subarray(0, 1));
          await held;
          controller.enqueue(slow.subarray(1));
          controller.close();
        },
      });
      const slowAnswer = a.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${slow.length - 1}` }, body: stream, duplex: 'half' } as RequestInit);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const fastAnswer = await b.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${fast.length - 1}` }, body: fast });
      assert.equal(fastAnswer.status, 202);
      release();
      const lost = await slowAnswer;
      assert.equal(lost.status, 416);
      assert.equal(lost.headers.get('range'), `0-${fast.length - 1}`);
      assert.equal(((await lost.json()) as { errors: { code: string }[] }).errors[0]?.code, 'BLOB_UPLOAD_INVALID');
      // The upload goes on from what was taken: the fast chunk, and nothing of the slow one.
      const digest = digestOf(fast);
      const done = await a.fetch(`${location}?digest=${digest}`, { method: 'PUT' });
      assert.equal(done.status, 201, await done.clone().text());
      await assertStored(dataDir, [a, b], base, fast);
    }));
});
