/**
 * A small PyPI for tests, speaking the Simple Repository API the way real clients see it:
 * `/simple/<project>/` as PEP 691 JSON or PEP 503 HTML by `Accept` (`Vary: Accept`), strong ETags
 * and 304, a 301 from any other spelling of a name to the normalized URL, 404 for unknown projects.
 * Files (and their PEP 658 `.metadata` siblings) live on a second server, as on PyPI's files host,
 * at absolute URLs `/packages/<first two hex>/<sha256>/<filename>` (or on the index server itself
 * with `sameOrigin`). Switches for failure tests: answer everything with 503, serve a file with
 * other bytes than its listed hash. Every request is logged.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeProjectName, versionOfFilename } from './names.ts';
import { HTML_TYPE, negotiate, projectHtml, projectJson, rootHtml, rootJson, type ListedFile, type PageType } from './simple-page.ts';

export interface FixturePypiIndexOptions {
  /** Serve files from the index server instead of a separate files server. */
  readonly sameOrigin?: boolean;
  /** Ignore `Accept` and always serve `text/html` without `Vary` (an old devpi or a static mirror). */
  readonly htmlOnly?: boolean;
}

export interface FixtureFile {
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** The exact core metadata (a wheel's `METADATA`); listed on the page and served as `<file>.metadata`. */
  readonly metadata?: Uint8Array;
  /** Default: when it was added. */
  readonly uploadTime?: Date;
  readonly requiresPython?: string;
  /** `true`, or the reason. */
  readonly yanked?: boolean | string;
  /** Default: read from the file name. */
  readonly version?: string;
  /**
   * A PEP 740 provenance object: listed on the page (`provenance`, `data-provenance`) and served by
   * the index as PyPI's Integrity API does, at `/integrity/<project>/<version>/<filename>/provenance`.
   */
  readonly provenance?: Uint8Array;
}

export interface PypiRequest {
  readonly origin: 'index' | 'files';
  readonly method: string;
  /** As sent (undecoded, with any query). */
  readonly path: string;
  readonly accept: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly userAgent: string | undefined;
  /** The status answered (0 until answered). */
  status: number;
}

interface StoredFile extends ListedFile {
  readonly bytes: Buffer;
  readonly metadata: Buffer | undefined;
  readonly provenanceBytes: Buffer | undefined;
  /** `/packages/<xx>/<sha256>/<filename>` */
  readonly path: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export class FixturePypiIndex {
  /** Every request to either server, in arrival order. */
  readonly requests: PypiRequest[] = [];
  readonly #options: Required<FixturePypiIndexOptions>;
  readonly #index: Server;
  readonly #files: Server | null;
  /** normalized project → filename → file */
  readonly #projects = new Map<string, Map<string, StoredFile>>();
  /** `/packages/…` path → file */
  readonly #byPath = new Map<string, StoredFile>();
  readonly #corrupt = new Set<string>();
  /** `/integrity/…/provenance` path → file */
  readonly #provenance = new Map<string, StoredFile>();
  #down = false;
  #serial = 0;
  #indexOrigin = '';
  #filesOrigin = '';

  constructor(options: FixturePypiIndexOptions = {}) {
    this.#options = { sameOrigin: options.sameOrigin ?? false, htmlOnly: options.htmlOnly ?? false };
    this.#index = createServer((req, res) => this.#handle('index', req, res));
    this.#files = this.#options.sameOrigin ? null : createServer((req, res) => this.#handle('files', req, res));
  }

  async start(): Promise<this> {
    this.#indexOrigin = `http://127.0.0.1:${await listen(this.#index)}`;
    this.#filesOrigin = this.#files === null ? this.#indexOrigin : `http://127.0.0.1:${await listen(this.#files)}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of [this.#index, this.#files]) {
      if (s === null || !s.listening) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  /** The index base, `http://127.0.0.1:<port>/simple/` (what `--index-url` takes). */
  get url(): string {
    return `${this.#started(this.#indexOrigin)}/simple/`;
  }

  /** The files origin, `http://127.0.0.1:<port>/` (the index's own origin with `sameOrigin`). */
  get filesUrl(): string {
    return `${this.#started(this.#filesOrigin)}/`;
  }

  /** Publish a file (replacing one of the same name). The index must be started (file URLs are absolute). */
  addFile(project: string, file: FixtureFile): ListedFile {
    const bytes = Buffer.from(file.bytes);
    const digest = sha256(bytes);
    const metadata = file.metadata === undefined ? undefined : Buffer.from(file.metadata);
    const path = `/packages/${digest.slice(0, 2)}/${digest}/${encodeURIComponent(file.filename)}`;
    const version = file.version ?? versionOfFilename(file.filename);
    const provenancePath = `/integrity/${normalizeProjectName(project)}/${encodeURIComponent(version)}/${encodeURIComponent(file.filename)}/provenance`;
    const stored: StoredFile = {
      filename: file.filename,
      url: `${this.#started(this.#filesOrigin)}${path}`,
      sha256: digest,
      size: bytes.length,
      version,
      uploadTime: file.uploadTime ?? new Date(),
      requiresPython: file.requiresPython,
      yanked: file.yanked ?? false,
      metadataSha256: metadata === undefined ? undefined : sha256(metadata),
      bytes,
      metadata,
      provenance: file.provenance === undefined ? undefined : `${this.#started(this.#indexOrigin)}${provenancePath}`,
      provenanceBytes: file.provenance === undefined ? undefined : Buffer.from(file.provenance),
      path,
    };
    if (file.provenance !== undefined) this.#provenance.set(provenancePath, stored);
    const name = normalizeProjectName(project);
    const files = this.#projects.get(name) ?? new Map<string, StoredFile>();
    const previous = files.get(file.filename);
    if (previous !== undefined) this.#byPath.delete(previous.path);
    files.set(file.filename, stored);
    this.#projects.set(name, files);
    this.#byPath.set(path, stored);
    this.#serial++;
    return stored;
  }

  /** The project's page and files disappear (404). */
  removeProject(project: string): void {
    const name = normalizeProjectName(project);
    for (const f of this.#projects.get(name)?.values() ?? []) {
      this.#byPath.delete(f.path);
      if (f.provenance !== undefined) this.#provenance.delete(new URL(f.provenance).pathname);
    }
    this.#projects.delete(name);
    this.#serial++;
  }

  /** Absolute URL of a published file. */
  fileUrl(filename: string): string {
    const f = this.#find(filename);
    if (f === undefined) throw new Error(`no fixture file ${filename}`);
    return f.url;
  }

  /**
   * `true`: both servers answer every request with `503 Service Unavailable` (not a dropped
   * connection: a 503 is what a real outage at a CDN looks like, and it is deterministic). pip
   * retries 503 with back-off; pass `--retries 0` to fail fast.
   */
  setDown(down: boolean): void {
    this.#down = down;
  }

  /**
   * Serve other bytes (same length, one byte flipped) than the page's hash promises for this
   * file; a `<file>.metadata` name corrupts the metadata sibling instead.
   */
  corruptFile(filename: string, on = true): void {
    if (on) this.#corrupt.add(filename);
    else this.#corrupt.delete(filename);
  }

  /** Requests (to either server) whose path contains the text. */
  count(pathSubstring: string): number {
    return this.requests.filter((r) => r.path.includes(pathSubstring)).length;
  }

  #started(origin: string): string {
    if (origin === '') throw new Error('FixturePypiIndex: start() it first');
    return origin;
  }

  #find(filename: string): StoredFile | undefined {
    for (const files of this.#projects.values()) {
      const f = files.get(filename);
      if (f !== undefined) return f;
    }
    return undefined;
  }

