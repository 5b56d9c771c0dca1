/**
 * A small Hugging Face Hub for tests, speaking the Hub's read API the way real clients see it
 * (docs: /work/shared/protocols/huggingface.md §2–§8), for models and datasets:
 *
 * - `GET /api/<type>s/<id>[/revision/<rev>]` repo info (`?blobs=true`, `expand=` filtering);
 * - `GET /api/<type>s/<id>/tree/<rev>[/<path>]` (git object ids, `lfs`, `xetHash`, paginated by
 *   `cursor` with an absolute `Link: <…>; rel="next"` naming this Hub);
 * - `POST /api/<type>s/<id>/paths-info/<rev>` (JSON or form body, at most 1 MiB);
 * - `HEAD`/`GET /[datasets/]<id>/resolve/<rev>/<path>`: regular files from the Hub, LFS files by a
 *   302 to a second server (the CDN) with the Hub's `X-Linked-*` and Xet headers (hub-resolve.ts).
 *
 * Errors carry `X-Error-Code`/`X-Error-Message` and a JSON `{"error": …}`. Bearer tokens: any token
 * not given in `tokens` is refused (401); private repositories need a valid one for everything,
 * gated ones for `/resolve/`. Switches for hostile-upstream tests: serve other bytes for a file
 * (`tamper`), claim another size in listings (`lieAboutSize`), serve tree pages that are not JSON
 * (`breakTree`), go down (`down`); a delay for CDN answers. Every request to either server is logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathsInfo, repoInfo, tree, type HubApiContext } from './hub-api.ts';
import { Exchange, type HubRequest } from './hub-exchange.ts';
import { HubRepos, type FixtureCommitOptions, type FixtureHubFile, type FixtureHubRepoSpec, type HfRepoRef, type HfRepoType, type HubFile, type HubRepo } from './hub-repos.ts';
import { cdn, resolveFile, type ResolveContext } from './hub-resolve.ts';
import { pathSegments } from './http-bits.ts';

export interface FixtureHubOptions {
  /** Tree entries per page (default 1000, as the Hub). */
  readonly pageSize?: number;
  /** Wait this long before each CDN answer. */
  readonly cdnDelayMs?: number;
  /** Valid access tokens (`hf_…`). */
  readonly tokens?: readonly string[];
  /**
   * Answer `Accept: application/vnd.xet-fileinfo+json` (sent by `@huggingface/hub`) for a
   * Xet-backed file with Xet file info instead of bytes, as the Hub does. Default true.
   */
  readonly xetFileInfo?: boolean;
  /** The address the CDN listens on and is named by (default 127.0.0.1; e.g. 127.0.0.2 for another host name). */
  readonly cdnHost?: string;
}

/** `'503'`: both servers answer everything with 503; `'refuse'`: connections are dropped. */
export type HubDownMode = false | '503' | 'refuse';

const API_KEYWORDS = ['revision', 'tree', 'paths-info', 'xet-read-token'];

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

export class FixtureHub {
  /** Every request to either server, in arrival order. */
  readonly requests: HubRequest[] = [];
  pageSize: number;
  cdnDelayMs: number;
  xetFileInfo: boolean;
  readonly #repos = new HubRepos();
  readonly #hub: Server;
  readonly #cdn: Server;
  readonly #cdnHost: string;
  readonly #sockets = new Set<Socket>();
  readonly #tokens: Set<string>;
  /** LFS content by sha256 (what the CDN holds). */
  readonly #blobs = new Map<string, Buffer>();
  /** Bytes served instead of the content with this sha256. */
  readonly #tampered = new Map<string, Buffer>();
  readonly #secret = randomBytes(32);
  #down: HubDownMode = false;
  #brokenTreeFromPage: number | null = null;
  #hubUrl = '';
  #cdnUrl = '';
  #serial = 0;

  constructor(options: FixtureHubOptions = {}) {
    this.pageSize = options.pageSize ?? 1000;
    this.cdnDelayMs = options.cdnDelayMs ?? 0;
    this.xetFileInfo = options.xetFileInfo ?? true;
    this.#cdnHost = options.cdnHost ?? '127.0.0.1';
    this.#tokens = new Set(options.tokens ?? []);
    this.#hub = this.#server('hub');
    this.#cdn = this.#server('cdn');
  }

  async start(): Promise<this> {
    this.#hubUrl = await listen(this.#hub, '127.0.0.1');
    this.#cdnUrl = await listen(this.#cdn, this.#cdnHost);
    return this;
  }

