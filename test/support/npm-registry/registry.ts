/**
 * A small npm registry for tests and benchmarks, speaking the protocol real clients use:
 * packuments (full, or abbreviated by `Accept`), scoped names in every encoding, tarballs,
 * ETag/304, gzip, `/-/npm/v1/keys`, attestations, `/-/ping`, `/-/v1/search` (every package whose
 * name or description holds a word of the text, in the registry's answer format). Switches for failure tests: serve
 * wrong bytes for a tarball, go down (refuse connections or answer 503), delay answers; and a
 * per-path request counter.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { abbreviatedPackument, buildPackage, fullPackument, newSigningKey, type BuiltPackage, type FixturePackage, type FixtureVersion, type SigningKey } from './packument.ts';

interface Representation {
  readonly raw: Buffer;
  readonly gz: Buffer;
  readonly etag: string;
}

interface Doc {
  readonly full: Representation;
  corgi: Representation | null;
}

export type DownMode = false | 'refuse' | '503';

/** A key and certificate (PEM) to serve HTTPS with. */
export interface TlsIdentity {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

function represent(raw: Buffer): Representation {
  return { raw, gz: gzipSync(raw, { level: 6 }), etag: `"${createHash('sha1').update(raw).digest('hex')}"` };
}

/** Decode the packument name from the first path segment(s), the way registries do. */
function nameAndRest(path: string): { name: string; rest: string[] } | null {
  const segs = path.split('/').slice(1);
  const first = segs[0];
  if (first === undefined || first === '') return null;
  if (/%2f/i.test(first)) return { name: decodeURIComponent(first), rest: segs.slice(1) };
  if (first.startsWith('@')) {
    const second = segs[1];
    if (second === undefined) return null;
    return { name: `${decodeURIComponent(first)}/${decodeURIComponent(second)}`, rest: segs.slice(2) };
  }
  return { name: decodeURIComponent(first), rest: segs.slice(1) };
}

export class FixtureRegistry {
  readonly key: SigningKey;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #docs = new Map<string, Doc>();
  readonly #built = new Map<string, BuiltPackage>();
  readonly #tarballs = new Map<string, { readonly bytes: Buffer; readonly etag: string }>();
  readonly #attestations = new Map<string, Buffer>();
  readonly #corrupt = new Set<string>();
  readonly #hits = new Map<string, number>();
  /** Every request: method, path, selected headers. */
  readonly requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }> = [];
  readonly #record: boolean;
  #down: DownMode = false;
  #delayMs = 0;
  #chunked = false;
  #searchAnswer: Buffer | 'none' | null = null;
  #packumentsInFlight = 0;
  #peakPackumentsInFlight = 0;
  #url = '';
  /** TCP connections accepted: with TLS, each is one handshake attempt. */
  connections = 0;

