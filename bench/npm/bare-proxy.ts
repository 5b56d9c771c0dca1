/**
 * The bare proxy: a reference for `bench:npm --bare`, not part of Airlock. It does only the work
 * any caching npm proxy must do on a cold install, the plain way:
 *  - packuments: the full upstream document (gzip), stored durably (staged, fsynced, renamed),
 *    parsed with JSON.parse, rendered abbreviated (Airlock's per-version fields) with `time`
 *    kept and tarball URLs rewritten, gzipped when the client accepts it;
 *  - tarballs: fetched, checked against the packument's sha512 integrity and sha1 shasum,
 *    stored durably, served.
 * No policy, no database, no content inspection, no cache of renderings (the benchmark measures
 * it cold only). Set beside Airlock cold in the same run, it shows how much of Airlock's cold
 * cost is proxying as such and how much is the gate, the records and the inspection around it.
 * Run as a child process: `bare-proxy.ts UPSTREAM DATA_DIR`; prints `{"url": …}` when ready.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { storeDurably } from '../durable-write.ts';
import { plainAbbreviated, type PlainDist } from './plain-packument.ts';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const MAX_BYTES = 256 * 1024 * 1024;

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function fetchBytes(url: string, headers: Record<string, string>): Promise<{ status: number; gzip: boolean; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) res.destroy(new Error(`${url}: larger than ${MAX_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, gzip: res.headers['content-encoding'] === 'gzip', body: Buffer.concat(chunks, size) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function fileKey(name: string, file: string): string {
  return `${name}\0${file}`;
}

async function main(): Promise<void> {
  const [upstream, dataDir] = process.argv.slice(2);
  if (upstream === undefined || dataDir === undefined) throw new Error('usage: bare-proxy.ts UPSTREAM DATA_DIR');
  const upstreamBase = upstream.endsWith('/') ? upstream : `${upstream}/`;
  await mkdir(dataDir, { recursive: true });
  // What each rendered packument promised about its tarballs, by package name and file name.
  const dists = new Map<string, PlainDist>();
  let base = '';

  async function packument(name: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const up = await fetchBytes(upstreamBase + path, { accept: 'application/json', 'accept-encoding': 'gzip' });
    if (up.status !== 200) {
      res.writeHead(up.status === 404 ? 404 : 502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `upstream answered ${up.status}` }));
      return;
    }
    const raw = up.gzip ? await gunzipAsync(up.body, { maxOutputLength: MAX_BYTES }) : up.body;
    await storeDurably(dataDir as string, `${encodeURIComponent(name)}.json`, raw);
    const { body, dists: promised } = plainAbbreviated(name, raw, base);
    for (const [file, dist] of promised) dists.set(fileKey(name, file), dist);
    const headers = { 'content-type': 'application/vnd.npm.install-v1+json' };
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) res.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(await gzipAsync(body, { level: 6 }));
    else res.writeHead(200, headers).end(body);
  }

  async function tarball(name: string, file: string, res: ServerResponse): Promise<void> {
    const dist = dists.get(fileKey(name, file));
    if (dist === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${name}: no such file ${file} (ask for the packument first)` }));
      return;
    }
    const up = await fetchBytes(dist.url, {});
    const sha512 = `sha512-${createHash('sha512').update(up.body).digest('base64')}`;
    const sha1 = createHash('sha1').update(up.body).digest('hex');
    if (up.status !== 200 || sha512 !== dist.integrity || sha1 !== dist.shasum) {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${name}/${file}: upstream ${up.status}, or the bytes do not match the metadata` }));
      return;
    }
    await storeDurably(dataDir as string, sha1, up.body);
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(up.body);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').slice(1);
    const cut = path.indexOf('/-/');
    const work = cut === -1 ? packument(decodeURIComponent(path), path, req, res) : tarball(decodeURIComponent(path.slice(0, cut)), path.slice(cut + 3), res);
    work.catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(err) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  process.stdout.write(`${JSON.stringify({ url: base })}\n`);
}

await main();