  #handle(origin: 'index' | 'files', req: IncomingMessage, res: ServerResponse): void {
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    const entry: PypiRequest = { origin, method: req.method ?? 'GET', path: req.url ?? '/', accept: header('accept'), ifNoneMatch: header('if-none-match'), userAgent: header('user-agent'), status: 0 };
    this.requests.push(entry);
    const answer = (status: number, headers: Record<string, string>, body?: string | Buffer): void => {
      entry.status = status;
      const bytes = body === undefined ? undefined : Buffer.from(body);
      if (bytes !== undefined) headers['content-length'] = String(bytes.length);
      res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : bytes);
    };
    if (this.#down) return answer(503, { 'content-type': 'text/plain; charset=utf-8' }, 'Service Unavailable (fixture index is down)\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }, 'Method Not Allowed\n');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (origin === 'index' && path.startsWith('/simple')) return this.#page(req, path, answer);
    const attested = origin === 'index' ? this.#provenance.get(path) : undefined;
    if (attested?.provenanceBytes !== undefined) return answer(200, { 'content-type': 'application/vnd.pypi.integrity.v1+json' }, attested.provenanceBytes);
    if ((origin === 'files' || this.#options.sameOrigin) && path.startsWith('/packages/')) return this.#file(path, answer);
    answer(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n');
  }

  #page(req: IncomingMessage, path: string, answer: (status: number, headers: Record<string, string>, body?: string | Buffer) => void): void {
    const notFound = (): void => answer(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n');
    const type: PageType = this.#options.htmlOnly ? HTML_TYPE : negotiate(req.headers['accept']);
    const json = type === 'application/vnd.pypi.simple.v1+json';
    const html = !this.#options.htmlOnly;
    let body: string;
    if (path === '/simple/' || path === '/simple') {
      if (path === '/simple') return answer(301, { location: '/simple/' });
      const names = [...this.#projects.keys()].sort();
      body = json ? rootJson(names, this.#serial) : rootHtml(names, html);
    } else {
      const m = /^\/simple\/([^/]+)(\/?)$/.exec(path);
      if (m === null) return notFound();
      let raw: string;
      try {
        raw = decodeURIComponent(m[1] ?? '');
      } catch {
        return notFound();
      }
      const name = normalizeProjectName(raw);
      if (raw !== name || m[2] !== '/') return answer(301, { location: `/simple/${encodeURIComponent(name)}/`, 'content-type': 'text/plain; charset=utf-8' }, '');
      const files = this.#projects.get(name);
      if (files === undefined) return notFound();
      const listed = [...files.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
      body = json ? projectJson(name, listed, this.#serial) : projectHtml(name, listed, html);
    }
    const etag = `"${sha256(Buffer.from(`${type}\n${body}`)).slice(0, 32)}"`;
    const headers: Record<string, string> = { 'content-type': json ? type : `${type}; charset=utf-8`, etag, 'cache-control': 'max-age=600, public' };
    if (!this.#options.htmlOnly) headers['vary'] = 'Accept';
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) return answer(304, headers);
    answer(200, headers, body);
  }

  #file(path: string, answer: (status: number, headers: Record<string, string>, body?: string | Buffer) => void): void {
    const isMetadata = path.endsWith('.metadata');
    const file = this.#byPath.get(isMetadata ? path.slice(0, -'.metadata'.length) : path);
    const bytes = isMetadata ? file?.metadata : file?.bytes;
    if (file === undefined || bytes === undefined) return answer(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n');
    let served = bytes;
    if (this.#corrupt.has(isMetadata ? `${file.filename}.metadata` : file.filename)) {
      served = Buffer.from(bytes);
      const at = Math.floor(served.length / 2);
      served[at] = (served[at] ?? 0) ^ 0xff;
    }
    const type = isMetadata ? 'text/plain; charset=utf-8' : 'application/octet-stream';
    answer(200, { 'content-type': type, etag: `"${sha256(served)}"`, 'cache-control': 'max-age=365000000, immutable, public' }, served);
  }
}