  async close(): Promise<void> {
    for (const s of [this.#hub, this.#cdn]) {
      if (!s.listening) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  /** The Hub's origin, `http://127.0.0.1:<port>` (what `hubUrl` / `HF_ENDPOINT` take). */
  get url(): string {
    if (this.#hubUrl === '') throw new Error('FixtureHub: start() it first');
    return this.#hubUrl;
  }

  /** The CDN's origin. */
  get cdnUrl(): string {
    if (this.#cdnUrl === '') throw new Error('FixtureHub: start() it first');
    return this.#cdnUrl;
  }

  /** Creates a repository (by default with the Hub's initial commit of `.gitattributes` on `main`). */
  addRepo(spec: FixtureHubRepoSpec): { readonly type: HfRepoType; readonly name: string } {
    const repo = this.#repos.add(spec);
    this.#keepBlobs(repo);
    return { type: repo.type, name: repo.id };
  }

  /** Commits files on a branch (default `main`), carrying the branch's other files forward; returns the commit sha. */
  commit(repo: HfRepoRef, files: readonly FixtureHubFile[], options: FixtureCommitOptions = {}): string {
    const r = this.#repos.need(repo);
    const sha = this.#repos.commit(r, files, options);
    this.#keepBlobs(r);
    return sha;
  }

  /** Tags a revision's commit; returns its sha. */
  tag(repo: HfRepoRef, name: string, revision = 'main'): string {
    return this.#repos.ref(this.#repos.need(repo), name, revision, 'tag');
  }

  /** Creates (or moves) a branch to a revision's commit; returns its sha. */
  branch(repo: HfRepoRef, name: string, revision = 'main'): string {
    return this.#repos.ref(this.#repos.need(repo), name, revision, 'branch');
  }

  /** The commit sha a revision resolves to. */
  sha(repo: HfRepoRef, revision = 'main'): string {
    const c = this.#repos.resolve(this.#repos.need(repo), revision);
    if (c === undefined) throw new Error(`FixtureHub: no revision ${revision}`);
    return c.id;
  }

  /** A file as stored at a revision: its bytes and every id the Hub lists for it. */
  file(repo: HfRepoRef, path: string, revision = 'main'): HubFile {
    const f = this.#repos.resolve(this.#repos.need(repo), revision)?.files.get(path);
    if (f === undefined) throw new Error(`FixtureHub: no file ${path} at ${revision}`);
    return f;
  }

  /** The repository answers 404 RepoNotFound from now on. */
  removeRepo(repo: HfRepoRef): void {
    this.#repos.remove(repo);
  }

  /**
   * Serve other bytes for a file's content (from the Hub or the CDN, under every revision that
   * holds it) while its listed hashes stay; default: one byte flipped (same size). `null` undoes it.
   */
  tamper(repo: HfRepoRef, path: string, bytes?: Uint8Array | null, revision = 'main'): void {
    const f = this.file(repo, path, revision);
    if (bytes === null) {
      this.#tampered.delete(f.sha256);
      return;
    }
    let served = bytes === undefined ? undefined : Buffer.from(bytes);
    if (served === undefined) {
      if (f.size === 0) throw new Error('FixtureHub: cannot flip a byte of an empty file');
      served = Buffer.from(f.bytes);
      const at = Math.floor(served.length / 2);
      served[at] = (served[at] ?? 0) ^ 0xff;
    }
    this.#tampered.set(f.sha256, served);
  }

  /** Tree, paths-info, `?blobs=true` siblings and `X-Linked-Size` claim this size for the path (`null` undoes it); the bytes stay. */
  lieAboutSize(repo: HfRepoRef, path: string, size: number | null): void {
    const r = this.#repos.need(repo);
    if (size === null) r.sizeLies.delete(path);
    else r.sizeLies.set(path, size);
  }

  /** Tree pages from this index on (0: every page) answer 200 `application/json` with an HTML body; `false` undoes it. */
  breakTree(fromPage: number | false = 0): void {
    this.#brokenTreeFromPage = fromPage === false ? null : fromPage;
  }

  /** `true`/`'503'`: everything answers 503; `'refuse'`: connections are dropped (open ones too); `false`: back up. */
  down(mode: boolean | HubDownMode = true): void {
    this.#down = mode === true ? '503' : mode;
    if (this.#down === 'refuse') for (const s of this.#sockets) s.destroy();
  }

  acceptToken(token: string): void {
    this.#tokens.add(token);
  }

  /** Requests matching: a substring of the path (with query), a pattern, or a predicate. */
  count(match: string | RegExp | ((r: HubRequest) => boolean)): number {
    const test = typeof match === 'string' ? (r: HubRequest) => r.path.includes(match) : match instanceof RegExp ? (r: HubRequest) => match.test(r.path) : match;
    return this.requests.filter(test).length;
  }

  #keepBlobs(repo: HubRepo): void {
    for (const c of repo.commits.values()) for (const f of c.files.values()) if (f.lfs) this.#blobs.set(f.sha256, f.bytes);
  }

  #server(origin: 'hub' | 'cdn'): Server {
    const server = createServer((req, res) => void this.#handle(origin, req, res));
    server.on('connection', (s: Socket) => {
      if (this.#down === 'refuse') {
        s.destroy();
        return;
      }
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    return server;
  }

  get #apiContext(): HubApiContext {
    return { repos: this.#repos, hubUrl: this.#hubUrl, pageSize: this.pageSize, brokenTreeFromPage: this.#brokenTreeFromPage };
  }

  get #resolveContext(): ResolveContext {
    return {
      repos: this.#repos,
      hubUrl: this.#hubUrl,
      cdnUrl: this.#cdnUrl,
      xetFileInfo: this.xetFileInfo,
      cdnDelayMs: this.cdnDelayMs,
      cdnSecret: this.#secret,
      served: (sha256, real) => this.#tampered.get(sha256) ?? real,
      blob: (sha256) => this.#blobs.get(sha256),
    };
  }

  async #handle(origin: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: HubRequest = { origin, method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, status: 0 };
    this.requests.push(entry);
    if (this.#down === 'refuse') {
      req.socket.destroy();
      return;
    }
    const n = this.#serial++;
    const x = new Exchange(req, res, entry, `Root=1-${n.toString(16).padStart(8, '0')}-${createHash('sha1').update(`request ${n}`).digest('hex').slice(0, 24)}`);
    try {
      if (this.#down === '503') {
        req.resume();
        return x.send(503, { 'content-type': 'text/plain; charset=utf-8' }, 'Service Unavailable\n');
      }
      if (origin === 'cdn') {
        req.resume();
        return await cdn(this.#resolveContext, x);
      }
      await this.#route(x);
    } catch (e) {
      if (!res.headersSent) x.json(500, { error: `fixture hub: ${e instanceof Error ? e.message : String(e)}` });
      else res.destroy();
    }
  }

  async #route(x: Exchange): Promise<void> {
    const segs = pathSegments(x.pathname);
    if (segs === null) return x.error(400, undefined, 'Bad Request');
    const auth = this.#auth(x);
    if (auth === 'invalid') return x.error(401, undefined, 'Invalid credentials in Authorization header');
    if (segs[0] === 'api' && (segs[1] === 'models' || segs[1] === 'datasets')) {
      const found = this.#locate(segs[1] === 'models' ? 'model' : 'dataset', segs.slice(2), API_KEYWORDS);
      if (found === undefined) return x.error(404, 'RepoNotFound', 'Repository not found');
      if (found.repo.spec.private === true && auth !== 'valid') return x.error(401, 'RepoNotFound', 'Repository not found');
      const [keyword, ...rest] = found.rest;
      if (keyword === 'paths-info') {
        if (x.method !== 'POST') return x.send(405, { allow: 'POST' });
        return pathsInfo(this.#apiContext, x, found.repo, rest);
      }
      x.req.resume();
      if (x.method !== 'GET' && x.method !== 'HEAD') return x.send(405, { allow: 'GET, HEAD' });
      if (keyword === undefined) return repoInfo(this.#apiContext, x, found.repo, 'main');
      if (keyword === 'revision') return repoInfo(this.#apiContext, x, found.repo, rest.join('/'));
      if (keyword === 'tree') return tree(this.#apiContext, x, found.repo, rest);
      return x.json(501, { error: 'the fixture Hub does not implement Xet' });
    }
    x.req.resume();
    const dataset = segs[0] === 'datasets';
    const found = this.#locate(dataset ? 'dataset' : 'model', dataset ? segs.slice(1) : segs, ['resolve']);
    if (found === undefined) return x.error(404, 'RepoNotFound', 'Repository not found');
    if (found.repo.spec.private === true && auth !== 'valid') return x.error(401, 'RepoNotFound', 'Repository not found');
    if (found.rest[0] !== 'resolve') return x.send(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n');
    resolveFile(this.#resolveContext, x, found.repo, found.rest.slice(1), auth === 'valid');
  }

  /** The repository named by the first one or two segments, followed by nothing or by one of the keywords. */
  #locate(type: HfRepoType, segs: readonly string[], keywords: readonly string[]): { repo: HubRepo; rest: string[] } | undefined {
    for (const n of [2, 1]) {
      if (segs.length < n) continue;
      const repo = this.#repos.get(type, segs.slice(0, n).join('/'));
      const rest = segs.slice(n);
      if (repo !== undefined && (rest.length === 0 || keywords.includes(rest[0] ?? ''))) return { repo, rest };
    }
    return undefined;
  }

  #auth(x: Exchange): 'none' | 'valid' | 'invalid' {
    const h = x.header('authorization');
    if (h === undefined) return 'none';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m?.[1] !== undefined && this.#tokens.has(m[1]) ? 'valid' : 'invalid';
  }
}