  private constructor(record: boolean, tls: TlsIdentity | undefined, key: SigningKey) {
    this.#record = record;
    this.key = key;
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.#handle(req, res);
    this.#server = tls === undefined ? createServer(handler) : createTlsServer({ key: tls.key, cert: tls.cert }, handler);
    this.#server.keepAliveTimeout = 30_000;
    this.#server.on('connection', (s: Socket) => {
      this.connections++;
      if (this.#down === 'refuse') {
        s.destroy();
        return;
      }
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  /**
   * `recordRequests: false` keeps only per-path counts (benchmarks: no growing request log);
   * `host`: the address to listen on and to name in URLs (default 127.0.0.1); `tls`: serve HTTPS;
   * `key`: the registry's signing key (default: a new one).
   */
  static async start(
    packages: readonly FixturePackage[] = [],
    port = 0,
    options: { readonly recordRequests?: boolean; readonly host?: string; readonly tls?: TlsIdentity; readonly key?: SigningKey } = {},
  ): Promise<FixtureRegistry> {
    const r = new FixtureRegistry(options.recordRequests ?? true, options.tls, options.key ?? newSigningKey());
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => r.#server.listen(port, host, resolve));
    const { port: actual } = r.#server.address() as AddressInfo;
    r.#url = `${options.tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${actual}/`;
    for (const p of packages) r.addPackage(p);
    return r;
  }

  /** Base URL, ending in `/`. */
  get url(): string {
    return this.#url;
  }

  addPackage(pkg: FixturePackage): BuiltPackage {
    const built = buildPackage(pkg, this.key);
    this.#install(built);
    return built;
  }

  /** Publish more versions of an existing package (or a new one). */
  addVersions(name: string, versions: readonly FixtureVersion[], distTags?: Record<string, string>): BuiltPackage {
    const prev = this.#built.get(name);
    const offset = prev?.versions.size ?? 0;
    const built = buildPackage({ name, versions: versions.map((v, i) => ({ publishedAt: new Date(Date.UTC(2023, 0, 1 + offset + i, 12)).toISOString(), ...v })), ...(distTags === undefined ? {} : { distTags }) }, this.key);
    if (prev !== undefined) {
      for (const [v, b] of prev.versions) if (!built.versions.has(v)) built.versions.set(v, b);
      const time = { ...prev.time, ...built.time, created: prev.time['created'] ?? built.time['created'] ?? '' };
      const merged: BuiltPackage = { name, versions: new Map([...prev.versions, ...built.versions]), time, distTags: { ...prev.distTags, ...built.distTags } };
      this.#install(merged);
      return merged;
    }
    this.#install(built);
    return built;
  }

  /** Serve a packument exactly as given (raw JSON text), e.g. a real one from a cache. */
  putRawPackument(name: string, raw: Buffer): void {
    this.#docs.set(name, { full: represent(raw), corgi: null });
  }

  /** Serve this attestation document (`{"attestations": [...]}`, as given) for `name@version`. */
  putAttestations(name: string, version: string, doc: Buffer): void {
    this.#attestations.set(`${name}@${version}`, doc);
  }

  putTarball(name: string, filename: string, bytes: Buffer): void {
    this.#tarballs.set(`${name}/${filename}`, { bytes, etag: `"${createHash('sha1').update(bytes).digest('hex')}"` });
  }

  package(name: string): BuiltPackage {
    const p = this.#built.get(name);
    if (p === undefined) throw new Error(`no fixture package ${name}`);
    return p;
  }

  tarball(name: string, version: string): Buffer {
    const v = this.package(name).versions.get(version);
    if (v === undefined) throw new Error(`no fixture version ${name}@${version}`);
    return v.tarball.bytes;
  }

  /** Serve different bytes than the published integrity for this tarball. */
  corruptTarball(name: string, version: string, on = true): void {
    const key = `${name}@${version}`;
    if (on) this.#corrupt.add(key);
    else this.#corrupt.delete(key);
  }

  /** `refuse`: drop every connection; `503`: answer every request with 503; false: serve. */
  setDown(mode: DownMode): void {
    this.#down = mode;
    if (mode === 'refuse') for (const s of this.#sockets) s.destroy();
  }

  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  /** Send tarballs without a content-length, in small chunks (as a streaming proxy would). */
  setChunkedTarballs(on: boolean): void {
    this.#chunked = on;
  }

  /** Answer every search with these bytes (a hostile or broken upstream), or 404 (`none`); null: search the packages. */
  setSearchAnswer(raw: Buffer | 'none' | null): void {
    this.#searchAnswer = raw;
  }

  /** The most packument requests this registry was answering at once (since start or the last reset). */
  peakPackumentsInFlight(reset = false): number {
    const peak = this.#peakPackumentsInFlight;
    if (reset) this.#peakPackumentsInFlight = this.#packumentsInFlight;
    return peak;
  }

  /** Requests seen for a path (exact, undecoded, without the query). */
  hits(path: string): number {
    return this.#hits.get(path) ?? 0;
  }

  tarballHits(name: string, version: string): number {
    const file = this.package(name).versions.get(version)?.filename ?? '';
    return this.hits(`/${name}/-/${file}`);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #install(p: BuiltPackage): void {
    this.#built.set(p.name, p);
    const full = fullPackument(p, this.#url, this.key);
    this.#docs.set(p.name, { full: represent(Buffer.from(JSON.stringify(full))), corgi: represent(Buffer.from(JSON.stringify(abbreviatedPackument(full)))) });
    for (const [v, b] of p.versions) {
      this.#tarballs.set(`${p.name}/${b.filename}`, { bytes: b.tarball.bytes, etag: `"${b.tarball.shasum}"` });
    }
  }

  /** The registry's search answer: `objects` of `{package, score, searchScore, flags}`, `total`, `time`. */
  #search(params: URLSearchParams): Record<string, unknown> {
    const words = (params.get('text') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const size = Number(params.get('size') ?? '20');
    const from = Number(params.get('from') ?? '0');
    const matches = [...this.#built.values()].filter((p) => {
      const latest = p.versions.get(p.distTags['latest'] ?? '');
      const hay = `${p.name} ${String(latest?.manifest['description'] ?? '')}`.toLowerCase();
      return words.some((w) => hay.includes(w));
    });
    const objects = matches.slice(from, from + size).map((p, i) => {
      const version = p.distTags['latest'] ?? '';
      const manifest = p.versions.get(version)?.manifest ?? {};
      const person = { username: 'fixture-publisher', email: 'publisher@example.invalid' };
      return {
        downloads: { monthly: 1000 - i, weekly: 250 - i },
        dependents: 3,
        updated: p.time['modified'],
        searchScore: 100 - i,
        package: {
          name: p.name,
          keywords: Array.isArray(manifest['keywords']) ? manifest['keywords'] : [],
          version,
          description: manifest['description'],
          sanitized_name: p.name,
          publisher: person,
          maintainers: [person],
          license: manifest['license'],
          date: p.time[version],
          links: { npm: `https://packages.example.invalid/package/${p.name}` },
        },
        score: { final: 0.5, detail: { popularity: 0.5, quality: 0.5, maintenance: 0.5 } },
        flags: { insecure: 0 },
      };
    });
    return { objects, total: matches.length, time: new Date().toUTCString() };
  }

  #keys(): Buffer {
    return Buffer.from(JSON.stringify({ keys: [{ expires: null, keyid: this.key.keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: this.key.publicDer.toString('base64') }] }));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.#hits.set(path, (this.#hits.get(path) ?? 0) + 1);
    if (this.#record) this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    if (this.#down === '503') {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down for the test"}');
      return;
    }
    if (!path.startsWith('/-/') && !path.includes('/-/')) {
      this.#packumentsInFlight++;
      this.#peakPackumentsInFlight = Math.max(this.#peakPackumentsInFlight, this.#packumentsInFlight);
      res.on('close', () => this.#packumentsInFlight--);
    }
    const go = (): void => this.#route(req, res, path);
    if (this.#delayMs > 0) setTimeout(go, this.#delayMs);
    else go();
  }

  #send(req: IncomingMessage, res: ServerResponse, rep: Representation, type: string): void {
    const headers: Record<string, string> = { 'content-type': type, etag: rep.etag, 'cache-control': 'public, max-age=300', vary: 'Accept, Accept-Encoding' };
    if (req.headers['if-none-match'] === rep.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? rep.gz : rep.raw;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
  }

  #notFound(res: ServerResponse): void {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
  }

  #route(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
      return;
    }
    if (path === '/-/ping') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (path === '/-/npm/v1/keys') {
      this.#send(req, res, represent(this.#keys()), 'application/json');
      return;
    }
    if (path === '/-/v1/search') {
      if (this.#searchAnswer === 'none') {
        this.#notFound(res);
        return;
      }
      const body = this.#searchAnswer ?? Buffer.from(JSON.stringify(this.#search(new URLSearchParams((req.url ?? '').split('?')[1] ?? ''))));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const att = /^\/-\/npm\/v1\/attestations\/(.+)$/.exec(path);
    if (att !== null) {
      const body = this.#attestations.get(decodeURIComponent(att[1] ?? ''));
      if (body === undefined) this.#notFound(res);
      else this.#send(req, res, represent(body), 'application/json');
      return;
    }
    const parsed = nameAndRest(path);
    if (parsed === null) {
      this.#notFound(res);
      return;
    }
    const { name, rest } = parsed;
    if (rest.length === 0) {
      const doc = this.#docs.get(name);
      if (doc === undefined) {
        this.#notFound(res);
        return;
      }
      const corgi = String(req.headers['accept'] ?? '').includes('application/vnd.npm.install-v1+json');
      if (corgi) {
        doc.corgi ??= represent(Buffer.from(JSON.stringify(abbreviatedPackument(JSON.parse(doc.full.raw.toString('utf8')) as Record<string, unknown>))));
        this.#send(req, res, doc.corgi, 'application/vnd.npm.install-v1+json');
      } else {
        this.#send(req, res, doc.full, 'application/json');
      }
      return;
    }
    if (rest.length === 2 && rest[0] === '-') {
      const file = decodeURIComponent(rest[1] ?? '');
      const stored = this.#tarballs.get(`${name}/${file}`);
      if (stored === undefined) {
        this.#notFound(res);
        return;
      }
      let { bytes, etag } = stored;
      if (this.#corrupt.size > 0) {
        const version = [...(this.#built.get(name)?.versions ?? [])].find(([, b]) => b.filename === file)?.[0];
        if (version !== undefined && this.#corrupt.has(`${name}@${version}`)) {
          bytes = Buffer.from(bytes);
          bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
          etag = `"${createHash('sha1').update(bytes).digest('hex')}"`;
        }
      }
      if (this.#chunked && req.method !== 'HEAD') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', etag });
        for (let at = 0; at < bytes.length; at += 1000) res.write(bytes.subarray(at, at + 1000));
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), etag });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    this.#notFound(res);
  }
}
